package smtprelay

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"

	"github.com/secex/wizard/steps"
)

// config is the procedure's answers parsed again into typed values,
// checked against the servers as they are now.
type config struct {
	networks   []netip.Prefix
	exchange   []steps.Server
	auth       string
	authRelay  bool
	relay      []netip.Prefix
	connectAll bool
	connect    []netip.Prefix
	roaming    bool
	pop3       bool
	client     *clientServer // the separate virtual server, when asked
	others     others
}

type clientServer struct {
	server steps.Server
	addr   netip.Addr
	tls    bool
}

// authFlags is the metabase value of the chosen authentication methods.
func (c config) authFlags() int {
	if c.auth == AuthAnonymousWindows {
		return 5
	}
	return 1
}

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
}

// load parses the answers for generation. Any answer that does not parse,
// any asked question left unanswered and any server whose names do not
// parse is an error: nothing is generated from a value that was not
// parsed.
func load(in steps.Input) (config, error) {
	a, err := steps.LoadAnswers(ID, pages, in)
	if err != nil {
		return config{}, err
	}
	var c config
	if c.networks, err = ParseList(a, QNetworks); err != nil {
		return config{}, err
	}
	for _, name := range a.Values(QExchange) {
		s, err := LoadHost(in.Topology, name, steps.RoleBackEnd)
		if err != nil {
			return config{}, err
		}
		c.exchange = append(c.exchange, s)
	}
	c.auth = a[QAuth]
	c.authRelay = a.Is(QAuthRelay, "yes")
	if c.relay, err = ParseList(a, QRelay); err != nil {
		return config{}, err
	}
	c.connectAll = a.Is(QConnectFrom, ConnectAll)
	if !c.connectAll {
		if c.connect, err = ParseList(a, QConnectList); err != nil {
			return config{}, err
		}
	}
	c.roaming = a.Is(QRoaming, "yes")
	c.pop3 = a.Is(QPOP3, "yes")
	if clientVS(a) {
		s, err := LoadHost(in.Topology, a[QClientServer], steps.RoleBackEnd)
		if err != nil {
			return config{}, err
		}
		addr, err := steps.ParseIPv4(a[QClientAddress])
		if err != nil {
			return config{}, err
		}
		c.client = &clientServer{server: s, addr: addr, tls: a.Is(QClientTLS, "yes")}
	}
	c.others = readOthers(in)
	return c, nil
}

// LoadHost finds the server name in t and parses its names and addresses
// again, so that a damaged inventory (a project file edited by hand)
// cannot carry a value that was never parsed into a generated file. The
// server must have role r.
func LoadHost(t steps.Topology, name string, r steps.Role) (steps.Server, error) {
	s, ok := t.Server(name)
	if !ok {
		return steps.Server{}, fmt.Errorf("server %s is not in the inventory", name)
	}
	if !s.Has(r) {
		return steps.Server{}, fmt.Errorf("server %s does not have the role %s", s.Name, r.Label())
	}
	if _, err := steps.ParseNetBIOSName(string(s.Name)); err != nil {
		return steps.Server{}, fmt.Errorf("server %s: %w", name, err)
	}
	if f, err := steps.ParseFQDN(string(s.FQDN)); err != nil || f != s.FQDN {
		return steps.Server{}, fmt.Errorf("server %s: the FQDN %q is not a host name", s.Name, s.FQDN)
	}
	if len(s.Addrs) == 0 {
		return steps.Server{}, fmt.Errorf("server %s has no address", s.Name)
	}
	for _, ad := range slices.Concat(s.Addrs, s.ISA.ExternalAddrs) {
		if _, err := steps.ParseIPv4(ad.String()); err != nil {
			return steps.Server{}, fmt.Errorf("server %s: address %s: %w", s.Name, ad, err)
		}
	}
	return s, nil
}

// Networks returns the organisation's networks as this procedure's answer
// gives them, when it is answered and parses.
func Networks(in steps.Input) ([]netip.Prefix, bool) {
	a := in.Of(ID)
	if _, ok := a[QNetworks]; !ok {
		return nil, false
	}
	q, _ := Step.Question(QNetworks)
	if _, err := q.Parse(a.Values(QNetworks), in.Topology); err != nil {
		return nil, false
	}
	ns, err := ParseList(a, QNetworks)
	return ns, err == nil && len(ns) > 0
}

// others is what this procedure needs from the other SMTP procedures:
// which hosts receive mail and which deliver it to Exchange. A value that
// does not parse is left out; its own procedure reports it.
type others struct {
	gateway           *steps.Server
	gatewayInstance   int
	gatewayToExchange bool
	gatewayOutbound   []steps.Server
	screener          *steps.Server
	screenerInstance  int
	publishedTo       string
	publishedExchange string
	publishedHost     *steps.Server
}

func readOthers(in steps.Input) others {
	var o others
	t := in.Topology
	g := in.Of(gatewayID)
	if g.Is(gatewayUse, "yes") {
		if s, err := LoadHost(t, g[gatewayHost], steps.RoleGateway); err == nil {
			o.gateway = &s
			o.gatewayInstance = instance(g[gatewayInstance])
			o.gatewayToExchange = g.Is(gatewayDeliversTo, gatewayToExchange)
			if g.Is(gatewayOutbound, "yes") {
				for _, name := range g.Values(gatewayOutboundFrom) {
					if s, err := LoadHost(t, name, steps.RoleBackEnd); err == nil {
						o.gatewayOutbound = append(o.gatewayOutbound, s)
					}
				}
			}
		}
	}
	sc := in.Of(screenerID)
	if sc.Is(screenerUse, "yes") {
		if s, err := LoadHost(t, sc[screenerHost], steps.RoleScreener); err == nil {
			o.screener = &s
			o.screenerInstance = instance(sc[screenerInstance])
		}
	}
	p := in.Of(publishID)
	o.publishedTo = p[publishTo]
	var host string
	var role steps.Role
	switch o.publishedTo {
	case publishToExchange:
		host, role = p[publishExchange], steps.RoleBackEnd
		o.publishedExchange = host
	case publishToGateway:
		host, role = p[publishGateway], steps.RoleGateway
	case publishToScreener:
		host, role = p[publishScreener], steps.RoleScreener
	}
	if host != "" {
		if s, err := LoadHost(t, host, role); err == nil {
			o.publishedHost = &s
		}
	}
	return o
}

func instance(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil || checkInstance(n) != nil {
		return 0
	}
	return n
}
