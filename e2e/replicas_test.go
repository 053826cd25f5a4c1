package e2e

// Two wizard processes on one PostgreSQL, as behind a load balancer: an
// account made on one signs in on the other, a session cookie from one is
// good on the other, and a member on each sees the other's edit live.

import (
	"net/http"
	"strings"
	"testing"

	"github.com/secex/wizard/store/pgtest"
)

func TestReplicasShareTheWalkthrough(t *testing.T) {
	dsn := pgtest.DSN(t)
	a := startWizard(t, "-database", dsn)
	b := startWizard(t, "-database", dsn)
	// Both replicas find no account and print a link; the first one's
	// still works after the second printed its own (liveSetUp follows it).
	if a.setupURL == "" || b.setupURL == "" || a.setupURL == b.setupURL {
		t.Errorf("setup links %q and %q: want one of its own from each replica", a.setupURL, b.setupURL)
	}
	browser := newBrowser(t, true)
	ada := &journey{t: t, ctx: browser, w: a, checked: map[string]bool{}}
	ada.liveSetUp() // on replica A: her account, the project, Bob's account
	bob := &journey{t: t, ctx: newPrivateTab(t, browser), w: b, project: ada.project, checked: map[string]bool{}}
	bob.signIn(memberName, memberPassword) // on replica B

	proc := ada.stepHref(procRPC)
	usersRow := "Roughly how many Outlook users are there?"

	// Bob reads the check-answers page on B; Ada answers on A; Bob's page
	// shows her answer without being loaded again.
	visit(t, bob.ctx, b.URL(proc+"/check"), http.StatusOK)
	bob.markPage()
	visit(t, ada.ctx, a.URL(proc+"/users"), http.StatusOK)
	ada.fill("#users", "250")
	ada.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK, "")
	bob.waitFor("Ada's answer from replica A on Bob's page on replica B", `
		const row = [...document.querySelectorAll('[data-testid="answers"] > div')].find(d => d.querySelector("dt").textContent.includes(`+jsq(usersRow)+`));
		return !!row && row.querySelector("dd").textContent.includes("250") && row.textContent.includes("Last changed by ada");`)
	if !bob.pageMarked() {
		t.Errorf("Bob's page was loaded again; it should have been updated in place")
	}

	// Ada's session, made on A, is good on B: she saves there with the
	// form B gives her, and Bob, now on A, sees it live.
	visit(t, bob.ctx, a.URL(proc+"/check"), http.StatusOK)
	bob.markPage()
	ada.w = b
	visit(t, ada.ctx, b.URL(proc+"/users"), http.StatusOK)
	if strings.Contains(ada.path(), "/signin") {
		t.Fatalf("replica B sent Ada to sign in: her session from A is unknown there")
	}
	ada.fill("#users", "260")
	ada.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK, "")
	bob.waitFor("Ada's answer from replica B on Bob's page on replica A", `
		const row = [...document.querySelectorAll('[data-testid="answers"] > div')].find(d => d.querySelector("dt").textContent.includes(`+jsq(usersRow)+`));
		return !!row && row.querySelector("dd").textContent.includes("260");`)
	if !bob.pageMarked() {
		t.Errorf("Bob's page on A was loaded again; it should have been updated in place")
	}

	// Sign-in throttling counts failures on every replica together: three
	// wrong passwords on A and two on B, and then the right one on B is
	// refused, as five in a row on one wizard would be.
	eve := &journey{t: t, ctx: newPrivateTab(t, browser), w: a, checked: map[string]bool{}}
	for i, w := range []*wizard{a, a, a, b, b} {
		visit(t, eve.ctx, w.URL("/login"), http.StatusOK)
		eve.fill("#username", memberName)
		eve.fill("#password", "wrong password "+string(rune('a'+i)))
		eve.submit(`[data-testid="sign-in"]`, http.StatusUnprocessableEntity, "")
	}
	visit(t, eve.ctx, b.URL("/login"), http.StatusOK)
	eve.fill("#username", memberName)
	eve.fill("#password", memberPassword)
	eve.submit(`[data-testid="sign-in"]`, http.StatusUnprocessableEntity, "")
	if msg := eve.text(`#username-error`); !strings.Contains(msg, "Too many failed sign-ins") {
		t.Errorf("after five failures spread over two replicas the sign-in says %q, want it throttled", msg)
	}
}
