package web

import (
	"archive/zip"
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
)

// teamProject is a project with flowStep completed for two back-ends and an
// approver member.
func teamProject(t *testing.T) (*testEnv, int64) {
	env := newEnv(t, []*steps.Step{flowStep})
	owner := env.mustUser("olivia", false)
	pid := env.project(owner)
	ctx := context.Background()
	ap := env.mustUser("april", false)
	env.st.SetMember(ctx, owner.ID, pid, ap.ID, store.RoleApprover)
	srvs, _ := steps.ParseServerList("EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be\nEXBE02 exbe02.corp.example.com 10.0.1.11 win2000 exchange-be", steps.Topology{})
	env.st.AddServers(ctx, owner.ID, pid, srvs)
	env.st.SaveAnswers(ctx, owner.ID, pid, "flow", []store.AnswerChange{{Question: "use", Value: "yes"}, {Question: "host", Value: "mail.example.com"}, {Question: "servers", Value: "EXBE01\nEXBE02"}})
	env.st.SetStepComplete(ctx, owner.ID, pid, "flow", true)
	return env, pid
}

func TestSignoffNeedsPasswordAndGoesOutOfDate(t *testing.T) {
	env, pid := teamProject(t)
	c := env.signIn("april")
	path := fmt.Sprintf("/p/%d/signoff", pid)
	_, body := c.get(path)
	d := doc(t, body)
	digest := d.Find("input[name=digest]").AttrOr("value", "")
	rev := d.Find("input[name=revision]").AttrOr("value", "")
	tok := d.Find("input[name=csrf_token]").AttrOr("value", "")
	if digest == "" {
		t.Fatalf("no sign-off form:\n%s", body)
	}
	resp, body := c.post(path, url.Values{"csrf_token": {tok}, "digest": {digest}, "revision": {rev}, "password": {"wrong password here"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "password is not right") {
		t.Fatalf("wrong password: %d", resp.StatusCode)
	}
	if sos, _ := env.st.Signoffs(context.Background(), pid); len(sos) != 0 {
		t.Fatal("signed with a wrong password")
	}
	resp, _ = c.post(path, url.Values{"csrf_token": {tok}, "digest": {digest}, "revision": {rev}, "password": {"correct horse staple april"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-off: %d", resp.StatusCode)
	}
	sos, _ := env.st.Signoffs(context.Background(), pid)
	if len(sos) != 1 || sos[0].Digest != digest || sos[0].By != "april" {
		t.Fatalf("sign-offs: %+v", sos)
	}
	_, body = c.get(path)
	if !strings.Contains(doc(t, body).Find("[data-testid=signoff-status]").Text(), "covers the current revision") {
		t.Error("fresh sign-off not shown as current")
	}
	// A change afterwards: out of date, and the change is listed per server.
	env.st.SaveAnswers(context.Background(), 1, pid, "flow", []store.AnswerChange{{Question: "servers", Value: "EXBE01", Version: 1}})
	_, body = c.get(path)
	d = doc(t, body)
	if !strings.Contains(d.Find("[data-testid=signoff-status]").Text(), "Out of date") {
		t.Error("sign-off not out of date after a change")
	}
	changes := d.Find("[data-testid=signoff-changes]").Text()
	if !strings.Contains(changes, "servers: “EXBE01, EXBE02” → “EXBE01”") || !strings.Contains(changes, "Removed step: Configure EXBE02") {
		t.Errorf("changes since sign-off: %q", changes)
	}
	// An editor cannot sign.
	eddie := env.mustUser("eddie", false)
	env.st.SetMember(context.Background(), 1, pid, eddie.ID, store.RoleEditor)
	e := env.signIn("eddie")
	resp, _ = e.post(path, url.Values{"csrf_token": {e.token(path)}, "password": {"correct horse staple eddie"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("editor signing: %d", resp.StatusCode)
	}
}

func TestAsExecutedRecord(t *testing.T) {
	env, pid := teamProject(t)
	c := env.signIn("olivia")
	path := fmt.Sprintf("/p/%d/execute", pid)
	tok := c.token(path)
	key1, key2 := "flow/do-EXBE01@EXBE01", "flow/do-EXBE02@EXBE02"
	id1 := formID(key1)
	mark := func(key, status, note string) (*http.Response, string) {
		id := formID(key)
		return c.upload(path, tok, "", nil, map[string]string{"action": key, id + "-status": status, id + "-note": note})
	}
	resp, body := mark(key1, "skipped", "")
	if resp.StatusCode != http.StatusUnprocessableEntity || doc(t, body).Find(fmt.Sprintf(`.error-summary a[href="#%s-note"]`, id1)).Length() != 1 {
		t.Fatalf("skip without a reason: %d", resp.StatusCode)
	}
	resp, _ = c.upload(path, tok, "out.txt", []byte("policy assigned\r\n"), map[string]string{"action": key1, id1 + "-status": "done", id1 + "-output": "OK"})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark done: %d", resp.StatusCode)
	}
	// Completing with a step unmarked is refused; partial needs a note.
	resp, body = c.post(fmt.Sprintf("/p/%d/close", pid), url.Values{"csrf_token": {tok}, "outcome": {"completed"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "1 steps are not marked") {
		t.Fatalf("completing with an unmarked step: %d", resp.StatusCode)
	}
	resp, _ = c.post(fmt.Sprintf("/p/%d/close", pid), url.Values{"csrf_token": {tok}, "outcome": {"partial"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("partial without a note: %d", resp.StatusCode)
	}
	if resp, _ := mark(key2, "failed", "Access denied on EXBE02"); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("mark failed: %d", resp.StatusCode)
	}
	resp, _ = c.post(fmt.Sprintf("/p/%d/close", pid), url.Values{"csrf_token": {tok}, "outcome": {"completed"}, "closure-note": {"All steps marked"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("close: %d", resp.StatusCode)
	}
	_, body = c.get(path)
	d := doc(t, body)
	if got := d.Find("[data-testid=exec-status]").Text(); got != "DoneFailed" {
		t.Errorf("statuses = %q", got)
	}
	if !strings.Contains(d.Find("[data-testid=closure]").Text(), "Completed by olivia") {
		t.Errorf("closure: %q", d.Find("[data-testid=closure]").Text())
	}
	// The evidence downloads as an attachment with its bytes.
	href, _ := d.Find(`a[href*="/evidence/"]`).Attr("href")
	resp, body = c.get(href)
	if resp.StatusCode != http.StatusOK || body != "policy assigned\r\n" || !strings.HasPrefix(resp.Header.Get("Content-Disposition"), "attachment") {
		t.Errorf("evidence: %d %q", resp.StatusCode, body)
	}
	// The server's history shows its marks and not the other server's.
	recs, _ := env.st.Servers(context.Background(), pid)
	_, body = c.get(fmt.Sprintf("/p/%d/servers/%d/history", pid, recs[1].ID))
	h := doc(t, body).Find("[data-testid=history]").Text()
	if !strings.Contains(h, "Access denied on EXBE02") || strings.Contains(h, "do-EXBE01") {
		t.Errorf("EXBE02 history: %q", h)
	}
}

func TestServerConflictShowsTheirVersion(t *testing.T) {
	env, pid := teamProject(t)
	ed := env.mustUser("eddie", false)
	env.st.SetMember(context.Background(), 1, pid, ed.ID, store.RoleEditor)
	a, b := env.signIn("olivia"), env.signIn("eddie")
	recs, _ := env.st.Servers(context.Background(), pid)
	path := fmt.Sprintf("/p/%d/servers/%d", pid, recs[0].ID)
	tokA, tokB := a.token(path), b.token(path)
	form := func(tok, addr string) url.Values {
		return url.Values{"csrf_token": {tok}, "version": {fmt.Sprint(recs[0].Version)}, "name": {"EXBE01"}, "fqdn": {"exbe01.corp.example.com"},
			"addrs": {addr}, "os": {"win2000"}, "roles": {"exchange-be"}}
	}
	if resp, _ := a.post(path, form(tokA, "10.0.1.20")); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d", resp.StatusCode)
	}
	resp, body := b.post(path, form(tokB, "10.0.1.30"))
	d := doc(t, body)
	msg := d.Find("#name-error").Text()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "olivia changed this server") || !strings.Contains(msg, "10.0.1.20") {
		t.Fatalf("conflict: %d %q", resp.StatusCode, msg)
	}
	if d.Find("#addrs").AttrOr("value", "") != "10.0.1.30" {
		t.Error("the second editor's typing was not kept")
	}
	recs2, _ := env.st.Servers(context.Background(), pid)
	if recs2[0].Server.Addrs[0].String() != "10.0.1.20" {
		t.Error("the first save was overwritten")
	}
	v := d.Find("input[name=version]").First().AttrOr("value", "")
	f := form(tokB, "10.0.1.30")
	f.Set("version", v)
	if resp, _ := b.post(path, f); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("deliberate replacement: %d", resp.StatusCode)
	}
}

// TestFactsConflictShowsTheirValues checks that a save of the facts that
// another member's save overtook names, on each field that differs, who
// saved what, keeps the typing, refuses to overwrite until saved again,
// and goes through at once when both saved the same values.
func TestFactsConflictShowsTheirValues(t *testing.T) {
	env, pid := teamProject(t)
	ed := env.mustUser("eddie", false)
	env.st.SetMember(context.Background(), 1, pid, ed.ID, store.RoleEditor)
	a, b := env.signIn("olivia"), env.signIn("eddie")
	path := fmt.Sprintf("/p/%d/facts", pid)
	tokA, tokB := a.token(path), b.token(path)
	_, body := a.get(path)
	opened := doc(t, body).Find("input[name=version]").First().AttrOr("value", "")
	form := func(tok, owaHost, version string) url.Values {
		return url.Values{"csrf_token": {tok}, "version": {version}, "ad-domain": {"corp.example.com"}, "public-domain": {"example.com"},
			"owa-host": {owaHost}, "owa-path": {"/exchange"}, "mx-host": {"smtp.example.com"}, "pop3imap4": {"no"}}
	}
	if resp, body := a.post(path, form(tokA, "mail.example.com", opened)); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("first save: %d %s", resp.StatusCode, doc(t, body).Find(".error-message").Text())
	}
	resp, body := b.post(path, form(tokB, "webmail.example.com", opened))
	d := doc(t, body)
	msg := d.Find("#owa-host-error").Text()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(msg, "olivia saved it as mail.example.com") {
		t.Fatalf("conflict: %d %q", resp.StatusCode, msg)
	}
	if d.Find("#ad-domain-error").Length() != 0 {
		t.Error("a field both saved alike is marked as a conflict")
	}
	if d.Find("#owa-host").AttrOr("value", "") != "webmail.example.com" {
		t.Error("the second editor's typing was not kept")
	}
	p, _ := env.st.Project(context.Background(), pid)
	if p.Facts.OWAHost != "mail.example.com" {
		t.Error("the first save was overwritten")
	}
	v := d.Find("input[name=version]").First().AttrOr("value", "")
	if resp, _ := b.post(path, form(tokB, "webmail.example.com", v)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("deliberate replacement: %d", resp.StatusCode)
	}
	// Saving what is already saved, from an old form, is no conflict.
	if resp, _ := a.post(path, form(tokA, "webmail.example.com", opened)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("same values from an old form: %d", resp.StatusCode)
	}
}

func TestPrintedRunbookShowsTheRecord(t *testing.T) {
	env, pid := teamProject(t)
	ctx := context.Background()
	env.st.MarkStep(ctx, 1, pid, store.Execution{Action: "flow/do-EXBE01@EXBE01", Status: "skipped", Note: "Done last week"})
	env.st.MarkStep(ctx, 1, pid, store.Execution{Action: "flow/do-EXBE02@EXBE02", Status: "failed", Note: "Access denied"})
	env.st.CloseChange(ctx, 1, pid, store.Closure{Outcome: "partial", Note: "EXBE02 next week"})
	c := env.signIn("olivia")
	_, body := c.get(fmt.Sprintf("/p/%d/runbook/document", pid))
	text := doc(t, body).Find("main").Text()
	for _, want := range []string{"As recorded in the wizard", "Partly completed, recorded by olivia", "EXBE02 next week", "Skipped", "Done last week", "Failed", "Access denied"} {
		if !strings.Contains(text, want) {
			t.Errorf("printed runbook lacks %q", want)
		}
	}
	// The bundles' runbook stays the plan as approved.
	resp, zipBody := c.get(fmt.Sprintf("/p/%d/bundles/change.zip", pid))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("change bundle: %d", resp.StatusCode)
	}
	zr, err := zip.NewReader(strings.NewReader(zipBody), int64(len(zipBody)))
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, f := range zr.File {
		if f.Name != "runbook.html" {
			continue
		}
		found = true
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		if strings.Contains(string(b), "Access denied") || !strings.Contains(string(b), "Configure EXBE02") {
			t.Error("the bundles' runbook carries the change window's record, or lacks the plan")
		}
	}
	if !found {
		t.Error("no runbook.html in the change bundle")
	}
}
