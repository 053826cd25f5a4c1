package smtprelay

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
)

// Finding codes of this procedure, besides the relay-list codes in
// lists.go.
const (
	CodeAnswerInvalid           = steps.CodeAnswerInvalid
	CodeNetworksTooWide         = "networks-too-wide"
	CodeAuthRelayWithoutPOP3    = "auth-relay-without-pop3-imap4"
	CodeAuthRelayWithoutSSL     = "auth-relay-without-ssl"
	CodeClientWithoutSSL        = "client-vs-without-ssl"
	CodeClientAddressNotOwn     = "client-vs-address-not-on-server"
	CodeClientAddressShared     = "client-vs-address-shared"
	CodeRoamingWithOWA          = "roaming-relay-with-owa"
	CodePOP3Differs             = "pop3-imap4-differs"
	CodeConnectBlocksInternet   = "connections-block-published-server"
	CodeConnectMissesInbound    = "connections-miss-inbound-host"
	CodeConnectMissesExchange   = "connections-miss-exchange-server"
	CodeConnectOpen             = "connections-open"
	CodeAnonymousSeveralServers = "anonymous-only-several-servers"
	CodeMXHostMissing           = "mx-host-missing"
	CodeLogonOnDefaultVS        = "logon-on-default-virtual-server"
)

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	t := in.Topology
	networks, _ := ParseList(a, QNetworks)
	var wide []string
	for _, n := range networks {
		if n.Bits() < 8 {
			wide = append(wide, n.String())
		}
	}
	if len(wide) > 0 {
		fs = append(fs, steps.Finding{
			Code: CodeNetworksTooWide, Severity: steps.Error, Fix: []string{QNetworks},
			Message: "The organisation's networks include " + strings.Join(wide, ", ") + ", which reaches far beyond any one organisation: " +
				"every relay list would pass the check against it. List the networks you actually use, such as 10.1.0.0/16.",
		})
	}

	relay, _ := ParseList(a, QRelay)
	fs = append(fs, Findings(CheckRelayList("The Exchange servers' relay list", relay, t), QRelay)...)
	if len(networks) > 0 && len(wide) == 0 {
		if out := Outside(relay, networks); len(out) > 0 {
			fs = append(fs, OutsideFinding("The Exchange servers' relay list", out, QRelay, QNetworks))
		}
	}

	pop3 := a.Is(QPOP3, "yes")
	if a.Is(QAuthRelay, "yes") {
		if !pop3 {
			fs = append(fs, steps.Finding{
				Code: CodeAuthRelayWithoutPOP3, Severity: steps.Error, Fix: []string{QAuthRelay, QPOP3},
				Message: "Computers that log on would be allowed to relay, but nobody reads mail with POP3 or IMAP4, the only users who need it. " +
					"Outlook and Outlook Web Access users send through Exchange without relaying. Leaving the box ticked only invites password guessing and relaying with stolen passwords: answer No.",
			})
		} else {
			fs = append(fs, steps.Finding{
				Code: CodeAuthRelayWithoutSSL, Severity: steps.Error, Fix: []string{QAuthRelay},
				Message: "Computers that log on would be allowed to relay through the Default SMTP Virtual Server, which receives mail from the gateway and the Internet and so cannot demand TLS: " +
					"passwords would cross the network in clear text. Answer No here; the POP3 and IMAP4 users relay through the separate virtual server protected by TLS.",
			})
		}
	}
	if clientVS(a) {
		if a.Is(QClientTLS, "no") {
			fs = append(fs, steps.Finding{
				Code: CodeClientWithoutSSL, Severity: steps.Error, Fix: []string{QClientTLS},
				Message: "The virtual server for users who log on would not require TLS, so their passwords, and the mail they send, would cross the network in clear text. Answer Yes and give it a server certificate.",
			})
		}
		if s, ok := t.Server(a[QClientServer]); ok && a[QClientAddress] != "" {
			addr, err := netip.ParseAddr(a[QClientAddress])
			switch {
			case err != nil:
			case !slices.Contains(s.Addrs, addr):
				fs = append(fs, steps.Finding{
					Code: CodeClientAddressNotOwn, Severity: steps.Error, Fix: []string{QClientAddress, QClientServer}, Servers: []string{string(s.Name)},
					Message: addr.String() + " is not an address of " + string(s.Name) + ". The virtual server can only listen on an address the server holds: choose one of its addresses, or add the address on the server's page.",
				})
			case len(s.Addrs) > 0 && s.Addrs[0] == addr:
				fs = append(fs, steps.Finding{
					Code: CodeClientAddressShared, Severity: steps.Error, Fix: []string{QClientAddress}, Servers: []string{string(s.Name)},
					Message: addr.String() + " is the first address of " + string(s.Name) + ", where its Default SMTP Virtual Server listens. Two virtual servers cannot share an address and port 25: give the server a second address for users who log on.",
				})
			}
		}
	}
	if a.Is(QRoaming, "yes") {
		fs = append(fs, steps.Finding{
			Code: CodeRoamingWithOWA, Severity: steps.Warning, Fix: []string{QRoaming},
			Message: "Users outside the network would send through your SMTP servers after logging on. The guide advises against it: they can send with Outlook Web Access" + owaName(t) +
				", which needs no relaying, while every account allowed to relay is one an attacker can try passwords against, and a guessed password turns the server into a relay for spam. Answer No, or record why these users cannot use Outlook Web Access.",
		})
	}
	if v, ok := a[QPOP3]; ok && (v == "yes") != t.Facts.POP3IMAP4 {
		says := "does not offer"
		if t.Facts.POP3IMAP4 {
			says = "offers"
		}
		fs = append(fs, steps.Finding{
			Code: CodePOP3Differs, Severity: steps.Warning, Fix: []string{QPOP3},
			Message: "The organisation's description says it " + says + " POP3 or IMAP4, but the answer here differs. Correct whichever is wrong, so the other procedures plan for the same users.",
		})
	}

	fs = append(fs, checkConnections(in, a)...)

	if len(a) > 0 && t.Facts.MXHost == "" {
		fs = append(fs, steps.Finding{
			Code: CodeMXHostMissing, Severity: steps.Warning,
			Message: "The organisation's description names no MX host, so the relay test from outside cannot say which host to connect to. Enter the MX host on the page that describes the organisation.",
		})
	}

	if a.Is(QAuth, AuthAnonymous) && len(t.WithRole(steps.RoleBackEnd)) > 1 && len(a.Values(QExchange)) > 0 {
		fs = append(fs, steps.Finding{
			Code: CodeAnonymousSeveralServers, Severity: steps.Warning, Fix: []string{QAuth},
			Message: "There is more than one Exchange server. Exchange 2000 servers log on to each other with Integrated Windows authentication when they pass mail over SMTP; with anonymous access only, that logon is refused. " +
				"Change one server first and send mail between two servers: if senders' names no longer resolve or mail between the servers queues, choose anonymous and Integrated Windows authentication, which still lets nobody relay.",
		})
	}
	return fs
}

