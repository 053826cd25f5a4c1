package smimeowa

import (
	"testing"

	"github.com/secex/wizard/steps/currenttest"
	"github.com/secex/wizard/steps/steptest"
)

// A hostile project name changes no more than the header line that
// carries it, in every scenario's files.
func TestHostileProject(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileProject(t, currenttest.HeaderChecked(t, Step.Files), steptest.Load(t, dir).Input())
	}
}
