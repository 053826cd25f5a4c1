package store

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secex/wizard/steps"
)

func TestRoles(t *testing.T) {
	for r := RoleViewer; r <= RoleOwner; r++ {
		got, err := ParseRole(" " + strings.ToUpper(r.String()) + " ")
		if err != nil || got != r {
			t.Errorf("ParseRole(%s) = %v, %v", r, got, err)
		}
	}
	if _, err := ParseRole("admin"); err == nil {
		t.Errorf("ParseRole(admin) succeeded")
	}
	if !(RoleViewer < RoleEditor && RoleEditor < RoleApprover && RoleApprover < RoleOwner) {
		t.Errorf("roles are not ordered")
	}
}

func TestProjects(t *testing.T) {
	ctx := context.Background()
	s, clk := OpenTest(t)
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "bob")

	p, err := s.CreateProject(ctx, alice.ID, "Contoso")
	if err != nil {
		t.Fatal(err)
	}
	want := Project{ID: p.ID, Name: "Contoso", Revision: 1, CreatedAt: t0, UpdatedAt: t0}
	if diff := cmp.Diff(want, p); diff != "" {
		t.Errorf("CreateProject (-want +got):\n%s", diff)
	}
	if got, err := s.Project(ctx, p.ID); err != nil || !cmp.Equal(got, p) {
		t.Errorf("Project = %+v, %v; want %+v", got, err, p)
	}
	if _, err := s.Project(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("Project(999) = %v, want ErrNotFound", err)
	}
	q := mustProject(t, s, bob, "archive me")

	clk.Advance(time.Minute)
	if err := s.RenameProject(ctx, alice.ID, p.ID, "Contoso mail"); err != nil {
		t.Fatal(err)
	}
	if err := s.SetArchived(ctx, bob.ID, q.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetMember(ctx, bob.ID, q.ID, alice.ID, RoleViewer); err != nil {
		t.Fatal(err)
	}
	ps, err := s.Projects(ctx, alice.ID)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range ps {
		got = append(got, p.Name+" "+p.Role.String())
		if p.Name == "archive me" && (!p.Archived || p.Revision != 3 || !p.UpdatedAt.Equal(clk.Now())) {
			t.Errorf("archived project = %+v", p.Project)
		}
	}
	if diff := cmp.Diff([]string{"archive me viewer", "Contoso mail owner"}, got); diff != "" {
		t.Errorf("Projects (-want +got):\n%s", diff)
	}
	if ps, _ := s.Projects(ctx, 999); len(ps) != 0 {
		t.Errorf("a stranger sees %v", ps)
	}
	// Unchanged values change nothing.
	rev := mustRevision(t, s, p.ID)
	s.RenameProject(ctx, alice.ID, p.ID, "Contoso mail")
	s.SetArchived(ctx, alice.ID, p.ID, false)
	if got := mustRevision(t, s, p.ID); got != rev {
		t.Errorf("revision %d after no-op changes, want %d", got, rev)
	}
	if err := s.RenameProject(ctx, alice.ID, 999, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("RenameProject(999) = %v", err)
	}

	es, err := s.Audit(ctx, p.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantAudit := []AuditEntry{
		{At: clk.Now(), User: "alice", Action: "rename", Entity: "project", Old: "Contoso", New: "Contoso mail"},
		{At: t0, User: "alice", Action: "create", Entity: "project", New: "Contoso"},
	}
	if diff := cmp.Diff(wantAudit, es, cmpAudit); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

func TestSaveFacts(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	alice := mustUser(t, s, "alice")
	p := mustProject(t, s, alice, "Contoso")
	facts := steps.Facts{ADDomain: "corp.contoso.com", OWAHost: "mail.contoso.com", OWAPath: "/exchange", POP3IMAP4: true}

	if err := s.SaveFacts(ctx, alice.ID, p.ID, facts, 0); err != nil {
		t.Fatal(err)
	}
	got, _ := s.Project(ctx, p.ID)
	if got.FactsVersion != 1 || got.Revision != 2 || !cmp.Equal(got.Facts, facts) {
		t.Errorf("after SaveFacts: %+v", got)
	}
	// A second editor who loaded version 0 is refused.
	other := facts
	other.MXHost = "mx.contoso.com"
	if err := s.SaveFacts(ctx, alice.ID, p.ID, other, 0); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale SaveFacts = %v, want ErrConflict", err)
	}
	if got, _ := s.Project(ctx, p.ID); got.FactsVersion != 1 || got.Facts.MXHost != "" {
		t.Errorf("a stale save changed the facts: %+v", got)
	}
	if err := s.SaveFacts(ctx, alice.ID, p.ID, other, 1); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveFacts(ctx, alice.ID, 999, other, 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("SaveFacts(999) = %v", err)
	}
	es, _ := s.Audit(ctx, p.ID, 1)
	if len(es) != 1 || es[0].Key != "facts" || !strings.Contains(es[0].Old, `"MXHost":""`) || !strings.Contains(es[0].New, `"MXHost":"mx.contoso.com"`) {
		t.Errorf("facts audit = %+v", es)
	}
	topo, err := s.Topology(ctx, p.ID)
	if err != nil || topo.Facts != other {
		t.Errorf("Topology facts = %+v, %v", topo.Facts, err)
	}
}

func TestMembers(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	alice, bob, carol := mustUser(t, s, "alice"), mustUser(t, s, "bob"), mustUser(t, s, "carol")
	p := mustProject(t, s, alice, "Contoso")

	if _, err := s.MemberRole(ctx, p.ID, bob.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("MemberRole of a non-member = %v, want ErrNotFound", err)
	}
	ops := []struct {
		name string
		do   func() error
		want error
	}{
		{"add bob", func() error { return s.SetMember(ctx, alice.ID, p.ID, bob.ID, RoleEditor) }, nil},
		{"add carol", func() error { return s.SetMember(ctx, alice.ID, p.ID, carol.ID, RoleViewer) }, nil},
		{"demote the only owner", func() error { return s.SetMember(ctx, alice.ID, p.ID, alice.ID, RoleEditor) }, ErrLastOwner},
		{"remove the only owner", func() error { return s.RemoveMember(ctx, alice.ID, p.ID, alice.ID) }, ErrLastOwner},
		{"promote bob", func() error { return s.SetMember(ctx, alice.ID, p.ID, bob.ID, RoleOwner) }, nil},
		{"remove alice", func() error { return s.RemoveMember(ctx, bob.ID, p.ID, alice.ID) }, nil},
		{"remove alice again", func() error { return s.RemoveMember(ctx, bob.ID, p.ID, alice.ID) }, ErrNotFound},
		{"remove bob, now the only owner", func() error { return s.RemoveMember(ctx, bob.ID, p.ID, bob.ID) }, ErrLastOwner},
		{"unknown user", func() error { return s.SetMember(ctx, bob.ID, p.ID, 999, RoleViewer) }, ErrNotFound},
		{"unknown project", func() error { return s.SetMember(ctx, bob.ID, 999, carol.ID, RoleViewer) }, ErrNotFound},
	}
	for _, st := range ops {
		if err := st.do(); !errors.Is(err, st.want) {
			t.Fatalf("%s: %v, want %v", st.name, err, st.want)
		}
	}
	if err := s.SetMember(ctx, bob.ID, p.ID, carol.ID, Role(9)); err == nil {
		t.Errorf("SetMember accepted role 9")
	}
	if !strings.Contains(ErrLastOwner.Error(), "owner") {
		t.Errorf("ErrLastOwner does not say what is wrong: %q", ErrLastOwner)
	}

	ms, err := s.Members(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := []Member{{bob, RoleOwner}, {carol, RoleViewer}}
	if diff := cmp.Diff(want, ms); diff != "" {
		t.Errorf("Members (-want +got):\n%s", diff)
	}
	if r, err := s.MemberRole(ctx, p.ID, carol.ID); err != nil || r != RoleViewer {
		t.Errorf("MemberRole(carol) = %v, %v", r, err)
	}

	es, _ := s.Audit(ctx, p.ID, 0)
	var got []string
	for _, e := range es {
		if e.Entity == "member" {
			got = append(got, e.User+" "+e.Action+" "+e.Key+" "+e.Old+">"+e.New)
		}
	}
	wantAudit := []string{
		"bob remove alice owner>",
		"alice update bob editor>owner",
		"alice add carol >viewer",
		"alice add bob >editor",
	}
	if diff := cmp.Diff(wantAudit, got); diff != "" {
		t.Errorf("member audit (-want +got):\n%s", diff)
	}
	// create, four member changes.
	if rev := mustRevision(t, s, p.ID); rev != 5 {
		t.Errorf("revision = %d, want 5", rev)
	}
}

func TestPositions(t *testing.T) {
	ctx := context.Background()
	s, clk := OpenTest(t)
	alice := mustUser(t, s, "alice")
	p, q := mustProject(t, s, alice, "P"), mustProject(t, s, alice, "Q")

	if path, err := s.Position(ctx, alice.ID, p.ID); err != nil || path != "" {
		t.Errorf("Position with none = %q, %v", path, err)
	}
	if pid, path, err := s.LatestPosition(ctx, alice.ID); err != nil || pid != 0 || path != "" {
		t.Errorf("LatestPosition with none = %d, %q, %v", pid, path, err)
	}
	s.SetPosition(ctx, alice.ID, p.ID, "/p/1/steps/rpc")
	clk.Advance(time.Second)
	s.SetPosition(ctx, alice.ID, q.ID, "/p/2/servers")
	clk.Advance(time.Second)
	if err := s.SetPosition(ctx, alice.ID, p.ID, "/p/1/steps/ipsec"); err != nil {
		t.Fatal(err)
	}
	if path, _ := s.Position(ctx, alice.ID, q.ID); path != "/p/2/servers" {
		t.Errorf("Position(q) = %q", path)
	}
	if pid, path, _ := s.LatestPosition(ctx, alice.ID); pid != p.ID || path != "/p/1/steps/ipsec" {
		t.Errorf("LatestPosition = %d, %q", pid, path)
	}
	if rev := mustRevision(t, s, p.ID); rev != 1 {
		t.Errorf("a position changed the revision to %d", rev)
	}
	if es, _ := s.Audit(ctx, p.ID, 0); len(es) != 1 {
		t.Errorf("positions were audited: %+v", es)
	}
}
