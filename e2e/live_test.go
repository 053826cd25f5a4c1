package e2e

// The live walkthrough: two members in two browsers at once. Ada changes
// an answer and Bob's check-answers page shows it without a reload; Bob
// types into a question page and is told the page changed instead of
// losing what he typed; Bob follows Ada through three pages and stops
// following; axe checks a page with the presence panel.

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

const (
	memberName     = "bob"
	memberPassword = "another horse battery staple 7"
	liveWait       = 10 * time.Second // for an update to reach the other browser
)

func TestLiveWalkthrough(t *testing.T) {
	start := time.Now()
	w := startWizard(t)
	browser := newBrowser(t, true)
	ada := &journey{t: t, ctx: browser, w: w, checked: map[string]bool{}}
	ada.liveSetUp()
	bob := &journey{t: t, ctx: newPrivateTab(t, browser), w: w, project: ada.project, checked: map[string]bool{}}
	bob.signIn(memberName, memberPassword)

	proc := ada.stepHref(procRPC)
	usersRow := "Roughly how many Outlook users are there?"

	// 1. Bob reads the check-answers page; Ada answers a question; Bob's
	// page shows her answer without being loaded again.
	visit(t, bob.ctx, w.URL(proc+"/check"), http.StatusOK)
	bob.markPage()
	if v := bob.answerRow(usersRow); !strings.Contains(v, "Not provided") {
		t.Fatalf("before Ada answers, Bob's check page shows %q for %q", v, usersRow)
	}
	bob.waitFor("both members in Bob's presence panel", `
		const rows = [...document.querySelectorAll('[data-testid="presence"] [data-testid="present-member"]')];
		return rows.length === 2 && rows[0].textContent.includes("bob (you)") && rows[1].textContent.includes("ada");`)
	bob.axe("check answers with the presence panel")

	visit(t, ada.ctx, w.URL(proc+"/users"), http.StatusOK)
	ada.fill("#users", "250")
	ada.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK, "")
	bob.waitFor("Ada's answer on Bob's check page", `
		const row = [...document.querySelectorAll('[data-testid="answers"] > div')].find(d => d.querySelector("dt").textContent.includes(`+jsq(usersRow)+`));
		return !!row && row.querySelector("dd").textContent.includes("250") && row.textContent.includes("Last changed by ada");`)
	if !bob.pageMarked() {
		t.Errorf("Bob's page was loaded again; it should have been updated in place")
	}

	// 2. Bob starts typing on the question page; Ada saves the same
	// question. Bob's page says it changed and keeps what he typed.
	visit(t, bob.ctx, w.URL(proc+"/users"), http.StatusOK)
	if v := bob.value("#users"); v != "250" {
		t.Errorf("Bob's question page shows %q, want Ada's 250", v)
	}
	bob.fill("#users", "300")
	visit(t, ada.ctx, w.URL(proc+"/users"), http.StatusOK)
	ada.fill("#users", "260")
	ada.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK, "")
	bob.waitFor("the note that the page changed", `return !!document.querySelector('[data-testid="live-changed"]');`)
	if txt := bob.text(`[data-testid="live-changed"]`); txt != "This page changed; reload to see it." {
		t.Errorf("the note says %q", txt)
	}
	if v := bob.value("#users"); v != "300" {
		t.Errorf("Bob's typing was replaced: #users holds %q, want 300", v)
	}

	// 3. Bob follows Ada from the task list through three pages, then
	// stops following.
	visit(t, bob.ctx, w.URL(ada.project), http.StatusOK)
	adaPage := ada.path()
	bob.waitFor("Ada's Follow link on Bob's task list", `
		const a = document.querySelector('[data-testid="presence"] [data-testid="follow"]');
		return !!a && a.getAttribute("href") === `+jsq(adaPage)+`;`)
	clickAndWait(t, bob.ctx, `[data-testid="presence"] [data-testid="follow"]`)
	bob.waitAt(adaPage)
	for _, p := range []string{ada.project + "/servers", proc + "/versions", ada.project + "/ticket"} {
		visit(t, ada.ctx, w.URL(p), http.StatusOK)
		bob.waitAt(p)
	}
	bob.waitFor("Stop following beside Ada", `return !!document.querySelector('[data-testid="stop-following"]');`)
	bob.axe("following")
	bob.click(`[data-testid="stop-following"]`)
	if bob.exists(`[data-testid="stop-following"]`) || !bob.exists(`[data-testid="presence"] [data-testid="follow"]`) {
		t.Errorf("after Stop following the panel still shows it, or has no Follow link")
	}
	visit(t, ada.ctx, w.URL(ada.project+"/members"), http.StatusOK)
	time.Sleep(time.Second)
	if p := bob.path(); p != ada.project+"/ticket" {
		t.Errorf("after Stop following Bob moved to %s with Ada", p)
	}
	t.Logf("live walkthrough in %v", time.Since(start).Round(time.Millisecond))
}

