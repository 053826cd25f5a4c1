package smtprelay_test

import (
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/screener"
	"github.com/secex/wizard/steps/smtpgateway"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
)

// TestReferences checks the names this procedure uses to read the other
// SMTP procedures' answers. Those procedures import this one, so the names
// cannot be imported from them and are checked here instead.
func TestReferences(t *testing.T) {
	r := smtprelay.References
	for _, c := range []struct {
		step      *steps.Step
		id        string
		questions map[string]steps.Kind
		values    map[string]string // question → a value it must offer
	}{
		{smtppublish.Step, r.PublishID, map[string]steps.Kind{
			r.PublishTo: steps.KindChoice, r.PublishExchange: steps.KindServer, r.PublishGateway: steps.KindServer, r.PublishScreener: steps.KindServer,
			r.PublishSMTPAuth: steps.KindYesNo, r.PublishMXAddress: steps.KindIPv4,
		}, map[string]string{r.PublishTo: r.PublishToGateway}},
		{smtppublish.Step, r.PublishID, nil, map[string]string{r.PublishTo: r.PublishToScreener}},
		{smtppublish.Step, r.PublishID, nil, map[string]string{r.PublishTo: r.PublishToExchange}},
		{screener.Step, r.ScreenerID, map[string]steps.Kind{
			r.ScreenerUse: steps.KindYesNo, r.ScreenerHost: steps.KindServer, r.ScreenerInstance: steps.KindNumber,
		}, nil},
		{smtpgateway.Step, r.GatewayID, map[string]steps.Kind{
			r.GatewayUse: steps.KindYesNo, r.GatewayHost: steps.KindServer, r.GatewayDeliversTo: steps.KindChoice, r.GatewayExchange: steps.KindServer,
			r.GatewayOutbound: steps.KindYesNo, r.GatewayOutboundFrom: steps.KindServers, r.GatewayInstance: steps.KindNumber,
		}, map[string]string{r.GatewayDeliversTo: r.GatewayToExchange}},
	} {
		if c.step.ID != c.id {
			t.Errorf("step ID %q, want %q", c.id, c.step.ID)
		}
		for id, kind := range c.questions {
			q, ok := c.step.Question(id)
			if !ok {
				t.Errorf("%s has no question %q", c.step.ID, id)
				continue
			}
			if q.Kind != kind {
				t.Errorf("%s question %q has kind %d, want %d", c.step.ID, id, q.Kind, kind)
			}
		}
		for id, v := range c.values {
			q, _ := c.step.Question(id)
			if _, err := q.Parse([]string{v}, steps.Topology{}); err != nil {
				t.Errorf("%s question %q does not offer %q: %v", c.step.ID, id, v, err)
			}
		}
	}
	if smtprelay.Step.Requires[0] != smtpgateway.ID {
		t.Errorf("requires %q, want %q", smtprelay.Step.Requires[0], smtpgateway.ID)
	}
}
