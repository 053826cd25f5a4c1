package antispam

import (
	"bytes"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/steptest"
)

// A hostile project name changes no more than the header line that
// carries it, in every scenario's files.
func TestHostileProject(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileProject(t, headerChecked(t), steptest.Load(t, dir).Input())
	}
}

// headerChecked is Step.Files made fit for steptest.CheckHostileProject,
// whose plain-text rule is ASCII only. A PowerShell file is UTF-8 with a
// byte order mark, so its "# Project:" comment line may carry any
// printable character of the project's name. headerChecked checks the mark
// and that line itself (valid UTF-8, and no control, line or paragraph
// separator or bidirectional formatting character, which could hide or
// reorder what follows), then takes the mark off and writes the line's
// other non-ASCII characters as '?', so that everything else in each file
// is still held to the ASCII rule.
func headerChecked(tb testing.TB) func(steps.Input) ([]steps.File, error) {
	return func(in steps.Input) ([]steps.File, error) {
		files, err := Step.Files(in)
		for i, f := range files {
			body, ok := bytes.CutPrefix(f.Body, []byte("\xEF\xBB\xBF"))
			if !ok {
				tb.Errorf("%s/%s: no byte order mark", f.Target, f.Name)
			}
			lines := strings.Split(string(body), "\r\n")
			for j, l := range lines {
				if !strings.HasPrefix(l, "# Project:") {
					continue
				}
				if !utf8.ValidString(l) {
					tb.Errorf("%s/%s: the project line %q is not UTF-8", f.Target, f.Name, l)
				}
				lines[j] = strings.Map(func(r rune) rune {
					switch {
					case unicode.IsControl(r) || unicode.In(r, unicode.Bidi_Control, unicode.Zl, unicode.Zp):
						tb.Errorf("%s/%s: the project line %q holds %U", f.Target, f.Name, l, r)
					case r > unicode.MaxASCII:
						return '?'
					}
					return r
				}, l)
			}
			files[i].Body = []byte(strings.Join(lines, "\r\n"))
		}
		return files, err
	}
}
