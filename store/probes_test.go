package store

import (
	"context"
	"testing"
	"time"
)

func TestProbeRuns(t *testing.T) {
	st, clock := OpenTest(t)
	ctx := context.Background()
	u, _ := st.CreateUser(ctx, 0, "ann", "x")
	p, _ := st.CreateProject(ctx, u.ID, "P")
	before := clock.Now()
	if _, err := st.RecordProbe(ctx, u.ID, p.ID, "isa-owa-publishing/outside-in-before-dns@ISA01", "fail", []byte(`{"checks":[]}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordProbe(ctx, u.ID, p.ID, "isa-owa-publishing/outside-in-before-dns@ISA01", "pass", []byte(`{"checks":[]}`)); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordProbe(ctx, u.ID, p.ID, "x", "maybe", []byte(`{}`)); err == nil {
		t.Error("a result other than pass or fail was kept")
	}
	if _, err := st.RecordProbe(ctx, u.ID, p.ID, "x", "pass", []byte(`not json`)); err == nil {
		t.Error("a report that is not JSON was kept")
	}
	runs, err := st.ProbeRuns(ctx, p.ID)
	if err != nil || len(runs) != 2 || runs[1].Result != "pass" || runs[1].By != "ann" || runs[1].At.IsZero() {
		t.Fatalf("runs: %+v %v", runs, err)
	}
	if n, _ := st.ProbeRunsSince(ctx, p.ID, before); n != 2 {
		t.Errorf("runs since: %d", n)
	}
	if n, _ := st.ProbeRunsSince(ctx, p.ID, clock.Now().Add(time.Minute)); n != 0 {
		t.Errorf("runs in the future: %d", n)
	}
	after, _ := st.Project(ctx, p.ID)
	if after.Revision != p.Revision+2 {
		t.Errorf("revision %d after two runs from %d", after.Revision, p.Revision)
	}
	if _, err := st.w.ExecContext(ctx, `UPDATE probe_runs SET result = 'pass'`); err == nil {
		t.Error("a probe run could be changed")
	}
	trail, _ := st.Audit(ctx, p.ID, 10)
	found := false
	for _, e := range trail {
		if e.Action == "probe" {
			found = true
		}
	}
	if !found {
		t.Errorf("no probe in the audit trail: %+v", trail)
	}
}
