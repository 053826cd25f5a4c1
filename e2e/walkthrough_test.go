package e2e

// The walkthrough: one administrator sets up the wizard, describes an
// organisation, works through the first three procedures of the guide,
// signs out and back in, and downloads the files the runbook lists. It runs
// twice, with JavaScript on and with JavaScript off, and checks every
// distinct page it sees with axe.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The two walkthroughs run one after the other: on two cores, two browsers
// and two servers at once take longer than one after the other.

func TestWalkthroughWithJavaScript(t *testing.T) {
	walkthrough(t, true)
}

func TestWalkthroughWithoutJavaScript(t *testing.T) {
	walkthrough(t, false)
}

const (
	adminName     = "ada"
	shortPassword = "too short"
	adminPassword = "correct horse battery staple 42"
)

// The servers pasted on the servers page, one a line: NAME FQDN ADDRS OS
// ROLES. Their roles make the first three procedures applicable: Outlook
// connects to an Exchange back-end, S/MIME uses the CA, and KMS runs on the
// back-end and asks the CA for certificates. badServers has the mistake on
// line 2 (an octet above 255).
const (
	badServers = "EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be,kms\n" +
		"CA01 ca01.corp.example.com 10.0.0.300 win2000 ca,dc\n" +
		"OWAFE01 owafe01.corp.example.com 10.0.2.10 win2000 owa-fe"
	goodServers = "EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be,kms\n" +
		"CA01 ca01.corp.example.com 10.0.0.5 win2000 ca,dc\n" +
		"OWAFE01 owafe01.corp.example.com 10.0.2.10 win2000 owa-fe"
	caServer = "CA01"
	caConfig = `ca01.corp.example.com\Corp Issuing CA`
)

// organisation is what the "Describe the organisation" page is filled
// with, by input id.
var organisation = []struct{ id, value string }{
	{"ad-domain", "corp.example.com"},
	{"public-domain", "example.com"},
	{"owa-host", "mail.example.com"},
	{"owa-path", "/exchange"},
	{"mx-host", "smtp.example.com"},
}

// The procedures the walkthrough completes, in the guide's order.
const (
	procRPC   = "outlook-rpc-encryption"
	procSMIME = "smime"
	procKMS   = "key-management-service"
)

// textAnswers fills empty text questions, by input id. A text question not
// listed keeps what the page pre-filled.
var textAnswers = map[string]string{
	"users": "250", // Outlook users, for the helpdesk estimate
}

// chosenAnswers are the deliberate answers, by procedure and question id;
// every other question gets the page's pre-filled answer or, when there is
// none, its first option. For checkboxes the list is exactly what is
// ticked; for radios it has one value.
var chosenAnswers = map[string]map[string][]string{
	procRPC: {
		// Profiles made by hand and from a PRF file: Outlook 2002 (the
		// first version offered) cannot be told to encrypt through a PRF,
		// so the check-answers page raises a warning that needs a reason.
		"profiles": {"by-hand", "prf"},
	},
	procSMIME: {
		// Internet recipients with only the internal CA's certificates is
		// an error that blocks completion: mail stays inside the
		// organisation, and the certificates come from CA01.
		"recipients":  {"internal"},
		"cert-source": {"internal-ca"},
	},
	procKMS: {
		"use": {"yes"}, // the other questions are asked only with yes
	},
}

// expectWarning lists the procedures whose chosen answers raise a warning
// on the check-answers page.
var expectWarning = map[string]bool{procRPC: true}

// walkthrough is the whole journey, with page scripts on or off.
func walkthrough(t *testing.T, js bool) {
	start := time.Now()
	w := startWizard(t)
	ctx := newBrowser(t, js)
	j := &journey{t: t, ctx: ctx, w: w, checked: map[string]bool{}, scripts: js}

	j.setUp()
	name := "Contoso mail hardening, JavaScript off"
	if js {
		name = "Contoso mail hardening, JavaScript on"
	}
	j.createProject(name)
	j.describeOrganisation()
	j.addServers()
	j.describeCA()

	j.openTask(procRPC)
	if j.hasLink(j.stepHref(procKMS)) {
		t.Errorf("the task list links to %s before %s is completed; it requires it", procKMS, procSMIME)
	}
	// S/MIME needs nothing, so it is open before the Outlook procedure
	// above it is done; KMS names what it waits for.
	j.openTask(procSMIME)
	if hint, want := j.taskHint("Set up the Key Management Service"), "Cannot start yet: needs “"+j.titles[procSMIME]+"”."; hint != want {
		t.Errorf("the task list says of KMS %q, want %q", hint, want)
	}
	j.answerProcedure(procRPC)
	j.answerProcedure(procSMIME)
	j.answerProcedure(procKMS)
	if !j.errorShown {
		t.Errorf("no question page was left empty: the journey never saw the error summary of a question page")
	}

	j.resumeAfterSignIn()
	j.checkRunbook()
	t.Logf("walkthrough with JavaScript %v: %d distinct pages checked with axe in %v",
		js, len(j.checked), time.Since(start).Round(time.Millisecond))
}

