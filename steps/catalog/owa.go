package catalog

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/ipsec"
	"github.com/secex/wizard/steps/isalistener"
	"github.com/secex/wizard/steps/isapublish"
	"github.com/secex/wizard/steps/owacert"
	"github.com/secex/wizard/steps/owatopology"
)

// owa is the guide's part on securing Outlook Web Access.
var owa = []*steps.Step{
	owatopology.Step,
	isalistener.Step,
	isapublish.Step,
	owacert.Step,
	ipsec.Step,
}
