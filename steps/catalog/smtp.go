package catalog

import "github.com/secex/wizard/steps"

// smtp is the guide's part on securing SMTP.
var smtp = []*steps.Step{}
