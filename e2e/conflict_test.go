package e2e

// Two editors in two browsers, page scripts off (so no live update warns
// either of them), save the same answer from pages opened at the same
// version. The first save wins; the second is refused with a conflict
// page that shows both answers, the winner's in the message and the
// loser's own in the field, and sending that page again saves it.

import (
	"net/http"
	"strings"
	"testing"
)

func TestConflictingSavesInTwoBrowsers(t *testing.T) {
	w := startWizard(t)
	tm := setUpTeam(t, w.BaseURL, w.SetupURL())
	v, err := tm.ann.formOf(tm.answers + "/members")
	if err != nil {
		t.Fatal(err)
	}
	v.Set("username", approverName)
	v.Set("role", "editor")
	tm.ann.mustPost(t, tm.answers+"/members", v)

	const annValue, bobValue = "4100", "4200"
	page := tm.answers + "/steps/" + answerStep + "/" + answerQuestion
	field := "#" + answerQuestion
	continueButton := `form[data-testid="question-form"] [data-testid="continue"]`
	ann := &journey{t: t, ctx: newBrowser(t, false), w: w, project: tm.answers, checked: map[string]bool{}}
	bob := &journey{t: t, ctx: newBrowser(t, false), w: w, project: tm.answers, checked: map[string]bool{}}
	ann.signIn("ann", memberPass)
	bob.signIn(approverName, memberPass)

	visit(t, ann.ctx, w.URL(page), http.StatusOK)
	visit(t, bob.ctx, w.URL(page), http.StatusOK)
	before := ann.value(field)
	if before == annValue || before == bobValue {
		t.Fatalf("the answer is %s already", before)
	}
	ann.fill(field, annValue)
	bob.fill(field, bobValue)
	ann.submit(continueButton, http.StatusOK, "")
	if p := ann.path(); p == page {
		t.Fatalf("Ann's save stayed on %s%s", page, ann.problems())
	}

	bob.submit(continueButton, http.StatusConflict, page)
	bob.expectError(answerQuestion)
	if msg := bob.text(field + "-error"); !strings.Contains(msg, "ann changed this answer to “"+annValue+"” at ") {
		t.Errorf("the conflict message next to %s is %q; want it to name ann and her answer %s", field, msg, annValue)
	}
	if got := bob.value(field); got != bobValue {
		t.Errorf("on the conflict page %s holds %q, want Bob's own %q", field, got, bobValue)
	}
	bob.axe("conflict without scripts")

	// Exactly one save won: Ann's, as a fresh page shows.
	visit(t, ann.ctx, w.URL(page), http.StatusOK)
	if got := ann.value(field); got != annValue {
		t.Fatalf("after the conflict the saved answer is %q, want Ann's %q", got, annValue)
	}

	// Bob sends his answer again, deliberately: it replaces Ann's. Ann's
	// page, opened before that, is now the stale one.
	bob.submit(continueButton, http.StatusOK, "")
	if p := bob.path(); p == page {
		t.Fatalf("Bob's second save stayed on %s%s", page, bob.problems())
	}
	ann.fill(field, "4300")
	ann.submit(continueButton, http.StatusConflict, page)
	if msg := ann.text(field + "-error"); !strings.Contains(msg, approverName+" changed this answer to “"+bobValue+"” at ") {
		t.Errorf("Ann's conflict message is %q; want it to name %s and the answer %s", msg, approverName, bobValue)
	}
	if got := ann.value(field); got != "4300" {
		t.Errorf("on Ann's conflict page %s holds %q, want her own 4300", field, got)
	}
	visit(t, bob.ctx, w.URL(page), http.StatusOK)
	if got := bob.value(field); got != bobValue {
		t.Errorf("the saved answer is %q, want Bob's %q", got, bobValue)
	}
}
