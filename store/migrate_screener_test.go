package store

import (
	"context"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/secex/wizard/migrations"
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/screener"
)

// TestMigrateScreenerLists saves the Message Screener's filter lists as the
// boxes they were before migration 0008, runs it again, and checks each
// project's result twice: against what is expected, and against what the
// screener's upgrade of old project files followed by the new questions'
// parsing makes of the same boxes, so that a project upgraded in the
// database and the same project imported from an old file agree. It also
// checks that other answers and projects are left alone and that the
// converted projects moved on a revision.
func TestMigrateScreenerLists(t *testing.T) {
	ctx := context.Background()
	s, _ := openSQLiteTest(t)
	alice := mustUser(t, s, "alice")
	cases := []struct {
		name string
		old  map[string]string
		want map[string]string
	}{{
		name: "typed as the old boxes allowed",
		old: map[string]string{
			"block-domains": "yes", "sender-domain-1": "spam.example.net", "sender-domain-2": "", "sender-domain-3": "bulk.example.org",
			"sender-domain-4": "spam.example.net", "sender-domain-10": "late.example.net",
			"sender-1-mailbox": "Offers", "sender-1-domain": "mailer.example.net", "sender-2-mailbox": "offers", "sender-2-domain": "mailer.example.net",
			"sender-3-mailbox": " sales ", "sender-3-domain": "b.example.net",
			"keyword-1": "make money fast", "keyword-2": " ", "keyword-3": "limited offer", "keyword-4": "make money fast",
			"keyword-scope": "header-or-body",
		},
		want: map[string]string{
			"block-domains": "yes", "keyword-scope": "header-or-body",
			"sender-domains": "spam.example.net\nbulk.example.org\nlate.example.net",
			"senders":        "offers@mailer.example.net\nsales@b.example.net",
			"keywords":       "make money fast\nlimited offer",
		},
	}, {
		name: "a sender with one part",
		old:  map[string]string{"block-senders": "yes", "sender-1-mailbox": "sales", "sender-1-domain": "", "sender-2-mailbox": "", "sender-2-domain": ""},
		want: map[string]string{"block-senders": "yes", "senders": "sales@"},
	}, {
		name: "only empty boxes",
		old:  map[string]string{"use-keywords": "yes", "keyword-1": "", "keyword-2": ""},
		want: map[string]string{"use-keywords": "yes"},
	}}
	projects := make([]Project, len(cases))
	for i, c := range cases {
		projects[i] = mustProject(t, s, alice, c.name)
		var changes []AnswerChange
		for q, v := range c.old {
			changes = append(changes, AnswerChange{Question: q, Value: v})
		}
		if err := s.SaveAnswers(ctx, alice.ID, projects[i].ID, screener.ID, changes); err != nil {
			t.Fatal(err)
		}
	}
	other := mustProject(t, s, alice, "Fabrikam")
	if err := s.SaveAnswers(ctx, alice.ID, other.ID, "smtp-relay", []AnswerChange{{Question: "keyword-1", Value: "not the screener's"}}); err != nil {
		t.Fatal(err)
	}
	before, _ := s.Project(ctx, projects[0].ID)
	otherBefore, _ := s.Project(ctx, other.ID)

	if _, err := s.w.ExecContext(ctx, `DELETE FROM schema_migrations WHERE name = '0008_screener_lists.sql'`); err != nil {
		t.Fatal(err)
	}
	if err := s.migrate(ctx, migrations.SQLite); err != nil {
		t.Fatal(err)
	}

	for i, c := range cases {
		all, err := s.Answers(ctx, projects[i].ID)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]string{}
		for q, a := range all[screener.ID] {
			got[q] = a.Value
			if q == screener.QSenders && (a.Version != 1 || a.UpdatedBy != "alice") {
				t.Errorf("%s: converted answer: version %d by %q, want 1 by alice", c.name, a.Version, a.UpdatedBy)
			}
		}
		if diff := cmp.Diff(c.want, got); diff != "" {
			t.Errorf("%s: answers after the migration (-want +got):\n%s", c.name, diff)
		}
		// The same boxes in an old project file.
		file := screener.Step.Upgrade(steps.Answers(c.old))
		for _, id := range []string{screener.QSenderDomains, screener.QSenders, screener.QKeywords} {
			q, _ := screener.Step.Question(id)
			if v, ok := file[id]; ok {
				if parsed, err := q.Parse([]string{v}, steps.Topology{}); err == nil {
					file[id] = parsed
				}
			}
		}
		if diff := cmp.Diff(got, map[string]string(file)); diff != "" {
			t.Errorf("%s: the database and an old project file are upgraded differently (-database +file):\n%s", c.name, diff)
		}
	}
	rest, _ := s.Answers(ctx, other.ID)
	if rest["smtp-relay"]["keyword-1"].Value != "not the screener's" {
		t.Error("another procedure's answer was converted")
	}
	after, _ := s.Project(ctx, projects[0].ID)
	otherAfter, _ := s.Project(ctx, other.ID)
	if after.Revision != before.Revision+1 || !after.UpdatedAt.After(before.UpdatedAt) {
		t.Errorf("after the migration: revision %d at %v, want %d after %v", after.Revision, after.UpdatedAt, before.Revision+1, before.UpdatedAt)
	}
	if otherAfter.Revision != otherBefore.Revision {
		t.Error("a project without screener boxes moved on a revision")
	}
}
