package runbook_test

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/bundle"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/runbook/runbooktest"
	"github.com/secex/wizard/steps/script/scripttest"
)

// hashes lays the files out and hashes them as the bundles do, so the
// golden files show the paths and hashes the runbook is printed with.
func hashes(tb testing.TB, out steps.Output) []runbook.FileHash {
	tb.Helper()
	hs, err := bundle.FileHashes(out)
	if err != nil {
		tb.Fatal(err)
	}
	return hs
}

func reference(t *testing.T) (runbooktest.Scenario, *runbook.Doc) {
	t.Helper()
	sc := runbooktest.Reference(t)
	return sc, sc.Build(hashes(t, sc.Output))
}

// TestMarkdownGolden compares the Markdown of the whole change and of two
// servers' parts with testdata, byte for byte.
func TestMarkdownGolden(t *testing.T) {
	_, d := reference(t)
	runbooktest.Golden(t, filepath.Join("testdata", "reference", "change.md"), runbook.Markdown(d))
	for _, target := range []string{"EXFE01", "EXBE02", steps.TargetClients} {
		name := strings.ReplaceAll(target, " ", "-") + ".md"
		runbooktest.Golden(t, filepath.Join("testdata", "reference", name), runbook.Markdown(d.ForServer(target)))
	}
}

// TestMarkdownBytes checks the file rules: UTF-8 without a BOM, CRLF line
// endings only, and a final line break.
func TestMarkdownBytes(t *testing.T) {
	_, d := reference(t)
	b := runbook.Markdown(d)
	if bytes.HasPrefix(b, []byte("\xef\xbb\xbf")) {
		t.Error("Markdown starts with a BOM")
	}
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Error("Markdown does not end with CRLF")
	}
	if bytes.Contains(bytes.ReplaceAll(b, []byte("\r\n"), nil), []byte("\n")) || bytes.Contains(bytes.ReplaceAll(b, []byte("\r\n"), nil), []byte("\r")) {
		t.Error("Markdown has a bare LF or CR")
	}
}

// TestDeterministic builds and prints twice and compares the bytes.
func TestDeterministic(t *testing.T) {
	sc, d1 := reference(t)
	d2 := sc.Build(hashes(t, sc.Output))
	if a, b := runbook.Markdown(d1), runbook.Markdown(d2); !bytes.Equal(a, b) {
		t.Error("two builds print differently")
	}
	if a, b := runbook.Markdown(d1), runbook.Markdown(d1); !bytes.Equal(a, b) {
		t.Error("two prints of one Doc differ")
	}
	for _, target := range d1.Targets {
		if a, b := runbook.Markdown(d1.ForServer(target)), runbook.Markdown(d2.ForServer(target)); !bytes.Equal(a, b) {
			t.Errorf("%s: two builds print differently", target)
		}
	}
}

func blocks[T runbook.Block](d *runbook.Doc, section string) []T {
	var out []T
	for _, s := range d.Sections {
		if s.ID != section {
			continue
		}
		for _, b := range s.Blocks {
			if x, ok := b.(T); ok {
				out = append(out, x)
			}
		}
	}
	return out
}

// TestEveryActionOnce checks that every action of the plan is one numbered
// step, in plan order, and one backout entry, in reverse order.
func TestEveryActionOnce(t *testing.T) {
	for _, sc := range []runbooktest.Scenario{runbooktest.Reference(t), runbooktest.Big(t)} {
		d := sc.Build(nil)
		var want []string
		for _, a := range sc.Output.Actions {
			want = append(want, a.Key())
		}
		var plan, back, backSteps []string
		for i, s := range blocks[*runbook.Step](d, runbook.SectionPlan) {
			plan = append(plan, s.Key)
			if s.Number != i+1 {
				t.Errorf("%s: step %d is numbered %d", s.Key, i+1, s.Number)
			}
		}
		for _, b := range blocks[*runbook.Backout](d, runbook.SectionBackout) {
			back = append(back, b.Key)
			backSteps = append(backSteps, fmt.Sprint(b.Step))
		}
		if !slices.Equal(plan, want) {
			t.Errorf("plan:\n%v\nwant the actions in order:\n%v", plan, want)
		}
		slices.Reverse(back)
		if !slices.Equal(back, want) {
			t.Errorf("backout reversed:\n%v\nwant the actions in order:\n%v", back, want)
		}
		// Each undo entry names the plan step it undoes, last step first.
		for i, n := range backSteps {
			if want := fmt.Sprint(len(backSteps) - i); n != want {
				t.Errorf("undo entry %d names step %s, want %s", i+1, n, want)
				break
			}
		}
		if len(sc.Output.Actions) == 0 {
			t.Error("the scenario has no actions")
		}
	}
}