func owaName(t steps.Topology) string {
	if t.Facts.OWAHost != "" {
		return " (https://" + string(t.Facts.OWAHost) + t.Facts.OWAPath + ")"
	}
	return ""
}

// checkConnections compares the connection list with the hosts that
// deliver mail to the Exchange servers.
func checkConnections(in steps.Input, a steps.Answers) []steps.Finding {
	var fs []steps.Finding
	t := in.Topology
	o := readOthers(in)
	locked := a.Values(QExchange)
	published := o.publishedTo == publishToExchange && slices.ContainsFunc(locked, func(n string) bool { return strings.EqualFold(n, o.publishedExchange) })
	if published && in.Of(publishID).Is(publishSMTPAuth, "yes") {
		fs = append(fs, steps.Finding{
			Code: CodeLogonOnDefaultVS, Severity: steps.Error, Fix: []string{QAuth, QExchange}, Servers: []string{o.publishedExchange},
			Message: "The procedure on publishing SMTP through ISA Server lets people log on over port 25 to " + o.publishedExchange + ", but here its Default SMTP Virtual Server accepts no logon with a password. " +
				"Answer No to logging on over port 25 in that procedure: users who must log on to send use this procedure's separate virtual server, published on an address of its own.",
		})
	}
	switch {
	case a.Is(QConnectFrom, ConnectListed) && published:
		fs = append(fs, steps.Finding{
			Code: CodeConnectBlocksInternet, Severity: steps.Error, Fix: []string{QConnectFrom}, Servers: []string{o.publishedExchange},
			Message: "ISA Server publishes the SMTP service of " + o.publishedExchange + " directly, and server publishing passes on the senders' own addresses: with connections limited to a list, mail from the Internet would be refused. " +
				"Accept every address here, or publish a gateway or the Message Screener host instead (procedure on publishing SMTP through ISA Server).",
		})
	case a.Is(QConnectFrom, ConnectAll) && !published && len(locked) > 0:
		fs = append(fs, steps.Finding{
			Code: CodeConnectOpen, Severity: steps.Warning, Fix: []string{QConnectFrom},
			Message: "Every address could open SMTP connections to the Exchange servers, although mail from the Internet does not reach them directly. The guide's measure is to accept connections only from the hosts that deliver mail: choose only listed addresses, or record why every address is needed.",
		})
	}
	if !a.Is(QConnectFrom, ConnectListed) {
		return fs
	}
	connect, err := ParseList(a, QConnectList)
	if err != nil || len(locked) == 0 {
		return fs
	}
	var missing, missingNames []string
	for _, h := range []*steps.Server{o.gateway, o.screener} {
		if h == nil || (h == o.gateway && !o.gatewayToExchange) {
			continue
		}
		for _, ad := range h.Addrs {
			if !Covers(connect, ad) {
				missing = append(missing, ad.String())
				if !slices.Contains(missingNames, string(h.Name)) {
					missingNames = append(missingNames, string(h.Name))
				}
			}
		}
	}
	if len(missing) > 0 {
		fs = append(fs, steps.Finding{
			Code: CodeConnectMissesInbound, Severity: steps.Error, Fix: []string{QConnectList}, Servers: missingNames,
			Message: strings.Join(missingNames, " and ") + " passes mail from the Internet to Exchange, but its address " + strings.Join(missing, ", ") +
				" is not in the connection list: every inbound message would be refused. Add it.",
		})
	}
	var exMissing []string
	for _, s := range t.WithRole(steps.RoleBackEnd) {
		for _, ad := range s.Addrs {
			if !Covers(connect, ad) {
				exMissing = append(exMissing, string(s.Name))
				break
			}
		}
	}
	if len(exMissing) > 0 && len(t.WithRole(steps.RoleBackEnd)) > 1 {
		fs = append(fs, steps.Finding{
			Code: CodeConnectMissesExchange, Severity: steps.Warning, Fix: []string{QConnectList}, Servers: exMissing,
			Message: "The connection list leaves out the Exchange server " + strings.Join(exMissing, ", ") + ". Exchange servers pass mail to each other over SMTP, so mail from its mailboxes would be refused by the others. Add its addresses, or record why it sends no mail to them.",
		})
	}
	return fs
}

// Outside returns the entries of list that are not inside networks.
func Outside(list, networks []netip.Prefix) []netip.Prefix {
	var out []netip.Prefix
	for _, p := range list {
		if p.Bits() > 0 && !Within(p, networks) && !p.Addr().IsLoopback() {
			out = append(out, p)
		}
	}
	return out
}

// OutsideFinding is the error for relay-list entries outside the
// organisation's networks.
func OutsideFinding(what string, out []netip.Prefix, fix ...string) steps.Finding {
	var ss []string
	for _, p := range out {
		ss = append(ss, p.String())
	}
	return steps.Finding{
		Code: CodeRelayOutside, Severity: steps.Error, Fix: fix,
		Message: what + " includes " + strings.Join(ss, ", ") + ", outside the organisation's networks: whoever holds those addresses could relay through the server. " +
			"Remove them, or, if they are yours, add their network to the organisation's networks in the procedure on preventing open relaying.",
	}
}
