package catalog

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/kms"
	"github.com/secex/wizard/steps/rpcencrypt"
	"github.com/secex/wizard/steps/smime"
)

// All is every procedure, in guide order. A procedure appears after every
// procedure it requires.
var All = []*steps.Step{
	rpcencrypt.Step,
	smime.Step,
	kms.Step,
}

// Lookup finds a procedure of All by ID.
func Lookup(id string) (*steps.Step, bool) {
	for _, s := range All {
		if s.ID == id {
			return s, true
		}
	}
	return nil, false
}
