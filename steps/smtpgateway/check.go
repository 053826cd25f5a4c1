package smtpgateway

import (
	"net/netip"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/screener"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
)

// Finding codes, besides the relay-list codes of package smtprelay.
const (
	CodeAnswerInvalid         = steps.CodeAnswerInvalid
	CodeDomainMember          = "gateway-domain-member"
	CodeRunsExchange          = "gateway-runs-exchange"
	CodeNoAntiVirus           = "gateway-without-antivirus"
	CodeAntiVirusDiffers      = "antivirus-differs"
	CodeNotPublished          = "gateway-not-published"
	CodeScreenerNotUsed       = "delivers-to-unused-screener"
	CodeRelayMissesOutbound   = "relay-list-misses-outbound-server"
	CodePublicDomainMissing   = "public-domain-not-received"
	CodeConnectBlocksInternet = "connections-block-published-gateway"
	CodeConnectMissesOutbound = "connections-miss-outbound-server"
)

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	if !used(a) {
		return fs
	}
	t := in.Topology
	gw, ok := t.Server(a[QGateway])
	if !ok || !gw.Has(steps.RoleGateway) {
		return fs
	}
	name := string(gw.Name)
	if gw.Gateway.DomainMember {
		fs = append(fs, steps.Finding{
			Code: CodeDomainMember, Severity: steps.Warning, Fix: []string{QGateway}, Servers: []string{name},
			Message: name + " is recorded as a member of the domain. The guide's gateway belongs to no Windows domain, so that an attacker who takes it over gains no domain account and no trust to use against the other servers. " +
				"Move it to a workgroup and update its server page, or record why it must stay in the domain.",
		})
	}
	var exchangeRoles []string
	for _, r := range []steps.Role{steps.RoleBackEnd, steps.RoleFrontEnd, steps.RoleKMS} {
		if gw.Has(r) {
			exchangeRoles = append(exchangeRoles, r.Label())
		}
	}
	if len(exchangeRoles) > 0 {
		fs = append(fs, steps.Finding{
			Code: CodeRunsExchange, Severity: steps.Error, Fix: []string{QGateway}, Servers: []string{name},
			Message: name + " also has the role " + strings.Join(exchangeRoles, " and ") + ". The gateway must not run Exchange: it would put Exchange back at the edge of the network, and Exchange would overwrite the relay lists the generated scripts set. Choose a server that runs only the IIS SMTP service.",
		})
	}
	if v, ok := a[QAntiVirus]; ok {
		if v == "no" {
			fs = append(fs, steps.Finding{
				Code: CodeNoAntiVirus, Severity: steps.Warning, Fix: []string{QAntiVirus}, Servers: []string{name},
				Message: "The gateway would pass mail on without scanning it for viruses, although it is the one place all mail from the Internet passes. Install anti-virus software that scans SMTP mail there, or record where mail is scanned instead.",
			})
		}
		if (v == "yes") != gw.Gateway.AntiVirus {
			fs = append(fs, steps.Finding{
				Code: CodeAntiVirusDiffers, Severity: steps.Warning, Fix: []string{QAntiVirus}, Servers: []string{name},
				Message: "The answer about anti-virus software differs from " + name + "'s server page. Correct whichever is wrong.",
			})
		}
	}
	p := in.Of(smtppublish.ID)
	if to, host := smtppublish.Published(p); to != "" && (to != smtppublish.ToGateway || !strings.EqualFold(host, name)) {
		fs = append(fs, steps.Finding{
			Code: CodeNotPublished, Severity: steps.Warning, Fix: []string{QGateway}, Servers: []string{name},
			Message: "ISA Server publishes " + host + ", not the gateway " + name + ", so mail from the Internet bypasses the gateway and meets that host first. Publish the gateway in the procedure on publishing SMTP through ISA Server, or record why the gateway handles outgoing mail only.",
		})
	}
	if a.Is(QDeliversTo, ToScreener) {
		sc := in.Of(screener.ID)
		if sc.Is(screener.QUse, "no") || (sc[screener.QHost] != "" && !strings.EqualFold(sc[screener.QHost], a[QDeliverScreener])) {
			fs = append(fs, steps.Finding{
				Code: CodeScreenerNotUsed, Severity: steps.Warning, Fix: []string{QDeliverScreener, QDeliversTo},
				Message: "The gateway passes mail to " + a[QDeliverScreener] + ", but the Message Screener procedure does not run the Message Screener there. Mail is then not filtered on the way. Pass the mail to the host that runs it, or record why.",
			})
		}
	}
	fs = append(fs, checkLists(in, a, gw)...)
	var domains []steps.FQDN
	for n := 1; n <= MailDomains; n++ {
		if d, err := steps.ParseFQDN(a[QMailDomain(n)]); err == nil {
			domains = append(domains, d)
		}
	}
	if pd := t.Facts.PublicDomain; pd != "" && len(domains) > 0 && !slices.Contains(domains, pd) {
		fs = append(fs, steps.Finding{
			Code: CodePublicDomainMissing, Severity: steps.Warning, Fix: []string{QMailDomain(1)},
			Message: "The gateway would not receive mail for " + string(pd) + ", the organisation's public domain: it would refuse such mail as relaying. Add it, or record which host receives that domain's mail.",
		})
	}
	return fs
}