// journey is the state of one walkthrough.
type journey struct {
	t   *testing.T
	ctx context.Context
	w   *wizard

	scripts     bool              // page scripts run
	project     string            // project path, /p/{id}
	projectName string            // as typed
	titles      map[string]string // procedure titles by id, from the task list
	checked     map[string]bool   // pages axe has checked, by name
	errorShown  bool              // a question page was sent empty once
	resumePath  string            // the first S/MIME question page; where the user stops
}

// axe checks the current page once per name: the same page seen again
// later in the journey is not checked twice. Besides axe's rules, every id
// must be unique: labels, hints and error links point at fields by id, and
// with two elements of one id a screen reader reads the wrong one.
func (j *journey) axe(name string) {
	j.t.Helper()
	if j.checked[name] {
		return
	}
	j.checked[name] = true
	checkPage(j.t, j.ctx)
	dups := eval[[]string](j, `
		const seen = new Set(), dups = new Set();
		for (const e of document.querySelectorAll("[id]")) {
			if (seen.has(e.id)) dups.add(e.id);
			seen.add(e.id);
		}
		return [...dups];`)
	if len(dups) > 0 {
		j.t.Errorf("%s: ids used more than once on %s: %s", name, j.location(), strings.Join(dups, ", "))
	}
}

// eval runs body, the body of a JavaScript function whose result is
// JSON-encodable, in the page and decodes the result into a T. Evaluation
// from the test works with page scripts off too.
func eval[T any](j *journey, body string) T {
	j.t.Helper()
	var v T
	s, err := chromedp.Run(j.ctx, chromedp.Evaluate[string](`JSON.stringify((() => { `+body+` })())`))
	if err != nil {
		j.t.Fatalf("evaluating %s: %v", shorten(body, 120), err)
	}
	if err := json.Unmarshal([]byte(s), &v); err != nil {
		j.t.Fatalf("decoding %q: %v", shorten(s, 200), err)
	}
	return v
}

// jsq quotes s as a JavaScript string literal, which is also a CSS string.
func jsq(s string) string {
	b, _ := json.Marshal(s)
	return string(b)
}

func (j *journey) location() string {
	j.t.Helper()
	u, err := chromedp.Run(j.ctx, chromedp.Location())
	if err != nil {
		j.t.Fatalf("reading the location: %v", err)
	}
	return u
}

func (j *journey) title() string {
	j.t.Helper()
	s, err := chromedp.Run(j.ctx, chromedp.Title())
	if err != nil {
		j.t.Fatalf("reading the title: %v", err)
	}
	return s
}

// text returns the trimmed text of the first element sel matches, or ""
// when there is none.
func (j *journey) text(sel string) string {
	j.t.Helper()
	return eval[string](j, `const e = document.querySelector(`+jsq(sel)+`); return e ? e.textContent.replace(/\s+/g, " ").trim() : "";`)
}

func (j *journey) count(sel string) int {
	j.t.Helper()
	return eval[int](j, `return document.querySelectorAll(`+jsq(sel)+`).length;`)
}

func (j *journey) exists(sel string) bool {
	j.t.Helper()
	return j.count(sel) > 0
}

func (j *journey) value(sel string) string {
	j.t.Helper()
	v, err := chromedp.Run(j.ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		j.t.Fatalf("reading the value of %s: %v", sel, err)
	}
	return v
}

// fill replaces the value of the input or textarea sel with s: it clears
// the field, then types s as key presses (a newline is the Enter key).
// (chromedp.SetValue of v0.23.0 fails with "could not set value" when the
// value is empty, so the field is cleared by evaluation.)
func (j *journey) fill(sel, s string) {
	j.t.Helper()
	if !eval[bool](j, `const e = document.querySelector(`+jsq(sel)+`); if (!e) return false; e.value = ""; return true;`) {
		j.t.Fatalf("no %s on %s", sel, j.location())
	}
	if err := chromedp.Do(j.ctx, chromedp.SendKeys(chromedp.CSS(sel), s)); err != nil {
		j.t.Fatalf("typing into %s: %v", sel, err)
	}
	if got := j.value(sel); got != s {
		j.t.Fatalf("%s holds %q after typing %q", sel, got, s)
	}
}

