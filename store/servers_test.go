package store

import (
	"context"
	"errors"
	"net/netip"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/secex/wizard/steps"
)

var cmpAddr = cmpopts.EquateComparable(netip.Addr{})

func TestServers(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	alice := mustUser(t, s, "alice")
	p := mustProject(t, s, alice, "Contoso")

	isa := steps.Server{
		Name: "ISA01", FQDN: "isa01.corp.contoso.com", OS: steps.OSWindows2000,
		Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.1"), netip.MustParseAddr("10.0.0.2")},
		Roles: []steps.Role{steps.RoleISA},
		ISA: steps.ISAFacts{ExternalAddrs: []netip.Addr{netip.MustParseAddr("192.0.2.10")},
			ServicePack: 1, ArrayMember: true, InsideFirewall: true},
	}
	fe := steps.Server{
		Name: "EXFE01", FQDN: "exfe01.corp.contoso.com", OS: steps.OSWindows2003,
		Addrs:    []netip.Addr{netip.MustParseAddr("10.0.1.5")},
		Roles:    []steps.Role{steps.RoleCA, steps.RoleFrontEnd},
		FrontEnd: steps.FrontEndFacts{SiteID: 3, OU: "Front End"},
		CA:       steps.CAFacts{Config: `exfe01.corp.contoso.com\Contoso CA`, ThirdPartyRoot: true},
	}
	if err := s.AddServers(ctx, alice.ID, p.ID, []steps.Server{isa, fe}); err != nil {
		t.Fatal(err)
	}
	recs, err := s.Servers(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].Version != 1 || recs[1].Version != 1 {
		t.Fatalf("Servers = %+v", recs)
	}
	if diff := cmp.Diff([]steps.Server{isa, fe}, []steps.Server{recs[0].Server, recs[1].Server}, cmpAddr); diff != "" {
		t.Errorf("servers did not round-trip (-want +got):\n%s", diff)
	}
	if rev := mustRevision(t, s, p.ID); rev != 2 {
		t.Errorf("revision after adding two servers at once = %d, want 2", rev)
	}

	// Update, then a stale update and a stale delete.
	fe2 := fe
	fe2.Addrs = []netip.Addr{netip.MustParseAddr("10.0.1.6")}
	if err := s.UpdateServer(ctx, alice.ID, p.ID, recs[1].ID, 1, fe2); err != nil {
		t.Fatal(err)
	}
	if err := s.UpdateServer(ctx, alice.ID, p.ID, recs[1].ID, 1, fe); !errors.Is(err, ErrConflict) {
		t.Errorf("stale UpdateServer = %v, want ErrConflict", err)
	}
	if err := s.DeleteServer(ctx, alice.ID, p.ID, recs[1].ID, 1); !errors.Is(err, ErrConflict) {
		t.Errorf("stale DeleteServer = %v, want ErrConflict", err)
	}
	if err := s.UpdateServer(ctx, alice.ID, p.ID+1, recs[1].ID, 2, fe); !errors.Is(err, ErrNotFound) {
		t.Errorf("UpdateServer in another project = %v, want ErrNotFound", err)
	}
	// The old address is free again.
	if err := s.AddServers(ctx, alice.ID, p.ID, []steps.Server{server("EXBE01", "exbe01.corp.contoso.com", "10.0.1.5")}); err != nil {
		t.Errorf("reusing a released address: %v", err)
	}
	topo, err := s.Topology(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, srv := range topo.Servers {
		names = append(names, string(srv.Name))
	}
	if diff := cmp.Diff([]string{"ISA01", "EXFE01", "EXBE01"}, names); diff != "" {
		t.Errorf("Topology servers not in insertion order (-want +got):\n%s", diff)
	}
	if err := s.DeleteServer(ctx, alice.ID, p.ID, recs[1].ID, 2); err != nil {
		t.Fatal(err)
	}
	if recs, _ := s.Servers(ctx, p.ID); len(recs) != 2 {
		t.Errorf("%d servers after delete, want 2", len(recs))
	}
	if err := s.DeleteServer(ctx, alice.ID, p.ID, recs[1].ID, 2); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleting a deleted server = %v, want ErrNotFound", err)
	}
	if _, err := s.Topology(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Topology(999) = %v", err)
	}

	es, _ := s.Audit(ctx, p.ID, 0)
	var got []string
	for _, e := range es {
		got = append(got, e.Action+" "+e.Entity+" "+e.Key)
		if e.Action == "update" && (e.Old == "" || e.New == "" || e.Old == e.New) {
			t.Errorf("server update audited without old and new: %+v", e)
		}
	}
	want := []string{"delete server EXFE01", "add server EXBE01", "update server EXFE01", "add server EXFE01", "add server ISA01", "create project "}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

func TestServerDuplicates(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	alice := mustUser(t, s, "alice")
	p := mustProject(t, s, alice, "Contoso")
	q := mustProject(t, s, alice, "Fabrikam")
	be := server("EXBE01", "exbe01.corp.contoso.com", "10.0.0.10", "10.0.0.11")
	if err := s.AddServers(ctx, alice.ID, p.ID, []steps.Server{be}); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		add   []steps.Server
		field string
		value string
		other string
	}{
		{"name", []steps.Server{server("exbe01", "other.corp.contoso.com", "10.0.0.99")}, "name", "exbe01", "EXBE01"},
		{"fqdn", []steps.Server{server("EXBE02", "EXBE01.corp.contoso.com", "10.0.0.99")}, "fqdn", "EXBE01.corp.contoso.com", "EXBE01"},
		{"address", []steps.Server{server("EXBE02", "exbe02.corp.contoso.com", "10.0.0.99", "10.0.0.11")}, "addrs", "10.0.0.11", "EXBE01"},
		{"within the list", []steps.Server{
			server("EXBE02", "exbe02.corp.contoso.com", "10.0.0.20"),
			server("EXBE03", "exbe03.corp.contoso.com", "10.0.0.20"),
		}, "addrs", "10.0.0.20", "EXBE02"},
		{"twice in one server", []steps.Server{server("EXBE02", "exbe02.corp.contoso.com", "10.0.0.20", "10.0.0.20")}, "addrs", "10.0.0.20", "EXBE02"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := s.AddServers(ctx, alice.ID, p.ID, tt.add)
			var dup *DuplicateError
			if !errors.As(err, &dup) || !errors.Is(err, ErrDuplicate) {
				t.Fatalf("AddServers = %v, want a *DuplicateError", err)
			}
			if dup.Field != tt.field || dup.Value != tt.value || dup.Other != tt.other {
				t.Errorf("DuplicateError = %+v, want field %s value %s other %s", dup, tt.field, tt.value, tt.other)
			}
			if recs, _ := s.Servers(ctx, p.ID); len(recs) != 1 {
				t.Errorf("%d servers after a refused add: not all or nothing", len(recs))
			}
		})
	}
	if rev := mustRevision(t, s, p.ID); rev != 2 {
		t.Errorf("refused adds changed the revision to %d", rev)
	}

	// An update may keep its own values but not take another's.
	be2 := server("EXBE02", "exbe02.corp.contoso.com", "10.0.0.20")
	if err := s.AddServers(ctx, alice.ID, p.ID, []steps.Server{be2}); err != nil {
		t.Fatal(err)
	}
	recs, _ := s.Servers(ctx, p.ID)
	be2.Addrs = append(be2.Addrs, netip.MustParseAddr("10.0.0.10"))
	err := s.UpdateServer(ctx, alice.ID, p.ID, recs[1].ID, recs[1].Version, be2)
	if !errors.Is(err, ErrDuplicate) {
		t.Errorf("UpdateServer taking another's address = %v", err)
	}
	be2.Addrs = be2.Addrs[:1]
	be2.OS = steps.OSLater
	if err := s.UpdateServer(ctx, alice.ID, p.ID, recs[1].ID, recs[1].Version, be2); err != nil {
		t.Errorf("UpdateServer keeping its own values: %v", err)
	}

	// The same server may exist in another project.
	if err := s.AddServers(ctx, alice.ID, q.ID, []steps.Server{be}); err != nil {
		t.Errorf("adding to another project: %v", err)
	}
}
