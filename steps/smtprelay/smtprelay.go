package smtprelay

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
)

// ID is the procedure's stable identifier.
const ID = "smtp-relay"

// Question IDs.
const (
	QNetworks      = "internal-networks" // the organisation's networks
	QExchange      = "exchange-servers"  // Exchange servers whose default SMTP virtual server is locked down
	QAuth          = "authentication"    // authentication methods on those virtual servers
	QAuthRelay     = "auth-relay"        // may computers that log on relay there
	QRelay         = "relay-list"        // who may relay through Exchange
	QConnectFrom   = "connect-from"      // connection control: listed or all
	QConnectList   = "connect-list"      // who may connect, when listed
	QRoaming       = "roaming-relay"     // users outside send through the servers
	QPOP3          = "pop3-imap4"        // POP3 or IMAP4 offered
	QClientServer  = "client-vs-server"  // server of the separate virtual server for users who log on
	QClientAddress = "client-vs-address" // its address
	QClientTLS     = "client-vs-tls"     // it requires TLS
)

// Answers of the choice questions.
const (
	AuthAnonymous        = "anonymous-only"
	AuthAnonymousWindows = "anonymous-and-windows"
	ConnectListed        = "listed"
	ConnectAll           = "all"
)

// DefaultInstance is the SMTP virtual server every Exchange 2000 server
// has: the Default SMTP Virtual Server.
const DefaultInstance = 1

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Title:    "Prevent open relaying",
	Section:  "Securing SMTP Communications: Preventing Mail Relay",
	Summary:  "Let only the organisation's own servers relay, keep logged-on computers from relaying, and accept SMTP connections only where mail comes from.",
	Requires: []string{gatewayID},
	Rationale: []string{
		"Relaying is accepting a message for a domain the server is not responsible for and sending it on. A server that relays for anyone is found by spammers within hours: its queues fill with other people's mail, its performance suffers, and the organisation's addresses land on block lists, so that its own legitimate mail is refused elsewhere.",
		"Even relaying for users who log on has a cost: attackers use the logon to guess passwords. So the internal SMTP virtual servers accept anonymous connections only, refuse to relay for computers that log on, and accept connections only from the addresses that deliver mail to them. Gateways need a little more opening, found by locking them down first and then allowing only what mail flow proves it needs.",
	},
	Notes: []string{
		"Users outside the network do not need to send through the SMTP servers: Outlook Web Access lets them send mail without any relaying.",
		"If POP3 or IMAP4 is offered, those users must log on to send. They get a separate SMTP virtual server that demands TLS, so the virtual servers that receive mail from the gateway and the Internet stay closed to relaying.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleBackEnd)) == 0 {
		return false, "No server has the role " + steps.RoleBackEnd.Label() + ". The relay settings are made on the Exchange servers' SMTP virtual servers, so add them to the servers page first."
	}
	return true, ""
}

func clientVS(a steps.Answers) bool { return a.Is(QPOP3, "yes") || a.Is(QRoaming, "yes") }