// click clicks sel, which must not start a navigation.
func (j *journey) click(sel string) {
	j.t.Helper()
	tctx, cancel := context.WithTimeout(j.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(tctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		j.t.Fatalf("clicking %s: %v", sel, err)
	}
}

// submit clicks sel, waits for the page it leads to and checks its status
// and, unless wantPath is "", its address (path and query).
func (j *journey) submit(sel string, wantStatus int, wantPath string) {
	j.t.Helper()
	resp := clickAndWait(j.t, j.ctx, sel)
	if resp.Status != int64(wantStatus) {
		j.t.Fatalf("after clicking %s: status %d at %s, want %d%s", sel, resp.Status, resp.URL, wantStatus, j.problems())
	}
	if wantPath != "" {
		if got := j.location(); got != j.w.URL(wantPath) {
			j.t.Fatalf("after clicking %s: at %s, want %s", sel, got, j.w.URL(wantPath))
		}
	}
}

// problems describes the page's error summary, for failure messages.
func (j *journey) problems() string {
	if s := j.text(`[data-testid="error-summary"]`); s != "" {
		return "; the page says: " + s
	}
	return ""
}

// path is the current address without the server's base.
func (j *journey) path() string {
	j.t.Helper()
	u := j.location()
	if !strings.HasPrefix(u, j.w.BaseURL+"/") {
		j.t.Fatalf("left the wizard: at %s", u)
	}
	return strings.TrimPrefix(u, j.w.BaseURL)
}

// expectError checks the page is a form sent back with problems: the title
// starts with "Error:" and the error summary, which has the focus, links to
// field.
func (j *journey) expectError(field string) {
	j.t.Helper()
	if title := j.title(); !strings.HasPrefix(title, "Error:") {
		j.t.Errorf("title %q does not start with %q", title, "Error:")
	}
	if !j.exists(`[data-testid="error-summary"]`) {
		j.t.Fatalf("no error summary at %s", j.location())
	}
	link := fmt.Sprintf(`[data-testid="error-summary"] a[href="#%s"]`, field)
	if !j.exists(link) {
		j.t.Errorf("the error summary has no link to #%s: %s", field, j.text(`[data-testid="error-summary"]`))
	}
	if !j.exists("#" + field) {
		j.t.Errorf("the error summary links to #%s, which is not on the page", field)
	}
	if !j.exists("#" + field + "-error") {
		j.t.Errorf("#%s has no inline error message (#%s-error)", field, field)
	}
	if got := eval[string](j, `return document.activeElement ? document.activeElement.id : "";`); got != "error-summary" {
		j.t.Errorf("the focus is on %q, want the error summary", got)
	}
}

// 1. The one-time setup link, a refused password, then the administrator.
func (j *journey) setUp() {
	t := j.t
	visit(t, j.ctx, j.w.SetupURL(), http.StatusOK)
	if h1 := j.text("h1"); h1 != "Create the first administrator" {
		t.Errorf("setup page heading %q", h1)
	}
	j.axe("setup")

	j.fill("#username", adminName)
	j.fill("#password", shortPassword)
	j.fill("#confirm", shortPassword)
	j.submit(`[data-testid="create-admin"]`, http.StatusUnprocessableEntity, "/setup")
	j.expectError("password")
	if got := j.value("#username"); got != adminName {
		t.Errorf("after the refused password the user name holds %q, want %q as typed", got, adminName)
	}
	for _, id := range []string{"password", "confirm"} {
		if got := j.value("#" + id); got != "" {
			t.Errorf("after the refused password #%s still holds %q; passwords must not be sent back", id, got)
		}
	}
	j.axe("setup error")

	j.fill("#password", adminPassword)
	j.fill("#confirm", adminPassword)
	j.submit(`[data-testid="create-admin"]`, http.StatusOK, "/")
	if h1 := j.text("h1"); h1 != "Your projects" {
		t.Fatalf("after setup the heading is %q, want %q", h1, "Your projects")
	}
	if u := j.text(`[data-testid="signed-in-user"]`); u != adminName {
		t.Errorf("signed in as %q, want %q", u, adminName)
	}
	if strings.HasPrefix(j.title(), "Error:") {
		t.Errorf("the projects page's title is %q", j.title())
	}
	j.axe("projects")
}

var projectPathRE = regexp.MustCompile(`^/p/[0-9]+$`)

// 2. A new project, which opens on its task list.
func (j *journey) createProject(name string) {
	t := j.t
	j.projectName = name
	j.fill("#name", name)
	j.submit(`[data-testid="create-project"]`, http.StatusOK, "")
	j.project = j.path()
	if !projectPathRE.MatchString(j.project) {
		t.Fatalf("creating the project led to %s, want its task list /p/{id}", j.project)
	}
	if h1 := j.text("h1"); h1 != name {
		t.Errorf("task list heading %q, want the project's name %q", h1, name)
	}
	if j.count(`[data-testid="task-list"]`) == 0 {
		t.Fatalf("no task list at %s", j.project)
	}
	j.axe("task list")
}

// taskStatus returns the status shown beside the task list link to href.
func (j *journey) taskStatus(href string) string {
	j.t.Helper()
	return eval[string](j, `
		const a = document.querySelector('[data-testid="task-list"] a[href=' + JSON.stringify(`+jsq(href)+`) + ']');
		const s = a && a.closest("li").querySelector('[data-testid="task-status"]');
		return s ? s.textContent.trim() : "";`)
}

// taskHint returns the hint under the task list's task called title.
func (j *journey) taskHint(title string) string {
	j.t.Helper()
	return eval[string](j, `
		const li = [...document.querySelectorAll('[data-testid="task-list"] li')].find(li => li.querySelector(".task-name").firstElementChild.textContent.trim() === `+jsq(title)+`);
		const h = li && li.querySelector(".task-hint");
		return h ? h.textContent.replace(/\s+/g, " ").trim() : "";`)
}

func (j *journey) hasLink(href string) bool {
	j.t.Helper()
	return j.exists(fmt.Sprintf(`[data-testid="task-list"] a[href=%s]`, jsq(href)))
}

// openFromTaskList follows the task list's link to href.
func (j *journey) openFromTaskList(href string) {
	j.t.Helper()
	if j.path() != j.project {
		visit(j.t, j.ctx, j.w.URL(j.project), http.StatusOK)
	}
	if !j.hasLink(href) {
		j.t.Fatalf("the task list has no link to %s", href)
	}
	j.submit(fmt.Sprintf(`[data-testid="task-list"] a[href=%s]`, jsq(href)), http.StatusOK, "")
}

// 3. The organisation's facts.
func (j *journey) describeOrganisation() {
	t := j.t
	href := j.project + "/facts"
	j.openFromTaskList(href)
	if h1 := j.text("h1"); h1 != "Describe the organisation" {
		t.Errorf("facts page heading %q", h1)
	}
	j.axe("facts")
	for _, f := range organisation {
		j.fill("#"+f.id, f.value)
	}
	j.click(`input[name="pop3imap4"][value="no"]`)
	j.submit(`[data-testid="save-facts"]`, http.StatusOK, j.project)
	if s := j.taskStatus(href); s != "Completed" {
		t.Errorf("after saving the facts their task is %q, want Completed", s)
	}
}

// 4. The servers, pasted as a list with one bad line first.
func (j *journey) addServers() {
	t := j.t
	href := j.project + "/servers"
	j.openFromTaskList(href)
	j.axe("servers (empty)")

	if rows := eval[int](j, `return document.querySelector("#list").rows;`); rows != 20 {
		t.Errorf("the paste box shows %d lines, want 20", rows)
	}
	j.fill("#list", badServers)
	// The list is sent back on the page's own address, with the line's
	// message linked from the error summary.
	j.submit(`[data-testid="add-list"]`, http.StatusUnprocessableEntity, href)
	if title := j.title(); !strings.HasPrefix(title, "Error:") {
		t.Errorf("title %q does not start with %q", title, "Error:")
	}
	if !j.exists(`[data-testid="error-summary"] a[href="#list-line-2"]`) || !j.exists(`#list-error li#list-line-2`) {
		t.Errorf("the error summary does not link to line 2's message beside the box: %s", j.text(`[data-testid="error-summary"]`))
	}
	if got := eval[string](j, `return document.activeElement ? document.activeElement.id : "";`); got != "error-summary" {
		t.Errorf("the focus is on %q, want the error summary", got)
	}
	if s := j.text(`[data-testid="error-summary"]`); !strings.Contains(s, "Line 2: ") {
		t.Errorf("the error summary does not name Line 2: %s", s)
	}
	if j.scripts {
		// Following the link selects line 2 in the box.
		j.click(`[data-testid="error-summary"] a[href="#list-line-2"]`)
		sel := eval[[]any](j, `const e = document.activeElement; return [e.id, e.value.substring(e.selectionStart, e.selectionEnd)];`)
		if want := strings.Split(badServers, "\n")[1]; len(sel) != 2 || sel[0] != "list" || sel[1] != want {
			t.Errorf("after following the summary's link the focus and selection are %q, want #list and %q", sel, want)
		}
	}
	if s := j.text(`[data-testid="error-summary"]`); strings.Contains(s, "Line 1") || strings.Contains(s, "Line 3") {
		t.Errorf("the error summary blames a good line: %s", s)
	}
	if got := j.value("#list"); got != badServers {
		t.Errorf("after the error the list holds %q, want the text as typed, %q", got, badServers)
	}
	if n := j.count(`[data-testid="server-row"]`); n != 0 {
		t.Errorf("%d servers were added from a list with a bad line; want none", n)
	}
	j.axe("servers (error)")

	j.fill("#list", goodServers)
	j.submit(`[data-testid="add-list"]`, http.StatusOK, href)
	if n := j.count(`[data-testid="server-row"]`); n != 3 {
		t.Fatalf("%d servers listed after adding three", n)
	}
	j.axe("servers")
}

// The CA's configuration string, which KMS needs, is one of the role
// details on the CA's own page.
func (j *journey) describeCA() {
	t := j.t
	href := eval[string](j, `
		for (const row of document.querySelectorAll('[data-testid="server-row"]')) {
			const a = row.querySelector("a");
			if (a && a.textContent.trim() === `+jsq(caServer)+`) return a.getAttribute("href");
		}
		return "";`)
	if href == "" {
		t.Fatalf("the server list has no link to %s", caServer)
	}
	j.submit(fmt.Sprintf(`[data-testid="server-row"] a[href=%s]`, jsq(href)), http.StatusOK, href)
	if h1 := j.text("h1"); !strings.Contains(h1, caServer) {
		t.Errorf("server page heading %q does not name %s", h1, caServer)
	}
	details := `[data-testid="server-form"] details`
	if eval[bool](j, `return document.querySelector(`+jsq(details)+`).open;`) {
		t.Errorf("the role details are open before any problem")
	}
	j.click(details + " > summary")
	if !eval[bool](j, `return document.querySelector(`+jsq(details)+`).open;`) {
		t.Fatalf("clicking the summary did not open the role details")
	}
	j.axe("server")
	j.fill("#ca-config", caConfig)
	j.submit(`[data-testid="save-server"]`, http.StatusOK, j.project+"/servers")
	if f := j.text(`[data-testid="flash"]`); !strings.Contains(f, caServer) {
		t.Errorf("after saving %s the flash says %q", caServer, f)
	}

	// The saved string is shown when the page is opened again.
	visit(t, j.ctx, j.w.URL(href), http.StatusOK)
	if got := j.value("#ca-config"); got != caConfig {
		t.Errorf("%s's CA configuration string is %q after saving %q", caServer, got, caConfig)
	}
	visit(t, j.ctx, j.w.URL(j.project), http.StatusOK)
}

func (j *journey) stepHref(id string) string { return j.project + "/steps/" + id }

// openTask checks the procedure is on the task list and remembers its title.
func (j *journey) openTask(id string) {
	j.t.Helper()
	if j.path() != j.project {
		visit(j.t, j.ctx, j.w.URL(j.project), http.StatusOK)
	}
	title := j.text(fmt.Sprintf(`[data-testid="task-list"] a[href=%s]`, jsq(j.stepHref(id))))
	if title == "" {
		j.t.Fatalf("the task list has no link to procedure %s; statuses: %s", id, j.text(`main`))
	}
	if j.titles == nil {
		j.titles = map[string]string{}
	}
	j.titles[id] = title
}

// questionField is one question of a question page as the browser shows it.
type questionField struct {
	Kind    string   `json:"kind"` // radio, checkbox, text or textarea
	Name    string   `json:"name"`
	IDs     []string `json:"ids"`
	Values  []string `json:"values"`
	Checked []string `json:"checked"`
	Value   string   `json:"value"`
}

// empty reports whether nothing is chosen or typed for the question.
func (f questionField) empty() bool {
	switch f.Kind {
	case "radio", "checkbox":
		return len(f.Checked) == 0
	}
	return strings.TrimSpace(f.Value) == ""
}

type questionPage struct {
	Caption string          `json:"caption"`
	Fields  []questionField `json:"fields"`
}

// readQuestionPage lists the questions of the page's question form in
// page order.
func (j *journey) readQuestionPage() questionPage {
	j.t.Helper()
	return eval[questionPage](j, `
		const form = document.querySelector('form[data-testid="question-form"]');
		const cap = document.querySelector("main .caption");
		const fields = [];
		for (const el of form.querySelectorAll("fieldset, input[type=text], textarea")) {
			if (el.tagName === "FIELDSET") {
				const inputs = [...el.querySelectorAll("input[type=radio], input[type=checkbox]")];
				if (inputs.length === 0) continue;
				fields.push({kind: inputs[0].type, name: inputs[0].name, ids: inputs.map(i => i.id),
					values: inputs.map(i => i.value), checked: inputs.filter(i => i.checked).map(i => i.value)});
			} else if (!el.closest("fieldset")) {
				fields.push({kind: el.tagName === "TEXTAREA" ? "textarea" : "text", name: el.name, ids: [el.id], value: el.value});
			}
		}
		return {caption: cap ? cap.textContent.replace(/\s+/g, " ").trim() : "", fields};`)
}

// answerPage chooses the answers of one question page: the deliberate ones
// of chosenAnswers, else what is pre-filled, else the first option; empty
// text questions get textAnswers.
func (j *journey) answerPage(proc string, pg questionPage) {
	t := j.t
	t.Helper()
	for _, f := range pg.Fields {
		want, deliberate := chosenAnswers[proc][f.Name]
		switch f.Kind {
		case "radio":
			if !deliberate {
				if len(f.Checked) > 0 {
					continue
				}
				want = f.Values[:1]
			}
			if len(want) != 1 || !slices.Contains(f.Values, want[0]) {
				t.Fatalf("%s: question %s offers %v, cannot choose %v", proc, f.Name, f.Values, want)
			}
			if !slices.Contains(f.Checked, want[0]) {
				j.click(fmt.Sprintf(`input[type=radio][name=%s][value=%s]`, jsq(f.Name), jsq(want[0])))
			}
		case "checkbox":
			if !deliberate {
				if len(f.Checked) > 0 {
					continue
				}
				want = f.Values[:1]
			}
			for i, v := range f.Values {
				if slices.Contains(want, v) != slices.Contains(f.Checked, v) {
					j.click("#" + f.IDs[i])
				}
			}
			for _, v := range want {
				if !slices.Contains(f.Values, v) {
					t.Fatalf("%s: question %s offers %v, cannot tick %q", proc, f.Name, f.Values, v)
				}
			}
		default:
			v := ""
			if deliberate {
				v = strings.Join(want, "\n")
			} else if f.empty() {
				v = textAnswers[f.Name]
				if v == "" {
					t.Logf("%s: no answer known for the empty question %s; leaving it empty", proc, f.Name)
					continue
				}
			} else {
				continue
			}
			j.fill("#"+f.IDs[0], v)
		}
	}
}

// answerQuestions opens the procedure from the task list and answers each
// of its question pages, up to its check-answers page.
func (j *journey) answerQuestions(id string) {
	t := j.t
	j.openTask(id)
	title := j.titles[id]
	j.openFromTaskList(j.stepHref(id))

	prefix := j.stepHref(id) + "/"
	for n := 0; ; n++ {
		path := j.path()
		if path == prefix+"check" {
			break
		}
		if n == 20 {
			t.Fatalf("%s: still on question pages after 20 pages, at %s", id, path)
		}
		if !strings.HasPrefix(path, prefix) || !j.exists(`form[data-testid="question-form"]`) {
			t.Fatalf("%s: expected a question page under %s, at %s: %s", id, prefix, path, shorten(j.text("main"), 300))
		}
		if id == procSMIME && j.resumePath == "" {
			j.resumePath = path
		}
		pg := j.readQuestionPage()
		if !strings.HasPrefix(pg.Caption, title) {
			t.Fatalf("%s: the caption of %s is %q; expected the procedure %q", id, path, pg.Caption, title)
		}
		if len(pg.Fields) == 0 {
			t.Fatalf("%s: %s has no questions", id, path)
		}
		if !j.exists(`[data-testid="back-link"]`) {
			t.Errorf("%s: %s has no back link", id, path)
		}
		j.axe(path)

		// Once in the journey, send a page with nothing chosen first.
		if !j.errorShown {
			if i := slices.IndexFunc(pg.Fields, questionField.empty); i >= 0 {
				j.errorShown = true
				j.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusUnprocessableEntity, path)
				j.expectError(pg.Fields[i].Name)
				j.axe(path + " (error)")
				pg = j.readQuestionPage()
			}
		}

		j.answerPage(id, pg)
		j.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK, "")
		if next := j.path(); next == path {
			t.Fatalf("%s: Continue on %s stayed on it%s", id, path, j.problems())
		}
	}
}

