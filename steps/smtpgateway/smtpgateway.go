package smtpgateway

import (
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtprelay"
)

// ID is the procedure's stable identifier.
const ID = "smtp-gateway"

// Question IDs.
const (
	QUse             = "use-gateway"      // use a separate gateway
	QGateway         = "gateway"          // which server
	QDeliversTo      = "delivers-to"      // where it passes inbound mail
	QDeliverExchange = "deliver-exchange" // the Exchange server, when it does
	QDeliverScreener = "deliver-screener" // the Message Screener host, when it does
	QInstance        = "smtp-instance"    // its SMTP virtual server number
	QOutbound        = "outbound"         // Exchange sends Internet mail through it
	QOutboundServers = "outbound-servers" // which Exchange servers do
	QConnectorName   = "connector-name"   // name of the SMTP connector
	QDelivery        = "delivery"         // how the gateway delivers outgoing mail
	QSmartHost       = "smart-host"       // the provider's relay, when it does
	QAntiVirus       = "antivirus"        // anti-virus for mail is installed
	QRelay           = "relay-list"       // who may relay through it
	QConnectFrom     = "connect-from"     // connection control: listed or all
	QConnectList     = "connect-list"     // who may connect, when listed
)

// MailDomains is the number of boxes for the domains the gateway receives
// mail for.
const MailDomains = 4

// QMailDomain is the question ID of the n-th mail domain (from 1).
func QMailDomain(n int) string { return "mail-domain-" + strconv.Itoa(n) }

// Answers of the choice questions.
const (
	ToExchange = "exchange"
	ToScreener = "screener"

	DeliveryDNS       = "dns"
	DeliverySmartHost = "smart-host"
)

// Step is the procedure.
var Step = &steps.Step{
	ID:      ID,
	Title:   "Put a separate SMTP gateway in front of Exchange",
	Section: "Securing SMTP Communications: Additional Measures: Using a Separate SMTP Gateway",
	Summary: "Let a gateway outside the domain, without Exchange and with anti-virus software, meet mail from the Internet first and send Exchange's mail out.",
	Rationale: []string{
		"An attacker who uses SMTP against the organisation meets the gateway first, not an Exchange server. The gateway belongs to no Windows domain and runs no Exchange, so breaking into it yields no domain account and no mailbox, and anti-virus software on it can stop infected mail before it reaches a mailbox.",
		"The gateway is opened only as far as mail flow needs: it relays only for the Exchange servers that send through it, and passes mail for the organisation's own domains on to the internal host that delivers it.",
	},
	Notes: []string{
		"If the gateway stops, mail to and from the Internet stops with it: senders' servers keep retrying for a day or two, and Exchange queues outgoing mail. Mail inside the organisation carries on as before.",
		"Keep the gateway's service packs and anti-virus signatures as current as the firewall's: it is the first computer attackers reach.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleBackEnd)) == 0 {
		return false, "No server has the role " + steps.RoleBackEnd.Label() + ". The gateway passes mail to and from the Exchange servers, so add them to the servers page first."
	}
	return true, ""
}

func used(a steps.Answers) bool { return a.Is(QUse, "yes") }

func usedAnd(id, v string) func(steps.Answers) bool {
	return func(a steps.Answers) bool { return used(a) && a.Is(id, v) }
}

var pages = buildPages()

