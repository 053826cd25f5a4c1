package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
)

// flowStep has a conditional page and a cross-check, to exercise the
// engine's navigation, validation and findings.
var flowStep = &steps.Step{
	ID: "flow", Title: "Flow procedure", Section: "Test", Summary: "Tests the engine", Rationale: []string{"For tests."},
	Applies: func(t steps.Topology) (bool, string) {
		if len(t.WithRole(steps.RoleBackEnd)) == 0 {
			return false, "Add an Exchange back-end server first."
		}
		return true, ""
	},
	Pages: []steps.Page{
		{ID: "use", Questions: []steps.Question{{ID: "use", Label: "Use the feature?", Kind: steps.KindYesNo}}},
		{ID: "host", When: func(a steps.Answers) bool { return a.Is("use", "yes") },
			Questions: []steps.Question{{ID: "host", Label: "Host name", Kind: steps.KindFQDN}}},
		{ID: "servers", Questions: []steps.Question{{ID: "servers", Label: "Which back-ends", Kind: steps.KindServers, Role: steps.RoleBackEnd,
			DefaultFrom: func(t steps.Topology, _ steps.Answers) string {
				var n []string
				for _, s := range t.WithRole(steps.RoleBackEnd) {
					n = append(n, string(s.Name))
				}
				return strings.Join(n, "\n")
			}}}},
	},
	Check: func(in steps.Input) []steps.Finding {
		a := in.Of("flow")
		var fs []steps.Finding
		if a.Is("host", "bad.example.com") {
			fs = append(fs, steps.Finding{Code: "bad-host", Severity: steps.Error, Message: "bad.example.com cannot be used", Fix: []string{"host"}})
		}
		if a.Is("use", "no") {
			fs = append(fs, steps.Finding{Code: "not-used", Severity: steps.Warning, Message: "Not using the feature leaves mail readable", Fix: []string{"use"}})
		}
		return fs
	},
	Plan: func(in steps.Input) []steps.Action {
		var as []steps.Action
		for _, s := range in.Of("flow").Values("servers") {
			as = append(as, steps.Action{ID: "do-" + s, Phase: steps.PhaseClients, Target: s, Title: "Configure " + s})
		}
		return as
	},
	Files: func(in steps.Input) ([]steps.File, error) {
		return []steps.File{{Target: "EXBE01", Name: "notes.txt", Kind: steps.FileGuide, Body: []byte("host " + in.Of("flow")["host"] + "\r\n" + in.AnswersHash + "\r\n")}}, nil
	},
}

// project makes a project with facts and one back-end, owned by owner.
func (e *testEnv) project(owner store.User) int64 {
	e.t.Helper()
	ctx := context.Background()
	p, err := e.st.CreateProject(ctx, owner.ID, "Flow test")
	if err != nil {
		e.t.Fatal(err)
	}
	if err := e.st.SaveFacts(ctx, owner.ID, p.ID, steps.Facts{ADDomain: "corp.example.com", PublicDomain: "example.com", OWAHost: "mail.example.com", OWAPath: "/exchange"}, 0); err != nil {
		e.t.Fatal(err)
	}
	return p.ID
}

