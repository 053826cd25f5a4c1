package catalog

import (
	"slices"
	"testing"

	"github.com/secex/wizard/steps/antispam"
	"github.com/secex/wizard/steps/edgetransport"
	"github.com/secex/wizard/steps/exchangecert"
	"github.com/secex/wizard/steps/extendedprotection"
	"github.com/secex/wizard/steps/ipsec"
	"github.com/secex/wizard/steps/isalistener"
	"github.com/secex/wizard/steps/isapublish"
	"github.com/secex/wizard/steps/keyarchival"
	"github.com/secex/wizard/steps/kms"
	"github.com/secex/wizard/steps/outlooktls"
	"github.com/secex/wizard/steps/owacert"
	"github.com/secex/wizard/steps/owatopology"
	"github.com/secex/wizard/steps/proxypublish"
	"github.com/secex/wizard/steps/relayconnector"
	"github.com/secex/wizard/steps/rpcencrypt"
	"github.com/secex/wizard/steps/screener"
	"github.com/secex/wizard/steps/smime"
	"github.com/secex/wizard/steps/smimeowa"
	"github.com/secex/wizard/steps/smtpgateway"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
)

// guidePrerequisites is the graph of the procedures as the guide builds
// them up (see the procedure catalogue): what each procedure needs
// completed before it can be answered, because it reads those answers. A
// procedure that needs nothing opens as soon as the organisation and the
// servers are described, whatever the state of the procedures before it.
var guidePrerequisites = map[string][]string{
	// Outlook RPC encryption and S/MIME stand alone.
	rpcencrypt.ID: nil,
	smime.ID:      nil,
	// KMS keeps the keys of the S/MIME certificates: it follows what the
	// S/MIME procedure chose about where certificates come from.
	kms.ID: {smime.ID},
	// OWA: the topology decides that ISA Server publishes OWA; the
	// listener is on that ISA Server; the publishing rule uses the
	// listener; the front-end's certificate must carry the name the rule
	// redirects to; IPSec may block inbound TCP 80 on the front-end only
	// once ISA reaches it over SSL, which needs that certificate.
	owatopology.ID: nil,
	isalistener.ID: {owatopology.ID},
	isapublish.ID:  {isalistener.ID},
	owacert.ID:     {isapublish.ID},
	ipsec.ID:       {owacert.ID},
	// SMTP: publishing through ISA stands alone; the Message Screener is
	// the SMTP filter of the ISA Server that publishes SMTP; the gateway
	// stands alone; the relay settings differ on the gateway's virtual
	// servers, so they need the gateway decided.
	smtppublish.ID: nil,
	screener.ID:    {smtppublish.ID},
	smtpgateway.ID: nil,
	smtprelay.ID:   {smtpgateway.ID},

	// The current platform's procedures.
	outlooktls.ID:   nil,
	smimeowa.ID:     nil,
	exchangecert.ID: nil,
	antispam.ID:     nil,

	extendedprotection.ID: nil,
	edgetransport.ID:      nil,
	relayconnector.ID:     nil,
	keyarchival.ID:        nil,
	proxypublish.ID:       nil,
}

// TestRequiresFollowTheGuide checks each procedure's Requires against the
// guide's graph, so that no procedure waits for an unrelated one and none
// opens before what it reads.
func TestRequiresFollowTheGuide(t *testing.T) {
	for _, s := range All {
		want, ok := guidePrerequisites[s.ID]
		if !ok {
			t.Errorf("%s: not in the guide's graph; add it with what it needs", s.ID)
			continue
		}
		got := slices.Sorted(slices.Values(s.Requires))
		if !slices.Equal(got, slices.Sorted(slices.Values(want))) {
			t.Errorf("%s requires %v, the guide %v", s.ID, s.Requires, want)
		}
	}
	for id := range guidePrerequisites {
		if _, ok := Lookup(id); !ok {
			t.Errorf("%s is in the guide's graph but not in the catalogue", id)
		}
	}
}
