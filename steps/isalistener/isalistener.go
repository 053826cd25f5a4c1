package isalistener

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
)

// ID is the procedure's stable identifier.
const ID = "isa-ssl-listener"

// Question IDs.
const (
	QISA         = "isa-server"        // the ISA Server that publishes OWA
	QListenerIP  = "listener-ip"       // the external address its SSL listener uses
	QCertCN      = "cert-cn"           // the common name of its certificate
	QCertIssuer  = "cert-issuer"       // who issues that certificate
	QSSLMode     = "ssl-mode"          // tunnel, terminate or bridge
	QLegal       = "legal-review"      // decrypting at ISA Server has been cleared
	QAccelerator = "accelerator"       // an SSL accelerator card is fitted
	QOutgoing    = "outgoing-lockdown" // remove the outgoing web request listeners
)

// Answer values.
const (
	IssuerPublic   = "public"
	IssuerInternal = "internal"

	ModeBridge    = "bridge"    // decrypt, inspect and re-encrypt to the front-end
	ModeTerminate = "terminate" // decrypt and forward in clear
	ModeTunnel    = "tunnel"    // pass the encrypted connection through
)

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Title:    "Give ISA Server a certificate and an SSL listener",
	Section:  "Securing OWA Communications: Securing Communication Between Web Browsers and ISA Servers (Incoming and Outgoing Web Requests)",
	Summary:  "Install the certificate for the public OWA name on ISA Server, listen for SSL on the published address and choose how ISA Server handles SSL.",
	Requires: []string{owatopology.ID},
	Rationale: []string{
		"Browsers outside the organisation reach OWA through ISA Server, so the first hop of the password is protected by ISA Server's SSL certificate. Browsers compare the certificate's common name with the host name in the address bar, and trust it only if a certification authority they already know issued it.",
		"ISA Server can pass SSL through untouched, end it and forward the request in clear, or end it, inspect the request and open a new SSL connection to the front-end (bridging). Only bridging both inspects the traffic and keeps the second hop encrypted; it needs ISA Server Service Pack 1 or later.",
	},
	Notes: []string{
		"Bridging decrypts users' traffic on ISA Server to inspect it. Some countries restrict decrypting and inspecting traffic at an intermediate point; have the legal position checked before this goes live.",
		"SSL costs processor time on ISA Server. An SSL accelerator card takes that work off the processor where many users connect at once.",
		"Removing the outgoing web request listeners stops internal users from using ISA Server as their web proxy. OWA does not need them; the guide recommends removing them for security.",
	},
	Applies: owatopology.Applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func decrypts(a steps.Answers) bool {
	return a.Is(QSSLMode, ModeBridge) || a.Is(QSSLMode, ModeTerminate)
}

var pages = []steps.Page{
	{
		ID: "isa-server",
		Questions: []steps.Question{{
			ID:          QISA,
			Label:       "Which ISA Server publishes OWA?",
			Hint:        "If it is a member of an ISA array, the certificate goes on every member; the runbook says so.",
			Kind:        steps.KindServer,
			Role:        steps.RoleISA,
			DefaultFrom: firstISA,
		}},
	},
	{
		ID: "listener-ip",
		Questions: []steps.Question{{
			ID:          QListenerIP,
			Label:       "On which external address does its SSL listener accept browsers?",
			Hint:        "The address the OWA topology procedure publishes: an SSL listener is configured per address.",
			Kind:        steps.KindIPv4,
			DefaultFrom: firstExternalOf,
		}},
	},
	{
		ID:    "certificate",
		Title: "ISA Server's certificate",
		Intro: "Browsers check that the certificate's common name equals the host in the OWA address: https://mail.example.com/exchange needs the common name mail.example.com.",
		Questions: []steps.Question{
			{
				ID:          QCertCN,
				Label:       "Common name of the certificate",
				Hint:        "The public OWA host name users type, exactly.",
				Kind:        steps.KindFQDN,
				DefaultFrom: owaHost,
			},
			{
				ID:    QCertIssuer,
				Label: "Who issues it?",
				Kind:  steps.KindChoice,
				Choices: []steps.Choice{
					{Value: IssuerPublic, Label: "A certification authority that browsers trust out of the box", Hint: "What the guide asks for: users connect from computers the organisation does not manage."},
					{Value: IssuerInternal, Label: "The organisation's own certification authority", Hint: "Browsers outside the organisation do not trust it and warn on every visit."},
				},
				Default: IssuerPublic,
			},
		},
	},
	{
		ID: "ssl-mode",
		Questions: []steps.Question{{
			ID:    QSSLMode,
			Label: "How should ISA Server handle the SSL connection from the browser?",
			Hint:  "The later procedures (publishing rule, front-end certificate, IPSec) are built for bridging.",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: ModeBridge, Label: "End it, inspect the request and re-encrypt to the front-end (bridging)", Hint: "The most secure: ISA Server can inspect the request and the password stays encrypted to the front-end. Needs ISA Server SP1 or later."},
				{Value: ModeTerminate, Label: "End it and forward the request to the front-end in clear", Hint: "The password then crosses the internal network in clear between ISA Server and the front-end."},
				{Value: ModeTunnel, Label: "Pass the encrypted connection through to the front-end untouched", Hint: "ISA Server cannot inspect anything, and browsers see the front-end's own certificate."},
			},
			Default: ModeBridge,
		}},
	},
	{
		ID:   "legal-review",
		When: decrypts,
		Questions: []steps.Question{{
			ID:    QLegal,
			Label: "Has the legal position on decrypting users' traffic at ISA Server been checked?",
			Hint:  "Some countries restrict decrypting and inspecting traffic at an intermediate point in the network.",
			Kind:  steps.KindYesNo,
		}},
	},
	{
		ID: "accelerator",
		Questions: []steps.Question{{
			ID:      QAccelerator,
			Label:   "Does the ISA Server have an SSL accelerator card?",
			Hint:    "The runbook then reminds you to check its driver is installed before SSL is turned on.",
			Kind:    steps.KindYesNo,
			Default: "no",
		}},
	},
	{
		ID: "outgoing",
		Questions: []steps.Question{{
			ID:      QOutgoing,
			Label:   "Remove the listeners for outgoing web requests, so that nobody can use ISA Server as a web proxy?",
			Hint:    "Optional and recommended by the guide. Answer No if internal users browse the web through this ISA Server today.",
			Kind:    steps.KindYesNo,
			Default: "yes",
		}},
	},
}

func firstISA(t steps.Topology, _ steps.Answers) string {
	if s := t.WithRole(steps.RoleISA); len(s) > 0 {
		return string(s[0].Name)
	}
	return ""
}

// firstExternalOf pre-fills the first external address of the ISA Server
// chosen on the earlier page.
func firstExternalOf(t steps.Topology, a steps.Answers) string {
	s, ok := t.Server(a[QISA])
	if !ok {
		isas := t.WithRole(steps.RoleISA)
		if len(isas) == 0 {
			return ""
		}
		s = isas[0]
	}
	if len(s.ISA.ExternalAddrs) == 0 {
		return ""
	}
	return s.ISA.ExternalAddrs[0].String()
}

func owaHost(t steps.Topology, _ steps.Answers) string { return string(t.Facts.OWAHost) }
