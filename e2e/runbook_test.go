package e2e

// The change ticket and what leaves the wizard: an administrator sets up
// the organisation and completes the first three procedures as the
// walkthrough does, fills in the change ticket (a window that ends before
// it starts first), prints the runbook to PDF through Chromium and checks
// the paper with poppler's pdfinfo and pdftotext, then downloads the whole
// change's bundle and one server's and checks their hashes, manifests,
// README and that the server's bundle is its folder of the change bundle.

import (
	"archive/zip"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"math"
	"mime"
	"net/http"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// ticketField is one field of the change ticket form, by input id.
type ticketField struct{ id, value string }

// The change ticket as typed. The window first ends an hour before it
// starts, which the form refuses; then it ends at ticketWindowEnd.
const (
	ticketNumber      = "CHG0012345"
	ticketTitle       = "Encrypt Outlook, S/MIME and KMS"
	ticketTimeZone    = "Europe/London"
	ticketWindowStart = "2026-12-05 22:00"
	ticketBadEnd      = "2026-12-05 21:00"
	ticketWindowEnd   = "2026-12-06 02:00"
	ticketRisk        = "medium"
	ticketReviewer    = "Edsger Dijkstra"
	ticketApprover    = "Barbara Liskov"
)

var ticketImplementers = []string{"Ada Lovelace", "Alan Turing"}

var ticketFields = []ticketField{
	{"number", ticketNumber},
	{"title", ticketTitle},
	{"requester", "Grace Hopper"},
	{"implementers", strings.Join(ticketImplementers, "\n")},
	{"reviewer", ticketReviewer},
	{"approvers", ticketApprover},
	{"cab", "CAB 2026-48"},
	{"window-start", ticketWindowStart},
	{"window-end", ticketBadEnd},
	{"time-zone", ticketTimeZone},
	{"risk-reason", "Outlook clients reconnect once; every step has a backout script or is undone by hand."},
	{"affected-users", "Outlook users are asked to restart Outlook; S/MIME users enrol again."},
	{"communication", "Mail to all staff two days before the window."},
}

// walkthroughPages are pages the walkthrough checks with axe, by the names
// journey.axe gives them, which this test sees on its way to the procedures
// and need not check again. The question and check-answers pages are named
// by their addresses, which are not known in advance, so they are checked
// again; the ticket and runbook pages are this test's own.
var walkthroughPages = []string{"setup", "setup error", "projects", "task list", "facts", "servers (empty)", "servers (error)", "servers", "server"}

// pdfPointsA4 is an A4 sheet in PostScript points (1/72 inch).
var pdfPointsA4 = [2]float64{595.28, 841.89}

func TestRunbookPrintAndBundle(t *testing.T) {
	start := time.Now()
	tools := popplerTools(t)
	w := startWizard(t)
	ctx := newBrowser(t, true)
	j := &journey{t: t, ctx: ctx, w: w, checked: map[string]bool{}}
	for _, name := range walkthroughPages {
		j.checked[name] = true
	}

	j.setUp()
	j.createProject("Contoso mail hardening, on paper")
	j.describeOrganisation()
	j.addServers()
	j.describeCA()
	for _, id := range []string{procRPC, procSMIME, procKMS} {
		j.answerProcedure(id)
	}
	setupTime := time.Since(start)

	fillTicket(j)
	rb := readRunbookPage(j)
	pdf := printRunbook(j, rb)
	checkPrintedRunbook(t, tools, pdf, rb)
	checkBundles(j, rb)

	t.Logf("runbook print and bundles: %v in all, %v of it setting up the project; %d pages checked with axe",
		time.Since(start).Round(time.Millisecond), setupTime.Round(time.Millisecond), len(j.checked)-len(walkthroughPages))
}

// poppler is where poppler-utils' tools are.
type poppler struct{ pdfinfo, pdftotext string }

// popplerTools finds pdfinfo and pdftotext (Debian's poppler-utils). As
// with Chromium, a machine without them skips the test, except in CI,
// where it fails.
func popplerTools(t *testing.T) poppler {
	t.Helper()
	var p poppler
	for _, tool := range []struct {
		name string
		path *string
	}{{"pdfinfo", &p.pdfinfo}, {"pdftotext", &p.pdftotext}} {
		path, err := exec.LookPath(tool.name)
		if err != nil {
			msg := fmt.Sprintf("no %s: %v; run `make deps`, which installs Debian's poppler-utils package", tool.name, err)
			if os.Getenv("CI") != "" {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
		*tool.path = path
	}
	return p
}

// fillTicket fills the change ticket from the task list: first with a
// window that ends before it starts, which is refused with the error
// summary and every value kept as typed, then with the right end.
func fillTicket(j *journey) {
	t := j.t
	href := j.project + "/ticket"
	j.openFromTaskList(href)
	if h1 := j.text("h1"); h1 != "Change ticket" {
		t.Errorf("ticket page heading %q", h1)
	}
	j.axe("ticket")

	for _, f := range ticketFields {
		j.fill("#"+f.id, f.value)
	}
	j.click(fmt.Sprintf(`input[name="risk"][value=%s]`, jsq(ticketRisk)))
	j.submit(`[data-testid="save-ticket"]`, http.StatusUnprocessableEntity, href)
	j.expectError("window-end")
	summary := j.text(`[data-testid="error-summary"]`)
	if !strings.Contains(summary, "end after it starts") {
		t.Errorf("the error summary does not say the window must end after it starts: %s", summary)
	}
	if n := j.count(`[data-testid="error-summary"] a`); n != 1 {
		t.Errorf("the error summary lists %d problems, want 1 (the window's end): %s", n, summary)
	}
	for _, f := range ticketFields {
		if got := j.value("#" + f.id); got != f.value {
			t.Errorf("after the refused window #%s holds %q, want %q as typed", f.id, got, f.value)
		}
	}
	if !eval[bool](j, `return document.querySelector('input[name="risk"][value=`+jsq(ticketRisk)+`]').checked;`) {
		t.Errorf("after the refused window the risk %q is no longer chosen", ticketRisk)
	}
	j.axe("ticket (error)")

	j.fill("#window-end", ticketWindowEnd)
	j.submit(`[data-testid="save-ticket"]`, http.StatusOK, j.project)
	if f := j.text(`[data-testid="flash"]`); !strings.Contains(f, "Change ticket saved") {
		t.Errorf("after saving the ticket the flash says %q", f)
	}
	if s := j.taskStatus(href); s != "Completed" {
		t.Errorf("after saving the ticket its task is %q, want Completed", s)
	}

	// Opened again, the form shows what was saved.
	visit(t, j.ctx, j.w.URL(href), http.StatusOK)
	for _, f := range ticketFields {
		want := f.value
		if f.id == "window-end" {
			want = ticketWindowEnd
		}
		if got := j.value("#" + f.id); got != want {
			t.Errorf("the saved ticket's #%s is %q, want %q", f.id, got, want)
		}
	}
	visit(t, j.ctx, j.w.URL(j.project), http.StatusOK)
}

// runbookPage is what the runbook page offers.
type runbookPage struct {
	AnswersHash string       `json:"answersHash"`
	Steps       int          `json:"steps"`   // steps of the plan
	Targets     []string     `json:"targets"` // servers and client populations, in the page's order
	Document    string       `json:"document"`
	Change      bundleLink   `json:"change"`
	Bundles     []bundleLink `json:"bundles"` // one per target, in the same order
}

type bundleLink struct {
	Name string `json:"name"`
	URL  string `json:"url"`
}

// readRunbookPage opens the runbook from the site's navigation, checks it
// with axe and reads its targets and links.
func readRunbookPage(j *journey) runbookPage {
	t := j.t
	href := j.project + "/runbook"
	j.submit(fmt.Sprintf(`nav a[href=%s]`, jsq(href)), http.StatusOK, href)
	j.axe("runbook")
	if j.exists(`[data-testid="runbook-blocked"]`) {
		t.Fatalf("the runbook is blocked: %s", j.text(`[data-testid="runbook-blocked"]`))
	}
	rb := eval[runbookPage](j, `
		const link = a => a ? {name: a.textContent.trim(), url: a.href} : {name: "", url: ""};
		const targets = [...document.querySelectorAll('[data-testid="runbook-target"]')];
		const print = document.querySelector('[data-testid="runbook-print"]');
		return {
			answersHash: document.querySelector('[data-testid="answers-hash"]').textContent.trim(),
			steps: document.querySelectorAll('[data-testid="runbook-step"]').length,
			targets: targets.map(s => s.querySelector("h3").textContent.trim()),
			document: print ? print.href : "",
			change: link(document.querySelector('[data-testid="bundle-change"]')),
			bundles: targets.map(s => link(s.querySelector('[data-testid="bundle"]'))),
		};`)
	if len(rb.Targets) == 0 || rb.Steps == 0 {
		t.Fatalf("the runbook page lists %d servers and %d steps", len(rb.Targets), rb.Steps)
	}
	if len(rb.Bundles) != len(rb.Targets) {
		t.Fatalf("the runbook page lists %d targets and %d bundles", len(rb.Targets), len(rb.Bundles))
	}
	for _, s := range []string{"EXBE01", caServer} {
		if !slices.Contains(rb.Targets, s) {
			t.Errorf("the runbook page has no section for %s: %v", s, rb.Targets)
		}
	}
	if rb.Document != j.w.URL(j.project+"/runbook/document") {
		t.Errorf("the printable runbook is at %q, want %s", rb.Document, j.w.URL(j.project+"/runbook/document"))
	}
	if want := ticketNumber + "_change.zip"; rb.Change.Name != want {
		t.Errorf("the change bundle is named %q, want %q", rb.Change.Name, want)
	}
	for i, b := range rb.Bundles {
		if want := ticketNumber + "_" + folderOf(rb.Targets[i]) + ".zip"; b.Name != want {
			t.Errorf("%s's bundle is named %q, want %q", rb.Targets[i], b.Name, want)
		}
	}
	return rb
}

// folderOf is a target's folder in the change bundle: every character
// other than a letter, digit, '.', '-' or '_' becomes '-'.
func folderOf(target string) string {
	return regexp.MustCompile(`[^A-Za-z0-9._-]`).ReplaceAllString(target, "-")
}

// printRunbook follows the runbook page's link to the printable document,
// prints it to PDF as Chromium's print dialog would with "Background
// graphics" on, and returns the file's path.
func printRunbook(j *journey, rb runbookPage) string {
	t := j.t
	tctx, cancel := context.WithTimeout(j.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS(`[data-testid="runbook-print"]`)))
	if err != nil {
		t.Fatalf("opening the printable runbook: %v", err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", resp.URL, resp.Status)
	}
	if got := j.location(); got != rb.Document {
		t.Fatalf("the print link led to %s, want %s", got, rb.Document)
	}
	// The document has no site footer to wait for: wait for the load event
	// (the style sheet is loaded) and the fonts.
	if _, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`new Promise(ok => {
			if (document.readyState === "complete") ok();
			else addEventListener("load", () => ok());
		}).then(() => document.fonts.ready).then(() => true)`, chromedp.EvalAwaitPromise)); err != nil {
		t.Fatalf("waiting for the printable runbook to load: %v", err)
	}
	if n := j.count(`[data-testid="runbook-document"]`); n != 1 {
		t.Fatalf("the printable runbook has %d runbook documents, want 1", n)
	}
	if n := j.count(`input, button, select, textarea, form`); n != 0 {
		t.Errorf("the printable runbook has %d form controls; nothing on paper is interactive", n)
	}
	checkPage(t, j.ctx)

	pctx, cancel := context.WithTimeout(j.ctx, 30*time.Second)
	defer cancel()
	pdf, err := chromedp.Run(pctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		t.Fatalf("printing the runbook to PDF: %v", err)
	}
	if !bytes.HasPrefix(pdf, []byte("%PDF-")) {
		t.Fatalf("the printed runbook is not a PDF: %q", shorten(string(pdf[:min(len(pdf), 40)]), 40))
	}
	file := filepath.Join(t.TempDir(), "runbook-"+ticketNumber+".pdf")
	if err := os.WriteFile(file, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// pdfInfo is what pdfinfo says of a file.
type pdfInfo struct {
	pages int
	sizes []string     // pdfinfo's "Page N size" line of each page
	dims  [][2]float64 // the same, in points
	raw   string
}

var pageSizeRE = regexp.MustCompile(`^Page\s+(?:\d+\s+)?size:\s+([0-9.]+) x ([0-9.]+) pts`)

// readPDFInfo runs pdfinfo on every page of file.
func readPDFInfo(t *testing.T, p poppler, file string) pdfInfo {
	t.Helper()
	run := func(args ...string) string {
		out, err := exec.Command(p.pdfinfo, args...).CombinedOutput()
		if err != nil {
			t.Fatalf("pdfinfo %s: %v\n%s", strings.Join(args, " "), err, out)
		}
		return string(out)
	}
	info := pdfInfo{raw: run(file)}
	for line := range strings.SplitSeq(info.raw, "\n") {
		if v, ok := strings.CutPrefix(line, "Pages:"); ok {
			n, err := strconv.Atoi(strings.TrimSpace(v))
			if err != nil {
				t.Fatalf("pdfinfo: %q is not a page count", line)
			}
			info.pages = n
		}
	}
	if info.pages < 1 {
		t.Fatalf("pdfinfo gives no page count:\n%s", info.raw)
	}
	// With -f and -l, pdfinfo prints each page's size.
	for line := range strings.SplitSeq(run("-f", "1", "-l", strconv.Itoa(info.pages), file), "\n") {
		m := pageSizeRE.FindStringSubmatch(strings.TrimSpace(line))
		if m == nil {
			continue
		}
		w, err1 := strconv.ParseFloat(m[1], 64)
		h, err2 := strconv.ParseFloat(m[2], 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("pdfinfo: cannot read the size in %q", line)
		}
		info.sizes = append(info.sizes, strings.TrimSpace(line))
		info.dims = append(info.dims, [2]float64{w, h})
	}
	if len(info.dims) != info.pages {
		t.Fatalf("pdfinfo gives %d page sizes for %d pages:\n%s", len(info.dims), info.pages, info.raw)
	}
	return info
}

// checkPrintedRunbook checks the paper: A4 sheets; on each, the running
// header with the change number, title and scope above everything else and
// the footer ending "Page N of M" below everything else; every step of the
// plan, each check and each undo entry whole on one sheet; every target's
// steps and its heading in the verification plan; and the sign-off table,
// on a sheet of its own, with a row for each person the ticket names.
func checkPrintedRunbook(t *testing.T, p poppler, file string, rb runbookPage) {
	info := readPDFInfo(t, p, file)
	for i, d := range info.dims {
		if math.Abs(d[0]-pdfPointsA4[0]) > 1.5 || math.Abs(d[1]-pdfPointsA4[1]) > 1.5 {
			t.Errorf("page %d is %.2f x %.2f pts, want A4 (%.0f x %.0f): %s", i+1, d[0], d[1], pdfPointsA4[0], pdfPointsA4[1], info.sizes[i])
		}
	}

	out, err := exec.Command(p.pdftotext, "-layout", "-enc", "UTF-8", file, "-").Output()
	if err != nil {
		t.Fatalf("pdftotext -layout %s: %v", file, err)
	}
	text := string(out)
	// pdftotext ends every page with a form feed.
	pages := strings.Split(strings.TrimSuffix(text, "\f"), "\f")
	if len(pages) != info.pages {
		t.Errorf("pdftotext gives %d pages, pdfinfo %d", len(pages), info.pages)
	}
	failed := false
	fail := func(format string, args ...any) {
		t.Helper()
		t.Errorf(format, args...)
		failed = true
	}
	defer func() {
		if failed {
			t.Logf("pdfinfo:\n%s\npdftotext -layout:\n%s", info.raw, text)
		}
	}()

	head := regexp.MustCompile(`^\s*` + regexp.QuoteMeta(ticketNumber+": "+ticketTitle) + `\s+Whole change\s*$`)
	var (
		targets  = alternation(rb.Targets)
		stepRE   = regexp.MustCompile(`^\s*Step (\d+) on (` + targets + `): `)
		checkRE  = regexp.MustCompile(`^\s*Check step \d+ on (?:` + targets + `): `)
		undoRE   = regexp.MustCompile(`^\s*Undo step \d+ on (?:` + targets + `): `)
		doneRE   = regexp.MustCompile(`^\s*Done\s+Time\s+Initials\s*$`)
		passRE   = regexp.MustCompile(`^\s*Pass\s+Fail\s+Time\s+Initials\s*$`)
		undoneRE = regexp.MustCompile(`^\s*Undone\s+Not needed\s+Time\s+Initials\s*$`)
		signRE   = regexp.MustCompile(`^\s*\d+\. Sign-off and closure\s*$`)
	)
	stepsSeen := map[int]int{}
	stepsOn := map[string]int{}
	signOff := -1
	for i, pg := range pages {
		lines := nonEmptyLines(pg)
		if len(lines) < 3 {
			fail("page %d of the PDF has only %d lines: %q", i+1, len(lines), lines)
			continue
		}
		if !head.MatchString(lines[0]) {
			fail("page %d's first line is %q; want the running header %q ... %q", i+1, lines[0], ticketNumber+": "+ticketTitle, "Whole change")
		}
		foot := strings.TrimSpace(lines[len(lines)-1])
		if want := fmt.Sprintf("Page %d of %d", i+1, info.pages); !strings.HasSuffix(foot, want) || !strings.Contains(foot, "Uncontrolled when printed.") {
			fail("page %d's last line is %q; want the footer with %q and %q", i+1, foot, "Uncontrolled when printed.", want)
		}

		// A block's heading and its record line are on the same sheet.
		var steps, dones, checks, passes, undos, undones int
		for _, l := range lines[1 : len(lines)-1] {
			if m := stepRE.FindStringSubmatch(l); m != nil {
				n, _ := strconv.Atoi(m[1])
				stepsSeen[n]++
				stepsOn[m[2]]++
				steps++
			}
			dones += count(doneRE, l)
			checks, passes = checks+count(checkRE, l), passes+count(passRE, l)
			undos, undones = undos+count(undoRE, l), undones+count(undoneRE, l)
			if signRE.MatchString(l) {
				signOff = i
			}
		}
		if steps != dones || checks != passes || undos != undones {
			fail("page %d splits a block across sheets: %d steps and %d Done lines, %d checks and %d Pass/Fail lines, %d undo entries and %d Undone lines",
				i+1, steps, dones, checks, passes, undos, undones)
		}
	}

	// Every step of the plan once, numbered 1 to N, and every target's.
	var wrong []string
	for n := 1; n <= rb.Steps; n++ {
		if stepsSeen[n] != 1 {
			wrong = append(wrong, fmt.Sprintf("step %d %d times", n, stepsSeen[n]))
		}
	}
	for _, n := range slices.Sorted(maps.Keys(stepsSeen)) {
		if n < 1 || n > rb.Steps {
			wrong = append(wrong, fmt.Sprintf("step %d, which the runbook page does not have", n))
		}
	}
	if len(wrong) > 0 {
		fail("the runbook page has steps 1 to %d, each to be printed once; the PDF has %s", rb.Steps, strings.Join(wrong, ", "))
	}
	for _, target := range rb.Targets {
		if stepsOn[target] == 0 {
			fail("the PDF has no step on %s", target)
		}
	}

	// The verification plan has a heading for each target.
	verification := sectionText(text, "Verification plan", "Backout plan")
	if verification == "" {
		fail("the PDF has no verification plan")
	}
	for _, target := range rb.Targets {
		if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(target) + `\s*$`).MatchString(verification) {
			fail("the verification plan of the PDF has no heading for %s", target)
		}
	}

	// The sign-off starts a sheet, and its table is whole on it: a row for
	// each role with the names from the ticket.
	if signOff < 0 {
		fail("the PDF has no sign-off section")
		return
	}
	sheet := pages[signOff]
	if lines := nonEmptyLines(sheet); !signRE.MatchString(lines[1]) {
		fail("the sign-off does not start a new sheet: page %d begins %q", signOff+1, lines[1])
	}
	if !regexp.MustCompile(`(?m)^\s*Role\s+Name\s+Signature\s+Date\s*$`).MatchString(sheet) {
		fail("the sign-off sheet (page %d) has no table with the columns Role, Name, Signature, Date", signOff+1)
	}
	type signer struct{ role, name string }
	var signers []signer
	for _, n := range ticketImplementers {
		signers = append(signers, signer{"Implementer", n})
	}
	signers = append(signers, signer{"Peer reviewer", ticketReviewer}, signer{"Approver", ticketApprover})
	for _, s := range signers {
		if !regexp.MustCompile(`(?m)^\s*` + regexp.QuoteMeta(s.role) + `\s+` + regexp.QuoteMeta(s.name) + `\s*$`).MatchString(sheet) {
			fail("the sign-off table on page %d has no row for the %s, %s", signOff+1, s.role, s.name)
		}
	}
	t.Logf("printed runbook: %d A4 pages, %d KB, %d steps; targets %s", info.pages, fileSize(t, file)/1024, rb.Steps, strings.Join(rb.Targets, ", "))
}

// alternation is a regular expression that matches any of ss exactly.
func alternation(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = regexp.QuoteMeta(s)
	}
	return strings.Join(q, "|")
}

func count(re *regexp.Regexp, s string) int {
	if re.MatchString(s) {
		return 1
	}
	return 0
}

// sectionText returns the text from the line that is the numbered section
// heading "N. title" up to the first line after it that is the heading
// next, or "" when there is no such heading.
func sectionText(text, title, next string) string {
	loc := regexp.MustCompile(`(?m)^\s*\d+\. ` + regexp.QuoteMeta(title) + `\s*$`).FindStringIndex(text)
	if loc == nil {
		return ""
	}
	rest := text[loc[0]:]
	if end := regexp.MustCompile(`(?m)^\s*\d+\. ` + regexp.QuoteMeta(next) + `\s*$`).FindStringIndex(rest); end != nil {
		rest = rest[:end[0]]
	}
	return rest
}

func nonEmptyLines(s string) []string {
	var out []string
	for l := range strings.SplitSeq(s, "\n") {
		if strings.TrimSpace(l) != "" {
			out = append(out, l)
		}
	}
	return out
}

func fileSize(t *testing.T, file string) int64 {
	fi, err := os.Stat(file)
	if err != nil {
		t.Fatal(err)
	}
	return fi.Size()
}

// bundleManifest is the part of manifest.json the test reads.
type bundleManifest struct {
	AnswersHash string `json:"answersHash"`
	Change      struct {
		Number   string `json:"number"`
		Title    string `json:"title"`
		TimeZone string `json:"timeZone"`
	} `json:"change"`
	Files []struct {
		Kind   string `json:"kind"`
		Path   string `json:"path"`
		SHA256 string `json:"sha256"`
		Size   int    `json:"size"`
	} `json:"files"`
	Scope  string `json:"scope"`
	Target string `json:"target"`
}

// checkBundles downloads the change bundle and the first server's bundle
// with the browser's session and checks them.
func checkBundles(j *journey, rb runbookPage) {
	t := j.t
	cookie := sessionCookie(j)
	client := &http.Client{Timeout: 30 * time.Second}

	change := unzip(t, rb.Change.Name, fetchBundle(t, client, cookie, rb.Change))
	checkFolder(t, rb.Change.Name, change, "", "change", "", rb.AnswersHash)
	for _, f := range []string{"runbook.md", "runbook.html"} {
		if _, ok := change[f]; !ok {
			t.Errorf("%s has no %s", rb.Change.Name, f)
		}
	}
	var folders []string
	for _, target := range rb.Targets {
		folder := folderOf(target)
		folders = append(folders, folder)
		checkFolder(t, rb.Change.Name, change, folder+"/", "server", target, rb.AnswersHash)
	}
	// Nothing else at the top: the change's own files and a folder per target.
	for name := range change {
		top, _, inFolder := strings.Cut(name, "/")
		if inFolder && !slices.Contains(folders, top) {
			t.Errorf("%s holds %s, in a folder of no target", rb.Change.Name, name)
		}
	}

	// A server's own bundle (the back-end's) is its folder of the change
	// bundle, byte for byte.
	i := slices.IndexFunc(rb.Targets, func(s string) bool { return s == "EXBE01" })
	if i < 0 {
		i = 0
	}
	target, link := rb.Targets[i], rb.Bundles[i]
	server := unzip(t, link.Name, fetchBundle(t, client, cookie, link))
	checkFolder(t, link.Name, server, "", "server", target, rb.AnswersHash)
	prefix := folders[i] + "/"
	inChange := map[string][]byte{}
	for name, body := range change {
		if rest, ok := strings.CutPrefix(name, prefix); ok {
			inChange[rest] = body
		}
	}
	if got, want := slices.Sorted(maps.Keys(server)), slices.Sorted(maps.Keys(inChange)); !slices.Equal(got, want) {
		t.Errorf("%s holds %v; the folder %s of %s holds %v", link.Name, got, prefix, rb.Change.Name, want)
	}
	for name, body := range server {
		if other, ok := inChange[name]; ok && !bytes.Equal(body, other) {
			t.Errorf("%s: %s differs from %s%s in %s", link.Name, name, prefix, name, rb.Change.Name)
		}
	}
	for _, f := range []string{"runbook-" + folders[i] + ".md", "runbook-" + folders[i] + ".html"} {
		if _, ok := server[f]; !ok {
			t.Errorf("%s has no %s", link.Name, f)
		}
	}
	t.Logf("bundles: %s with %d files; %s with %d files, the same as its folder", rb.Change.Name, len(change), link.Name, len(server))
}

// sessionCookie returns the browser's cookies for the wizard as a Cookie
// header.
func sessionCookie(j *journey) string {
	j.t.Helper()
	res, err := chromedp.Call(j.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{j.w.BaseURL + "/"}})
	if err != nil {
		j.t.Fatalf("reading the browser's cookies: %v", err)
	}
	var jar []string
	for _, c := range res.Cookies {
		jar = append(jar, c.Name+"="+c.Value)
	}
	if len(jar) == 0 {
		j.t.Fatalf("the browser holds no cookie for %s", j.w.BaseURL)
	}
	return strings.Join(jar, "; ")
}

