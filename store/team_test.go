package store

import (
	"context"
	"errors"
	"strings"
	"testing"
)

func TestSignoffsAreFixedToARevision(t *testing.T) {
	st, _ := OpenTest(t)
	ctx := context.Background()
	u, _ := st.CreateUser(ctx, 0, "ann", "x")
	p, _ := st.CreateProject(ctx, u.ID, "P")
	if _, err := st.SignOff(ctx, u.ID, p.ID, p.Revision+1, `{}`); !errors.Is(err, ErrConflict) {
		t.Fatalf("sign-off of a revision that is not current: %v", err)
	}
	so, err := st.SignOff(ctx, u.ID, p.ID, p.Revision, `{"answers":{}}`)
	if err != nil || !strings.HasPrefix(so.Digest, "sha256:") || so.By != "ann" {
		t.Fatalf("sign-off: %+v %v", so, err)
	}
	after, _ := st.Project(ctx, p.ID)
	if after.Revision != p.Revision {
		t.Error("a sign-off moved the revision")
	}
	if _, err := st.w.ExecContext(ctx, `UPDATE signoffs SET digest = 'x'`); err == nil {
		t.Error("a sign-off could be changed")
	}
	list, _ := st.Signoffs(ctx, p.ID)
	if len(list) != 1 || list[0].Digest != so.Digest {
		t.Errorf("sign-offs: %+v", list)
	}
}

func TestExecutionsAndEvidence(t *testing.T) {
	st, _ := OpenTest(t)
	ctx := context.Background()
	u, _ := st.CreateUser(ctx, 0, "ann", "x")
	p, _ := st.CreateProject(ctx, u.ID, "P")
	if _, err := st.MarkStep(ctx, u.ID, p.ID, Execution{Action: "ipsec/be-policy", Status: "failed", Note: "GPO not found",
		Evidence: []Evidence{{Name: "out.txt", ContentType: "text/plain", Data: []byte("error 5")}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkStep(ctx, u.ID, p.ID, Execution{Action: "ipsec/be-policy", Status: "done"}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.MarkStep(ctx, u.ID, p.ID, Execution{Action: "x", Status: "maybe"}); err == nil {
		t.Error("unknown status accepted")
	}
	es, err := st.Executions(ctx, p.ID)
	if err != nil || len(es) != 2 || es[0].Status != "failed" || len(es[0].Evidence) != 1 || es[0].Evidence[0].Size != 7 {
		t.Fatalf("executions: %+v %v", es, err)
	}
	ev, err := st.EvidenceFile(ctx, p.ID, es[0].Evidence[0].ID)
	if err != nil || string(ev.Data) != "error 5" {
		t.Errorf("evidence: %+v %v", ev, err)
	}
	other, _ := st.CreateProject(ctx, u.ID, "Other")
	if _, err := st.EvidenceFile(ctx, other.ID, es[0].Evidence[0].ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("evidence read through another project: %v", err)
	}
	if _, err := st.w.ExecContext(ctx, `UPDATE executions SET status = 'done'`); err == nil {
		t.Error("the as-executed record could be changed")
	}
	if err := st.CloseChange(ctx, u.ID, p.ID, Closure{Outcome: "partial", Note: "IPSec left for next week"}); err != nil {
		t.Fatal(err)
	}
	c, _ := st.LatestClosure(ctx, p.ID)
	if c.Outcome != "partial" || c.By != "ann" {
		t.Errorf("closure: %+v", c)
	}
}

func TestAssignments(t *testing.T) {
	st, _ := OpenTest(t)
	ctx := context.Background()
	u, _ := st.CreateUser(ctx, 0, "ann", "x")
	v, _ := st.CreateUser(ctx, 0, "bob", "x")
	p, _ := st.CreateProject(ctx, u.ID, "P")
	if err := st.Assign(ctx, u.ID, p.ID, "a/b", v.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("assigned to a non-member: %v", err)
	}
	st.SetMember(ctx, u.ID, p.ID, v.ID, RoleEditor)
	if err := st.Assign(ctx, u.ID, p.ID, "a/b", v.ID); err != nil {
		t.Fatal(err)
	}
	as, _ := st.Assignments(ctx, p.ID)
	if as["a/b"] != "bob" {
		t.Errorf("assignments: %v", as)
	}
	st.Assign(ctx, u.ID, p.ID, "a/b", 0)
	if as, _ := st.Assignments(ctx, p.ID); len(as) != 0 {
		t.Errorf("after unassigning: %v", as)
	}
}
