package exchangecert

import (
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/currenttest"
	"github.com/secex/wizard/steps/steptest"
)

// A hostile answer is refused, or gives exactly the commands of what its
// question parses it to.
func TestHostileAnswers(t *testing.T) {
	st := currenttest.CommandsStep(Step, func(in steps.Input) []steps.File { return commandFiles(t, in) })
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileAnswersAsParsed(t, st, steptest.Load(t, dir).Input(), currenttest.PlainPowerShell)
	}
}

// A hostile project name reaches none of the commands.
func TestHostileProject(t *testing.T) {
	st := currenttest.CommandsStep(Step, func(in steps.Input) []steps.File { return commandFiles(t, in) })
	files := currenttest.WithoutBOM(t, st.Files)
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileProject(t, files, steptest.Load(t, dir).Input())
	}
}
