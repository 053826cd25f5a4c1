package owatopology

import (
	"github.com/secex/wizard/steps"
)

// ID is the procedure's stable identifier.
const ID = "owa-topology"

// TargetNetwork is the plan target for the changes made on devices outside
// the server inventory: the perimeter firewalls and the external DNS zone.
// The network team gets these steps and files as its own bundle.
const TargetNetwork = "Network and DNS"

// Question IDs.
const (
	QPlacement   = "fe-placement"      // where the front-ends sit after the change
	QLayout      = "layout-can-change" // can ISA Server go between the two firewalls
	QPublishedIP = "published-ip"      // the ISA Server address that publishes OWA
	QPublicIP    = "public-ip"         // the public address the outer firewall translates to it, if any
	QDNSCurrent  = "dns-current"       // what the public name resolves to today
	QDNSChange   = "dns-change"        // whether the record is changed as part of the change
)

// Answer values.
const (
	PlacementInternal  = "internal"  // already on the internal network
	PlacementMove      = "move"      // in the perimeter network now, moved behind ISA Server
	PlacementPerimeter = "perimeter" // stay in the perimeter network

	DNSChange = "change"
	DNSKeep   = "keep"
)

// Step is the procedure.
var Step = &steps.Step{
	ID:      ID,
	Title:   "Plan OWA publishing through ISA Server",
	Section: "Securing OWA Communications: Using ISA Server to Secure OWA",
	Summary: "Decide where ISA Server and the front-ends sit, which address publishes OWA and where the public name points, hop by hop.",
	Rationale: []string{
		"A front-end in a perimeter network needs many ports open through the inner firewall to reach domain controllers, the global catalog and the back-ends. An application-layer firewall such as ISA Server can stand in for the front-end instead: the front-ends stay on the internal network and only HTTPS reaches ISA Server from the Internet.",
		"OWA uses Basic authentication, so the user's password travels with every request. It crosses three hops on its way to the mailbox: browser to ISA Server, ISA Server to the front-end, front-end to back-end. Any hop left unencrypted exposes it. This procedure fixes the design for all three; the next procedures build it, and the wizard refuses to produce anything that leaves a hop in clear.",
	},
	Notes: []string{
		"External DNS must resolve the public OWA name to the address ISA Server publishes (or the address the outer firewall translates to it), never to a front-end: a record that still points at a front-end bypasses ISA Server and every protection this change adds.",
		"The front-ends still reach the domain controllers and the global catalog to log users on and find their mailboxes. That traffic is not changed by this guide; it does not carry the OWA password in clear.",
	},
	Applies: Applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

// Applies reports whether the OWA procedures concern the organisation: they
// publish OWA front-ends through ISA Server, so both roles must be in the
// inventory.
func Applies(t steps.Topology) (bool, string) {
	switch {
	case len(t.WithRole(steps.RoleFrontEnd)) == 0:
		return false, "No server has the role " + steps.RoleFrontEnd.Label() + ". Add the OWA front-ends on the servers page first."
	case len(t.WithRole(steps.RoleISA)) == 0:
		return false, "No server has the role " + steps.RoleISA.Label() + ". The guide publishes OWA through ISA Server; add it on the servers page first, with its external addresses and service pack."
	}
	return true, ""
}

var pages = []steps.Page{
	{
		ID: "placement",
		Questions: []steps.Question{{
			ID:    QPlacement,
			Label: "Where will the OWA front-ends sit once ISA Server publishes them?",
			Hint:  "The guide moves them off the perimeter network: ISA Server answers the Internet in their place, so the inner firewall no longer needs the many ports a front-end uses to reach domain controllers, the global catalog and the back-ends.",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: PlacementInternal, Label: "On the internal network, behind the inner firewall, as they are today", Hint: "The guide's design."},
				{Value: PlacementMove, Label: "In the perimeter network today; they move to the internal network as part of this change", Hint: "Enter on each front-end's server page the address it will have after the move."},
				{Value: PlacementPerimeter, Label: "In the perimeter network, and they stay there", Hint: "The inner firewall stays open for the front-ends' traffic."},
			},
			Default: PlacementInternal,
		}},
	},
	{
		ID: "layout",
		Questions: []steps.Question{{
			ID:    QLayout,
			Label: "Can the two-firewall layout change so that ISA Server sits between the outer and the inner firewall?",
			Hint:  "If not, ISA Server goes inside the inner firewall and both firewalls pass TCP 443 through to it. The answer should match the ISA Server's server page.",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: "yes", Label: "Yes: ISA Server sits between the two firewalls"},
				{Value: "no", Label: "No: ISA Server sits inside the inner firewall, with TCP 443 passed through both firewalls"},
			},
			DefaultFrom: layoutFromISA,
		}},
	},
	{
		ID:    "published-ip",
		Title: "The address that publishes OWA",
		Intro: "Browsers on the Internet connect to one address of ISA Server; ISA Server then fetches the page from a front-end. External DNS must lead to this address.",
		Questions: []steps.Question{
			{
				ID:          QPublishedIP,
				Label:       "Which external address of ISA Server publishes OWA?",
				Hint:        "One of the external addresses on the ISA Server's server page.",
				Kind:        steps.KindIPv4,
				DefaultFrom: firstExternal,
			},
			{
				ID:       QPublicIP,
				Label:    "If the outer firewall translates a public address to it, which public address?",
				Hint:     "Leave blank when the address above is itself reachable from the Internet.",
				Kind:     steps.KindIPv4,
				Optional: true,
			},
		},
	},
	{
		ID:    "dns",
		Title: "The public OWA name in external DNS",
		Intro: "Users type the public OWA host name recorded on the organisation page. On the Internet that name must resolve to the address ISA Server publishes, not to a front-end.",
		Questions: []steps.Question{
			{
				ID:       QDNSCurrent,
				Label:    "What address does the public OWA name resolve to on the Internet today?",
				Hint:     "For example from nslookup on a computer outside the organisation. Leave blank if the name has no record yet.",
				Kind:     steps.KindIPv4,
				Optional: true,
			},
			{
				ID:    QDNSChange,
				Label: "Will the external DNS record be changed as part of this change?",
				Kind:  steps.KindChoice,
				Choices: []steps.Choice{
					{Value: DNSChange, Label: "Yes: point it at the address ISA Server publishes once OWA is published", Hint: "The plan lowers the record's time to live a day ahead and switches it after the outside-in test."},
					{Value: DNSKeep, Label: "No: leave the record as it is", Hint: "Only right if it already points at the published address."},
				},
				Default: DNSChange,
			},
		},
	},
}

// layoutFromISA pre-fills the layout from the first ISA Server's page: a
// server recorded inside the inner firewall means the layout cannot change.
func layoutFromISA(t steps.Topology, _ steps.Answers) string {
	isas := t.WithRole(steps.RoleISA)
	if len(isas) == 0 {
		return ""
	}
	if isas[0].ISA.InsideFirewall {
		return "no"
	}
	return "yes"
}

func firstExternal(t steps.Topology, _ steps.Answers) string {
	for _, s := range t.WithRole(steps.RoleISA) {
		if len(s.ISA.ExternalAddrs) > 0 {
			return s.ISA.ExternalAddrs[0].String()
		}
	}
	return ""
}
