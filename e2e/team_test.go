package e2e

// The team at work on one change: Ada, the administrator and owner, sets up
// a project and completes the Outlook procedure; Bob is made an approver.
// Both open one question page and save different answers: the second save
// gets the conflict page, with Ada's answer and name and Bob's own answer
// kept. Bob signs off with his password; Ada changes an answer and the
// sign-off page shows it is out of date, with the change. Then the change
// window: one step skipped, one failed, the rest done, and the change
// closed as partly completed; the runbook shows the marks and the closure.

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
	teamQuestion  = "users" // the question both members save, on the page of that id
	adaUsers      = "300"
	bobUsers      = "320"
	adaUsersLater = "400"
	skipReason    = "The pilot group's clients are already configured by hand."
	failNote      = "The service did not restart within five minutes; left stopped and reported."
	closureNote   = "One step skipped, one failed: the failed step is to be repeated in the next window."
)

func TestTeamSignoffConflictAndChangeWindow(t *testing.T) {
	start := time.Now()
	w := startWizard(t)
	browser := newBrowser(t, true)
	// errorShown: the empty-page error is the walkthrough's to check.
	ada := &journey{t: t, ctx: browser, w: w, checked: map[string]bool{}, errorShown: true}
	ada.liveSetUp()
	makeApprover(ada, memberName)
	ada.answerProcedure(procRPC)
	bob := &journey{t: t, ctx: newPrivateTab(t, browser), w: w, project: ada.project, checked: map[string]bool{}}
	bob.signIn(memberName, memberPassword)
	setupTime := time.Since(start)

	teamConflict(ada, bob)
	teamSignoff(ada, bob)
	marks := teamChangeWindow(ada)
	teamRecord(ada, marks)

	t.Logf("team sign-off, conflict and change window: %d steps marked; %v in all, %v of it setting up the project",
		len(marks), time.Since(start).Round(time.Millisecond), setupTime.Round(time.Millisecond))
}

// makeApprover changes the role of the member name to approver on the
// project's Members page.
func makeApprover(j *journey, name string) {
	t := j.t
	href := j.project + "/members"
	visit(t, j.ctx, j.w.URL(href), http.StatusOK)
	j.fill("#username", name)
	j.click(`input[name="role"][value="approver"]`)
	j.submit(`form[action$="/members"] button[type="submit"]`, http.StatusOK, href)
	row := eval[string](j, `
		const row = [...document.querySelectorAll('[data-testid="member-list"] tbody tr')].find(r => r.cells[0].textContent.trim() === `+jsq(name)+`);
		return row ? row.cells[1].textContent.trim() : "";`)
	if !strings.EqualFold(row, "approver") {
		t.Fatalf("%s's role on the member list is %q, want approver", name, row)
	}
}

// teamConflict: both members open one question page; Ada saves, then Bob
// saves another value and gets the conflict page.
func teamConflict(ada, bob *journey) {
	t := ada.t
	page := ada.stepHref(procRPC) + "/" + teamQuestion
	field := "#" + teamQuestion
	continueButton := `form[data-testid="question-form"] [data-testid="continue"]`
	visit(t, ada.ctx, ada.w.URL(page), http.StatusOK)
	visit(t, bob.ctx, bob.w.URL(page), http.StatusOK)

	// Bob types first: with nothing typed, the page's live updates
	// would be free to show Ada's answer before he saves.
	bob.fill(field, bobUsers)
	ada.fill(field, adaUsers)
	ada.submit(continueButton, http.StatusOK, "")
	if p := ada.path(); p == page {
		t.Fatalf("Ada's save stayed on %s%s", page, ada.problems())
	}
	bob.waitFor("the note that the page changed", `return !!document.querySelector('[data-testid="live-changed"]');`)
	if v := bob.value(field); v != bobUsers {
		t.Fatalf("Bob's typing was replaced: %s holds %q, want %q", field, v, bobUsers)
	}
	bob.submit(continueButton, http.StatusConflict, page)
	bob.expectError(teamQuestion)
	msg := bob.text(field + "-error")
	want := fmt.Sprintf("%s changed this answer to “%s” at ", adminName, adaUsers)
	if !strings.Contains(msg, want) {
		t.Errorf("the conflict message next to %s is %q; want it to contain %q", field, msg, want)
	}
	if s := bob.text(`[data-testid="error-summary"]`); !strings.Contains(s, adminName) || !strings.Contains(s, adaUsers) {
		t.Errorf("the error summary does not name %s and the answer %s: %s", adminName, adaUsers, s)
	}
	if v := bob.value(field); v != bobUsers {
		t.Errorf("on the conflict page %s holds %q, want Bob's own %q", field, v, bobUsers)
	}
	bob.axe("conflict")

	// Saving an answer reopens the procedure; Ada completes it again.
	completeAgain(ada)
}

