package owatopology

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
)

// Host is a server of the inventory with its names and addresses parsed
// again, as they are today. The OWA procedures build every script from
// hosts, never from the inventory's raw values.
type Host struct {
	Name   steps.NetBIOSName
	FQDN   steps.FQDN
	Addrs  []netip.Addr
	OS     steps.OS
	Server steps.Server // the inventory record, for role facts
}

// LoadHost finds the server called name and parses its names and addresses
// again. A server whose values no longer parse is an error: its values
// would otherwise reach a script unchecked.
func LoadHost(t steps.Topology, name string) (Host, error) {
	s, ok := t.Server(name)
	if !ok {
		return Host{}, fmt.Errorf("server %s is not in the inventory", name)
	}
	return HostOf(s)
}

// HostOf parses the names and addresses of s again.
func HostOf(s steps.Server) (Host, error) {
	h := Host{OS: s.OS, Server: s}
	var err error
	if h.Name, err = steps.ParseNetBIOSName(string(s.Name)); err != nil {
		return Host{}, fmt.Errorf("server %q: %w", s.Name, err)
	}
	if string(h.Name) != string(s.Name) {
		return Host{}, fmt.Errorf("server %q: the name is not in its normal form", s.Name)
	}
	if h.FQDN, err = steps.ParseFQDN(string(s.FQDN)); err != nil {
		return Host{}, fmt.Errorf("server %s: %w", s.Name, err)
	}
	if string(h.FQDN) != string(s.FQDN) {
		return Host{}, fmt.Errorf("server %s: the FQDN %q is not in its normal form", s.Name, s.FQDN)
	}
	if !slices.Contains(steps.OSes, s.OS) {
		return Host{}, fmt.Errorf("server %s: unknown operating system %q", s.Name, s.OS)
	}
	for _, a := range s.Addrs {
		p, err := steps.ParseIPv4(a.String())
		if err != nil {
			return Host{}, fmt.Errorf("server %s: address %s: %w", s.Name, a, err)
		}
		h.Addrs = append(h.Addrs, p)
	}
	if len(h.Addrs) == 0 {
		return Host{}, fmt.Errorf("server %s has no address", s.Name)
	}
	return h, nil
}