func TestQuestionFlow(t *testing.T) {
	env := newEnv(t, []*steps.Step{flowStep})
	owner := env.mustUser("olivia", false)
	pid := env.project(owner)
	c := env.signIn("olivia")
	base := fmt.Sprintf("/p/%d/steps/flow", pid)

	// Without a back-end the procedure cannot start.
	_, body := c.get(fmt.Sprintf("/p/%d/", pid))
	if st := doc(t, body).Find("[data-testid=task-status]").Eq(2).Text(); st != "Cannot start yet" {
		t.Errorf("status without back-end = %q", st)
	}
	tok := c.token(fmt.Sprintf("/p/%d/servers", pid))
	resp, _ := c.post(fmt.Sprintf("/p/%d/servers", pid), url.Values{"csrf_token": {tok}, "add": {"list"}, "list": {"EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be\nEXBE02 exbe02.corp.example.com 10.0.1.11 win2000 exchange-be"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("paste: %d", resp.StatusCode)
	}
	resp, _ = c.get(base)
	if loc := resp.Header.Get("Location"); loc != base+"/use" {
		t.Fatalf("start goes to %q", loc)
	}
	// Nothing chosen: 422 with the error summary linked to the field.
	resp, body = c.post(base+"/use", url.Values{"csrf_token": {tok}, "version.use": {"0"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || doc(t, body).Find(`.error-summary a[href="#use"]`).Length() != 1 {
		t.Fatalf("empty answer: %d", resp.StatusCode)
	}
	resp, _ = c.post(base+"/use", url.Values{"csrf_token": {tok}, "use": {"yes"}, "version.use": {"0"}})
	if loc := resp.Header.Get("Location"); resp.StatusCode != http.StatusSeeOther || loc != base+"/host" {
		t.Fatalf("after yes: %d %q", resp.StatusCode, loc)
	}
	// A bad host name is refused and kept as typed.
	resp, body = c.post(base+"/host", url.Values{"csrf_token": {tok}, "host": {"Mail_01"}, "version.host": {"0"}})
	d := doc(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || d.Find("#host").AttrOr("value", "") != "Mail_01" || !strings.Contains(d.Find("#host-error").Text(), "mail01.corp.example.com") {
		t.Fatalf("bad host: %d value=%q", resp.StatusCode, d.Find("#host").AttrOr("value", ""))
	}
	if d.Find("[data-testid=back-link]").AttrOr("href", "") != base+"/use" {
		t.Errorf("back link = %q", d.Find("[data-testid=back-link]").AttrOr("href", ""))
	}
	resp, _ = c.post(base+"/host", url.Values{"csrf_token": {tok}, "host": {"Mail.Example.com."}, "version.host": {"0"}})
	if resp.Header.Get("Location") != base+"/servers" {
		t.Fatalf("after host: %q", resp.Header.Get("Location"))
	}
	// The server question is pre-filled with both back-ends.
	_, body = c.get(base + "/servers")
	if n := doc(t, body).Find(`input[name=servers][checked]`).Length(); n != 2 {
		t.Errorf("pre-filled servers: %d checked", n)
	}
	resp, _ = c.post(base+"/servers", url.Values{"csrf_token": {tok}, "servers": {"EXBE02"}, "version.servers": {"0"}})
	if resp.Header.Get("Location") != base+"/check" {
		t.Fatalf("after servers: %q", resp.Header.Get("Location"))
	}
	ans, _ := env.st.Answers(context.Background(), pid)
	if ans["flow"]["host"].Value != "mail.example.com" || ans["flow"]["servers"].Value != "EXBE02" {
		t.Errorf("saved answers: %+v", ans["flow"])
	}
	// Complete it; the task list says so; the runbook has the plan and file.
	resp, _ = c.post(base+"/check", url.Values{"csrf_token": {tok}, "complete": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("complete: %d", resp.StatusCode)
	}
	_, body = c.get(fmt.Sprintf("/p/%d/", pid))
	if st := doc(t, body).Find("[data-testid=task-status]").Eq(2).Text(); st != "Completed" {
		t.Errorf("status after completing = %q", st)
	}
	_, body = c.get(fmt.Sprintf("/p/%d/runbook", pid))
	d = doc(t, body)
	if d.Find("[data-testid=runbook-step]").Length() != 1 || !strings.Contains(d.Find("[data-testid=runbook-step]").Text(), "Configure EXBE02") {
		t.Errorf("runbook steps: %q", d.Find("[data-testid=runbook-step]").Text())
	}
	href := d.Find("[data-testid=download]").AttrOr("href", "")
	resp, body = c.get(href)
	hash := d.Find("[data-testid=answers-hash]").Text()
	if resp.StatusCode != http.StatusOK || body != "host mail.example.com\r\n"+hash+"\r\n" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("download %s: %d %q", href, resp.StatusCode, body)
	}

	// Going back and answering "no" hides the host page; the warning then
	// needs a reason before the procedure can be completed again.
	resp, _ = c.post(base+"/use?return=check", url.Values{"csrf_token": {tok}, "use": {"no"}, "version.use": {"1"}})
	if resp.Header.Get("Location") != base+"/check" {
		t.Fatalf("change to no: %q", resp.Header.Get("Location"))
	}
	_, body = c.get(base + "/check")
	d = doc(t, body)
	if strings.Contains(d.Find("[data-testid=answers]").Text(), "Host name") {
		t.Error("check page shows the unasked host question")
	}
	if d.Find("[data-testid=finding]").Length() != 1 {
		t.Fatalf("findings: %d", d.Find("[data-testid=finding]").Length())
	}
	key := d.Find("input[name=ack-key-0]").AttrOr("value", "")
	resp, body = c.post(base+"/check", url.Values{"csrf_token": {tok}, "complete": {"yes"}, "ack-key-0": {key}})
	if resp.StatusCode != http.StatusUnprocessableEntity || doc(t, body).Find(`.error-summary a[href="#ack-0"]`).Length() != 1 {
		t.Fatalf("warning without reason: %d", resp.StatusCode)
	}
	resp, _ = c.post(base+"/check", url.Values{"csrf_token": {tok}, "complete": {"yes"}, "ack-key-0": {key}, "ack-0": {"Only a lab"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("warning with reason: %d", resp.StatusCode)
	}
	acks, _ := env.st.Acknowledgements(context.Background(), pid)
	if acks["flow/not-used"].Reason != "Only a lab" || acks["flow/not-used"].By != "olivia" {
		t.Errorf("acknowledgement: %+v", acks)
	}
}

func TestErrorFindingBlocksCompletionAndOutput(t *testing.T) {
	env := newEnv(t, []*steps.Step{flowStep})
	owner := env.mustUser("olivia", false)
	pid := env.project(owner)
	ctx := context.Background()
	srv, _ := steps.ServerForm{Name: "EXBE01", FQDN: "exbe01.corp.example.com", Addrs: "10.0.1.10", OS: "win2000", Roles: []string{"exchange-be"}}.Parse()
	env.st.AddServers(ctx, owner.ID, pid, []steps.Server{srv})
	env.st.SaveAnswers(ctx, owner.ID, pid, "flow", []store.AnswerChange{{Question: "use", Value: "yes"}, {Question: "host", Value: "bad.example.com"}, {Question: "servers", Value: "EXBE01"}})
	c := env.signIn("olivia")
	base := fmt.Sprintf("/p/%d/steps/flow", pid)
	tok := c.token(base + "/check")
	resp, body := c.post(base+"/check", url.Values{"csrf_token": {tok}, "complete": {"yes"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Fix the errors") {
		t.Fatalf("completing with an error: %d", resp.StatusCode)
	}
	_, body = c.get(fmt.Sprintf("/p/%d/", pid))
	if st := doc(t, body).Find("[data-testid=task-status]").Eq(2).Text(); st != "There is a problem" {
		t.Errorf("status = %q", st)
	}
	// Even if marked complete earlier, the runbook refuses to produce.
	env.st.SetStepComplete(ctx, owner.ID, pid, "flow", true)
	_, body = c.get(fmt.Sprintf("/p/%d/runbook", pid))
	d := doc(t, body)
	if d.Find("[data-testid=runbook-blocked]").Length() != 1 || d.Find("[data-testid=download]").Length() != 0 {
		t.Error("runbook produced files despite an error finding")
	}
}

func TestAnswerConflictIsShownNotOverwritten(t *testing.T) {
	env := newEnv(t, []*steps.Step{flowStep})
	owner := env.mustUser("olivia", false)
	pid := env.project(owner)
	ctx := context.Background()
	ed := env.mustUser("eddie", false)
	env.st.SetMember(ctx, owner.ID, pid, ed.ID, store.RoleEditor)
	srv, _ := steps.ServerForm{Name: "EXBE01", FQDN: "exbe01.corp.example.com", Addrs: "10.0.1.10", OS: "win2000", Roles: []string{"exchange-be"}}.Parse()
	env.st.AddServers(ctx, owner.ID, pid, []steps.Server{srv})
	base := fmt.Sprintf("/p/%d/steps/flow", pid)
	a, b := env.signIn("olivia"), env.signIn("eddie")
	tokA, tokB := a.token(base+"/use"), b.token(base+"/use")
	// Both opened the page when there was no answer (version 0).
	if resp, _ := a.post(base+"/use", url.Values{"csrf_token": {tokA}, "use": {"yes"}, "version.use": {"0"}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", resp.StatusCode)
	}
	resp, body := b.post(base+"/use", url.Values{"csrf_token": {tokB}, "use": {"no"}, "version.use": {"0"}})
	d := doc(t, body)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(d.Find("#use-error").Text(), "olivia changed this answer to “Yes”") {
		t.Fatalf("second save: %d %q", resp.StatusCode, d.Find("#use-error").Text())
	}
	if d.Find("input#use-2[checked]").Length() != 1 {
		t.Error("the second editor's own answer is not kept in the form")
	}
	ans, _ := env.st.Answers(ctx, pid)
	if ans["flow"]["use"].Value != "yes" {
		t.Fatalf("answer overwritten: %q", ans["flow"]["use"].Value)
	}
	// Sending again with the version shown is a deliberate replacement.
	v := d.Find("input[name='version.use']").AttrOr("value", "")
	if resp, _ := b.post(base+"/use", url.Values{"csrf_token": {tokB}, "use": {"no"}, "version.use": {v}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("deliberate replacement: %d", resp.StatusCode)
	}
	ans, _ = env.st.Answers(ctx, pid)
	if ans["flow"]["use"].Value != "no" || ans["flow"]["use"].UpdatedBy != "eddie" {
		t.Errorf("after replacement: %+v", ans["flow"]["use"])
	}
}

func TestServersPasteNamesBadLinesAndKeepsText(t *testing.T) {
	env := newEnv(t, nil)
	owner := env.mustUser("olivia", false)
	pid := env.project(owner)
	c := env.signIn("olivia")
	path := fmt.Sprintf("/p/%d/servers", pid)
	tok := c.token(path)

	// The page: a box of twenty lines whose hint names every operating
	// system a line may give and what each means.
	_, body := c.get(path)
	d := doc(t, body)
	box := d.Find(`form[data-testid="paste-form"] textarea#list`)
	if rows, _ := box.Attr("rows"); rows != "20" {
		t.Errorf("the paste box has %q rows, want 20", rows)
	}
	if action, _ := d.Find(`form[data-testid="paste-form"]`).Attr("action"); action != path {
		t.Errorf("the paste form posts to %q, want the page's own address %s", action, path)
	}
	hint := d.Find("#list-hint").Text()
	for _, want := range []string{"win2000 (Windows 2000 Server SP4)", "win2003 (Windows Server 2003)", "later (Windows Server 2008 or later)", "exchange-be (Exchange back-end)"} {
		if !strings.Contains(hint, want) {
			t.Errorf("the hint does not name %q: %s", want, hint)
		}
	}

	text := "EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be\nOWAFE01 owafe01 10.0.2.10 win2000 owa-fe\n" +
		"# a comment\nCA01 ca01.corp.example.com 10.0.0.5 win2012 ca\nDC01 dc01.corp.example.com\n"
	resp, body := c.post(path, url.Values{"csrf_token": {tok}, "add": {"list"}, "list": {text}})
	d = doc(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("paste with bad lines: %d, want 422 on the page's own address", resp.StatusCode)
	}
	// One entry a wrong line in the summary, each linking to that line's
	// message beside the box.
	want := []struct{ href, text string }{
		{"#list-line-2", "Line 2: Fully qualified domain name: Enter the full name"},
		{"#list-line-4", "Line 4: "},
		{"#list-line-5", "Line 5: expected 5 parts"},
	}
	links := d.Find(`.error-summary li a`)
	if links.Length() != len(want) {
		t.Fatalf("the summary has %d entries, want %d: %q", links.Length(), len(want), d.Find(".error-summary").Text())
	}
	for i, w := range want {
		a := links.Eq(i)
		if href, _ := a.Attr("href"); href != w.href || !strings.HasPrefix(a.Text(), w.text) {
			t.Errorf("summary entry %d: %q to %q, want %q… to %s", i+1, a.Text(), href, w.text, w.href)
		}
		if line := d.Find(`[data-testid="list-errors"] li` + w.href); line.Length() != 1 || line.Text() != a.Text() {
			t.Errorf("no message %s beside the box saying %q", w.href, a.Text())
		}
	}
	if got := d.Find("textarea#list").Text(); got != text {
		t.Errorf("pasted text not kept: %q", got)
	}
	if by, _ := d.Find("textarea#list").Attr("aria-describedby"); by != "list-hint list-error" {
		t.Errorf("the box is described by %q", by)
	}
	if srvs, _ := env.st.Servers(context.Background(), pid); len(srvs) != 0 {
		t.Errorf("servers added despite a bad line: %d", len(srvs))
	}
	// A list that is all right is added.
	resp, _ = c.post(path, url.Values{"csrf_token": {tok}, "add": {"list"}, "list": {"EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != path {
		t.Errorf("good list: %d to %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	// A message about the whole list links to the box itself.
	resp, body = c.post(path, url.Values{"csrf_token": {tok}, "add": {"list"}, "list": {"\n"}})
	if href, _ := doc(t, body).Find(`.error-summary li a`).Attr("href"); resp.StatusCode != http.StatusUnprocessableEntity || href != "#list" {
		t.Errorf("empty list: %d, summary links to %q, want #list", resp.StatusCode, href)
	}
	// A duplicate address of a single server is refused with its field.
	resp, body = c.post(path, url.Values{"csrf_token": {tok}, "name": {"exbe02"}, "fqdn": {"exbe02.corp.example.com"}, "addrs": {"10.0.1.10"}, "os": {"win2003"}, "roles": {"exchange-be"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc(t, body).Find("#addrs-error").Text(), "EXBE01 already has the address 10.0.1.10") {
		t.Errorf("duplicate address: %d", resp.StatusCode)
	}
}

func TestHistoryFilters(t *testing.T) {
	env := newEnv(t, []*steps.Step{flowStep})
	owner := env.mustUser("olivia", false)
	pid := env.project(owner)
	ctx := context.Background()
	ed := env.mustUser("eddie", false)
	env.st.SetMember(ctx, owner.ID, pid, ed.ID, store.RoleEditor)
	srvs, _ := steps.ParseServerList("EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be\nEXBE02 exbe02.corp.example.com 10.0.1.11 win2000 exchange-be", steps.Topology{})
	env.st.AddServers(ctx, owner.ID, pid, srvs)
	env.st.SaveAnswers(ctx, ed.ID, pid, "flow", []store.AnswerChange{{Question: "servers", Value: "EXBE02"}})
	env.st.SaveAnswers(ctx, owner.ID, pid, "flow", []store.AnswerChange{{Question: "use", Value: "yes"}})
	c := env.signIn("olivia")
	rows := func(q string) string {
		_, body := c.get(fmt.Sprintf("/p/%d/history%s", pid, q))
		return doc(t, body).Find("[data-testid=history] tbody").Text()
	}
	all := rows("")
	for _, want := range []string{"add server EXBE01", "answer flow/servers", "answer flow/use", "create project"} {
		if !strings.Contains(all, want) {
			t.Errorf("full history lacks %q", want)
		}
	}
	if got := rows("?member=eddie"); !strings.Contains(got, "flow/servers") || strings.Contains(got, "flow/use") || strings.Contains(got, "add server") {
		t.Errorf("member filter: %q", got)
	}
	if got := rows("?procedure=flow"); !strings.Contains(got, "flow/use") || strings.Contains(got, "add server") {
		t.Errorf("procedure filter: %q", got)
	}
	if got := rows("?server=EXBE02"); !strings.Contains(got, "add server EXBE02") || !strings.Contains(got, "flow/servers") || strings.Contains(got, "EXBE01") || strings.Contains(got, "flow/use") {
		t.Errorf("server filter: %q", got)
	}
}
