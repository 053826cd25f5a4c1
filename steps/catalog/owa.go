package catalog

import "github.com/secex/wizard/steps"

// owa is the guide's part on securing Outlook Web Access.
var owa = []*steps.Step{}