// TestForServer checks that a server's part has exactly that server's
// steps, checks and undo entries, numbered as in the whole change, and
// only its files.
func TestForServer(t *testing.T) {
	_, d := reference(t)
	whole := map[string]int{}
	for _, s := range blocks[*runbook.Step](d, runbook.SectionPlan) {
		whole[s.Key] = s.Number
	}
	for _, target := range append(slices.Clone(d.Targets), "NOSUCH") {
		sd := d.ForServer(target)
		if sd.Target != target || len(sd.Sections) != len(d.Sections) {
			t.Fatalf("%s: target %q, %d sections", target, sd.Target, len(sd.Sections))
		}
		for i := range sd.Sections {
			if sd.Sections[i].Number != d.Sections[i].Number || sd.Sections[i].ID != d.Sections[i].ID {
				t.Errorf("%s: section %d is %s, want %s", target, i+1, sd.Sections[i].ID, d.Sections[i].ID)
			}
		}
		var n int
		for _, s := range blocks[*runbook.Step](sd, runbook.SectionPlan) {
			n++
			if s.Target != target {
				t.Errorf("%s: has step %d for %s", target, s.Number, s.Target)
			}
			if whole[s.Key] != s.Number {
				t.Errorf("%s: step %s numbered %d, the whole change says %d", target, s.Key, s.Number, whole[s.Key])
			}
		}
		want := 0
		for _, a := range blocks[*runbook.Step](d, runbook.SectionPlan) {
			if a.Target == target {
				want++
			}
		}
		if n != want {
			t.Errorf("%s: %d steps, want %d", target, n, want)
		}
		for _, c := range blocks[*runbook.Check](sd, runbook.SectionVerification) {
			if c.Target != target || whole[c.Key] != c.Step {
				t.Errorf("%s: check of step %d (%s) for %s", target, c.Step, c.Key, c.Target)
			}
		}
		for _, b := range blocks[*runbook.Backout](sd, runbook.SectionBackout) {
			if b.Target != target || whole[b.Key] != b.Step {
				t.Errorf("%s: undo of step %d (%s) for %s", target, b.Step, b.Key, b.Target)
			}
		}
		for _, f := range sd.Files {
			if f.Target != target {
				t.Errorf("%s: lists the file %s of %s", target, f.Path, f.Target)
			}
		}
	}
}

// TestScriptHashes checks that a step that runs a file names the file by
// its path in the bundle and prints its hash.
func TestScriptHashes(t *testing.T) {
	sc, d := reference(t)
	byPath := map[string]string{}
	for _, f := range d.Files {
		byPath[f.Target+"/"+f.Path] = f.SHA256
	}
	if len(byPath) != len(sc.Output.Files) {
		t.Errorf("document control lists %d files, the plan has %d", len(byPath), len(sc.Output.Files))
	}
	seen := 0
	for _, s := range blocks[*runbook.Step](d, runbook.SectionPlan) {
		if s.Script == nil {
			continue
		}
		seen++
		if s.Script.SHA256 == "" || byPath[s.Target+"/"+s.Script.Path] != s.Script.SHA256 {
			t.Errorf("step %d runs %s with hash %q, not one of the listed files", s.Number, s.Script.Path, s.Script.SHA256)
		}
	}
	if seen == 0 {
		t.Error("no step runs a file")
	}
	step4 := blocks[*runbook.Step](d, runbook.SectionPlan)[3]
	if step4.Script == nil || step4.Script.Path != "10-"+runbooktest.FixtureApply {
		t.Errorf("step 4 runs %+v, want the numbered apply script", step4.Script)
	}
	var undo []runbook.FileRef
	for _, b := range blocks[*runbook.Backout](d, runbook.SectionBackout) {
		undo = append(undo, b.Scripts...)
	}
	if len(undo) != 1 || undo[0].Path != "backout/"+runbooktest.FixtureBackout || undo[0].SHA256 == "" {
		t.Errorf("backout files %+v, want the fixture's backout script with its hash", undo)
	}
}

