package currenttest

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/steptest"
)

const bom = "\xEF\xBB\xBF"

// PlainPowerShell checks f as plain ASCII with CRLF (see
// steptest.CheckPlainFile) after the UTF-8 byte order mark every
// PowerShell file starts with.
func PlainPowerShell(tb testing.TB, f steps.File) {
	tb.Helper()
	body, ok := bytes.CutPrefix(f.Body, []byte(bom))
	if !ok {
		tb.Errorf("%s/%s: no byte order mark", f.Target, f.Name)
	}
	f.Body = body
	steptest.CheckPlainFile(tb, f)
}

// WithoutBOM is files with each file's byte order mark checked and taken
// off, for steptest.CheckHostileProject, whose plain-text rule is ASCII
// only.
func WithoutBOM(tb testing.TB, files func(steps.Input) ([]steps.File, error)) func(steps.Input) ([]steps.File, error) {
	return func(in steps.Input) ([]steps.File, error) {
		fs, err := files(in)
		for i, f := range fs {
			body, ok := bytes.CutPrefix(f.Body, []byte(bom))
			if !ok {
				tb.Errorf("%s/%s: no byte order mark", f.Target, f.Name)
			}
			fs[i].Body = body
		}
		return fs, err
	}
}

// HeaderChecked is files made fit for steptest.CheckHostileProject. A
// PowerShell file is UTF-8 with a byte order mark, so its "# Project:"
// comment line may carry any printable character of the project's name.
// HeaderChecked checks the mark and that line itself (valid UTF-8, and no
// control, line or paragraph separator or bidirectional formatting
// character, which could hide or reorder what follows), then takes the
// mark off and writes the line's other non-ASCII characters as '?', so
// that everything else in each file is still held to the ASCII rule.
func HeaderChecked(tb testing.TB, files func(steps.Input) ([]steps.File, error)) func(steps.Input) ([]steps.File, error) {
	return func(in steps.Input) ([]steps.File, error) {
		fs, err := WithoutBOM(tb, files)(in)
		for i, f := range fs {
			lines := strings.Split(string(f.Body), "\r\n")
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
			fs[i].Body = []byte(strings.Join(lines, "\r\n"))
		}
		return fs, err
	}
}

// CommandsStep is st with its Files replaced by commands, the commands the
// plan prints for the administrator to run (for a procedure that writes
// no scripts of its own), refused when Check reports an error. A hostile
// answer must then be refused, or reach the commands only in the form its
// question parses it to.
func CommandsStep(st *steps.Step, commands func(steps.Input) []steps.File) *steps.Step {
	c := *st
	c.Files = func(in steps.Input) ([]steps.File, error) {
		for _, f := range st.Check(in) {
			if f.Severity == steps.Error {
				return nil, errors.New(f.Message)
			}
		}
		return commands(in), nil
	}
	return &c
}