var pages = []steps.Page{
	{
		ID: "networks",
		Questions: []steps.Question{{
			ID:          QNetworks,
			Label:       "Which networks belong to the organisation?",
			Hint:        "One network a line, such as 10.1.0.0/16, or single addresses. Every relay list of the SMTP procedures must stay inside these networks. The suggestion covers the servers you described.",
			Kind:        steps.KindPrefixes,
			DefaultFrom: serverNetworks,
		}},
	},
	{
		ID: "exchange-servers",
		Questions: []steps.Question{{
			ID:          QExchange,
			Label:       "Which Exchange servers' SMTP virtual servers should be locked down?",
			Hint:        "Every Exchange 2000 server runs SMTP. Their Default SMTP Virtual Servers are changed in Exchange System Manager; a read-only check is generated for each.",
			Kind:        steps.KindServers,
			Role:        steps.RoleBackEnd,
			DefaultFrom: allBackEnds,
		}},
	},
	{
		ID: "authentication",
		Questions: []steps.Question{{
			ID:    QAuth,
			Label: "How may computers connect to those virtual servers?",
			Hint:  "The guide's measure is anonymous access only.",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: AuthAnonymous, Label: "Anonymous access only", Hint: "Recommended. Every other method is cleared."},
				{Value: AuthAnonymousWindows, Label: "Anonymous access and Integrated Windows authentication", Hint: "Only where Exchange servers must log on to each other; relaying for computers that log on stays off."},
			},
			Default: AuthAnonymous,
		}},
	},
	{
		ID: "auth-relay",
		Questions: []steps.Question{{
			ID:      QAuthRelay,
			Label:   "May computers that log on relay through those virtual servers?",
			Hint:    "This is the box \"Allow all computers which successfully authenticate to relay\". The guide's advice is No: users who must log on to send get a separate virtual server protected by TLS.",
			Kind:    steps.KindYesNo,
			Default: "no",
		}},
	},
	{
		ID: "relay-list",
		Questions: []steps.Question{{
			ID:       QRelay,
			Label:    "Which addresses may relay through the Exchange servers?",
			Hint:     "Usually none: leave it empty. List only internal programs that must send to outside addresses through Exchange, such as a fax or monitoring server, one address a line.",
			Kind:     steps.KindPrefixes,
			Optional: true,
		}},
	},
	{
		ID: "connect-from",
		Questions: []steps.Question{{
			ID:    QConnectFrom,
			Label: "Which computers may open SMTP connections to those virtual servers?",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: ConnectListed, Label: "Only listed addresses", Hint: "Recommended when mail from the Internet arrives through a gateway or the Message Screener host."},
				{Value: ConnectAll, Label: "Every address", Hint: "Needed only when ISA Server publishes an Exchange server's SMTP directly."},
			},
			Default: ConnectListed,
		}},
	},
	{
		ID:   "connect-list",
		When: func(a steps.Answers) bool { return a.Is(QConnectFrom, ConnectListed) },
		Questions: []steps.Question{{
			ID:          QConnectList,
			Label:       "Which addresses may connect to the Exchange servers' SMTP virtual servers?",
			Hint:        "The hosts that deliver mail to them: the gateway, the Message Screener host, the other Exchange servers, and any internal program that sends mail. One address or network a line.",
			Kind:        steps.KindPrefixes,
			DefaultFrom: mailHosts,
		}},
	},
	{
		ID: "roaming-relay",
		Questions: []steps.Question{{
			ID:      QRoaming,
			Label:   "Must users outside the network send mail through your SMTP servers?",
			Hint:    "The guide's advice is No: outside the office they can send with Outlook Web Access, which needs no relaying.",
			Kind:    steps.KindYesNo,
			Default: "no",
		}},
	},
	{
		ID: "pop3-imap4",
		Questions: []steps.Question{{
			ID:          QPOP3,
			Label:       "Do users read their mail with POP3 or IMAP4?",
			Hint:        "Such users send through SMTP and must log on to do so. The organisation's description holds the first answer.",
			Kind:        steps.KindYesNo,
			DefaultFrom: pop3Fact,
		}},
	},
	{
		ID:    "client-vs",
		Title: "The separate SMTP virtual server for users who log on",
		Intro: "Users who send after logging on get their own virtual server, on an address of its own, which demands TLS before it accepts a password. The virtual server that receives mail from the gateway and the Internet stays closed to relaying.",
		When:  clientVS,
		Questions: []steps.Question{
			{
				ID:          QClientServer,
				Label:       "Which Exchange server hosts it?",
				Kind:        steps.KindServer,
				Role:        steps.RoleBackEnd,
				DefaultFrom: firstBackEnd,
			},
			{
				ID:          QClientAddress,
				Label:       "On which address of that server does it listen?",
				Hint:        "An address of the server that the Default SMTP Virtual Server does not use: two virtual servers cannot share an address and port.",
				Kind:        steps.KindIPv4,
				DefaultFrom: secondAddress,
			},
			{
				ID:      QClientTLS,
				Label:   "Will it require TLS before users log on?",
				Hint:    "Without it, passwords cross the network in clear text.",
				Kind:    steps.KindYesNo,
				Default: "yes",
			},
		},
	},
}

func allBackEnds(t steps.Topology, _ steps.Answers) string {
	var names []string
	for _, s := range t.WithRole(steps.RoleBackEnd) {
		names = append(names, string(s.Name))
	}
	return strings.Join(names, "\n")
}

func firstBackEnd(t steps.Topology, _ steps.Answers) string {
	if s := t.WithRole(steps.RoleBackEnd); len(s) > 0 {
		return string(s[0].Name)
	}
	return ""
}

// secondAddress suggests the second address of the first back-end that
// has one: the first usually serves the Default SMTP Virtual Server.
func secondAddress(t steps.Topology, _ steps.Answers) string {
	for _, s := range t.WithRole(steps.RoleBackEnd) {
		if len(s.Addrs) > 1 {
			return s.Addrs[1].String()
		}
	}
	return ""
}

func pop3Fact(t steps.Topology, _ steps.Answers) string {
	if t.Facts.POP3IMAP4 {
		return "yes"
	}
	return "no"
}

// serverNetworks suggests the /24 network of every internal address of
// the servers described: narrow enough to be right for most sites, and
// easy to widen by hand.
func serverNetworks(t steps.Topology, _ steps.Answers) string {
	var out []netip.Prefix
	for _, s := range t.Servers {
		for _, a := range s.Addrs {
			if p, err := a.Prefix(24); err == nil && !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return JoinPrefixes(out)
}

// mailHosts suggests the hosts that deliver mail to Exchange: every
// gateway, Message Screener host and Exchange server described.
func mailHosts(t steps.Topology, _ steps.Answers) string {
	var servers []steps.Server
	for _, s := range t.Servers {
		if s.Has(steps.RoleGateway) || s.Has(steps.RoleScreener) || s.Has(steps.RoleBackEnd) {
			servers = append(servers, s)
		}
	}
	return JoinPrefixes(HostPrefixes(servers...))
}
