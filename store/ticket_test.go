package store

import (
	"context"
	"errors"
	"testing"

	"github.com/secex/wizard/steps"
)

func TestTicketVersionsAndAudit(t *testing.T) {
	st, _ := OpenTest(t)
	ctx := context.Background()
	u, _ := st.CreateUser(ctx, 0, "ann", "x")
	p, _ := st.CreateProject(ctx, u.ID, "P")
	rec, err := st.Ticket(ctx, p.ID)
	if err != nil || rec.Version != 0 {
		t.Fatalf("empty ticket: %+v %v", rec, err)
	}
	tk := steps.Ticket{Number: "CHG1", Title: "T"}
	if err := st.SaveTicket(ctx, u.ID, p.ID, tk, 0); err != nil {
		t.Fatal(err)
	}
	tk2 := tk
	tk2.Title = "T2"
	if err := st.SaveTicket(ctx, u.ID, p.ID, tk2, 0); !errors.Is(err, ErrConflict) {
		t.Fatalf("stale save: %v", err)
	}
	if err := st.SaveTicket(ctx, u.ID, p.ID, tk2, 1); err != nil {
		t.Fatal(err)
	}
	rec, _ = st.Ticket(ctx, p.ID)
	if rec.Version != 2 || rec.Ticket.Title != "T2" || rec.UpdatedBy != "ann" {
		t.Errorf("ticket: %+v", rec)
	}
	es, _ := st.Audit(ctx, p.ID, 0)
	n := 0
	for _, e := range es {
		if e.Entity == "ticket" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("%d ticket audit rows, want 2", n)
	}
	before, _ := st.Project(ctx, p.ID)
	if err := st.SaveTicket(ctx, u.ID, p.ID, tk2, 2); err != nil {
		t.Fatal(err)
	}
	after, _ := st.Project(ctx, p.ID)
	if after.Revision != before.Revision {
		t.Error("saving an unchanged ticket moved the revision")
	}
}
