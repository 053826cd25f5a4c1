package screener

import (
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
)

// Finding codes, besides the relay-list codes of package smtprelay.
const (
	CodeAnswerInvalid      = steps.CodeAnswerInvalid
	CodeNoScreener         = "no-message-screener"
	CodeOnExchange         = "screener-on-exchange"
	CodeOnISA              = "screener-on-isa"
	CodeSharesGatewayVS    = "screener-shares-gateway-virtual-server"
	CodeNotInMailPath      = "screener-not-in-mail-path"
	CodeConnectBlocksISA   = "connections-block-published-host"
	CodeConnectMissGateway = "connections-miss-gateway"
	CodeCommandLimitsOff   = "command-limits-off"
	CodeOwnDomainBlocked   = "own-domain-blocked"
)

// The answers of the separate gateway procedure that this one reads. That
// procedure imports this one, so the names are repeated here; a test
// checks them against it.
const (
	gatewayID       = "smtp-gateway"
	gatewayUse      = "use-gateway"
	gatewayHost     = "gateway"
	gatewayDelivers = "delivers-to"
	gatewayToScr    = "screener"
	gatewayScreener = "deliver-screener"
	gatewayInstance = "smtp-instance"
)

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	t := in.Topology
	if a.Is(QCommandLimits, "no") {
		fs = append(fs, steps.Finding{
			Code: CodeCommandLimitsOff, Severity: steps.Warning, Fix: []string{QCommandLimits},
			Message: "The SMTP filter's maximum command lengths would be turned off. They are its protection against buffer overflows: an overlong command is dropped at ISA Server instead of reaching the mail server. Keep them, or record why a sender needs longer commands.",
		})
	}
	if a.Is(QUse, "no") {
		fs = append(fs, steps.Finding{
			Code: CodeNoScreener, Severity: steps.Warning, Fix: []string{QUse},
			Message: "Without the Message Screener the SMTP filter only checks the length of SMTP commands: no rule on senders, sender domains, attachments or keywords is applied. The guide recommends installing it for the filter's full protection; record why it is not needed here.",
		})
	}
	if !used(a) {
		return fs
	}
	host, ok := t.Server(a[QHost])
	if ok && host.Has(steps.RoleScreener) {
		name := string(host.Name)
		if host.Has(steps.RoleBackEnd) {
			fs = append(fs, steps.Finding{
				Code: CodeOnExchange, Severity: steps.Warning, Fix: []string{QHost}, Servers: []string{name},
				Message: name + " is also an Exchange server. The Message Screener works there, but mail from the Internet then reaches Exchange directly. The guide's most secure layout runs it on a host of its own with the IIS SMTP service, which passes the mail on to Exchange. Choose such a host, or record why Exchange must carry it.",
			})
		}
		if host.Has(steps.RoleISA) {
			fs = append(fs, steps.Finding{
				Code: CodeOnISA, Severity: steps.Warning, Fix: []string{QHost}, Servers: []string{name},
				Message: name + " is also the ISA Server. Running the Message Screener there puts an SMTP service on the firewall itself. The guide's most secure layout runs it on a host of its own behind ISA Server; record why it must run on the firewall.",
			})
		}
		fs = append(fs, mailPath(in, name)...)
		g := in.Of(gatewayID)
		if g.Is(gatewayUse, "yes") && strings.EqualFold(g[gatewayHost], name) && g[gatewayInstance] == a[QInstance] {
			fs = append(fs, steps.Finding{
				Code: CodeSharesGatewayVS, Severity: steps.Error, Fix: []string{QInstance, QHost}, Servers: []string{name},
				Message: name + " is also the separate SMTP gateway, and both procedures would set the relay and connection lists of its SMTP virtual server " + a[QInstance] + ", each differently. Run the Message Screener in a virtual server of its own, or on a host of its own.",
			})
		}
	}

	fs = append(fs, ownDomains(in, a)...)

	relay, _ := smtprelay.ParseList(a, QRelay)
	what := "The Message Screener host's relay list"
	fs = append(fs, smtprelay.Findings(smtprelay.CheckRelayList(what, relay, t), QRelay)...)
	if nets, ok := smtprelay.Networks(in); ok {
		if out := smtprelay.Outside(relay, nets); len(out) > 0 {
			fs = append(fs, smtprelay.OutsideFinding(what, out, QRelay))
		}
	}
	fs = append(fs, connections(in, a)...)
	return fs
}

