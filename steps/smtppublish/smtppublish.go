package smtppublish

import (
	"net/netip"

	"github.com/secex/wizard/steps"
)

// ID is the procedure's stable identifier.
const ID = "smtp-isa-publishing"

// Question IDs.
const (
	QISA               = "isa-server"         // the ISA Server that publishes SMTP
	QAddress           = "smtp-address"       // its external address for SMTP
	QPublishedTo       = "published-to"       // which kind of host receives the mail
	QPublishedGateway  = "published-gateway"  // the gateway, when it does
	QPublishedScreener = "published-screener" // the Message Screener host, when it does
	QPublishedExchange = "published-exchange" // the Exchange server, when it does
	QFirewalls         = "firewalls"          // firewall layout
	QOuterNAT          = "outer-nat"          // a firewall in front translates a public address
	QPublicAddress     = "public-address"     // that public address
	QMXAddress         = "mx-address"         // the address the MX host resolves to
	QSMTPAuth          = "smtp-auth"          // anyone logs on over port 25
	QAuthTLS           = "auth-tls"           // TLS is required for that
	QOutbound          = "outbound"           // how outgoing mail leaves
)

// Answers of the choice questions.
const (
	ToGateway  = "gateway"
	ToScreener = "screener"
	ToExchange = "exchange"

	TwoFirewalls = "two-firewalls"
	InsideInner  = "inside-inner"

	OutboundProtocolRule = "protocol-rule"
	OutboundPublish      = "publish-outgoing"
	OutboundElsewhere    = "elsewhere"
)

// Step is the procedure.
var Step = &steps.Step{
	ID:      ID,
	Title:   "Publish SMTP through ISA Server",
	Section: "Securing SMTP Communications: Using ISA Server to Secure SMTP",
	Summary: "Let ISA Server stand in for the internal mail server on the Internet, and point the MX record at ISA's published address.",
	Rationale: []string{
		"A mail server placed in the perimeter network needs many ports opened through the inner firewall to reach the domain controllers and the other Exchange servers. With ISA Server publishing SMTP, the mail server stays on the internal network: ISA accepts connections on port 25 on its own external address and passes them to the internal host, which the Internet never reaches directly.",
		"Senders find the organisation's mail server through DNS, so once ISA publishes SMTP the host the domain's MX record names must resolve to the address ISA Server publishes SMTP on (or to the address a firewall in front translates to it), not to the internal server's.",
	},
	Notes: []string{
		"If anyone logs on to send mail over port 25, TLS must protect the logon; otherwise passwords cross the Internet in clear text.",
		"ISA Server 2000 cannot publish outgoing SMTP while it is an active member of an ISA array; outgoing mail then leaves through a protocol rule or another route.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleISA)) == 0 {
		return false, "No server has the role " + steps.RoleISA.Label() + ". SMTP is published through ISA Server, so add it to the servers page first."
	}
	return true, ""
}

func is(id, v string) func(steps.Answers) bool {
	return func(a steps.Answers) bool { return a.Is(id, v) }
}