// fetchBundle downloads a bundle and checks it is served as a ZIP
// attachment under its name, with its SHA-256 in X-Bundle-SHA256.
func fetchBundle(t *testing.T, client *http.Client, cookie string, link bundleLink) []byte {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, link.URL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", cookie)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", link.URL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		t.Fatalf("GET %s: %v", link.URL, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200: %s", link.URL, resp.StatusCode, shorten(string(body), 200))
	}
	if ct := resp.Header.Get("Content-Type"); ct != "application/zip" {
		t.Errorf("%s: Content-Type %q, want application/zip", link.Name, ct)
	}
	if disp, params, err := mime.ParseMediaType(resp.Header.Get("Content-Disposition")); err != nil || disp != "attachment" || params["filename"] != link.Name {
		t.Errorf("%s: Content-Disposition %q, want an attachment named %q", link.Name, resp.Header.Get("Content-Disposition"), link.Name)
	}
	sum := sha256.Sum256(body)
	if got, want := resp.Header.Get("X-Bundle-SHA256"), hex.EncodeToString(sum[:]); got != want {
		t.Errorf("%s: X-Bundle-SHA256 %q, the body's SHA-256 is %s", link.Name, got, want)
	}
	return body
}

// unzip reads every file of a ZIP by its path. Paths must be relative,
// clean, with forward slashes and no "..", and unique; a bundle holds no
// directory entries (a name ending in "/" is not clean).
func unzip(t *testing.T, name string, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatalf("%s is not a ZIP file: %v", name, err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		if f.Name == "" || strings.HasPrefix(f.Name, "/") || strings.Contains(f.Name, `\`) ||
			path.Clean(f.Name) != f.Name || slices.Contains(strings.Split(f.Name, "/"), "..") {
			t.Errorf("%s: entry %q is not a plain relative file path", name, f.Name)
			continue
		}
		if _, dup := files[f.Name]; dup {
			t.Errorf("%s: %s is in it twice", name, f.Name)
		}
		rc, err := f.Open()
		if err != nil {
			t.Fatalf("%s: opening %s: %v", name, f.Name, err)
		}
		body, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			t.Fatalf("%s: reading %s: %v", name, f.Name, err)
		}
		files[f.Name] = body
	}
	if len(files) == 0 {
		t.Fatalf("%s is empty", name)
	}
	return files
}

var sumLineRE = regexp.MustCompile(`^([0-9a-f]{64})  (\S(?:.*\S)?)$`)

// checkFolder checks the bundle files of zipName under prefix ("" for the
// ZIP's root, "EXBE01/" for a server's folder of the change bundle):
// SHA256SUMS lists every other file under prefix, sorted, each with its
// SHA-256, in CRLF lines; manifest.json parses, is of scope and target, and
// lists every file but itself and SHA256SUMS with its SHA-256 and size;
// README.txt is UTF-8 with a BOM and has CRLF line endings.
func checkFolder(t *testing.T, zipName string, files map[string][]byte, prefix, scope, target, answersHash string) {
	t.Helper()
	at := zipName + ": " + prefix // names a file in messages
	var others []string           // every file under prefix but SHA256SUMS, relative to it
	for p := range files {
		if rest, ok := strings.CutPrefix(p, prefix); ok && rest != "SHA256SUMS" {
			others = append(others, rest)
		}
	}
	slices.Sort(others)
	for _, f := range []string{"README.txt", "manifest.json", "SHA256SUMS"} {
		if _, ok := files[prefix+f]; !ok {
			t.Fatalf("there is no %s%s", at, f)
		}
	}

	// SHA256SUMS: "<sha256>  <path>" lines ending in CRLF.
	sums := files[prefix+"SHA256SUMS"]
	checkCRLF(t, at+"SHA256SUMS", sums)
	var listed []string
	for _, line := range strings.Split(strings.TrimSuffix(string(sums), "\r\n"), "\r\n") {
		m := sumLineRE.FindStringSubmatch(line)
		if m == nil {
			t.Errorf("%sSHA256SUMS: line %q is not \"<sha256>  <path>\"", at, line)
			continue
		}
		listed = append(listed, m[2])
		if body, ok := files[prefix+m[2]]; ok && sha256Hex(body) != m[1] {
			t.Errorf("%sSHA256SUMS gives %s the SHA-256 %s; the file has %s", at, m[2], m[1], sha256Hex(body))
		}
	}
	if !slices.IsSorted(listed) {
		t.Errorf("%sSHA256SUMS is not sorted by path: %v", at, listed)
	}
	if missing, extra := diffSets(listed, others); len(missing)+len(extra) > 0 {
		t.Errorf("%sSHA256SUMS does not list every other file once: it lacks %v and lists %v, which are not files of the folder or are listed twice", at, missing, extra)
	}

	// manifest.json: every file but itself and SHA256SUMS, with its
	// SHA-256 and size.
	var m bundleManifest
	if err := json.Unmarshal(files[prefix+"manifest.json"], &m); err != nil {
		t.Errorf("%smanifest.json does not parse: %v", at, err)
	} else {
		if m.Scope != scope || m.Target != target {
			t.Errorf("%smanifest.json is of scope %q, target %q; want %q, %q", at, m.Scope, m.Target, scope, target)
		}
		if m.Change.Number != ticketNumber || m.Change.Title != ticketTitle || m.Change.TimeZone != ticketTimeZone {
			t.Errorf("%smanifest.json's change is %+v; want %s, %q, %s", at, m.Change, ticketNumber, ticketTitle, ticketTimeZone)
		}
		if m.AnswersHash != answersHash {
			t.Errorf("%smanifest.json's answers hash is %q, the runbook page's %q", at, m.AnswersHash, answersHash)
		}
		var inManifest []string
		for _, f := range m.Files {
			inManifest = append(inManifest, f.Path)
			body, ok := files[prefix+f.Path]
			switch {
			case !ok:
			case sha256Hex(body) != f.SHA256:
				t.Errorf("%smanifest.json gives %s the SHA-256 %s; the file has %s", at, f.Path, f.SHA256, sha256Hex(body))
			case len(body) != f.Size:
				t.Errorf("%smanifest.json gives %s the size %d; the file has %d bytes", at, f.Path, f.Size, len(body))
			}
		}
		want := slices.DeleteFunc(slices.Clone(others), func(p string) bool { return p == "manifest.json" })
		if missing, extra := diffSets(inManifest, want); len(missing)+len(extra) > 0 {
			t.Errorf("%smanifest.json does not list every file but itself and SHA256SUMS once: it lacks %v and lists %v, which are not such files or are listed twice", at, missing, extra)
		}
	}

	// README.txt: UTF-8 with a BOM, CRLF line endings.
	readme := files[prefix+"README.txt"]
	if !bytes.HasPrefix(readme, []byte("\xef\xbb\xbf")) {
		t.Errorf("%sREADME.txt does not start with a UTF-8 BOM: % x", at, readme[:min(len(readme), 8)])
	}
	checkCRLF(t, at+"README.txt", readme)
}

// diffSets compares got with want, a sorted list of distinct strings: it
// returns what want has that got lacks, and what got has more than want
// (strings not in want, and repeats).
func diffSets(got, want []string) (missing, extra []string) {
	seen := map[string]int{}
	for _, g := range got {
		seen[g]++
		if seen[g] > 1 || !slices.Contains(want, g) {
			extra = append(extra, g)
		}
	}
	for _, w := range want {
		if seen[w] == 0 {
			missing = append(missing, w)
		}
	}
	return missing, extra
}

// checkCRLF checks that every line of b ends in CRLF: there is one, and
// there is no LF without CR and no CR without LF.
func checkCRLF(t *testing.T, name string, b []byte) {
	t.Helper()
	crlf := bytes.Count(b, []byte("\r\n"))
	if crlf == 0 {
		t.Errorf("%s: no CRLF line ending in %d bytes", name, len(b))
	}
	if n := bytes.Count(b, []byte("\n")) - crlf; n != 0 {
		t.Errorf("%s: %d line feeds without a carriage return", name, n)
	}
	if n := bytes.Count(b, []byte("\r")) - crlf; n != 0 {
		t.Errorf("%s: %d carriage returns without a line feed", name, n)
	}
}

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}
