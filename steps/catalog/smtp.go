package catalog

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/screener"
	"github.com/secex/wizard/steps/smtpgateway"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
)

// smtp is the guide's part on securing SMTP.
var smtp = []*steps.Step{
	smtppublish.Step,
	screener.Step,
	smtpgateway.Step,
	smtprelay.Step,
}
