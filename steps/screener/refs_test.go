package screener_test

import (
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/screener"
	"github.com/secex/wizard/steps/smtpgateway"
)

// TestGatewayReferences checks the names this procedure uses to read the
// gateway procedure's answers; that procedure imports this one, so they
// are repeated here rather than imported.
func TestGatewayReferences(t *testing.T) {
	r := screener.GatewayReferences
	if r.ID != smtpgateway.ID {
		t.Errorf("gateway step ID %q, want %q", r.ID, smtpgateway.ID)
	}
	for id, kind := range map[string]steps.Kind{r.Use: steps.KindYesNo, r.Host: steps.KindServer, r.Delivers: steps.KindChoice, r.Screener: steps.KindServer, r.Instance: steps.KindNumber} {
		q, ok := smtpgateway.Step.Question(id)
		if !ok || q.Kind != kind {
			t.Errorf("gateway question %q: found %v, kind %d, want %d", id, ok, q.Kind, kind)
		}
	}
	q, _ := smtpgateway.Step.Question(r.Delivers)
	if _, err := q.Parse([]string{r.ToScreener}, steps.Topology{}); err != nil {
		t.Errorf("gateway question %q does not offer %q", r.Delivers, r.ToScreener)
	}
}
