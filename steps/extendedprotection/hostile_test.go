package extendedprotection

import (
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/currenttest"
	"github.com/secex/wizard/steps/steptest"
)

// A hostile answer is refused, or gives exactly the files of what its
// question parses it to.
func TestHostileAnswers(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileAnswersAsParsed(t, Step, steptest.Load(t, dir).Input(), currenttest.PlainPowerShell)
	}
}

func TestIdentity(t *testing.T) {
	if Step.ID != ID || Step.Platform != steps.PlatformCurrent || len(Replaces) == 0 {
		t.Error("not a current-platform counterpart of a guide procedure")
	}
	if ok, _ := Step.Applies(steps.Topology{}); ok {
		t.Error("applies without servers")
	}
}

// A hostile project name changes no more than the header line that
// carries it, in every scenario's files.
func TestHostileProject(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileProject(t, currenttest.HeaderChecked(t, Step.Files), steptest.Load(t, dir).Input())
	}
}
