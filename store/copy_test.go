package store

import (
	"context"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store/pgtest"
)

// fill gives every table of s rows, through the store's own methods, and
// returns the project it made. A second project, made by bob, stays out
// of a project's copy.
func fill(tb testing.TB, s *Store, clk *clock) Project {
	tb.Helper()
	ctx := context.Background()
	must := func(err error) {
		tb.Helper()
		if err != nil {
			tb.Fatal(err)
		}
	}
	must(s.CreateSetupToken(ctx, []byte("setup"), clk.Now().Add(time.Hour)))
	alice, bob, carol := mustUser(tb, s, "alice"), mustUser(tb, s, "bob"), mustUser(tb, s, "carol")
	must(s.RecordLoginFailure(ctx, "user:mallory"))
	must(s.SaveSession(ctx, Session{TokenHash: []byte("cookie"), UserID: alice.ID, Data: []byte(`{"csrf":"x"}`),
		CreatedAt: clk.Now(), LastSeen: clk.Now(), Expires: clk.Now().Add(time.Hour)}))
	other := mustProject(tb, s, bob, "Fabrikam")
	must(s.SaveAnswers(ctx, bob.ID, other.ID, "rpc", []AnswerChange{{Question: "q", Value: "other"}}))

	p := mustProject(tb, s, alice, "Contoso")
	clk.Advance(time.Minute)
	must(s.SetMember(ctx, alice.ID, p.ID, carol.ID, RoleEditor))
	must(s.AddServers(ctx, alice.ID, p.ID, []steps.Server{server("EX1", "ex1.corp.contoso.com", "10.0.0.1"),
		server("EX2", "ex2.corp.contoso.com", "10.0.0.2")}))
	must(s.SaveAnswers(ctx, carol.ID, p.ID, "rpc", []AnswerChange{{Question: "q", Value: "v"}}))
	must(s.SetStepComplete(ctx, alice.ID, p.ID, "rpc", true))
	must(s.Acknowledge(ctx, alice.ID, p.ID, "rpc/warning", "accepted by the board"))
	must(s.SaveTicket(ctx, alice.ID, p.ID, steps.Ticket{}, 0))
	_, err := s.SignOff(ctx, alice.ID, p.ID, mustRevision(tb, s, p.ID), `{"signed":true}`)
	must(err)
	must(s.Assign(ctx, alice.ID, p.ID, "rpc/ex1", carol.ID))
	_, err = s.MarkStep(ctx, carol.ID, p.ID, Execution{Action: "rpc/ex1", Status: "done", Output: "ok",
		Evidence: []Evidence{{Name: "out.txt", ContentType: "text/plain", Data: []byte("\x00binary\xff")}}})
	must(err)
	must(s.CloseChange(ctx, alice.ID, p.ID, Closure{Outcome: "completed", Note: "fine"}))
	must(s.SetPosition(ctx, carol.ID, p.ID, "/p/1/steps/rpc"))
	_, err = s.RecordProbe(ctx, carol.ID, p.ID, "rpc/ex1", "pass", []byte(`{"checks":[]}`))
	must(err)
	p, err = s.Project(ctx, p.ID)
	must(err)
	return p
}