// answerProcedure opens the procedure from the task list, answers each of
// its question pages, completes it on its check-answers page and checks the
// task list shows it completed.
func (j *journey) answerProcedure(id string) {
	t := j.t
	j.answerQuestions(id)
	title := j.titles[id]

	// The check-answers page.
	if h1 := j.text("h1"); !strings.Contains(h1, title) {
		t.Errorf("%s: check-answers heading %q does not name %q", id, h1, title)
	}
	if j.count(`[data-testid="answers"] dt`) == 0 {
		t.Errorf("%s: the check-answers page lists no answers", id)
	}
	j.axe(j.path())
	errs := eval[[]string](j, `return [...document.querySelectorAll('[data-testid="finding"].error')].map(e => e.textContent.replace(/\s+/g, " ").trim());`)
	if len(errs) > 0 {
		t.Fatalf("%s: the answers chosen lead to errors that block completion; change chosenAnswers:\n%s", id, strings.Join(errs, "\n"))
	}
	reasons := eval[[]string](j, `return [...document.querySelectorAll('textarea[id^="ack-"]')].filter(e => e.value.trim() === "").map(e => e.id);`)
	for _, r := range reasons {
		j.fill("#"+r, "Accepted for the pilot: the helpdesk ticks the box by hand after each profile is created.")
	}
	if expectWarning[id] && len(reasons) == 0 {
		t.Errorf("%s: no warning to give a reason for, although the answers chosen should raise one", id)
	}
	if v := eval[string](j, `const e = document.getElementById("complete"); return e ? e.type + "=" + e.value : "";`); v != "radio=yes" {
		t.Fatalf("%s: #complete is %q, want the radio for yes", id, v)
	}
	j.click("#complete")
	j.submit(`form[action$="/check"] [data-testid="continue"]`, http.StatusOK, j.project)
	if s := j.taskStatus(j.stepHref(id)); s != "Completed" {
		t.Fatalf("%s: the task list shows %q after completing it, want Completed", id, s)
	}
	if f := j.text(`[data-testid="flash"]`); !strings.Contains(f, title) {
		t.Errorf("%s: after completing it the flash says %q", id, f)
	}
}

