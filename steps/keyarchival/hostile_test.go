package keyarchival

import (
	"bytes"
	"errors"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/steptest"
)

// commandsStep is Step with its Files replaced by the commands the plan
// prints for the administrator to run (the procedure writes no scripts of
// its own), refused when Check reports an error. A hostile answer must then
// be refused, or reach the commands only in the form its question parses
// it to.
func commandsStep(t *testing.T) *steps.Step {
	st := *Step
	st.Files = func(in steps.Input) ([]steps.File, error) {
		for _, f := range Step.Check(in) {
			if f.Severity == steps.Error {
				return nil, errors.New(f.Message)
			}
		}
		return commandFiles(t, in), nil
	}
	return &st
}

// A hostile answer is refused, or gives exactly the commands of what its
// question parses it to.
func TestHostileAnswers(t *testing.T) {
	st := commandsStep(t)
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileAnswersAsParsed(t, st, steptest.Load(t, dir).Input(), withoutBOM)
	}
}

// A hostile project name reaches none of the commands.
func TestHostileProject(t *testing.T) {
	st := commandsStep(t)
	files := func(in steps.Input) ([]steps.File, error) {
		fs, err := st.Files(in)
		for i, f := range fs {
			body, ok := bytes.CutPrefix(f.Body, []byte("\xEF\xBB\xBF"))
			if !ok {
				t.Errorf("%s/%s: no byte order mark", f.Target, f.Name)
			}
			fs[i].Body = body
		}
		return fs, err
	}
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileProject(t, files, steptest.Load(t, dir).Input())
	}
}

// withoutBOM checks f as plain ASCII with CRLF after the UTF-8 byte order
// mark every PowerShell file starts with.
func withoutBOM(tb testing.TB, f steps.File) {
	tb.Helper()
	body, ok := bytes.CutPrefix(f.Body, []byte("\xEF\xBB\xBF"))
	if !ok {
		tb.Errorf("%s/%s: no byte order mark", f.Target, f.Name)
	}
	f.Body = body
	steptest.CheckPlainFile(tb, f)
}
