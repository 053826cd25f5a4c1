package e2e

// A form sent from a page that is no longer valid is never carried out and
// never lost: the check-answers page of a procedure comes back with the
// reason typed for its warning and the choice made, once when the page is
// older than the user's latest sign-in, and once when the session ended
// while the page was open and the user signs in again.

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
)

func TestStaleFormsComeBack(t *testing.T) {
	w := startWizard(t)
	ctx := newBrowser(t, true)
	j := &journey{t: t, ctx: ctx, w: w, checked: map[string]bool{}, scripts: true}
	j.setUp()
	j.createProject("Stale forms")
	j.describeOrganisation()
	visit(t, ctx, w.URL(j.project+"/servers"), http.StatusOK)
	j.fill("#list", goodServers)
	j.submit(`[data-testid="add-list"]`, http.StatusOK, j.project+"/servers")
	j.answerQuestions(procRPC)
	check := j.stepHref(procRPC) + "/check"
	if p := j.path(); p != check {
		t.Fatalf("after the questions: at %s, want %s", p, check)
	}

	// 1. Signed in again in another tab while the page was open.
	reason := "Accepted for the pilot: the helpdesk ticks the box by hand."
	j.typeCheckAnswers(reason)
	other, cancel := chromedp.NewContext(ctx) // a second tab, same cookies
	defer cancel()
	tab := &journey{t: t, ctx: other, w: w, checked: j.checked, project: j.project}
	front(t, other)
	visit(t, other, w.URL(j.project), http.StatusOK)
	tab.submit(`[data-testid="sign-out"]`, http.StatusOK, "/login")
	tab.fill("#username", adminName)
	tab.fill("#password", adminPassword)
	tab.submit(`[data-testid="sign-in"]`, http.StatusOK, "")
	front(t, ctx)

	j.submit(`form[action$="/check"] [data-testid="continue"]`, http.StatusOK, check)
	j.expectCheckAnswersBack(reason, "Nothing was saved, because this page was opened before you last signed in: check what you typed below and send it again.")
	j.axe("check answers sent back")
	visit(t, ctx, w.URL(j.project), http.StatusOK)
	if s := j.taskStatus(j.stepHref(procRPC)); s == "Completed" {
		t.Errorf("the procedure was completed by a form with a stale token")
	}

	// 2. The session ends while the page is open. The server restarts with
	// sessions that end after a few seconds without use, on the same data.
	const idle = 5 * time.Second
	w.args = append(w.args, "-session-idle", idle.String())
	w.Restart(t)
	visit(t, ctx, w.URL(check), http.StatusOK)
	if !strings.HasPrefix(j.path(), "/login") {
		// The sign-in in the other tab is still fresh: start again.
		j.submit(`[data-testid="sign-out"]`, http.StatusOK, "/login")
		visit(t, ctx, w.URL("/login?next="+url.QueryEscape(check)), http.StatusOK)
	}
	j.fill("#username", adminName)
	j.fill("#password", adminPassword)
	signedIn := time.Now()
	j.submit(`[data-testid="sign-in"]`, http.StatusOK, check)
	reason = "Accepted for the pilot group of twenty users."
	j.typeCheckAnswers(reason)
	time.Sleep(time.Until(signedIn.Add(idle + time.Second)))

	j.submit(`form[action$="/check"] [data-testid="continue"]`, http.StatusOK, "/login?next="+url.QueryEscape(check))
	if got, want := j.text(`[data-testid="notice"]`), "You had been signed out, so the form you sent was not saved: sign in again and it comes back with everything you typed."; got != want {
		t.Errorf("the sign-in page says %q, want %q", got, want)
	}
	j.axe("sign in after the session ended")
	j.fill("#username", adminName)
	j.fill("#password", adminPassword)
	j.submit(`[data-testid="sign-in"]`, http.StatusOK, check)
	j.expectCheckAnswersBack(reason, "Nothing was saved, because you had been signed out: check what you typed below and send it again.")

	// Sent again, deliberately, it is carried out.
	j.submit(`form[action$="/check"] [data-testid="continue"]`, http.StatusOK, j.project)
	if s := j.taskStatus(j.stepHref(procRPC)); s != "Completed" {
		t.Errorf("after sending the form again the procedure is %q, want Completed", s)
	}
}

// front brings the tab of ctx to the front: a tab behind another is not
// laid out, so its buttons cannot be clicked.
func front(t *testing.T, ctx context.Context) {
	t.Helper()
	if _, err := chromedp.Call(ctx, page.BringToFront, cdp.Empty{}); err != nil {
		t.Fatalf("bringing a tab to the front: %v", err)
	}
}

// typeCheckAnswers types reason for every warning of the check-answers
// page and chooses to complete the procedure.
func (j *journey) typeCheckAnswers(reason string) {
	j.t.Helper()
	ids := eval[[]string](j, `return [...document.querySelectorAll('textarea[id^="ack-"]')].map(e => e.id);`)
	if len(ids) == 0 {
		j.t.Fatalf("the check-answers page has no warning to give a reason for")
	}
	for _, id := range ids {
		j.fill("#"+id, reason)
	}
	j.click("#complete")
}

// expectCheckAnswersBack checks the check-answers page shows notice, the
// reason typed for every warning and the choice to complete.
func (j *journey) expectCheckAnswersBack(reason, notice string) {
	j.t.Helper()
	if got := j.text(`main [data-testid="notice"]`); got != notice {
		j.t.Errorf("the page says %q, want %q", got, notice)
	}
	got := eval[[]string](j, `return [...document.querySelectorAll('textarea[id^="ack-"]')].map(e => e.value);`)
	if len(got) == 0 {
		j.t.Fatalf("no reasons on the page sent back")
	}
	for _, v := range got {
		if v != reason {
			j.t.Errorf("a reason reads %q, want %q as typed", v, reason)
		}
	}
	if !eval[bool](j, `return document.getElementById("complete").checked;`) {
		j.t.Errorf("the choice to complete the procedure is not shown as made")
	}
}