// completeAgain completes the Outlook procedure again from its
// check-answers page: a saved answer reopens a completed procedure, and
// only completed procedures go into the plan.
func completeAgain(j *journey) {
	t := j.t
	check := j.stepHref(procRPC) + "/check"
	if j.path() != check {
		visit(t, j.ctx, j.w.URL(check), http.StatusOK)
	}
	if s := j.text(`[data-testid="error-summary"]`); s != "" {
		t.Fatalf("the check-answers page shows problems: %s", s)
	}
	for _, id := range eval[[]string](j, `return [...document.querySelectorAll('textarea[id^="ack-"]')].filter(e => e.value.trim() === "").map(e => e.id);`) {
		j.fill("#"+id, "Accepted again after the answers changed.")
	}
	j.click("#complete")
	j.submit(`form[action$="/check"] [data-testid="continue"]`, http.StatusOK, j.project)
	if s := j.taskStatus(j.stepHref(procRPC)); s != "Completed" {
		t.Fatalf("the task list shows %q after completing %s again, want Completed", s, procRPC)
	}
}

// teamSignoff: Bob signs off with his password; Ada, editing, changes an
// answer; Bob's sign-off page says it is out of date and lists the change.
func teamSignoff(ada, bob *journey) {
	t := ada.t
	href := bob.project + "/signoff"
	visit(t, bob.ctx, bob.w.URL(href), http.StatusOK)
	if s := bob.text(`[data-testid="signoff-status"]`); s != "Nobody has signed off this project yet." {
		t.Errorf("before any sign-off the status says %q", s)
	}
	if !bob.exists(`[data-testid="sign-off"]`) {
		t.Fatalf("the approver %s has no Sign off button: %s", memberName, shorten(bob.text("main"), 1000))
	}
	bob.axe("sign-off")
	revision := bob.text(`[data-testid="signoff-current"] td`)

	bob.fill("#password", shortPassword)
	bob.submit(`[data-testid="sign-off"]`, http.StatusUnprocessableEntity, href)
	bob.expectError("password")
	if bob.exists(`[data-testid="signoff-list"]`) {
		t.Errorf("a wrong password signed off the project")
	}

	bob.fill("#password", memberPassword)
	bob.submit(`[data-testid="sign-off"]`, http.StatusOK, href)
	if s := bob.text(`[data-testid="signoff-status"]`); s != "The newest sign-off covers the current revision." {
		t.Errorf("after signing off the status says %q", s)
	}
	if f := bob.text(`[data-testid="flash"]`); f != "You signed off revision "+revision+"." {
		t.Errorf("after signing off the flash says %q, want revision %s", f, revision)
	}
	if by := bob.text(`[data-testid="signoff-list"] tbody tr td`); by != memberName {
		t.Errorf("the newest sign-off is by %q, want %s", by, memberName)
	}

	// Ada changes the answer from the check-answers page's Change link.
	change := ada.stepHref(procRPC) + "/" + teamQuestion + "?return=check"
	visit(t, ada.ctx, ada.w.URL(change), http.StatusOK)
	if v := ada.value("#" + teamQuestion); v != adaUsers {
		t.Errorf("the question page shows %q, want the saved %q", v, adaUsers)
	}
	ada.fill("#"+teamQuestion, adaUsersLater)
	ada.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK, ada.stepHref(procRPC)+"/check")
	completeAgain(ada)

	visit(t, bob.ctx, bob.w.URL(href), http.StatusOK)
	if s := bob.text(`[data-testid="signoff-status"]`); !strings.HasPrefix(s, "Out of date") {
		t.Errorf("after Ada's change the sign-off status says %q, want Out of date", s)
	}
	changes := eval[[]string](bob, `return [...document.querySelectorAll('[data-testid="signoff-changes"] li')].map(e => e.textContent.replace(/\s+/g, " ").trim());`)
	want := fmt.Sprintf("%s: “%s” → “%s”", teamQuestion, adaUsers, adaUsersLater)
	found := false
	for _, c := range changes {
		if strings.HasSuffix(c, want) {
			found = true
		}
	}
	if !found {
		t.Errorf("the changes since the sign-off do not list %q:\n%s", want, strings.Join(changes, "\n"))
	}
	if bob.text(`[data-testid="signoff-current"] td`) == revision {
		t.Errorf("the project is still at revision %s after Ada's change", revision)
	}
	bob.axe("sign-off (out of date)")
}

// execMark is the mark given to one plan step in the change window.
type execMark struct {
	Number string // as the execute page numbers it
	Title  string
	Status string // done, skipped or failed
	Note   string
}

