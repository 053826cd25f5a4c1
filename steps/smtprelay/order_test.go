package smtprelay_test

import (
	"slices"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/screener"
	"github.com/secex/wizard/steps/smtpgateway"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
	"github.com/secex/wizard/steps/steptest"
)

// smtp is the guide's SMTP part in catalogue order.
var smtp = []*steps.Step{smtppublish.Step, screener.Step, smtpgateway.Step, smtprelay.Step}

// TestCrossServerOrder runs the four SMTP procedures together over the
// reference organisation and checks the plan follows the guide's order of
// work: gateway and Message Screener in place, then ISA publishing and MX,
// then the relay lockdown, and the relay test from outside last.
func TestCrossServerOrder(t *testing.T) {
	for _, dir := range []string{"testdata/contoso-reference", "testdata/fabrikam-direct"} {
		in := steptest.Load(t, dir).Input()
		out, err := steps.Produce(smtp, in, func(string) bool { return true })
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range out.Findings {
			if f.Severity == steps.Error {
				t.Fatalf("%s: %s: %s", dir, f.Key(), f.Message)
			}
		}
		var keys []string
		for i, a := range out.Actions {
			keys = append(keys, a.Step+"/"+a.ID)
			if i > 0 && a.Phase < out.Actions[i-1].Phase {
				t.Errorf("%s: %s comes after a later phase", dir, a.ID)
			}
			if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" {
				t.Errorf("%s: action %s/%s is incomplete", dir, a.Step, a.ID)
			}
		}
		before := func(a, b string) {
			t.Helper()
			i, j := slices.Index(keys, a), slices.Index(keys, b)
			if i < 0 || j < 0 || i >= j {
				t.Errorf("%s: %s (at %d) must come before %s (at %d)", dir, a, i, b, j)
			}
		}
		if dir == "testdata/contoso-reference" {
			before(screener.ID+"/screener-lockdown", smtppublish.ID+"/publishing-rule")
			before(smtpgateway.ID+"/gateway-lockdown", smtppublish.ID+"/publishing-rule")
			before(smtppublish.ID+"/mx-dns", smtpgateway.ID+"/exchange-connector")
			before(smtpgateway.ID+"/exchange-connector", smtprelay.ID+"/lockdown-exbe01")
		}
		before(smtppublish.ID+"/publishing-rule", smtppublish.ID+"/mx-dns")
		if last := keys[len(keys)-1]; last != smtprelay.ID+"/outside-relay-test" {
			t.Errorf("%s: the plan ends with %s, not the relay test from outside", dir, last)
		}
		names := map[string]bool{}
		for _, f := range out.Files {
			if names[f.Target+"/"+f.Name] {
				t.Errorf("%s: two files named %s/%s", dir, f.Target, f.Name)
			}
			names[f.Target+"/"+f.Name] = true
			steptest.CheckPlainFile(t, f)
		}
	}
}

func TestMinutes(t *testing.T) {
	for n, want := range map[int]string{1: "1 minute", 2: "2 minutes", 15: "15 minutes"} {
		if got := smtprelay.Minutes(n); got != want {
			t.Errorf("Minutes(%d) = %q, want %q", n, got, want)
		}
	}
}
