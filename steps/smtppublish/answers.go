package smtppublish

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtprelay"
)

// config is the procedure's answers parsed again into typed values,
// checked against the servers as they are now.
type config struct {
	isa         steps.Server
	address     netip.Addr   // ISA's external address for SMTP
	publishedTo string       // ToGateway, ToScreener or ToExchange
	published   steps.Server // the internal host
	insideInner bool
	public      netip.Addr // the translated public address, if any
	mx          netip.Addr
	mxHost      steps.FQDN // from the organisation's facts; may be empty
	domain      steps.FQDN
	smtpAuth    bool
	authTLS     bool
	outbound    string
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
	var c config
	if c.isa, err = smtprelay.LoadHost(in.Topology, a[QISA], steps.RoleISA); err != nil {
		return config{}, err
	}
	if c.address, err = steps.ParseIPv4(a[QAddress]); err != nil {
		return config{}, err
	}
	var role steps.Role
	var name string
	c.publishedTo, name = Published(a)
	switch c.publishedTo {
	case ToGateway:
		role = steps.RoleGateway
	case ToScreener:
		role = steps.RoleScreener
	default:
		role = steps.RoleBackEnd
	}
	if c.published, err = smtprelay.LoadHost(in.Topology, name, role); err != nil {
		return config{}, err
	}
	c.insideInner = a.Is(QFirewalls, InsideInner)
	if c.insideInner && a.Is(QOuterNAT, "yes") {
		if c.public, err = steps.ParseIPv4(a[QPublicAddress]); err != nil {
			return config{}, err
		}
	}
	if c.mx, err = steps.ParseIPv4(a[QMXAddress]); err != nil {
		return config{}, err
	}
	if f := in.Topology.Facts.MXHost; f != "" {
		if c.mxHost, err = steps.ParseFQDN(string(f)); err != nil || c.mxHost != f {
			return config{}, fmt.Errorf("the MX host %q of the organisation's description is not a host name", f)
		}
	}
	if c.domain, err = steps.ParseFQDN(string(in.Topology.Facts.PublicDomain)); err != nil || c.domain != in.Topology.Facts.PublicDomain {
		return config{}, fmt.Errorf("the public domain %q of the organisation's description is not a domain name", in.Topology.Facts.PublicDomain)
	}
	c.smtpAuth = a.Is(QSMTPAuth, "yes")
	c.authTLS = a.Is(QAuthTLS, "yes")
	c.outbound = a[QOutbound]
	return c, nil
}

// expectedMX is the address the MX host must resolve to: the public
// address translated to ISA's, or ISA's own.
func (c config) expectedMX() netip.Addr {
	if c.public.IsValid() {
		return c.public
	}
	return c.address
}

func isExternal(s steps.Server, a netip.Addr) bool { return slices.Contains(s.ISA.ExternalAddrs, a) }