// HostsWithRole parses every server with role r, in inventory order.
func HostsWithRole(t steps.Topology, r steps.Role) ([]Host, error) {
	var out []Host
	for _, s := range t.WithRole(r) {
		h, err := HostOf(s)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// Names lists the hosts' NetBIOS names.
func Names(hs []Host) []string {
	var out []string
	for _, h := range hs {
		out = append(out, string(h.Name))
	}
	return out
}

// Join lists names in prose: "A", "A and B", "A, B and C".
func Join(names []string) string {
	switch len(names) {
	case 0:
		return ""
	case 1:
		return names[0]
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

var owaPath = regexp.MustCompile(`^(/[A-Za-z0-9._-]+)+$`)

// ParseOWAPath checks the OWA path of the organisation's facts more strictly
// than the facts page does, because it is written into a verification
// script: slash-separated segments of letters, digits, dots, hyphens and
// underscores.
func ParseOWAPath(s string) (string, error) {
	if !owaPath.MatchString(s) {
		return "", errors.New("the OWA path on the organisation page may only hold letters, digits, dots, hyphens and underscores between slashes, such as /exchange")
	}
	return s, nil
}

// Config is the procedure's answers parsed again into typed values, with
// the organisation's facts the OWA procedures share.
type Config struct {
	OWAHost     steps.FQDN // the name users type
	OWAPath     string     // the path after it, such as /exchange
	ADDomain    steps.FQDN
	Placement   string
	Layout      bool       // ISA Server between the two firewalls
	PublishedIP netip.Addr // the ISA Server address that publishes OWA
	PublicIP    netip.Addr // the public address translated to it; invalid when none
	ISA         Host       // the ISA Server that owns PublishedIP
	DNSCurrent  netip.Addr // invalid when the name has no record
	DNSChange   bool
	FrontEnds   []Host
	BackEnds    []Host
}

// DNSTarget is the address the public name must resolve to: the public
// address in front of ISA Server if there is one, else the published one.
func (c Config) DNSTarget() netip.Addr {
	if c.PublicIP.IsValid() {
		return c.PublicIP
	}
	return c.PublishedIP
}

// NeedsDNSChange reports whether the record has to move.
func (c Config) NeedsDNSChange() bool {
	return c.DNSChange && c.DNSCurrent != c.DNSTarget()
}

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
}

// Load parses the procedure's answers and the facts it relies on for
// generation. Any answer that does not parse, any asked question left
// unanswered, and any value a check reports as an error makes it fail:
// nothing is generated from a value that was not parsed.
func Load(in steps.Input) (Config, error) {
	a, err := steps.LoadAnswers(ID, pages, in)
	if err != nil {
		return Config{}, err
	}
	if f, ok := FirstError(check(in)); ok {
		return Config{}, errors.New(f.Message)
	}
	var c Config
	if c.OWAHost, c.OWAPath, err = Facts(in.Topology); err != nil {
		return Config{}, err
	}
	if c.ADDomain, err = steps.ParseFQDN(string(in.Topology.Facts.ADDomain)); err != nil {
		return Config{}, fmt.Errorf("%s: %w", steps.LabelADDomain, err)
	}
	c.Placement = a[QPlacement]
	c.Layout = a.Is(QLayout, "yes")
	c.PublishedIP = netip.MustParseAddr(a[QPublishedIP])
	if v := a[QPublicIP]; v != "" {
		c.PublicIP = netip.MustParseAddr(v)
	}
	if v := a[QDNSCurrent]; v != "" {
		c.DNSCurrent = netip.MustParseAddr(v)
	}
	c.DNSChange = a.Is(QDNSChange, DNSChange)
	isa, ok := isaWith(in.Topology, c.PublishedIP)
	if !ok {
		return Config{}, fmt.Errorf("no ISA Server has the external address %s", c.PublishedIP)
	}
	if c.ISA, err = HostOf(isa); err != nil {
		return Config{}, err
	}
	if c.FrontEnds, err = HostsWithRole(in.Topology, steps.RoleFrontEnd); err != nil {
		return Config{}, err
	}
	if c.BackEnds, err = HostsWithRole(in.Topology, steps.RoleBackEnd); err != nil {
		return Config{}, err
	}
	if !c.DNSChange && c.DNSCurrent != c.DNSTarget() {
		return Config{}, errors.New("the external DNS record would not point at ISA Server")
	}
	return c, nil
}

// Facts parses the organisation's public OWA name and path again.
func Facts(t steps.Topology) (steps.FQDN, string, error) {
	host, err := steps.ParseFQDN(string(t.Facts.OWAHost))
	if err != nil {
		return "", "", fmt.Errorf("public OWA host name: %w", err)
	}
	path, err := ParseOWAPath(t.Facts.OWAPath)
	if err != nil {
		return "", "", err
	}
	return host, path, nil
}

// isaWith finds the ISA Server that has addr among its external addresses.
func isaWith(t steps.Topology, addr netip.Addr) (steps.Server, bool) {
	for _, s := range t.WithRole(steps.RoleISA) {
		if slices.Contains(s.ISA.ExternalAddrs, addr) {
			return s, true
		}
	}
	return steps.Server{}, false
}

// PublishedIP returns the published address answered in this procedure,
// parsed, if there is one. Later procedures compare their answers with it.
func PublishedIP(in steps.Input) (netip.Addr, bool) {
	v := in.Of(ID)[QPublishedIP]
	a, err := steps.ParseIPv4(v)
	if err != nil || a.String() != v {
		return netip.Addr{}, false
	}
	return a, true
}

// owner names the server of t that has addr, as an address or an external
// address, for messages.
func owner(t steps.Topology, addr netip.Addr) (steps.Server, bool) {
	for _, s := range t.Servers {
		if slices.Contains(s.Addrs, addr) || slices.Contains(s.ISA.ExternalAddrs, addr) {
			return s, true
		}
	}
	return steps.Server{}, false
}

// FirstError returns the first error among fs.
func FirstError(fs []steps.Finding) (steps.Finding, bool) {
	for _, f := range fs {
		if f.Severity == steps.Error {
			return f, true
		}
	}
	return steps.Finding{}, false
}