// TestHostileText puts hostile values into every free-text field of the
// ticket and the deviations. Each must stay inside its own line and must
// not turn into markup: the document keeps its number of lines, and no
// raw '<', '[' or '|' from a value reaches the text.
func TestHostileText(t *testing.T) {
	sc := runbooktest.Reference(t)
	plain := func(s string) runbooktest.Scenario {
		c := sc
		tk := sc.Ticket
		tk.Title, tk.Requester, tk.Reviewer, tk.CABReference = s, s, s, s
		tk.Implementers, tk.Approvers = []string{s}, []string{s}
		tk.RiskReason, tk.AffectedUsers, tk.Communication = s, s, s
		c.Ticket = tk
		c.Meta.Project = s
		c.Deviations = []runbook.Deviation{{Step: runbooktest.FixtureID, Key: "x/y", Message: s, Reason: s, AcceptedBy: s}}
		return c
	}
	// starts counts the lines that start a heading, a table row or a list
	// item.
	starts := func(b []byte) [3]int {
		var n [3]int
		for _, l := range strings.Split(string(b), "\r\n") {
			switch {
			case strings.HasPrefix(l, "#"):
				n[0]++
			case strings.HasPrefix(l, "|"):
				n[1]++
			case strings.HasPrefix(l, "- "), strings.HasPrefix(l, "* "), strings.HasPrefix(l, "+ "):
				n[2]++
			}
		}
		return n
	}
	base := runbook.Markdown(plain("plain value").Build(nil))
	baseLines := bytes.Count(base, []byte("\r\n"))
	for _, h := range append(scripttest.Hostile(), "# Heading", "- item", "1. item", "| a | b |", "<script>alert(1)</script>", "[x](javascript:alert(1))", "line\n# heading\n- item\n| a |") {
		if strings.TrimSpace(h) == "" {
			continue // an empty value prints "not set", or leaves out its heading
		}
		got := runbook.Markdown(plain(h).Build(nil))
		if starts(got) != starts(base) {
			t.Errorf("value %q: headings, table rows and list items %v, want %v", h, starts(got), starts(base))
		}
		if !strings.ContainsAny(h, "\r\n\u0085\u2028\u2029\v\f") {
			// Free text typed on several lines becomes several paragraphs;
			// otherwise a value keeps to its line.
			if n := bytes.Count(got, []byte("\r\n")); n != baseLines {
				t.Errorf("value %q: %d lines, want %d", h, n, baseLines)
			}
		}
		for _, l := range strings.Split(string(got), "\r\n") {
			for i := 0; i < len(l); i++ {
				if strings.IndexByte("<>&", l[i]) >= 0 && (i == 0 || l[i-1] != '\\') {
					t.Errorf("value %q: unescaped %q in %q", h, l[i], l)
					break
				}
			}
		}
	}
}

