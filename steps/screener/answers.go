package screener

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
)

// config is the procedure's answers parsed again into typed values,
// checked against the servers as they are now.
type config struct {
	isa           steps.Server // from the publishing procedure
	domain        steps.FQDN
	use           bool
	host          steps.Server
	deliverTo     steps.Server
	instance      int
	connectAll    bool
	connect       []netip.Prefix
	relay         []netip.Prefix
	attachments   []string // extensions without the dot
	attachAction  string
	senderDomains []steps.FQDN
	senders       []string
	keywords      []string
	keywordScope  string
	keywordAction string
	commandLimits bool
}

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
}

// lists parses the filter's lists from a with this package's own parsers,
// which are stricter than the questions' kinds. The problems come back
// with the questions that fix them.
type listProblem struct {
	fix []string
	err error
}

func lists(a steps.Answers) (domains []steps.FQDN, senders, keywords []string, ps []listProblem) {
	for n := 1; n <= SenderDomains; n++ {
		if v := a[QSenderDomain(n)]; v != "" {
			d, err := ParseSenderDomain(v)
			if err != nil {
				ps = append(ps, listProblem{[]string{QSenderDomain(n)}, fmt.Errorf("sender domain %d: %w", n, err)})
				continue
			}
			domains = append(domains, d)
		}
	}
	for n := 1; n <= Senders; n++ {
		m, d := a[QSenderMailbox(n)], a[QSenderDomainOf(n)]
		switch {
		case m == "" && d == "":
			continue
		case m == "" || d == "":
			ps = append(ps, listProblem{[]string{QSenderMailbox(n), QSenderDomainOf(n)},
				fmt.Errorf("sender %d has only one of its two parts; give both the part before the @ and the domain, or neither", n)})
			continue
		}
		s, err := ParseSenderAddress(m, d)
		if err != nil {
			ps = append(ps, listProblem{[]string{QSenderMailbox(n), QSenderDomainOf(n)}, fmt.Errorf("sender %d: %w", n, err)})
			continue
		}
		senders = append(senders, s)
	}
	for n := 1; n <= Keywords; n++ {
		if v := a[QKeyword(n)]; v != "" {
			k, err := ParseKeyword(v)
			if err != nil {
				ps = append(ps, listProblem{[]string{QKeyword(n)}, fmt.Errorf("keyword %d: %w", n, err)})
				continue
			}
			keywords = append(keywords, k)
		}
	}
	return domains, senders, keywords, ps
}

// load parses the answers for generation. Any answer that does not parse,
// any asked question left unanswered and any server or fact whose value
// does not parse is an error: nothing is generated from a value that was
// not parsed.
func load(in steps.Input) (config, error) {
	a, err := steps.LoadAnswers(ID, pages, in)
	if err != nil {
		return config{}, err
	}
	var c config
	if c.isa, err = smtprelay.LoadHost(in.Topology, in.Of(smtppublish.ID)[smtppublish.QISA], steps.RoleISA); err != nil {
		return config{}, fmt.Errorf("the ISA Server of the publishing procedure: %w", err)
	}
	if c.domain, err = steps.ParseFQDN(string(in.Topology.Facts.PublicDomain)); err != nil || c.domain != in.Topology.Facts.PublicDomain {
		return config{}, fmt.Errorf("the public domain %q of the organisation's description is not a domain name", in.Topology.Facts.PublicDomain)
	}
	c.commandLimits = a.Is(QCommandLimits, "yes")
	c.use = used(a)
	if !c.use {
		return c, nil
	}
	if c.host, err = smtprelay.LoadHost(in.Topology, a[QHost], steps.RoleScreener); err != nil {
		return config{}, err
	}
	if c.deliverTo, err = smtprelay.LoadHost(in.Topology, a[QDeliverTo], steps.RoleBackEnd); err != nil {
		return config{}, err
	}
	if c.instance, err = strconv.Atoi(a[QInstance]); err != nil {
		return config{}, err
	}
	c.connectAll = a.Is(QConnectFrom, smtprelay.ConnectAll)
	if !c.connectAll {
		if c.connect, err = smtprelay.ParseList(a, QConnectList); err != nil {
			return config{}, err
		}
	}
	if c.relay, err = smtprelay.ParseList(a, QRelay); err != nil {
		return config{}, err
	}
	c.attachments = a.Values(QAttachments)
	c.attachAction = a[QAttachmentAction]
	var ps []listProblem
	c.senderDomains, c.senders, c.keywords, ps = lists(a)
	if len(ps) > 0 {
		return config{}, ps[0].err
	}
	c.keywordScope, c.keywordAction = a[QKeywordScope], a[QKeywordAction]
	return c, nil
}

// policy is what the relay scripts set on the Message Screener host.
func (c config) policy() smtprelay.IISPolicy {
	return smtprelay.IISPolicy{
		Server: c.host.Name, FQDN: c.host.FQDN, Instance: c.instance,
		Relay: c.relay, ConnectAll: c.connectAll, Connect: c.connect,
		Prefix: "screener", Step: ID, Purpose: "the Message Screener host",
	}
}
