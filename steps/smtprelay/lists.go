package smtprelay

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
)

// Finding codes of the relay-list rules. Every SMTP procedure that asks
// for a relay list reports these codes against its own question.
const (
	CodeRelayOpen        = "relay-list-open"         // 0.0.0.0/0: everyone may relay
	CodeRelayPublicRange = "relay-list-public-range" // a range of public addresses
	CodeRelayIncludesISA = "relay-list-includes-isa" // an ISA Server's address
	CodeRelayOutside     = "relay-list-outside-networks"
)

// privateRanges are the address blocks no one can reach from the Internet
// (RFC 1918) plus loopback, which IIS itself may use to relay for local
// programs.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
	netip.MustParsePrefix("127.0.0.0/8"),
}

// Private reports whether every address of p is private (RFC 1918) or
// loopback.
func Private(p netip.Prefix) bool {
	for _, r := range privateRanges {
		if r.Bits() <= p.Bits() && r.Contains(p.Addr()) {
			return true
		}
	}
	return false
}

// Within reports whether every address of p lies inside one of nets.
func Within(p netip.Prefix, nets []netip.Prefix) bool {
	return slices.ContainsFunc(nets, func(n netip.Prefix) bool { return n.Bits() <= p.Bits() && n.Contains(p.Addr()) })
}

// Covers reports whether one of list contains a.
func Covers(list []netip.Prefix, a netip.Addr) bool {
	return slices.ContainsFunc(list, func(p netip.Prefix) bool { return p.Contains(a) })
}

// Mask returns p's prefix length as a dotted mask, 255.255.255.0 for /24:
// the form IIS and Exchange System Manager show and the metabase stores.
func Mask(p netip.Prefix) string {
	bits := p.Bits()
	var m [4]byte
	for i := range m {
		n := min(max(bits-8*i, 0), 8)
		m[i] = byte(0xff << (8 - n))
	}
	return netip.AddrFrom4(m).String()
}

// Entry returns p as one element of an IIS access list (the IPGrant and
// IPDeny arrays of an IIsIPSecurity object): the network address and its
// mask separated by a comma, "10.1.0.0,255.255.0.0". IIS reads the list
// back with a space after the comma; the scripts compare without spaces.
func Entry(p netip.Prefix) string {
	return p.Masked().Addr().String() + "," + Mask(p)
}

// Describe writes p for people: a single address alone, a network with its
// mask as the consoles show it.
func Describe(p netip.Prefix) string {
	if p.Bits() == 32 {
		return p.Addr().String()
	}
	return p.String() + " (mask " + Mask(p) + ")"
}

// ParseList parses a stored multi-line answer of steps.KindPrefixes again.
func ParseList(a steps.Answers, id string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, v := range a.Values(id) {
		p, err := steps.ParsePrefix(v)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", v, err)
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out, nil
}

// HostPrefixes returns a /32 for every internal address of the servers.
func HostPrefixes(servers ...steps.Server) []netip.Prefix {
	var out []netip.Prefix
	for _, s := range servers {
		for _, a := range s.Addrs {
			if p := netip.PrefixFrom(a, 32); !slices.Contains(out, p) {
				out = append(out, p)
			}
		}
	}
	return out
}

// JoinPrefixes stores prefixes as a multi-line answer.
func JoinPrefixes(ps []netip.Prefix) string {
	var ss []string
	for _, p := range ps {
		ss = append(ss, p.String())
	}
	return strings.Join(ss, "\n")
}

// Problem is one thing wrong with a relay list, found by CheckRelayList.
type Problem struct {
	Code    string
	Message string
	Servers []string // servers concerned, for the finding
}

// CheckRelayList finds the entries of a relay list (what names the list
// and the server it belongs to, for the messages) that would let strangers
// relay: the whole Internet (0.0.0.0/0), a range of public addresses, or a
// network holding an ISA Server. The last one is easy to miss: mail that
// ISA passes on can reach the SMTP server from ISA's own address, so
// relaying for ISA is relaying for everyone ISA accepts mail from.
//
// A single public address is allowed here: some organisations number
// their internal servers from public space. Whether it belongs to the
// organisation is checked against its networks by the relay procedure.
func CheckRelayList(what string, list []netip.Prefix, t steps.Topology) []Problem {
	var out []Problem
	var public []string
	for _, p := range list {
		if p.Bits() == 0 {
			out = append(out, Problem{Code: CodeRelayOpen,
				Message: what + " contains 0.0.0.0/0, which is every address on the Internet: the server would be an open relay, abused for unsolicited mail within hours and put on block lists. " +
					"Remove it and list only the servers that must send through it, one address a line."})
			continue
		}
		if !Private(p) && p.Bits() < 32 {
			public = append(public, p.String())
		}
	}
	if len(public) > 0 {
		out = append(out, Problem{Code: CodeRelayPublicRange,
			Message: what + " grants relaying to the public address range " + strings.Join(public, ", ") +
				". Anyone who holds or can spoof an address in it could send mail anywhere through your server. List the single addresses of your own servers instead."})
	}
	var isa, isaAddrs []string
	var narrow []netip.Prefix
	for _, p := range list {
		if p.Bits() > 0 {
			narrow = append(narrow, p)
		}
	}
	for _, s := range t.WithRole(steps.RoleISA) {
		for _, a := range slices.Concat(s.Addrs, s.ISA.ExternalAddrs) {
			if Covers(narrow, a) {
				if !slices.Contains(isa, string(s.Name)) {
					isa = append(isa, string(s.Name))
				}
				isaAddrs = append(isaAddrs, a.String())
			}
		}
	}
	if len(isa) > 0 {
		out = append(out, Problem{Code: CodeRelayIncludesISA, Servers: isa,
			Message: what + " covers " + strings.Join(isaAddrs, ", ") + ", an address of the ISA Server " + strings.Join(isa, ", ") +
				". Mail ISA passes on from the Internet can arrive from that address, so relaying for it would relay for anyone outside. Remove the ISA Server's addresses from the list."})
	}
	return out
}

// Findings turns problems into error findings that the question fix
// changes.
func Findings(ps []Problem, fix ...string) []steps.Finding {
	var fs []steps.Finding
	for _, p := range ps {
		fs = append(fs, steps.Finding{Code: p.Code, Severity: steps.Error, Message: p.Message, Fix: fix, Servers: p.Servers})
	}
	return fs
}
