package edgetransport

import (
	"slices"
	"testing"

	"github.com/secex/wizard/steps/steptest"
)

const large = "testdata/fabrikam-large"

// TestLargeFleet plans the fabrikam-large scenario, the same fleet of two
// domain controllers, an issuing CA, four Mailbox servers in a DAG, two Edge
// Transport servers and a reverse proxy in every current-platform procedure:
// both Edge Transport servers are subscribed, each import run on the Mailbox
// server chosen, and each Edge's own receive connector set. Every action
// must be complete.
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
		"edge-firewall-fab-edge1",
		"edge-subscribe-fab-edge1",
		"edge-import-fab-edge1",
		"edge-tls-fab-edge1",
		"edge-firewall-fab-edge2",
		"edge-subscribe-fab-edge2",
		"edge-import-fab-edge2",
		"edge-tls-fab-edge2",
		"edge-outside-test",
	}
	if !slices.Equal(ids, want) {
		t.Errorf("actions %q, want %q", ids, want)
	}
}