// 6. Sign out on a question page of the second procedure; signing in again
// leads back to it.
func (j *journey) resumeAfterSignIn() {
	t := j.t
	if j.resumePath == "" {
		t.Fatalf("no question page of %s was seen", procSMIME)
	}
	visit(t, j.ctx, j.w.URL(j.resumePath), http.StatusOK)
	if !j.exists(`form[data-testid="question-form"]`) {
		t.Fatalf("%s is not a question page any more", j.resumePath)
	}
	j.submit(`[data-testid="sign-out"]`, http.StatusOK, "/login")
	if j.exists(`[data-testid="signed-in-user"]`) {
		t.Errorf("the sign-in page still shows a signed-in user after signing out")
	}
	if h1 := j.text("h1"); h1 != "Sign in" {
		t.Errorf("sign-in heading %q", h1)
	}
	j.axe("login")

	// Signed out, the project is out of reach.
	visit(t, j.ctx, j.w.URL(j.project), http.StatusOK)
	if p := j.path(); !strings.HasPrefix(p, "/login") {
		t.Errorf("the task list signed out led to %s, want the sign-in page", p)
	}
	visit(t, j.ctx, j.w.URL("/login"), http.StatusOK)

	j.fill("#username", adminName)
	j.fill("#password", adminPassword)
	j.submit(`[data-testid="sign-in"]`, http.StatusOK, j.resumePath)
	if u := j.text(`[data-testid="signed-in-user"]`); u != adminName {
		t.Errorf("signed in again as %q, want %q", u, adminName)
	}
}

