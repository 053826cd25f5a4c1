package extendedprotection

import (
	"bytes"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/steptest"
)

// A hostile answer is refused, or gives exactly the files of what its
// question parses it to.
func TestHostileAnswers(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileAnswersAsParsed(t, Step, steptest.Load(t, dir).Input(), withoutBOM)
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

func TestIdentity(t *testing.T) {
	if Step.ID != ID || Step.Platform != steps.PlatformCurrent || len(Replaces) == 0 {
		t.Error("not a current-platform counterpart of a guide procedure")
	}
	if ok, _ := Step.Applies(steps.Topology{}); ok {
		t.Error("applies without servers")
	}
}