// checkLists checks the relay and connection lists of the gateway.
func checkLists(in steps.Input, a steps.Answers, gw steps.Server) []steps.Finding {
	var fs []steps.Finding
	t := in.Topology
	name := string(gw.Name)
	relay, _ := smtprelay.ParseList(a, QRelay)
	what := "The gateway's relay list"
	fs = append(fs, smtprelay.Findings(smtprelay.CheckRelayList(what, relay, t), QRelay)...)
	if nets, ok := smtprelay.Networks(in); ok {
		if out := smtprelay.Outside(relay, nets); len(out) > 0 {
			fs = append(fs, smtprelay.OutsideFinding(what, out, QRelay))
		}
	}
	var senders []steps.Server
	if a.Is(QOutbound, "yes") {
		for _, n := range a.Values(QOutboundServers) {
			if s, ok := t.Server(n); ok {
				senders = append(senders, s)
			}
		}
	}
	if missing := uncovered(relay, senders); len(missing) > 0 {
		fs = append(fs, steps.Finding{
			Code: CodeRelayMissesOutbound, Severity: steps.Error, Fix: []string{QRelay, QOutboundServers}, Servers: missing,
			Message: strings.Join(missing, " and ") + " would send Internet mail through the gateway, but not every address of it is in the gateway's relay list: the gateway would refuse that mail with \"Unable to relay\". Add its addresses to the relay list.",
		})
	}
	to, host := smtppublish.Published(in.Of(smtppublish.ID))
	published := to == smtppublish.ToGateway && strings.EqualFold(host, name)
	if !a.Is(QConnectFrom, smtprelay.ConnectListed) {
		return fs
	}
	if published {
		fs = append(fs, steps.Finding{
			Code: CodeConnectBlocksInternet, Severity: steps.Error, Fix: []string{QConnectFrom}, Servers: []string{name},
			Message: "ISA Server publishes the gateway and passes on each sender's own address, so with connections limited to a list every message from the Internet would be refused. Accept every address here.",
		})
	}
	connect, err := smtprelay.ParseList(a, QConnectList)
	if err == nil {
		if missing := uncovered(connect, senders); len(missing) > 0 {
			fs = append(fs, steps.Finding{
				Code: CodeConnectMissesOutbound, Severity: steps.Error, Fix: []string{QConnectList}, Servers: missing,
				Message: strings.Join(missing, " and ") + " would send Internet mail through the gateway, but its address is not in the gateway's connection list: its connections would be refused. Add it.",
			})
		}
	}
	return fs
}

// uncovered names the servers with an address that no prefix of list
// holds.
func uncovered(list []netip.Prefix, servers []steps.Server) []string {
	var out []string
	for _, s := range servers {
		for _, ad := range s.Addrs {
			if !smtprelay.Covers(list, ad) {
				out = append(out, string(s.Name))
				break
			}
		}
	}
	return out
}