// 7. The runbook and its files, fetched with the browser's session.
func (j *journey) checkRunbook() {
	t := j.t
	href := j.project + "/runbook"
	j.submit(fmt.Sprintf(`nav a[href=%s]`, jsq(href)), http.StatusOK, href)
	j.axe("runbook")

	if j.exists(`[data-testid="runbook-blocked"]`) {
		t.Fatalf("the runbook is blocked: %s", j.text(`[data-testid="runbook-blocked"]`))
	}
	if n := j.count(`[data-testid="runbook-step"]`); n == 0 {
		t.Errorf("the runbook has no steps")
	}
	if n := j.count(`[data-testid="runbook-target"]`); n == 0 {
		t.Errorf("the runbook has no servers or client populations")
	}
	meta := j.text(`[data-testid="runbook-meta"]`)
	for _, id := range []string{procRPC, procSMIME, procKMS} {
		if !strings.Contains(meta, j.titles[id]) {
			t.Errorf("the runbook does not include %q: %s", j.titles[id], meta)
		}
	}
	hash := j.text(`[data-testid="answers-hash"]`)
	if !regexp.MustCompile(`^sha256:[0-9a-f]{64}$`).MatchString(hash) {
		t.Fatalf("answers hash %q, want sha256: and 64 hex digits", hash)
	}

	type download struct {
		URL    string `json:"url"`
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	}
	files := eval[[]download](j, `
		return [...document.querySelectorAll('[data-testid="download"]')].map(a => ({
			url: a.href, name: a.textContent.trim(),
			sha256: a.closest("tr").querySelector(".hash").textContent.trim()}));`)
	if len(files) == 0 {
		t.Fatalf("the runbook has no files to download")
	}

	cookies, err := chromedp.Call(j.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{j.w.BaseURL + "/"}})
	if err != nil {
		t.Fatalf("reading the browser's cookies: %v", err)
	}
	var jar []string
	for _, c := range cookies.Cookies {
		jar = append(jar, c.Name+"="+c.Value)
	}
	if len(jar) == 0 {
		t.Fatalf("the browser holds no cookie for %s", j.w.BaseURL)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	product := j.text(`[data-testid="page-ready"]`)
	var names []string
	for _, f := range files {
		j.checkDownload(client, strings.Join(jar, "; "), f.URL, f.Name, f.SHA256, hash, product)
		names = append(names, f.Name)
	}
	t.Logf("runbook: %d steps; fetched and checked %d files: %s",
		j.count(`[data-testid="runbook-step"]`), len(files), strings.Join(names, ", "))

	// Without the session the same address leads to the sign-in page.
	resp, err := (&http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}).Get(files[0].URL)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("GET %s without a session: %d to %q, want 303 to /login", files[0].URL, resp.StatusCode, resp.Header.Get("Location"))
	}
}