var pages = []steps.Page{
	{
		ID: "isa-server",
		Questions: []steps.Question{{
			ID:          QISA,
			Label:       "Which ISA Server publishes SMTP?",
			Kind:        steps.KindServer,
			Role:        steps.RoleISA,
			DefaultFrom: firstWith(steps.RoleISA),
		}},
	},
	{
		ID: "smtp-address",
		Questions: []steps.Question{{
			ID:          QAddress,
			Label:       "On which external address of ISA Server will mail from the Internet arrive?",
			Hint:        "One of the external addresses on the ISA Server's page. The server publishing rule listens on it.",
			Kind:        steps.KindIPv4,
			DefaultFrom: firstExternal,
		}},
	},
	{
		ID: "published-to",
		Questions: []steps.Question{{
			ID:    QPublishedTo,
			Label: "Which internal host will ISA Server pass mail from the Internet to?",
			Hint:  "The more hosts stand between the Internet and Exchange, the less an attacker reaches with one weakness.",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: ToGateway, Label: "A separate SMTP gateway", Hint: "Not in the domain, no Exchange, with anti-virus software."},
				{Value: ToScreener, Label: "The Message Screener host", Hint: "An IIS SMTP server running ISA's Message Screener, which passes mail on to Exchange."},
				{Value: ToExchange, Label: "An Exchange server directly"},
			},
			DefaultFrom: defaultPublishedTo,
		}},
	},
	{
		ID:   "published-gateway",
		When: is(QPublishedTo, ToGateway),
		Questions: []steps.Question{{
			ID: QPublishedGateway, Label: "Which SMTP gateway receives the mail?",
			Kind: steps.KindServer, Role: steps.RoleGateway, DefaultFrom: firstWith(steps.RoleGateway),
		}},
	},
	{
		ID:   "published-screener",
		When: is(QPublishedTo, ToScreener),
		Questions: []steps.Question{{
			ID: QPublishedScreener, Label: "Which Message Screener host receives the mail?",
			Kind: steps.KindServer, Role: steps.RoleScreener, DefaultFrom: firstWith(steps.RoleScreener),
		}},
	},
	{
		ID:   "published-exchange",
		When: is(QPublishedTo, ToExchange),
		Questions: []steps.Question{{
			ID: QPublishedExchange, Label: "Which Exchange server receives the mail?",
			Kind: steps.KindServer, Role: steps.RoleBackEnd, DefaultFrom: firstWith(steps.RoleBackEnd),
		}},
	},
	{
		ID: "firewalls",
		Questions: []steps.Question{{
			ID:    QFirewalls,
			Label: "Where does ISA Server sit among the firewalls?",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: TwoFirewalls, Label: "ISA Server is the firewall between the Internet and the internal network", Hint: "The layout the guide prefers."},
				{Value: InsideInner, Label: "Inside the existing inner firewall", Hint: "When the two existing firewalls cannot change: the inner firewall passes TCP port 25 through to ISA Server."},
			},
			DefaultFrom: defaultFirewalls,
		}},
	},
	{
		ID:   "outer-nat",
		When: is(QFirewalls, InsideInner),
		Questions: []steps.Question{{
			ID:          QOuterNAT,
			Label:       "Do the firewalls in front translate a public address to ISA Server's SMTP address?",
			Hint:        "Usually yes when ISA Server's external address is a private one, such as 10.x.x.x or 192.168.x.x.",
			Kind:        steps.KindYesNo,
			DefaultFrom: defaultOuterNAT,
		}},
	},
	{
		ID:   "public-address",
		When: is(QOuterNAT, "yes"),
		Questions: []steps.Question{{
			ID:    QPublicAddress,
			Label: "Which public address do they translate to ISA Server's SMTP address?",
			Hint:  "The address senders on the Internet connect to.",
			Kind:  steps.KindIPv4,
		}},
	},
	{
		ID: "mx-address",
		Questions: []steps.Question{{
			ID:          QMXAddress,
			Label:       "After the change, which address will public DNS give for the MX host?",
			Hint:        "The MX host is the name your domain's MX record gives (on the page describing the organisation). It must lead to ISA Server, not to the internal mail server.",
			Kind:        steps.KindIPv4,
			DefaultFrom: defaultMXAddress,
		}},
	},
	{
		ID: "smtp-auth",
		Questions: []steps.Question{{
			ID:      QSMTPAuth,
			Label:   "Will anyone log on to send mail over port 25 through ISA Server?",
			Hint:    "For example users outside the office whose mail program sends through your server. Most organisations answer No: Outlook Web Access needs no SMTP logon.",
			Kind:    steps.KindYesNo,
			Default: "no",
		}},
	},
	{
		ID:   "auth-tls",
		When: is(QSMTPAuth, "yes"),
		Questions: []steps.Question{{
			ID:      QAuthTLS,
			Label:   "Will the published SMTP server require TLS before it accepts a logon?",
			Hint:    "Without TLS, the user name and password cross the Internet in clear text.",
			Kind:    steps.KindYesNo,
			Default: "yes",
		}},
	},
	{
		ID: "outbound",
		Questions: []steps.Question{{
			ID:    QOutbound,
			Label: "How will outgoing Internet mail leave?",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: OutboundProtocolRule, Label: "Through ISA Server, by a protocol rule that lets the mail server reach port 25 on the Internet"},
				{Value: OutboundPublish, Label: "Through ISA Server, by publishing outgoing SMTP", Hint: "ISA Server's outgoing mail option; not possible on an ISA array member."},
				{Value: OutboundElsewhere, Label: "By another route", Hint: "Another firewall, or the Internet provider's relay."},
			},
			Default: OutboundProtocolRule,
		}},
	},
}

func firstWith(r steps.Role) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		if s := t.WithRole(r); len(s) > 0 {
			return string(s[0].Name)
		}
		return ""
	}
}

// chosenISA is the ISA Server answered, or the first one.
func chosenISA(t steps.Topology, a steps.Answers) (steps.Server, bool) {
	if s, ok := t.Server(a[QISA]); ok && s.Has(steps.RoleISA) {
		return s, true
	}
	if s := t.WithRole(steps.RoleISA); len(s) > 0 {
		return s[0], true
	}
	return steps.Server{}, false
}

func firstExternal(t steps.Topology, a steps.Answers) string {
	if s, ok := chosenISA(t, a); ok && len(s.ISA.ExternalAddrs) > 0 {
		return s.ISA.ExternalAddrs[0].String()
	}
	return ""
}

func defaultPublishedTo(t steps.Topology, _ steps.Answers) string {
	switch {
	case len(t.WithRole(steps.RoleGateway)) > 0:
		return ToGateway
	case len(t.WithRole(steps.RoleScreener)) > 0:
		return ToScreener
	}
	return ToExchange
}

func defaultFirewalls(t steps.Topology, a steps.Answers) string {
	if s, ok := chosenISA(t, a); ok && s.ISA.InsideFirewall {
		return InsideInner
	}
	return TwoFirewalls
}

func defaultOuterNAT(_ steps.Topology, a steps.Answers) string {
	if ad, err := netip.ParseAddr(a[QAddress]); err == nil && !Routable(ad) {
		return "yes"
	}
	return "no"
}

func defaultMXAddress(_ steps.Topology, a steps.Answers) string {
	if a.Is(QFirewalls, InsideInner) && a.Is(QOuterNAT, "yes") {
		return a[QPublicAddress]
	}
	return a[QAddress]
}

// Routable reports whether senders on the Internet can reach a: it is not
// a private (RFC 1918), shared (RFC 6598), link-local or loopback address.
func Routable(a netip.Addr) bool {
	shared := netip.MustParsePrefix("100.64.0.0/10")
	return a.Is4() && !a.IsPrivate() && !a.IsLoopback() && !a.IsLinkLocalUnicast() && !a.IsUnspecified() && !shared.Contains(a)
}

// Published returns which kind of host the answers a of this procedure
// publish (ToGateway, ToScreener or ToExchange) and the server's name.
func Published(a steps.Answers) (to, server string) {
	switch to = a[QPublishedTo]; to {
	case ToGateway:
		return to, a[QPublishedGateway]
	case ToScreener:
		return to, a[QPublishedScreener]
	case ToExchange:
		return to, a[QPublishedExchange]
	}
	return "", ""
}
