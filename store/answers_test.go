package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
)

var cmpAudit = cmpopts.IgnoreFields(AuditEntry{}, "ID")

func TestSaveAnswers(t *testing.T) {
	ctx := context.Background()
	s, clk := OpenTest(t)
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	p := mustProject(t, s, alice, "Contoso")

	// Alice answers two questions.
	err := s.SaveAnswers(ctx, alice.ID, p.ID, "rpc-encrypt", []AnswerChange{
		{Question: "versions", Value: "2002\n2003"},
		{Question: "gpo", Value: "Outlook RPC"},
	})
	if err != nil {
		t.Fatal(err)
	}
	// Bob and Alice both load version 1 of versions. Bob saves first.
	clk.Advance(time.Minute)
	if err := s.SaveAnswers(ctx, bob.ID, p.ID, "rpc-encrypt", []AnswerChange{{Question: "versions", Value: "2003", Version: 1}}); err != nil {
		t.Fatal(err)
	}
	// Alice's save from version 1 conflicts, and her unconflicted change
	// to gpo is not saved either.
	clk.Advance(time.Minute)
	err = s.SaveAnswers(ctx, alice.ID, p.ID, "rpc-encrypt", []AnswerChange{
		{Question: "gpo", Value: "Outlook RPC 2", Version: 1},
		{Question: "versions", Value: "2002", Version: 1},
		{Question: "new", Value: "x", Version: 0},
	})
	var ce *ConflictError
	if !errors.As(err, &ce) || !errors.Is(err, ErrConflict) {
		t.Fatalf("stale save = %v, want a *ConflictError", err)
	}
	wantConflicts := []Conflict{{
		Question: "versions",
		Theirs:   Answer{Step: "rpc-encrypt", Question: "versions", Value: "2003", Version: 2, UpdatedBy: "bob", UpdatedAt: t0.Add(time.Minute)},
		Yours:    "2002",
	}}
	if diff := cmp.Diff(wantConflicts, ce.Conflicts); diff != "" {
		t.Errorf("conflicts (-want +got):\n%s", diff)
	}
	as, err := s.Answers(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]map[string]Answer{"rpc-encrypt": {
		"versions": {Step: "rpc-encrypt", Question: "versions", Value: "2003", Version: 2, UpdatedBy: "bob", UpdatedAt: t0.Add(time.Minute)},
		"gpo":      {Step: "rpc-encrypt", Question: "gpo", Value: "Outlook RPC", Version: 1, UpdatedBy: "alice", UpdatedAt: t0},
	}}
	if diff := cmp.Diff(want, as); diff != "" {
		t.Errorf("answers after a conflict (-want +got):\n%s", diff)
	}

	// A save from version 0 when an answer exists is a conflict too.
	err = s.SaveAnswers(ctx, alice.ID, p.ID, "rpc-encrypt", []AnswerChange{{Question: "gpo", Value: "y", Version: 0}})
	if !errors.As(err, &ce) || ce.Conflicts[0].Theirs.Version != 1 {
		t.Errorf("save from version 0 over an answer = %v", err)
	}

	// Alice overwrites knowingly, from version 2.
	if err := s.SaveAnswers(ctx, alice.ID, p.ID, "rpc-encrypt", []AnswerChange{{Question: "versions", Value: "2002", Version: 2}}); err != nil {
		t.Fatal(err)
	}
	// The same value again is no change: no version, no audit, no revision.
	rev := mustRevision(t, s, p.ID)
	if err := s.SaveAnswers(ctx, alice.ID, p.ID, "rpc-encrypt", []AnswerChange{{Question: "versions", Value: "2002", Version: 3}}); err != nil {
		t.Fatal(err)
	}
	if got := mustRevision(t, s, p.ID); got != rev {
		t.Errorf("an unchanged save moved the revision from %d to %d", rev, got)
	}
	as, _ = s.Answers(ctx, p.ID)
	if v := as["rpc-encrypt"]["versions"]; v.Version != 3 || v.Value != "2002" {
		t.Errorf("versions = %+v, want version 3", v)
	}
	// create + three saves that changed something.
	if rev != 4 {
		t.Errorf("revision = %d, want 4", rev)
	}

	es, err := s.Audit(ctx, p.ID, 0)
	if err != nil {
		t.Fatal(err)
	}
	wantAudit := []AuditEntry{
		{At: t0.Add(2 * time.Minute), User: "alice", Action: "update", Entity: "answer", Key: "rpc-encrypt/versions", Old: "2003", New: "2002"},
		{At: t0.Add(time.Minute), User: "bob", Action: "update", Entity: "answer", Key: "rpc-encrypt/versions", Old: "2002\n2003", New: "2003"},
		{At: t0, User: "alice", Action: "add", Entity: "answer", Key: "rpc-encrypt/gpo", New: "Outlook RPC"},
		{At: t0, User: "alice", Action: "add", Entity: "answer", Key: "rpc-encrypt/versions", New: "2002\n2003"},
		{At: t0, User: "alice", Action: "create", Entity: "project", New: "Contoso"},
	}
	if diff := cmp.Diff(wantAudit, es, cmpAudit); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if es, _ := s.Audit(ctx, p.ID, 2); len(es) != 2 || es[0].New != "2002" {
		t.Errorf("Audit with limit 2 = %+v", es)
	}

	if err := s.SaveAnswers(ctx, alice.ID, 999, "rpc-encrypt", []AnswerChange{{Question: "q", Value: "v"}}); !errors.Is(err, ErrNotFound) {
		t.Errorf("SaveAnswers(999) = %v, want ErrNotFound", err)
	}
	if err := s.SaveAnswers(ctx, alice.ID, p.ID, "rpc-encrypt", []AnswerChange{{Question: "q"}, {Question: "q"}}); err == nil {
		t.Errorf("a save naming a question twice succeeded")
	}
}

