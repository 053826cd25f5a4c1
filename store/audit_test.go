package store

import (
	"context"
	"strings"
	"testing"
	"time"
)

// TestAuditAppendOnly checks the log refuses edits made with SQL, even
// through the writer connection the store itself uses.
func TestAuditAppendOnly(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	alice := mustUser(t, s, "alice")
	p := mustProject(t, s, alice, "Contoso")
	if err := s.SaveAnswers(ctx, alice.ID, p.ID, "rpc", []AnswerChange{{Question: "q", Value: "v"}}); err != nil {
		t.Fatal(err)
	}
	before, err := s.Audit(ctx, p.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	for _, stmt := range []string{
		`UPDATE audit_log SET new_value = 'forged'`,
		`UPDATE audit_log SET user_id = NULL WHERE id = 1`,
		`DELETE FROM audit_log`,
		`DELETE FROM audit_log WHERE id = 1`,
		`INSERT INTO audit_log (id, at, action, entity) VALUES (1, 'x', 'x', 'x')
			ON CONFLICT (id) DO UPDATE SET new_value = 'forged'`,
	} {
		_, err := s.w.ExecContext(ctx, stmt)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: %v, want refused as append-only", stmt, err)
		}
	}
	after, _ := s.Audit(ctx, p.ID, 0)
	if len(after) != len(before) || after[0] != before[0] {
		t.Errorf("the audit log changed: %+v", after)
	}
}

// TestLastChange checks that the newest entry about one thing is found
// among others, with who and when, and that nothing is found for a thing
// never changed.
func TestLastChange(t *testing.T) {
	ctx := context.Background()
	s, clk := OpenTest(t)
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	p := mustProject(t, s, alice, "Contoso")
	if err := s.SaveAnswers(ctx, alice.ID, p.ID, "flow", []AnswerChange{{Question: "use", Value: "yes"}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if err := s.SaveAnswers(ctx, bob.ID, p.ID, "flow", []AnswerChange{{Question: "use", Value: "no", Version: 1}}); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Minute)
	if err := s.SaveAnswers(ctx, alice.ID, p.ID, "flow", []AnswerChange{{Question: "host", Value: "mail.example.com"}}); err != nil {
		t.Fatal(err)
	}
	es, _ := s.Audit(ctx, p.ID, 1)
	e, ok, err := s.LastChange(ctx, p.ID, es[0].Entity, "flow/use")
	if err != nil || !ok || e.User != "bob" || e.New != "no" || !e.At.Equal(t0.Add(time.Minute)) {
		t.Errorf("LastChange(flow/use) = %+v, %v, %v; want bob's change at %v", e, ok, err, t0.Add(time.Minute))
	}
	if _, ok, err := s.LastChange(ctx, p.ID, es[0].Entity, "flow/never"); ok || err != nil {
		t.Errorf("LastChange of a thing never changed: %v, %v", ok, err)
	}
}