// teamChangeWindow marks the first step skipped, the second failed and the
// rest done, then records the change as partly completed.
func teamChangeWindow(j *journey) []execMark {
	t := j.t
	href := j.project + "/execute"
	visit(t, j.ctx, j.w.URL(href), http.StatusOK)
	type step struct{ ID, Heading string }
	steps := eval[[]step](j, `return [...document.querySelectorAll('[data-testid="exec-step"]')].map(e => ({id: e.id, heading: e.querySelector("h3").textContent.replace(/\s+/g, " ").trim()}));`)
	if len(steps) < 3 {
		t.Fatalf("the execute page lists %d steps; the test needs at least 3", len(steps))
	}
	var marks []execMark
	for i, s := range steps {
		num, title, _ := strings.Cut(s.Heading, ". ")
		m := execMark{Number: num, Title: title, Status: "done"}
		switch i {
		case 0:
			m.Status, m.Note = "skipped", skipReason
		case 1:
			m.Status, m.Note = "failed", failNote
		}
		marks = append(marks, m)
		sel := "#" + s.ID
		if st := j.text(sel + ` [data-testid="exec-status"]`); st != "Not marked" {
			t.Errorf("step %s is %q before it is marked", s.Heading, st)
		}
		j.click(fmt.Sprintf(`%s input[name=%s][value=%s]`, sel, jsq(s.ID+"-status"), jsq(m.Status)))
		if m.Note != "" {
			j.fill(sel+"-note", m.Note)
		}
		j.submit(sel+` form[enctype="multipart/form-data"] button[type="submit"]`, http.StatusOK, "")
		if p := j.path(); p != href+"#"+s.ID {
			t.Fatalf("recording step %s led to %s%s", s.Heading, p, j.problems())
		}
		want := map[string]string{"done": "Done", "skipped": "Skipped", "failed": "Failed"}[m.Status]
		if st := j.text(sel + ` [data-testid="exec-status"]`); st != want {
			t.Errorf("step %s shows %q after it was marked %s", s.Heading, st, m.Status)
		}
		if m.Note != "" && !strings.Contains(j.text(sel+" ul"), m.Note) {
			t.Errorf("step %s does not show its note %q: %s", s.Heading, m.Note, j.text(sel+" ul"))
		}
	}

	j.click(`input[name="outcome"][value="partial"]`)
	j.fill("#closure-note", closureNote)
	j.submit(`[data-testid="close-change"]`, http.StatusOK, href)
	c := j.text(`[data-testid="closure"]`)
	if !strings.HasPrefix(c, "Partly completed by "+adminName+", ") || !strings.HasSuffix(c, closureNote) {
		t.Errorf("the closure says %q; want Partly completed by %s with the note", c, adminName)
	}
	j.axe("execute")
	return marks
}

// teamRecord checks the runbook page's record of the sign-off, the marks
// and the closure, and the printed runbook's closure section.
func teamRecord(j *journey, marks []execMark) {
	t := j.t
	visit(t, j.ctx, j.w.URL(j.project+"/runbook"), http.StatusOK)
	if !j.exists(`[data-testid="runbook-record"]`) {
		t.Fatalf("the runbook page has no record of the change window")
	}
	record := j.text(`[data-testid="runbook-record"]`)
	if !strings.Contains(record, memberName+" signed off revision ") {
		t.Errorf("the runbook's record does not list %s's sign-off: %s", memberName, record)
	}
	lines := eval[[]string](j, `return [...document.querySelectorAll('[data-testid="runbook-record"] li')].map(e => e.textContent.replace(/\s+/g, " ").trim());`)
	for _, m := range marks {
		word := map[string]string{"done": "Done", "skipped": "Skipped", "failed": "Failed"}[m.Status]
		prefix := fmt.Sprintf("%s. %s (", m.Number, m.Title)
		found := false
		for _, l := range lines {
			if strings.HasPrefix(l, prefix) && strings.Contains(l, "): "+word+" by "+adminName+", ") && strings.HasSuffix(l, m.Note) {
				found = true
			}
		}
		if !found {
			t.Errorf("the runbook's record has no line %q… %s by %s ending %q:\n%s", prefix, word, adminName, m.Note, strings.Join(lines, "\n"))
		}
	}
	if c := j.text(`[data-testid="runbook-record"] > p:last-child`); !strings.HasPrefix(c, "Partly completed by "+adminName+", ") || !strings.HasSuffix(c, closureNote) {
		t.Errorf("the runbook's record does not end with the closure, partly completed with the note: %s", record)
	}

	// The printed runbook's closure section.
	// The document has no site footer to wait for; Navigate waits for its
	// load event.
	tctx, cancel := context.WithTimeout(j.ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(tctx, chromedp.Navigate(j.w.URL(j.project+"/runbook/document")))
	if err != nil {
		t.Fatalf("opening the printable runbook: %v", err)
	}
	if resp.Status != http.StatusOK {
		t.Fatalf("GET %s: status %d, want 200", resp.URL, resp.Status)
	}
	if j.text(`[data-testid="runbook-closure"]`) == "" {
		t.Fatalf("the printable runbook has no closure section")
	}
	// The sign-off and closure section ends with what was recorded in the
	// wizard: the outcome and each step's mark with its note.
	closure := j.text(`main`)
	if !strings.Contains(closure, "As recorded in the wizard") {
		t.Errorf("the printed runbook does not show the record of the change window")
	}
	for _, want := range []string{"Partly completed, recorded by", closureNote, "Skipped", skipReason, "Failed", failNote} {
		if !strings.Contains(closure, want) {
			t.Errorf("the printed runbook's closure section does not show %q", want)
		}
	}
}