func buildPages() []steps.Page {
	ps := []steps.Page{
		{
			ID: "use-gateway",
			Questions: []steps.Question{{
				ID:          QUse,
				Label:       "Will a separate SMTP gateway stand between the Internet and Exchange?",
				Hint:        "A server outside the domain, without Exchange, running the IIS SMTP service and anti-virus software.",
				Kind:        steps.KindYesNo,
				DefaultFrom: hasRole(steps.RoleGateway),
			}},
		},
		{
			ID: "gateway", When: used,
			Questions: []steps.Question{{
				ID: QGateway, Label: "Which server is the gateway?",
				Hint: "Give it the role " + steps.RoleGateway.Label() + " on the servers page, and say there whether it is a domain member and runs anti-virus software.",
				Kind: steps.KindServer, Role: steps.RoleGateway, DefaultFrom: firstWith(steps.RoleGateway),
			}},
		},
		{
			ID: "smtp-instance", When: used,
			Questions: []steps.Question{{
				ID: QInstance, Label: "Which SMTP virtual server of the gateway handles the mail?",
				Hint: "Its number in IIS: 1 for the Default SMTP Virtual Server.",
				Kind: steps.KindNumber, Min: 1, Max: 999999, Default: "1",
			}},
		},
		{
			ID: "delivers-to", When: used,
			Questions: []steps.Question{{
				ID:    QDeliversTo,
				Label: "Where does the gateway pass mail from the Internet to?",
				Kind:  steps.KindChoice,
				Choices: []steps.Choice{
					{Value: ToScreener, Label: "To the Message Screener host", Hint: "Which filters it and passes it on to Exchange."},
					{Value: ToExchange, Label: "To an Exchange server"},
				},
				DefaultFrom: defaultDeliversTo,
			}},
		},
		{
			ID: "deliver-screener", When: usedAnd(QDeliversTo, ToScreener),
			Questions: []steps.Question{{
				ID: QDeliverScreener, Label: "Which Message Screener host receives the mail from the gateway?",
				Kind: steps.KindServer, Role: steps.RoleScreener, DefaultFrom: firstWith(steps.RoleScreener),
			}},
		},
		{
			ID: "deliver-exchange", When: usedAnd(QDeliversTo, ToExchange),
			Questions: []steps.Question{{
				ID: QDeliverExchange, Label: "Which Exchange server receives the mail from the gateway?",
				Kind: steps.KindServer, Role: steps.RoleBackEnd, DefaultFrom: firstWith(steps.RoleBackEnd),
			}},
		},
	}
	domains := steps.Page{ID: "mail-domains", When: used, Title: "Which mail domains does the gateway receive mail for?",
		Intro: "The gateway accepts mail for these domains and passes it on; it refuses to relay for any other. The first box holds the public domain from the organisation's description."}
	for n := 1; n <= MailDomains; n++ {
		q := steps.Question{ID: QMailDomain(n), Label: "Mail domain " + strconv.Itoa(n), Kind: steps.KindFQDN, Optional: n > 1}
		if n == 1 {
			q.DefaultFrom = func(t steps.Topology, _ steps.Answers) string { return string(t.Facts.PublicDomain) }
			q.Hint = "For example example.com"
		}
		domains.Questions = append(domains.Questions, q)
	}
	rest := []steps.Page{
		domains,
		{
			ID: "outbound", When: used,
			Questions: []steps.Question{{
				ID: QOutbound, Label: "Will the Exchange servers send their Internet mail through the gateway?",
				Hint: "Recommended: then no Exchange server talks SMTP to the Internet at all.",
				Kind: steps.KindYesNo, Default: "yes",
			}},
		},
		{
			ID: "outbound-servers", When: usedAnd(QOutbound, "yes"),
			Questions: []steps.Question{{
				ID: QOutboundServers, Label: "Which Exchange servers send Internet mail through the gateway?",
				Hint: "They become the local bridgeheads of the SMTP connector that points at the gateway.",
				Kind: steps.KindServers, Role: steps.RoleBackEnd, DefaultFrom: allWith(steps.RoleBackEnd),
			}},
		},
		{
			ID: "connector-name", When: usedAnd(QOutbound, "yes"),
			Questions: []steps.Question{{
				ID: QConnectorName, Label: "What should the SMTP connector to the gateway be called?",
				Kind: steps.KindObjectName, Default: "Internet mail through the gateway",
			}},
		},
		{
			ID: "relay-list", When: usedAnd(QOutbound, "yes"),
			Questions: []steps.Question{{
				ID:          QRelay,
				Label:       "Which addresses may relay through the gateway?",
				Hint:        "Only the servers that send Internet mail through it, one address a line. Never a whole network, and never an address of the ISA Server. When Exchange does not send through the gateway, nobody may relay and this is not asked.",
				Kind:        steps.KindPrefixes,
				DefaultFrom: outboundAddresses,
			}},
		},
		{
			ID: "connect-from", When: used,
			Questions: []steps.Question{{
				ID:    QConnectFrom,
				Label: "Which computers may open SMTP connections to the gateway?",
				Kind:  steps.KindChoice,
				Choices: []steps.Choice{
					{Value: smtprelay.ConnectAll, Label: "Every address", Hint: "Needed when ISA Server publishes the gateway: ISA passes on the senders' own addresses."},
					{Value: smtprelay.ConnectListed, Label: "Only listed addresses", Hint: "When mail from the Internet reaches the gateway through another relay."},
				},
				Default: smtprelay.ConnectAll,
			}},
		},
		{
			ID: "connect-list", When: usedAnd(QConnectFrom, smtprelay.ConnectListed),
			Questions: []steps.Question{{
				ID: QConnectList, Label: "Which addresses may connect to the gateway?",
				Hint: "The relays that deliver mail from the Internet, and the Exchange servers that send through the gateway. One address or network a line.",
				Kind: steps.KindPrefixes, DefaultFrom: outboundAddresses,
			}},
		},
		{
			ID: "delivery", When: used,
			Questions: []steps.Question{{
				ID:    QDelivery,
				Label: "How does the gateway deliver mail to the Internet?",
				Kind:  steps.KindChoice,
				Choices: []steps.Choice{
					{Value: DeliveryDNS, Label: "Directly, finding each recipient's mail server in DNS"},
					{Value: DeliverySmartHost, Label: "Through the Internet provider's relay"},
				},
				Default: DeliveryDNS,
			}},
		},
		{
			ID: "smart-host", When: usedAnd(QDelivery, DeliverySmartHost),
			Questions: []steps.Question{{
				ID: QSmartHost, Label: "What is the name of the provider's relay?",
				Hint: "For example smtp.provider.example.net", Kind: steps.KindFQDN,
			}},
		},
		{
			ID: "antivirus", When: used,
			Questions: []steps.Question{{
				ID: QAntiVirus, Label: "Is anti-virus software that scans mail installed on the gateway?",
				Kind: steps.KindYesNo, DefaultFrom: antivirusFact,
			}},
		},
	}
	return append(ps, rest...)
}

