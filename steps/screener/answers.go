package screener

import (
	"fmt"
	"maps"
	"net/netip"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
)

// config is the procedure's answers parsed again into typed values,
// checked against the servers as they are now.
type config struct {
	isa           steps.Server // from the publishing procedure
	published     string       // the server ISA Server publishes SMTP to, if known
	publishedTo   string       // and its kind: smtppublish.ToGateway, ToScreener or ToExchange
	outside       string       // what senders connect to (smtprelay.OutsideHost); "" when not known
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

// lists returns the filter's lists from a, answers that Reparse has
// already parsed with this package's parsers (the questions' Item).
func lists(a steps.Answers) (domains []steps.FQDN, senders, keywords []string) {
	for _, v := range a.Values(QSenderDomains) {
		domains = append(domains, steps.FQDN(v))
	}
	return domains, a.Values(QSenders), a.Values(QKeywords)
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
	c.outside = smtprelay.OutsideHost(in)
	if to, name := smtppublish.Published(in.Of(smtppublish.ID)); to != "" {
		if s, ok := in.Topology.Server(name); ok {
			c.published, c.publishedTo = string(s.Name), to
		}
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
	c.senderDomains, c.senders, c.keywords = lists(a)
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

// upgrade turns the filter lists of a project file written when they were
// fixed boxes (sender-domain-1 to -5, sender-N-mailbox and sender-N-domain
// for N from 1 to 3, keyword-1 to -5) into today's one-a-line answers, as
// migration 0008 does in the database: in box order, without empty boxes,
// and with a sender that has one part only kept as typed, so that it is
// asked for again.
func upgrade(old steps.Answers) steps.Answers {
	a := maps.Clone(old)
	var domains, senders, keywords []string
	for n := 1; n <= 99; n++ {
		d := a["sender-domain-"+strconv.Itoa(n)]
		m := a["sender-"+strconv.Itoa(n)+"-mailbox"]
		sd := a["sender-"+strconv.Itoa(n)+"-domain"]
		k := a["keyword-"+strconv.Itoa(n)]
		delete(a, "sender-domain-"+strconv.Itoa(n))
		delete(a, "sender-"+strconv.Itoa(n)+"-mailbox")
		delete(a, "sender-"+strconv.Itoa(n)+"-domain")
		delete(a, "keyword-"+strconv.Itoa(n))
		if d = strings.TrimSpace(d); d != "" {
			domains = append(domains, d)
		}
		if m, sd = strings.TrimSpace(m), strings.TrimSpace(sd); m != "" || sd != "" {
			senders = append(senders, m+"@"+sd)
		}
		if k = strings.TrimSpace(k); k != "" {
			keywords = append(keywords, k)
		}
	}
	for q, vs := range map[string][]string{QSenderDomains: domains, QSenders: senders, QKeywords: keywords} {
		if _, ok := a[q]; !ok && len(vs) > 0 {
			a[q] = strings.Join(vs, "\n")
		}
	}
	return a
}
