package steps

import (
	"net/netip"
	"slices"
	"testing"
)

func TestMigrateTopology(t *testing.T) {
	addr := netip.MustParseAddr
	t0 := Topology{Facts: Facts{ADDomain: "corp.contoso.com", OWAHost: "mail.contoso.com", OWAPath: "/exchange"}, Servers: []Server{
		{Name: "DC01", FQDN: "dc01.corp.contoso.com", Addrs: []netip.Addr{addr("10.1.0.10")}, OS: OSWindows2000, Roles: []Role{RoleDC, RoleCA}, CA: CAFacts{Config: `dc01.corp.contoso.com\Contoso CA`}},
		{Name: "EXBE01", FQDN: "exbe01.corp.contoso.com", Addrs: []netip.Addr{addr("10.1.1.21")}, OS: OSWindows2000, Roles: []Role{RoleBackEnd, RoleKMS}},
		{Name: "OWAFE01", FQDN: "owafe01.corp.contoso.com", Addrs: []netip.Addr{addr("10.1.1.11")}, OS: OSWindows2003, Roles: []Role{RoleFrontEnd}},
		{Name: "ISA01", FQDN: "isa01.corp.contoso.com", Addrs: []netip.Addr{addr("10.1.2.5")}, OS: OSWindows2000, Roles: []Role{RoleISA}},
		{Name: "GW01", FQDN: "gw01.contoso.com", Addrs: []netip.Addr{addr("10.1.3.5")}, OS: OSWindows2003, Roles: []Role{RoleGateway}},
	}}
	to := MigrationTarget{OS: OSWindows2022, Exchange: ExchangeFacts{Version: Exchange2019, CU: 15}}
	got, moves := MigrateTopology(t0, to)
	if got.Facts.Platform != PlatformCurrent || got.Facts.OWAPath != "/owa" {
		t.Errorf("facts %+v", got.Facts)
	}
	var names []string
	for _, s := range got.Servers {
		names = append(names, string(s.Name))
		if s.OS != OSWindows2022 {
			t.Errorf("%s runs %s", s.Name, s.OS)
		}
	}
	if !slices.Equal(names, []string{"DC01", "EXBE01", "ISA01", "GW01"}) {
		t.Errorf("servers %q: the front-end must be retired", names)
	}
	if s := got.Servers[1]; !slices.Equal(s.Roles, []Role{RoleMailbox}) || s.Exchange != to.Exchange {
		t.Errorf("back-end became %+v", s)
	}
	if s := got.Servers[0]; !slices.Equal(s.Roles, []Role{RoleDC, RoleCA}) || s.CA.Config == "" || s.Exchange.Version != "" {
		t.Errorf("DC and CA became %+v", s)
	}
	if !slices.Equal(got.Servers[2].Roles, []Role{RoleProxy}) || !slices.Equal(got.Servers[3].Roles, []Role{RoleEdge}) {
		t.Errorf("ISA and gateway became %v and %v", got.Servers[2].Roles, got.Servers[3].Roles)
	}
	if m := moves[2]; len(m.Roles) != 0 || !slices.Equal(m.Dropped, []Role{RoleFrontEnd}) || len(m.Why) != 1 {
		t.Errorf("front-end move %+v", m)
	}
	if m := moves[1]; !slices.Equal(m.Dropped, []Role{RoleKMS}) {
		t.Errorf("back-end move %+v", m)
	}
	// Every server of the result passes the current platform's form.
	for _, s := range got.Servers {
		if _, ps := FormOf(s).Parse(); len(ps) > 0 {
			t.Errorf("%s: %v", s.Name, ps)
		}
	}
}