// TestProseNamesBundlePaths checks that sentences naming a file that the
// bundle renames or moves name it as the bundle holds it.
func TestProseNamesBundlePaths(t *testing.T) {
	_, d := reference(t)
	var step4, undo4 string
	for _, s := range blocks[*runbook.Step](d, runbook.SectionPlan) {
		if s.Number == 4 {
			step4 = strings.Join(s.Do, " ")
		}
	}
	for _, b := range blocks[*runbook.Backout](d, runbook.SectionBackout) {
		if b.Step == 4 {
			undo4 = b.Undo
		}
	}
	if !strings.Contains(step4, "Run 10-"+runbooktest.FixtureApply+" on") {
		t.Errorf("step 4 says %q", step4)
	}
	if undo4 != "Run backout/"+runbooktest.FixtureBackout+"." {
		t.Errorf("undo of step 4 says %q", undo4)
	}
	for _, s := range blocks[*runbook.Step](d, runbook.SectionPlan) {
		for _, l := range s.Do {
			if strings.Contains(l, "outlook-encryption-instructions.txt") && !strings.Contains(l, "docs/outlook-encryption-instructions.txt") {
				t.Errorf("step %d names the guide without its folder: %q", s.Number, l)
			}
		}
	}
}

// TestDeviationsListEveryDeparture: the deviations section says "None"
// only when there is no correction, no accepted warning and no procedure
// left out; each of the three shows up on its own.
func TestDeviationsListEveryDeparture(t *testing.T) {
	sc := runbooktest.Reference(t)
	section := func(sc runbooktest.Scenario) string {
		md := string(runbook.Markdown(sc.Build(nil)))
		i, j := strings.Index(md, "## 10. Deviations"), strings.Index(md, "## 11.")
		if i < 0 || j < i {
			t.Fatalf("no deviations section")
		}
		return md[i:j]
	}
	bare := sc
	bare.Deviations = nil
	bare.Output.Corrections = nil
	if got := section(bare); !strings.Contains(got, "None: the plan follows the guide") {
		t.Errorf("nothing to list, but:\n%s", got)
	}

	withCorrection := bare
	withCorrection.Output.Corrections = sc.Output.Corrections
	if got := section(withCorrection); len(sc.Output.Corrections) == 0 || !strings.Contains(got, "Applies the fixture, then restarts it.") || strings.Contains(got, "None: the plan") {
		t.Errorf("a correction is not listed:\n%s", got)
	}

	withWarning := bare
	withWarning.Deviations = sc.Deviations
	if got := section(withWarning); !strings.Contains(got, "Lena Vogel") || strings.Contains(got, "None: the plan") {
		t.Errorf("an accepted warning is not listed:\n%s", got)
	}

	leftOut := bare
	never := &steps.Step{ID: "never", Title: "A procedure that does not apply", Section: "Chapter 9",
		Applies: func(steps.Topology) (bool, string) { return false, "No server has the role it secures." }}
	leftOut.Catalog = append(slices.Clone(sc.Catalog), never)
	if got := section(leftOut); !strings.Contains(got, "| A procedure that does not apply | Chapter 9 | No server has the role it secures. |") {
		t.Errorf("a procedure left out is not listed:\n%s", got)
	}
}

// TestStepsNameTheirRules: a plan step's benchmark rules print with it,
// deviations marked and a rule about another server named for it.
func TestStepsNameTheirRules(t *testing.T) {
	sc := runbooktest.Reference(t)
	bench := &steps.Benchmark{ID: "T", Short: "Test STIG", Version: 1, Release: 1}
	rule := &steps.Control{Benchmark: bench, VulnID: "V-1", Title: "A rule"}
	sc.Output.Actions = slices.Clone(sc.Output.Actions)
	a := &sc.Output.Actions[0]
	a.Controls = []steps.ControlRef{{Control: rule}, {Control: rule, Deviation: "x/y", Server: "OTHER01"}}
	md := string(runbook.Markdown(sc.Build(nil)))
	want := "**Benchmark rules:** DISA Test STIG V-1 (A rule); DISA Test STIG V-1 (A rule), against the rule: an accepted deviation for OTHER01"
	if !strings.Contains(md, want) {
		t.Errorf("the runbook does not print the step's rules as %q", want)
	}
	if strings.Count(md, "**Benchmark rules:**") != 1 {
		t.Errorf("%d steps print rules, want 1", strings.Count(md, "**Benchmark rules:**"))
	}
}
