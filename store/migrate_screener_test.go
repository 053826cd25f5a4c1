package store

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secex/wizard/migrations"
)

// TestMigrateScreenerLists saves the Message Screener's filter lists as the
// boxes they were before migration 0008, runs it again, and checks that
// each list became one answer a value a line, in box order and without
// empty boxes, that a sender with one part keeps it, that other answers
// and projects are left alone, and that the project moved on a revision.
func TestMigrateScreenerLists(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	alice := mustUser(t, s, "alice")
	p := mustProject(t, s, alice, "Contoso")
	other := mustProject(t, s, alice, "Fabrikam")
	old := []AnswerChange{
		{Question: "block-domains", Value: "yes"},
		{Question: "sender-domain-1", Value: "spam.example.net"},
		{Question: "sender-domain-2", Value: ""},
		{Question: "sender-domain-10", Value: "late.example.net"},
		{Question: "sender-domain-3", Value: "bulk.example.org"},
		{Question: "sender-1-mailbox", Value: "offers"},
		{Question: "sender-1-domain", Value: "mailer.example.net"},
		{Question: "sender-2-mailbox", Value: "sales"},
		{Question: "sender-2-domain", Value: ""},
		{Question: "sender-3-mailbox", Value: ""},
		{Question: "sender-3-domain", Value: ""},
		{Question: "keyword-1", Value: "make money fast"},
		{Question: "keyword-2", Value: ""},
		{Question: "keyword-3", Value: "limited offer"},
		{Question: "keyword-scope", Value: "header-or-body"},
		{Question: "keyword-action", Value: "hold"},
	}
	if err := s.SaveAnswers(ctx, alice.ID, p.ID, "smtp-message-screener", old); err != nil {
		t.Fatal(err)
	}
	if err := s.SaveAnswers(ctx, alice.ID, other.ID, "smtp-relay", []AnswerChange{{Question: "keyword-1", Value: "not the screener's"}}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Project(ctx, p.ID)
	otherBefore, _ := s.Project(ctx, other.ID)

	if _, err := s.w.ExecContext(ctx, `DELETE FROM schema_migrations WHERE name = '0008_screener_lists.sql'`); err != nil {
		t.Fatal(err)
	}
	if err := s.migrate(ctx, migrations.FS); err != nil {
		t.Fatal(err)
	}

	all, err := s.Answers(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for q, a := range all["smtp-message-screener"] {
		got[q] = a.Value
	}
	want := map[string]string{
		"block-domains":  "yes",
		"sender-domains": "spam.example.net\nbulk.example.org\nlate.example.net",
		"senders":        "offers@mailer.example.net\nsales@",
		"keywords":       "make money fast\nlimited offer",
		"keyword-scope":  "header-or-body",
		"keyword-action": "hold",
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("screener answers after the migration (-want +got):\n%s", diff)
	}
	if a := all["smtp-message-screener"]["senders"]; a.Version != 1 || a.UpdatedBy != "alice" {
		t.Errorf("converted answer: version %d by %q, want 1 by alice", a.Version, a.UpdatedBy)
	}
	rest, _ := s.Answers(ctx, other.ID)
	if rest["smtp-relay"]["keyword-1"].Value != "not the screener's" {
		t.Error("another procedure's answer was converted")
	}
	after, _ := s.Project(ctx, p.ID)
	otherAfter, _ := s.Project(ctx, other.ID)
	if after.Revision != before.Revision+1 {
		t.Errorf("revision %d after the migration, want %d", after.Revision, before.Revision+1)
	}
	if _, err := parseTime(fmtTime(after.UpdatedAt)); err != nil || !after.UpdatedAt.After(before.UpdatedAt) {
		t.Errorf("updated at %v, before %v", after.UpdatedAt, before.UpdatedAt)
	}
	if otherAfter.Revision != otherBefore.Revision {
		t.Error("a project without screener boxes moved on a revision")
	}
}
