package smtpgateway

import (
	"fmt"
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
	use        bool
	gateway    steps.Server
	instance   int
	deliversTo string
	deliver    steps.Server // the host the gateway passes inbound mail to
	domains    []steps.FQDN
	mxHost     steps.FQDN // from the organisation's description; may be empty
	outbound   []steps.Server
	connector  steps.ObjectName
	smartHost  steps.FQDN // empty when delivering by DNS
	antivirus  bool
	relay      []netip.Prefix
	connectAll bool
	connect    []netip.Prefix
}

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
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
	c := config{use: used(a)}
	if !c.use {
		return c, nil
	}
	t := in.Topology
	if c.gateway, err = smtprelay.LoadHost(t, a[QGateway], steps.RoleGateway); err != nil {
		return config{}, err
	}
	if c.instance, err = strconv.Atoi(a[QInstance]); err != nil {
		return config{}, err
	}
	c.deliversTo = a[QDeliversTo]
	if c.deliversTo == ToScreener {
		c.deliver, err = smtprelay.LoadHost(t, a[QDeliverScreener], steps.RoleScreener)
	} else {
		c.deliver, err = smtprelay.LoadHost(t, a[QDeliverExchange], steps.RoleBackEnd)
	}
	if err != nil {
		return config{}, err
	}
	for n := 1; n <= MailDomains; n++ {
		if v := a[QMailDomain(n)]; v != "" {
			d, err := steps.ParseFQDN(v)
			if err != nil {
				return config{}, err
			}
			c.domains = append(c.domains, d)
		}
	}
	if f := t.Facts.MXHost; f != "" {
		if c.mxHost, err = steps.ParseFQDN(string(f)); err != nil || c.mxHost != f {
			return config{}, fmt.Errorf("the MX host %q of the organisation's description is not a host name", f)
		}
	}
	if a.Is(QOutbound, "yes") {
		for _, name := range a.Values(QOutboundServers) {
			s, err := smtprelay.LoadHost(t, name, steps.RoleBackEnd)
			if err != nil {
				return config{}, err
			}
			c.outbound = append(c.outbound, s)
		}
		if c.connector, err = steps.ParseObjectName(a[QConnectorName]); err != nil {
			return config{}, err
		}
	}
	if a.Is(QDelivery, DeliverySmartHost) {
		if c.smartHost, err = steps.ParseFQDN(a[QSmartHost]); err != nil {
			return config{}, err
		}
	}
	c.antivirus = a.Is(QAntiVirus, "yes")
	if c.relay, err = smtprelay.ParseList(a, QRelay); err != nil {
		return config{}, err
	}
	c.connectAll = a.Is(QConnectFrom, smtprelay.ConnectAll)
	if !c.connectAll {
		if c.connect, err = smtprelay.ParseList(a, QConnectList); err != nil {
			return config{}, err
		}
	}
	return c, nil
}

// policy is what the relay scripts set on the gateway.
func (c config) policy() smtprelay.IISPolicy {
	return smtprelay.IISPolicy{
		Server: c.gateway.Name, FQDN: c.gateway.FQDN, Instance: c.instance,
		Relay: c.relay, ConnectAll: c.connectAll, Connect: c.connect,
		Prefix: "gateway", Step: ID, Purpose: "the SMTP gateway",
	}
}

// testHost is the gateway as its relay test sheet describes it. The test
// from outside belongs on it when ISA Server publishes the gateway.
func (c config) testHost(in steps.Input) smtprelay.TestHost {
	h := smtprelay.TestHost{Server: c.gateway, Domain: in.Topology.Facts.PublicDomain,
		ConnectAll: c.connectAll, Connect: c.connect, Relay: c.relay}
	if to, host := smtppublish.Published(in.Of(smtppublish.ID)); to == smtppublish.ToGateway && strings.EqualFold(host, string(c.gateway.Name)) {
		h.Outside = smtprelay.OutsideHost(in)
	}
	return h
}
