package isapublish

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/isalistener"
	"github.com/secex/wizard/steps/owatopology"
)

// ID is the procedure's stable identifier.
const ID = "isa-owa-publishing"

// Question IDs.
const (
	QTarget       = "target"       // the front-end's FQDN ISA Server redirects to
	QRuleName     = "rule-name"    // the web publishing rule's name
	QDestinations = "destinations" // all destinations, or the public name only
	QHostHeader   = "host-header"  // send the original host header
)

// Answer values.
const (
	DestinationsAll     = "all"
	DestinationsOWAName = "owa-name"
)

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Title:    "Publish OWA with an ISA Server web publishing rule",
	Section:  "Securing OWA Communications: Securing Communication Between Web Browsers and ISA Servers (Web Publishing for OWA)",
	Summary:  "Create the web publishing rule that redirects OWA requests to a front-end, with SSL required, 128-bit encryption and SSL bridging to the front-end.",
	Requires: []string{isalistener.ID},
	Rationale: []string{
		"A web publishing rule lets ISA Server stand in for the front-end: browsers talk to ISA Server, which fetches each page from the front-end on their behalf, so the front-end never faces the Internet.",
		"The rule's bridging settings finish the job of the listener: ISA Server refuses clear HTTP for the published site, demands 128-bit encryption from browsers, and opens its own SSL connection to the front-end, checking the front-end's certificate name, chain and expiry as it does.",
	},
	Notes: []string{
		"ISA Server 2000 forwards a web publishing rule to one internal server. Other front-ends keep serving users inside the organisation; a second public name or a second rule is needed to publish them as well.",
		"The firewall paths for TCP 443 listed in the OWA topology procedure must be open before the outside-in test can pass.",
	},
	Applies: owatopology.Applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

var pages = []steps.Page{
	{
		ID: "target",
		Questions: []steps.Question{{
			ID:          QTarget,
			Label:       "Which front-end does ISA Server redirect OWA requests to?",
			Hint:        "Its FQDN, as on its server page, not an address: ISA Server checks this name against the front-end's certificate when it bridges.",
			Kind:        steps.KindFQDN,
			DefaultFrom: firstFrontEnd,
		}},
	},
	{
		ID: "rule-name",
		Questions: []steps.Question{{
			ID:          QRuleName,
			Label:       "What is the web publishing rule called?",
			Hint:        "The guide names it OWA - followed by the front-end's FQDN.",
			Kind:        steps.KindObjectName,
			DefaultFrom: ruleName,
		}},
	},
	{
		ID:    "rule-scope",
		Title: "What the rule answers",
		Intro: "The rule applies to any request from any client, as in the guide; OWA's users come from anywhere on the Internet.",
		Questions: []steps.Question{
			{
				ID:    QDestinations,
				Label: "Which destinations does the rule apply to?",
				Kind:  steps.KindChoice,
				Choices: []steps.Choice{
					{Value: DestinationsAll, Label: "All destinations", Hint: "The guide's choice."},
					{Value: DestinationsOWAName, Label: "Only requests for the public OWA name", Hint: "A destination set holding the public name; ISA Server then refuses requests for any other name on this address."},
				},
				Default: DestinationsAll,
			},
			{
				ID:      QHostHeader,
				Label:   "Send the original host header to the front-end instead of its own name?",
				Hint:    "The guide ticks this, so that OWA builds its links with the name users typed.",
				Kind:    steps.KindYesNo,
				Default: "yes",
			},
		},
	},
}

func firstFrontEnd(t steps.Topology, _ steps.Answers) string {
	if s := t.WithRole(steps.RoleFrontEnd); len(s) > 0 {
		return string(s[0].FQDN)
	}
	return ""
}

// ruleName follows the guide's convention with the target chosen on the
// first page.
func ruleName(t steps.Topology, a steps.Answers) string {
	target := a[QTarget]
	if target == "" {
		target = firstFrontEnd(t, a)
	}
	if target == "" {
		return ""
	}
	return "OWA - " + target
}
