package store

import (
	"context"
	"strings"
	"testing"
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
		`INSERT OR REPLACE INTO audit_log (id, at, action, entity) VALUES (1, 'x', 'x', 'x')`,
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
