package catalog

import (
	"slices"

	"github.com/secex/wizard/steps"
)

// All is every procedure, in guide order: the Outlook part, then OWA, then
// SMTP, then the current platform's procedures. A procedure appears after
// every procedure it requires. Each part's list is in its own file.
var All = slices.Concat(outlook, owa, smtp, current)

// Lookup finds a procedure of All by ID.
func Lookup(id string) (*steps.Step, bool) {
	for _, s := range All {
		if s.ID == id {
			return s, true
		}
	}
	return nil, false
}
