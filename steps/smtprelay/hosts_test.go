package smtprelay

import (
	"net/netip"
	"testing"

	"github.com/secex/wizard/steps"
)

// TestHostsOf checks that single addresses are named by their server, that
// wider prefixes keep their mask, and that a long list is cut after six
// entries with a count of the rest.
func TestHostsOf(t *testing.T) {
	topo := steps.Topology{Servers: []steps.Server{
		{Name: "EXBE01", Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.1")}},
		{Name: "EXBE02", Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.9"), netip.MustParseAddr("10.0.0.2")}},
		{Name: "LATER", Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.1")}},
	}}
	list := func(ss ...string) []netip.Prefix {
		var ps []netip.Prefix
		for _, s := range ss {
			ps = append(ps, netip.MustParsePrefix(s))
		}
		return ps
	}
	for _, c := range []struct {
		ps   []netip.Prefix
		want string
	}{
		{list("10.0.0.1/32", "10.0.0.2/32", "10.0.0.3/32", "192.168.0.0/24"),
			"EXBE01 (10.0.0.1), EXBE02 (10.0.0.2), 10.0.0.3, 192.168.0.0/24 (mask 255.255.255.0)"},
		{list("10.1.0.1/32", "10.1.0.2/32", "10.1.0.3/32", "10.1.0.4/32", "10.1.0.5/32", "10.1.0.6/32", "10.1.0.7/32"),
			"10.1.0.1, 10.1.0.2, 10.1.0.3, 10.1.0.4, 10.1.0.5, 10.1.0.6, or the one other entry of that list"},
		{list("10.1.0.1/32", "10.1.0.2/32", "10.1.0.3/32", "10.1.0.4/32", "10.1.0.5/32", "10.0.0.9/32", "10.1.0.7/32", "10.1.0.8/32", "10.1.0.9/32"),
			"10.1.0.1, 10.1.0.2, 10.1.0.3, 10.1.0.4, 10.1.0.5, EXBE02 (10.0.0.9), or one of the 3 other entries of that list"},
		{nil, ""},
	} {
		if got := hostsOf(topo, c.ps); got != c.want {
			t.Errorf("hostsOf(%v)\n got %s\nwant %s", c.ps, got, c.want)
		}
	}
}
