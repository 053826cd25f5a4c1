package exchangecert

import (
	"slices"
	"testing"

	"github.com/secex/wizard/steps/steptest"
)

const large = "testdata/fabrikam-large"

// TestLargeFleet plans the fabrikam-large scenario, the same fleet of two
// domain controllers, an issuing CA, four Mailbox servers in a DAG, two Edge
// Transport servers and a reverse proxy in every current-platform procedure:
// each of the four Mailbox servers gets its own request, issue and install,
// with three shared names, a 4096-bit key and an organisation name using the
// punctuation a certificate name allows. Every action must be complete.
func TestLargeFleet(t *testing.T) {
	in := steptest.Load(t, large).Input()
	var codes []string
	for _, f := range Step.Check(in) {
		codes = append(codes, f.Code)
	}
	if want := []string(nil); !slices.Equal(codes, want) {
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
		"request-fab-mbx1",
		"issue-fab-mbx1",
		"install-fab-mbx1",
		"request-fab-mbx2",
		"issue-fab-mbx2",
		"install-fab-mbx2",
		"request-fab-mbx3",
		"issue-fab-mbx3",
		"install-fab-mbx3",
		"request-fab-mbx4",
		"issue-fab-mbx4",
		"install-fab-mbx4",
	}
	if !slices.Equal(ids, want) {
		t.Errorf("actions %q, want %q", ids, want)
	}
}