// mailPath checks that mail from the Internet passes the Message Screener
// host: ISA Server publishes it, or publishes the gateway that delivers to
// it.
func mailPath(in steps.Input, host string) []steps.Finding {
	to, name := smtppublish.Published(in.Of(smtppublish.ID))
	var why string
	switch to {
	case smtppublish.ToScreener:
		if !strings.EqualFold(name, host) {
			why = "ISA Server publishes the Message Screener host " + name + ", not " + host
		}
	case smtppublish.ToExchange:
		why = "ISA Server publishes the Exchange server " + name + " directly"
	case smtppublish.ToGateway:
		g := in.Of(gatewayID)
		if g.Is(gatewayUse, "yes") && g[gatewayDelivers] != "" && !(g.Is(gatewayDelivers, gatewayToScr) && strings.EqualFold(g[gatewayScreener], host)) {
			why = "ISA Server publishes the gateway " + name + ", which passes mail on to another host"
		}
	}
	if why == "" {
		return nil
	}
	return []steps.Finding{{
		Code: CodeNotInMailPath, Severity: steps.Error, Fix: []string{QHost}, Servers: []string{host},
		Message: why + ", so mail from the Internet never passes " + host + " and the Message Screener would filter nothing. " +
			"Publish " + host + " (or the gateway that delivers to it) in the procedure on publishing SMTP through ISA Server, or choose the host mail passes.",
	}}
}

// ownDomains refuses rules that would reject the organisation's own mail.
func ownDomains(in steps.Input, a steps.Answers) []steps.Finding {
	f := in.Topology.Facts
	var fs []steps.Finding
	own := func(d steps.FQDN) string {
		for _, o := range []steps.FQDN{f.PublicDomain, f.ADDomain} {
			if SameOrWithin(d, o) {
				return string(o)
			}
		}
		return ""
	}
	for _, v := range a.Values(QSenderDomains) {
		d, err := ParseSenderDomain(v)
		if err != nil {
			continue
		}
		if o := own(d); o != "" {
			fs = append(fs, steps.Finding{
				Code: CodeOwnDomainBlocked, Severity: steps.Error, Fix: []string{QSenderDomains},
				Message: "Sender domain " + string(d) + " is, or is part of, your own domain " + o + ": the filter would reject mail your own users send. Remove it.",
			})
		}
	}
	for _, v := range a.Values(QSenders) {
		addr, err := ParseSender(v)
		if err != nil {
			continue
		}
		_, d, _ := strings.Cut(addr, "@")
		if o := own(steps.FQDN(d)); o != "" {
			fs = append(fs, steps.Finding{
				Code: CodeOwnDomainBlocked, Severity: steps.Error, Fix: []string{QSenders},
				Message: "Sender " + addr + " is an address in your own domain " + o + ". Spammers forge such addresses, but a rule on it also rejects the real user's mail to the Internet and back; block it only if the mailbox does not exist, and record that.",
			})
		}
	}
	return fs
}

// connections checks the connection list against who delivers mail to the
// Message Screener host.
func connections(in steps.Input, a steps.Answers) []steps.Finding {
	var fs []steps.Finding
	host := a[QHost]
	to, name := smtppublish.Published(in.Of(smtppublish.ID))
	published := to == smtppublish.ToScreener && strings.EqualFold(name, host)
	if published && a.Is(QConnectFrom, smtprelay.ConnectListed) {
		fs = append(fs, steps.Finding{
			Code: CodeConnectBlocksISA, Severity: steps.Error, Fix: []string{QConnectFrom}, Servers: []string{host},
			Message: "ISA Server publishes " + host + " directly and passes on each sender's own address, so with connections limited to a list every message from the Internet would be refused. Accept every address here.",
		})
	}
	if !a.Is(QConnectFrom, smtprelay.ConnectListed) {
		return fs
	}
	g := in.Of(gatewayID)
	if !g.Is(gatewayUse, "yes") || !g.Is(gatewayDelivers, gatewayToScr) || !strings.EqualFold(g[gatewayScreener], host) {
		return fs
	}
	gw, ok := in.Topology.Server(g[gatewayHost])
	list, err := smtprelay.ParseList(a, QConnectList)
	if !ok || err != nil {
		return fs
	}
	var missing []string
	for _, ad := range gw.Addrs {
		if !smtprelay.Covers(list, ad) {
			missing = append(missing, ad.String())
		}
	}
	if len(missing) > 0 {
		fs = append(fs, steps.Finding{
			Code: CodeConnectMissGateway, Severity: steps.Error, Fix: []string{QConnectList}, Servers: []string{string(gw.Name)},
			Message: "The gateway " + string(gw.Name) + " passes mail to " + host + ", but its address " + strings.Join(missing, ", ") + " is not in the connection list: every message from the Internet would be refused. Add it.",
		})
	}
	return fs
}
