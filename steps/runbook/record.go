package runbook

import (
	"slices"
	"strconv"
	"strings"
	"time"
)

// Record is what the team recorded in the wizard about the change window:
// the mark of each plan step and how the change ended.
type Record struct {
	Marks    []Mark // the newest mark of each marked step
	Outcome  string // "Completed", "Partly completed" or "Backed out"; "" while open
	Note     string
	ClosedBy string
	ClosedAt time.Time
	Signoffs []string // one line per sign-off, newest first
	Probes   []Probe  // the newest run of each plan step's probe
}

// Probe is the newest run of one plan step's probe.
type Probe struct {
	Key    string   // steps.Action.Key
	Result string   // "Pass" or "Fail"
	Failed []string // the IDs of the checks that failed, with their reasons
	By     string
	At     time.Time
}

// Mark is the newest mark of one plan step.
type Mark struct {
	Key    string // steps.Action.Key
	Status string // "Done", "Skipped" or "Failed"
	Note   string
	By     string
	At     time.Time
}

// WithRecord returns a copy of d whose sign-off and closure section also
// holds the record: the sign-offs made in the wizard, the outcome, and
// every step of the document with its mark. d itself is not changed, so the
// plan as approved (the bundles' runbook) stays as it was.
func (d *Doc) WithRecord(r Record) *Doc {
	out := *d
	out.Sections = slices.Clone(d.Sections)
	probes := map[string]Probe{}
	for _, p := range r.Probes {
		probes[p.Key] = p
	}
	for i := range out.Sections {
		if out.Sections[i].ID == SectionVerification && len(probes) > 0 {
			t := &Table{Caption: "Probe results", Columns: []Column{{Label: "Step"}, {Label: "Server"}, {Label: "Result"}, {Label: "Checks that failed"}, {Label: "Run by"}, {Label: "When"}}}
			for _, st := range d.Steps() {
				if p, ok := probes[st.Key]; ok {
					t.Rows = append(t.Rows, []string{itoa(st.Number) + ". " + st.Title, st.Target, p.Result, orNone(strings.Join(p.Failed, "; "), "none"), p.By, formatTime(p.At)})
				}
			}
			if len(t.Rows) > 0 {
				blocks := slices.Clone(out.Sections[i].Blocks)
				out.Sections[i].Blocks = append(blocks, &Heading{Text: "Probe results recorded in the wizard", ID: "probe-results"},
					&Para{Text: "The newest run of each step's probe, as the wizard ran it against the real endpoint."}, t)
			}
			continue
		}
		if out.Sections[i].ID != SectionSignOff {
			continue
		}
		blocks := slices.Clone(out.Sections[i].Blocks)
		blocks = append(blocks, &Heading{Text: "As recorded in the wizard", ID: "recorded"})
		for _, s := range r.Signoffs {
			blocks = append(blocks, &Para{Text: s})
		}
		if r.Outcome != "" {
			text := r.Outcome + ", recorded by " + r.ClosedBy + " on " + formatTime(r.ClosedAt) + "."
			if r.Note != "" {
				text += " " + r.Note
			}
			blocks = append(blocks, &Para{Text: text})
		} else {
			blocks = append(blocks, &Para{Text: "The change has not been closed in the wizard yet."})
		}
		marks := map[string]Mark{}
		for _, m := range r.Marks {
			marks[m.Key] = m
		}
		t := &Table{Caption: "As executed", Columns: []Column{{Label: "Step"}, {Label: "Server"}, {Label: "Mark"}, {Label: "By"}, {Label: "When"}, {Label: "Note"}}}
		for _, st := range d.Steps() {
			m, ok := marks[st.Key]
			row := []string{itoa(st.Number) + ". " + st.Title, st.Target, "Not marked", "", "", ""}
			if ok {
				row[2], row[3], row[4], row[5] = m.Status, m.By, formatTime(m.At), m.Note
			}
			if p, ok := probes[st.Key]; ok {
				row[5] = strings.TrimSpace(row[5] + " Probe: " + p.Result + ", " + p.By + ", " + formatTime(p.At) + ".")
			}
			t.Rows = append(t.Rows, row)
		}
		blocks = append(blocks, t)
		out.Sections[i].Blocks = blocks
	}
	return &out
}

func itoa(n int) string { return strconv.Itoa(n) }