// checkDownload fetches one file with the session cookie and checks its
// bytes: the header every generated file starts with, CRLF line endings,
// and the SHA-256 the runbook printed beside it.
func (j *journey) checkDownload(client *http.Client, cookie, fileURL, name, wantSum, hash, product string) {
	t := j.t
	t.Helper()
	u, err := url.Parse(fileURL)
	if err != nil || u.Scheme+"://"+u.Host != j.w.BaseURL {
		t.Fatalf("download link %q is not on %s", fileURL, j.w.BaseURL)
	}
	req, err := http.NewRequest(http.MethodGet, fileURL, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", cookie)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", fileURL, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		t.Fatalf("GET %s: %v", fileURL, err)
	}
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200: %s", fileURL, resp.StatusCode, shorten(string(body), 200))
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") || !strings.Contains(cd, name) {
		t.Errorf("%s: Content-Disposition %q, want an attachment named %q", name, cd, name)
	}
	if h := resp.Header.Get("X-Answers-Hash"); h != hash {
		t.Errorf("%s: X-Answers-Hash %q, want the runbook's %q", name, h, hash)
	}

	sum := sha256.Sum256(body)
	if got := hex.EncodeToString(sum[:]); got != wantSum {
		t.Errorf("%s: SHA-256 of the download is %s, the runbook says %s", name, got, wantSum)
	}

	// Every line ends in CRLF: no LF without CR, no CR without LF.
	if !bytes.Contains(body, []byte("\r\n")) {
		t.Errorf("%s: no CRLF line ending in %d bytes", name, len(body))
	}
	if n := bytes.Count(body, []byte("\n")) - bytes.Count(body, []byte("\r\n")); n != 0 {
		t.Errorf("%s: %d line feeds without a carriage return", name, n)
	}
	if n := bytes.Count(body, []byte("\r")) - bytes.Count(body, []byte("\r\n")); n != 0 {
		t.Errorf("%s: %d carriage returns without a line feed", name, n)
	}

	// The header comes first: "Generated by <product>" within the first
	// few lines (after a script's own preamble such as @echo off), then the
	// project and the answers hash.
	lines := strings.Split(string(body), "\r\n")
	head := lines[:min(len(lines), 12)]
	gen := slices.IndexFunc(head, func(l string) bool { return strings.Contains(l, "Generated by "+product) })
	if gen < 0 || gen > 3 {
		t.Errorf("%s: the header line %q is not among the first lines:\n%s", name, "Generated by "+product, strings.Join(head, "\n"))
		return
	}
	for _, want := range []string{"Project: " + j.projectName, "Answers hash: " + hash} {
		if !slices.ContainsFunc(head[gen:], func(l string) bool { return strings.HasSuffix(l, want) }) {
			t.Errorf("%s: the header lacks %q:\n%s", name, want, strings.Join(head, "\n"))
		}
	}
}