// dump reads every table of s in key order, each row as text, IDs
// included.
func dump(tb testing.TB, s *Store) map[string][]string {
	tb.Helper()
	out := map[string][]string{}
	err := s.read(context.Background(), func(c *conn) error {
		for _, t := range copyTables {
			rows, err := c.QueryContext(context.Background(), `SELECT * FROM `+t.name)
			if err != nil {
				return err
			}
			cols, _ := rows.Columns()
			vals := make([]any, len(cols))
			ptrs := make([]any, len(cols))
			for i := range vals {
				ptrs[i] = &vals[i]
			}
			for rows.Next() {
				if err := rows.Scan(ptrs...); err != nil {
					rows.Close()
					return err
				}
				var b strings.Builder
				for i, v := range vals {
					if bs, ok := v.([]byte); ok {
						v = fmt.Sprintf("%x", bs)
					}
					fmt.Fprintf(&b, "%s=%v ", cols[i], v)
				}
				out[t.name] = append(out[t.name], b.String())
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			slices.Sort(out[t.name])
		}
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// TestCopyTablesCoverSchema checks that a copy takes every table there is.
func TestCopyTablesCoverSchema(t *testing.T) {
	s, _ := openSQLiteTest(t)
	var want []string
	for name := range sqliteSchema(t, s.r.DB).Columns {
		if name != "schema_migrations" {
			want = append(want, name)
		}
	}
	var got []string
	for _, ct := range copyTables {
		got = append(got, ct.name)
	}
	slices.Sort(want)
	slices.Sort(got)
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("copyTables differ from the schema's tables (-schema +copyTables):\n%s", diff)
	}
}

// TestCopyDatabase moves a database with a row in every table from SQLite
// to PostgreSQL and back, and checks that every row arrives with every
// value and ID, that the copies go on numbering after the last ID, and
// that a destination with data is refused.
func TestCopyDatabase(t *testing.T) {
	ctx := context.Background()
	lite, clk := openSQLiteTest(t)
	fill(t, lite, clk)
	want := dump(t, lite)
	for name, rows := range want {
		if len(rows) == 0 {
			t.Fatalf("fill left %s empty", name)
		}
	}

	pg, err := OpenPostgres(ctx, pgtest.DSN(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	if err := CopyDatabase(ctx, pg, lite); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, dump(t, pg)); diff != "" {
		t.Errorf("PostgreSQL differs from SQLite after the copy (-sqlite +postgres):\n%s", diff)
	}
	back, _ := openSQLiteTest(t)
	if err := CopyDatabase(ctx, back, pg); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(want, dump(t, back)); diff != "" {
		t.Errorf("SQLite differs after the way back (-before +after):\n%s", diff)
	}

	pg.Now = clk.Now
	for _, s := range []*Store{pg, back} {
		u := mustUser(t, s, "dave")
		if u.ID != 4 {
			t.Errorf("a new account after the copy has ID %d, want 4", u.ID)
		}
		if err := CopyDatabase(ctx, s, lite); !errors.Is(err, ErrNotEmpty) {
			t.Errorf("copying into a database with data: %v, want ErrNotEmpty", err)
		}
	}
}

// TestCopyProject copies one project into a database that already has an
// account of one of its members and another project: the member is
// matched by name, the others get accounts, every row of the project
// arrives renumbered and the rest of the source stays behind.
func TestCopyProject(t *testing.T) {
	ctx := context.Background()
	src, clk := OpenTest(t)
	p := fill(t, src, clk)

	// The destination is the other engine.
	var dst *Store
	if pgtest.Selected() {
		dst, _ = openSQLiteTest(t)
	} else {
		d, err := OpenPostgres(ctx, pgtest.DSN(t))
		if err != nil {
			t.Fatal(err)
		}
		defer d.Close()
		d.Now = clk.Now
		dst = d
	}
	admin := mustUser(t, dst, "root")
	existing := mustUser(t, dst, "alice")
	here := mustProject(t, dst, admin, "Already here")

	got, err := CopyProject(ctx, dst, src, admin.ID, p.ID, "the old wizard")
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != p.Name || got.Revision != p.Revision || got.ID == here.ID {
		t.Errorf("copied project %+v, want %q at revision %d under a new ID", got, p.Name, p.Revision)
	}
	if role, err := dst.MemberRole(ctx, got.ID, existing.ID); err != nil || role != RoleOwner {
		t.Errorf("alice's existing account has role %v (%v), want owner", role, err)
	}
	carol, _, err := dst.UserByName(ctx, "carol")
	if err != nil || carol.Admin {
		t.Errorf("carol in the destination: %+v, %v; want a new account that is no administrator", carol, err)
	}
	if _, _, err := dst.UserByName(ctx, "bob"); !errors.Is(err, ErrNotFound) {
		t.Errorf("bob, who is not in the project, was copied: %v", err)
	}

	// The project reads the same through the store's methods.
	for _, c := range []struct {
		name string
		read func(s *Store, id int64) (any, error)
	}{
		{"answers", func(s *Store, id int64) (any, error) { return s.Answers(ctx, id) }},
		{"completed", func(s *Store, id int64) (any, error) { return s.CompletedSteps(ctx, id) }},
		{"topology", func(s *Store, id int64) (any, error) { return s.Topology(ctx, id) }},
		{"signoffs", func(s *Store, id int64) (any, error) {
			so, err := s.Signoffs(ctx, id)
			for i := range so {
				so[i].ID = 0
			}
			return so, err
		}},
		{"assignments", func(s *Store, id int64) (any, error) { return s.Assignments(ctx, id) }},
		{"executions", func(s *Store, id int64) (any, error) {
			es, err := s.Executions(ctx, id)
			for i := range es {
				es[i].ID = 0
				for j := range es[i].Evidence {
					es[i].Evidence[j].ID = 0
				}
			}
			return es, err
		}},
		{"closure", func(s *Store, id int64) (any, error) { return s.LatestClosure(ctx, id) }},
		{"probes", func(s *Store, id int64) (any, error) {
			rs, err := s.ProbeRuns(ctx, id)
			for i := range rs {
				rs[i].ID = 0
			}
			return rs, err
		}},
		{"history", func(s *Store, id int64) (any, error) {
			es, err := s.Audit(ctx, id, 0)
			for i := range es {
				es[i].ID = 0
			}
			return es, err
		}},
	} {
		want, err := c.read(src, p.ID)
		if err != nil {
			t.Fatal(err)
		}
		have, err := c.read(dst, got.ID)
		if err != nil {
			t.Fatal(err)
		}
		if c.name == "history" {
			// The copy adds its own entry, newest.
			h := have.([]AuditEntry)
			if len(h) == 0 || h[0].Action != "copy" || h[0].New != "the old wizard" || h[0].User != "root" {
				t.Errorf("newest history entry %+v, want root's copy from the old wizard", h[0])
			}
			have = h[1:]
		}
		if diff := cmp.Diff(want, have, cmp.Comparer(func(a, b netip.Addr) bool { return a == b })); diff != "" {
			t.Errorf("%s differ after the copy (-source +copy):\n%s", c.name, diff)
		}
	}
	// Her position named the project's old address.
	if pos, err := dst.Position(ctx, carol.ID, got.ID); err != nil || pos != "" {
		t.Errorf("carol's position in the copy = %q, %v; want none", pos, err)
	}

	if _, err := CopyProject(ctx, dst, src, admin.ID, 999, ""); !errors.Is(err, ErrNotFound) {
		t.Errorf("copying a project that does not exist: %v, want ErrNotFound", err)
	}
}