func TestProgress(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	alice := mustUser(t, s, "alice")
	p := mustProject(t, s, alice, "Contoso")

	if err := s.SaveAnswers(ctx, alice.ID, p.ID, "ipsec", []AnswerChange{{Question: "q", Value: "a"}}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []string{"ipsec", "smtp", "smtp"} {
		if err := s.SetStepComplete(ctx, alice.ID, p.ID, step, true); err != nil {
			t.Fatal(err)
		}
	}
	done, err := s.CompletedSteps(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(map[string]bool{"ipsec": true, "smtp": true}, done); diff != "" {
		t.Errorf("CompletedSteps (-want +got):\n%s", diff)
	}
	// create, answer, two completions; completing smtp twice is one change.
	if rev := mustRevision(t, s, p.ID); rev != 4 {
		t.Errorf("revision = %d, want 4", rev)
	}

	// Changing an answer reopens its step, and only its step.
	if err := s.SaveAnswers(ctx, alice.ID, p.ID, "ipsec", []AnswerChange{{Question: "q", Value: "b", Version: 1}}); err != nil {
		t.Fatal(err)
	}
	done, _ = s.CompletedSteps(ctx, p.ID)
	if diff := cmp.Diff(map[string]bool{"smtp": true}, done); diff != "" {
		t.Errorf("after changing an ipsec answer (-want +got):\n%s", diff)
	}
	if rev := mustRevision(t, s, p.ID); rev != 5 {
		t.Errorf("revision = %d, want 5: one per transaction", rev)
	}
	// Saving the same value does not reopen.
	s.SetStepComplete(ctx, alice.ID, p.ID, "ipsec", true)
	s.SaveAnswers(ctx, alice.ID, p.ID, "ipsec", []AnswerChange{{Question: "q", Value: "b", Version: 2}})
	if done, _ := s.CompletedSteps(ctx, p.ID); !done["ipsec"] {
		t.Errorf("an unchanged save reopened the step")
	}
	if err := s.SetStepComplete(ctx, alice.ID, p.ID, "smtp", false); err != nil {
		t.Fatal(err)
	}
	es, _ := s.Audit(ctx, p.ID, 4)
	var got []string
	for _, e := range es {
		got = append(got, e.Action+" "+e.Entity+" "+e.Key)
	}
	want := []string{"reopen step smtp", "complete step ipsec", "reopen step ipsec", "update answer ipsec/q"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if err := s.SetStepComplete(ctx, alice.ID, 999, "smtp", true); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetStepComplete(999) = %v", err)
	}
}

func TestAcknowledge(t *testing.T) {
	ctx := context.Background()
	s, clk := OpenTest(t)
	alice, bob := mustUser(t, s, "alice"), mustUser(t, s, "bob")
	p := mustProject(t, s, alice, "Contoso")

	if err := s.Acknowledge(ctx, alice.ID, p.ID, "ipsec/no-dc-exemption", "DCs are in another site"); err != nil {
		t.Fatal(err)
	}
	clk.Advance(time.Hour)
	if err := s.Acknowledge(ctx, bob.ID, p.ID, "ipsec/no-dc-exemption", "Checked with the AD team"); err != nil {
		t.Fatal(err)
	}
	if err := s.Acknowledge(ctx, bob.ID, p.ID, "smtp/open-relay", "  "); err == nil {
		t.Errorf("a blank reason was accepted")
	}
	acks, err := s.Acknowledgements(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]Ack{"ipsec/no-dc-exemption": {Key: "ipsec/no-dc-exemption", Reason: "Checked with the AD team", By: "bob", At: t0.Add(time.Hour)}}
	if diff := cmp.Diff(want, acks); diff != "" {
		t.Errorf("Acknowledgements (-want +got):\n%s", diff)
	}
	es, _ := s.Audit(ctx, p.ID, 1)
	if diff := cmp.Diff([]AuditEntry{{At: t0.Add(time.Hour), User: "bob", Action: "acknowledge", Entity: "finding",
		Key: "ipsec/no-dc-exemption", Old: "DCs are in another site", New: "Checked with the AD team"}}, es, cmpAudit); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
	if rev := mustRevision(t, s, p.ID); rev != 3 {
		t.Errorf("revision = %d, want 3", rev)
	}
}

// TestConcurrentSaves has several editors save the same answer at once,
// each from the version they read, through two Stores on one database.
// Every save must either succeed or report a conflict; none may fail with
// SQLITE_BUSY or a PostgreSQL serialization failure, or overwrite another.
func TestConcurrentSaves(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	s.Now = func() time.Time { return time.Now().UTC() }
	// Half the editors go through a second Store on the same database, as
	// through a second replica or process.
	stores := []*Store{s, openReplica(t, s)}
	owner := mustUser(t, s, "owner")
	p := mustProject(t, s, owner, "Contoso")
	const workers, rounds = 8, 25
	var users []User
	for i := range workers {
		users = append(users, mustUser(t, s, fmt.Sprintf("user%d", i)))
	}

	var mu sync.Mutex
	successes, conflicts := 0, 0
	var wg sync.WaitGroup
	for i := range workers {
		wg.Go(func() {
			st := stores[i%2]
			for r := range rounds {
				as, err := st.Answers(ctx, p.ID)
				if err != nil {
					t.Error(err)
					return
				}
				seen := as["rpc"]["shared"].Version
				// Each worker also owns one question, which never conflicts.
				own := as["rpc"][fmt.Sprintf("own%d", i)].Version
				err = st.SaveAnswers(ctx, users[i].ID, p.ID, "rpc", []AnswerChange{
					{Question: "shared", Value: fmt.Sprintf("%d/%d", i, r), Version: seen},
				})
				mu.Lock()
				switch {
				case err == nil:
					successes++
				case errors.Is(err, ErrConflict):
					conflicts++
				default:
					t.Errorf("worker %d round %d: %v", i, r, err)
				}
				mu.Unlock()
				if err := st.SaveAnswers(ctx, users[i].ID, p.ID, "rpc", []AnswerChange{
					{Question: fmt.Sprintf("own%d", i), Value: fmt.Sprint(r), Version: own},
				}); err != nil {
					t.Errorf("worker %d saving its own answer: %v", i, err)
				}
			}
		})
	}
	wg.Wait()
	t.Logf("%d saves, %d conflicts", successes, conflicts)
	if successes+conflicts != workers*rounds || successes == 0 {
		t.Fatalf("%d successes and %d conflicts of %d saves", successes, conflicts, workers*rounds)
	}
	as, _ := s.Answers(ctx, p.ID)
	if v := as["rpc"]["shared"].Version; v != int64(successes) {
		t.Errorf("shared answer is at version %d after %d successful saves", v, successes)
	}
	var audited int
	s.r.QueryRow(`SELECT count(*) FROM audit_log WHERE entity_key = 'rpc/shared'`).Scan(&audited)
	if audited != successes {
		t.Errorf("%d audit rows for %d successful saves", audited, successes)
	}
	if rev := mustRevision(t, s, p.ID); rev != int64(1+successes+workers*rounds) {
		t.Errorf("revision = %d, want %d", rev, 1+successes+workers*rounds)
	}
}