// newPrivateTab opens a tab in its own browser context of the same
// Chromium: its own cookies, so a second member can sign in.
func newPrivateTab(t *testing.T, browser context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(browser, chromedp.WithNewBrowserContext())
	t.Cleanup(cancel)
	if err := chromedp.Do(ctx, chromedp.Navigate("about:blank")); err != nil {
		t.Fatalf("opening a second browser context: %v", err)
	}
	return trackDocuments(ctx)
}

// liveSetUp creates the administrator Ada, a project with its facts and an
// Exchange back-end, and the account of Bob, an editor of the project.
func (j *journey) liveSetUp() {
	t := j.t
	visit(t, j.ctx, j.w.SetupURL(), http.StatusOK)
	j.fill("#username", adminName)
	j.fill("#password", adminPassword)
	j.fill("#confirm", adminPassword)
	j.submit(`[data-testid="create-admin"]`, http.StatusOK, "/")

	j.fill("#name", "Contoso review meeting")
	j.submit(`[data-testid="create-project"]`, http.StatusOK, "")
	j.project = j.path()

	visit(t, j.ctx, j.w.URL(j.project+"/facts"), http.StatusOK)
	for _, f := range organisation {
		j.fill("#"+f.id, f.value)
	}
	j.click(`input[name="pop3imap4"][value="no"]`)
	j.submit(`[data-testid="save-facts"]`, http.StatusOK, j.project)

	visit(t, j.ctx, j.w.URL(j.project+"/servers"), http.StatusOK)
	j.fill("#list", "EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be")
	j.submit(`[data-testid="add-list"]`, http.StatusOK, j.project+"/servers")

	visit(t, j.ctx, j.w.URL("/accounts"), http.StatusOK)
	j.fill("#username", memberName)
	j.fill("#password", memberPassword)
	j.submit(`form[action="/accounts"] button[type="submit"]`, http.StatusOK, "/accounts")

	visit(t, j.ctx, j.w.URL(j.project+"/members"), http.StatusOK)
	j.fill("#username", memberName)
	j.click(`input[name="role"][value="editor"]`)
	j.submit(`form[action$="/members"] button[type="submit"]`, http.StatusOK, j.project+"/members")
	if !strings.Contains(j.text(`[data-testid="member-list"]`), memberName) {
		t.Fatalf("%s is not on the member list: %s", memberName, j.text(`[data-testid="member-list"]`))
	}
}

func (j *journey) signIn(name, password string) {
	visit(j.t, j.ctx, j.w.URL("/login"), http.StatusOK)
	j.fill("#username", name)
	j.fill("#password", password)
	j.submit(`[data-testid="sign-in"]`, http.StatusOK, "")
	if u := j.text(`[data-testid="signed-in-user"]`); u != name {
		j.t.Fatalf("signed in as %q, want %q", u, name)
	}
}

// markPage sets a mark on the current document, which a reload would lose.
func (j *journey) markPage() {
	j.t.Helper()
	eval[bool](j, `window.liveTestMark = true; return true;`)
}

func (j *journey) pageMarked() bool {
	j.t.Helper()
	return eval[bool](j, `return window.liveTestMark === true;`)
}

// answerRow returns the text of the check-answers row whose question
// includes key.
func (j *journey) answerRow(key string) string {
	j.t.Helper()
	return eval[string](j, `
		const row = [...document.querySelectorAll('[data-testid="answers"] > div')].find(d => d.querySelector("dt").textContent.includes(`+jsq(key)+`));
		return row ? row.textContent.replace(/\s+/g, " ").trim() : "";`)
}

// waitFor polls body, the body of a function returning a boolean, until it
// returns true. A page being replaced meanwhile is not an error.
func (j *journey) waitFor(what, body string) {
	j.t.Helper()
	deadline := time.Now().Add(liveWait)
	var err error
	for time.Now().Before(deadline) {
		var ok bool
		ctx, cancel := context.WithTimeout(j.ctx, time.Second)
		ok, err = chromedp.Run(ctx, chromedp.Evaluate[bool](`(() => { `+body+` })()`))
		cancel()
		if err == nil && ok {
			return
		}
		time.Sleep(50 * time.Millisecond)
	}
	loc, _ := chromedp.Run(j.ctx, chromedp.Location())
	j.t.Fatalf("waited %v for %s at %s (last error %v)", liveWait, what, loc, err)
}

// waitAt waits until the tab has loaded path (with its query).
func (j *journey) waitAt(path string) {
	j.t.Helper()
	j.waitFor(fmt.Sprintf("the page %s", path), `
		return location.pathname + location.search === `+jsq(path)+` && !!document.querySelector('[data-testid="page-ready"]');`)
}
