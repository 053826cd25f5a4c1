package catalog

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/kms"
	"github.com/secex/wizard/steps/rpcencrypt"
	"github.com/secex/wizard/steps/smime"
)

// outlook is the guide's part on securing communications in Outlook 2002.
var outlook = []*steps.Step{
	rpcencrypt.Step,
	smime.Step,
	kms.Step,
}
