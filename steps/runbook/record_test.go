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
