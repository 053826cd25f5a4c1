package antispam

import (
	"slices"
	"testing"

	"github.com/secex/wizard/steps/steptest"
)

const large = "testdata/fabrikam-large"

// TestLargeFleet plans the fabrikam-large scenario, the same fleet of two
// domain controllers, an issuing CA, four Mailbox servers in a DAG, two Edge
// Transport servers and a reverse proxy in every current-platform procedure:
// each of the two Edge Transport servers gets its own filter settings, with
// several blocked senders and domains. Refusing unknown recipients there
// is against the Edge STIG, which the fleet accepts as a deviation. Every
// action must be complete.
func TestLargeFleet(t *testing.T) {
	in := steptest.Load(t, large).Input()
	var codes []string
	for _, f := range Step.Check(in) {
		codes = append(codes, f.Code)
	}
	if want := []string{CodeValidationSTIG}; !slices.Equal(codes, want) {
		t.Errorf("findings %q, want %q", codes, want)
	}
	var ids []string
	for _, a := range Step.Plan(in) {
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" {
			t.Errorf("incomplete action %+v", a)
		}
	}
	want := []string{
		"antispam-settings-fab-edge1",
		"antispam-settings-fab-edge2",
	}
	if !slices.Equal(ids, want) {
		t.Errorf("actions %q, want %q", ids, want)
	}
}
