package scripttest

import (
	"errors"
	"strings"
	"testing"

	"github.com/secex/wizard/steps/script"
)

// A Refusal is a case for [CheckRefusals]: an input the encoder must refuse
// and text its error message must contain.
type Refusal[In any] struct {
	Name string // the subtest's name
	In   In     // the value to encode
	Want string // text the error message must contain
}

// CheckRefusals runs each case as a subtest of t named after the case. The
// subtest calls encode with the case's input and fails unless encode returns
// an error that is a [*script.Error] for the target lang (for example
// "PowerShell" or "cmd.exe"), whose message contains the case's Want, and
// returns no output with it. funcName names encode in failure messages.
func CheckRefusals[In any](t *testing.T, lang, funcName string, encode func(In) (string, error), cases []Refusal[In]) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			t.Helper()
			in := any(c.In) // formatted with %q, which suits strings and slices of them
			got, err := encode(c.In)
			if err == nil {
				t.Fatalf("%s(%q) = %q, want an error", funcName, in, got)
			}
			var se *script.Error
			if !errors.As(err, &se) || se.Lang != lang {
				t.Errorf("%s(%q) error %v is not a *script.Error for %s", funcName, in, err, lang)
			}
			if !strings.Contains(err.Error(), c.Want) {
				t.Errorf("%s(%q) error = %q, want it to mention %q", funcName, in, err, c.Want)
			}
			if got != "" {
				t.Errorf("%s(%q) returned %q with its error", funcName, in, got)
			}
		})
	}
}

// Refused reports whether an encoder refused its input, that is, whether err
// is not nil. It fails t unless the refusal is a [*script.Error] and the
// encoder returned no output with it. funcName and in describe the call in
// failure messages, and got and err are what the call returned.
//
// A fuzz target typically begins:
//
//	got, err := Quote(s)
//	if scripttest.Refused(t, "Quote", s, got, err) {
//		return
//	}
func Refused(t testing.TB, funcName string, in any, got string, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	var se *script.Error
	if !errors.As(err, &se) {
		t.Fatalf("%s(%q) error %v is not a *script.Error", funcName, in, err)
	}
	if got != "" {
		t.Fatalf("%s(%q) returned %q with its error %v", funcName, in, got, err)
	}
	return true
}
