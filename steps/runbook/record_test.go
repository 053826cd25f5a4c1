package runbook_test

import (
	"strings"
	"testing"
	"time"

	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/runbook/runbooktest"
)

func TestWithRecord(t *testing.T) {
	d := runbooktest.Reference(t).Build(nil)
	before := string(runbook.Markdown(d))
	steps := d.Steps()
	if len(steps) < 2 {
		t.Fatal("reference runbook has fewer than two steps")
	}
	at := time.Date(2026, 12, 5, 23, 10, 0, 0, time.UTC)
	r := runbook.Record{
		Marks: []runbook.Mark{
			{Key: steps[0].Key, Status: "Skipped", Note: "Already configured", By: "bo", At: at},
			{Key: steps[1].Key, Status: "Failed", Note: "Access denied", By: "cy", At: at},
		},
		Outcome: "Partly completed", Note: "IPSec moved to next week", ClosedBy: "bo", ClosedAt: at,
	}
	md := string(runbook.Markdown(d.WithRecord(r)))
	for _, want := range []string{"As recorded in the wizard", "Partly completed, recorded by bo", "IPSec moved to next week", "Skipped", "Already configured", "Failed", "Access denied", "Not marked"} {
		if !strings.Contains(md, want) {
			t.Errorf("record lacks %q", want)
		}
	}
	if string(runbook.Markdown(d)) != before {
		t.Error("WithRecord changed the document it was called on")
	}
}

// TestWithRecordProbes: the verification section lists each step's newest
// probe result, and the as-executed table notes it.
func TestWithRecordProbes(t *testing.T) {
	d := runbooktest.Reference(t).Build(nil)
	st := d.Steps()[0]
	at := time.Date(2026, 12, 5, 23, 20, 0, 0, time.UTC)
	md := string(runbook.Markdown(d.WithRecord(runbook.Record{Probes: []runbook.Probe{
		{Key: st.Key, Result: "Fail", Failed: []string{"cert.name: Request a certificate for mail.example.com"}, By: "di", At: at},
	}})))
	i, j := strings.Index(md, "Probe results recorded in the wizard"), strings.Index(md, "Backout plan")
	if i < 0 || j < i {
		t.Fatalf("no probe results in the verification section:\n%s", md)
	}
	if !strings.Contains(md[i:j], "| Fail | cert.name: Request a certificate for mail.example.com | di | 2026-12-05 23:20 UTC |") {
		t.Errorf("probe row:\n%s", md[i:j])
	}
	if !strings.Contains(md, "Probe: Fail, di, 2026-12-05 23:20 UTC.") {
		t.Error("the as-executed table does not note the probe")
	}
	if strings.Contains(string(runbook.Markdown(d.WithRecord(runbook.Record{}))), "Probe results recorded") {
		t.Error("probe results shown without any run")
	}
}