func hasRole(r steps.Role) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		if len(t.WithRole(r)) > 0 {
			return "yes"
		}
		return "no"
	}
}

func firstWith(r steps.Role) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		if s := t.WithRole(r); len(s) > 0 {
			return string(s[0].Name)
		}
		return ""
	}
}

func allWith(r steps.Role) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		var names []string
		for _, s := range t.WithRole(r) {
			names = append(names, string(s.Name))
		}
		return strings.Join(names, "\n")
	}
}

func defaultDeliversTo(t steps.Topology, _ steps.Answers) string {
	if len(t.WithRole(steps.RoleScreener)) > 0 {
		return ToScreener
	}
	return ToExchange
}

// outboundAddresses suggests the addresses of the Exchange servers chosen
// to send through the gateway.
func outboundAddresses(t steps.Topology, a steps.Answers) string {
	if !a.Is(QOutbound, "yes") {
		return ""
	}
	var servers []steps.Server
	for _, name := range a.Values(QOutboundServers) {
		if s, ok := t.Server(name); ok {
			servers = append(servers, s)
		}
	}
	return smtprelay.JoinPrefixes(smtprelay.HostPrefixes(servers...))
}

func antivirusFact(t steps.Topology, a steps.Answers) string {
	s, ok := t.Server(a[QGateway])
	if !ok {
		if g := t.WithRole(steps.RoleGateway); len(g) > 0 {
			s, ok = g[0], true
		}
	}
	if ok && s.Gateway.AntiVirus {
		return "yes"
	}
	return "no"
}
