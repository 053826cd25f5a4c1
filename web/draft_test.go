package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
)

// draftProject is a project whose flow procedure is answered so that its
// check page raises a warning that needs a typed reason.
func draftProject(t *testing.T, env *testEnv, owner store.User) (pid int64, check string) {
	t.Helper()
	ctx := context.Background()
	pid = env.project(owner)
	srvs, ps := steps.ParseServerList("EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be", steps.Topology{})
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if err := env.st.AddServers(ctx, owner.ID, pid, srvs); err != nil {
		t.Fatal(err)
	}
	if err := env.st.SaveAnswers(ctx, owner.ID, pid, "flow", []store.AnswerChange{{Question: "use", Value: "no"}, {Question: "servers", Value: "EXBE01"}}); err != nil {
		t.Fatal(err)
	}
	return pid, fmt.Sprintf("/p/%d/steps/flow/check", pid)
}

// checkForm reads what the check page's form sends: its token, the page
// it says it is on and the warning's key.
func checkForm(t *testing.T, c *client, check string) url.Values {
	t.Helper()
	resp, body := c.get(check)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", check, resp.StatusCode)
	}
	form := doc(t, body).Find(`form[action="` + check + `"]`)
	v := url.Values{}
	for _, name := range []string{"csrf_token", "csrf_page", "ack-key-0"} {
		val, ok := form.Find(`input[name="` + name + `"]`).Attr("value")
		if !ok {
			t.Fatalf("the check form has no %s", name)
		}
		v.Set(name, val)
	}
	if v.Get("csrf_page") != check {
		t.Errorf("the check form says it is on %q, want %q", v.Get("csrf_page"), check)
	}
	return v
}

// expectRestored checks the check page shows the typed reason and choice
// again, with notice, and the session's current token.
func expectRestored(t *testing.T, c *client, check, reason, notice string) {
	t.Helper()
	resp, body := c.get(check)
	d := doc(t, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d", check, resp.StatusCode)
	}
	if got := strings.TrimSpace(d.Find(`main [data-testid="notice"]`).Text()); got != notice {
		t.Errorf("notice %q, want %q", got, notice)
	}
	if got := d.Find("textarea#ack-0").Text(); got != reason {
		t.Errorf("the reason is %q, want %q as typed", got, reason)
	}
	if d.Find(`input[name="complete"][value="yes"][checked]`).Length() != 1 || d.Find(`input[name="complete"][value="no"][checked]`).Length() != 0 {
		t.Errorf("the choice to complete is not shown as made")
	}
	tok, _ := d.Find(`form[action="` + check + `"] input[name="csrf_token"]`).Attr("value")
	if tok != c.token("/") {
		t.Errorf("the restored form carries token %q, not the session's", tok)
	}
	// Shown once: reloading the page shows what is saved.
	_, body = c.get(check)
	d = doc(t, body)
	if d.Find(`[data-testid="notice"]`).Length() != 0 || d.Find("textarea#ack-0").Text() != "" {
		t.Errorf("the kept form is shown again on a second visit")
	}
}

func expectNothingSaved(t *testing.T, env *testEnv, pid int64) {
	t.Helper()
	ctx := context.Background()
	done, _ := env.st.CompletedSteps(ctx, pid)
	acks, _ := env.st.Acknowledgements(ctx, pid)
	if done["flow"] || len(acks) > 0 {
		t.Errorf("a form sent with a stale token was carried out: completed %v, acknowledgements %v", done, acks)
	}
}

// TestStaleTokenWhileSignedIn: the check page was opened before the user
// signed in again (in another tab); sending it saves nothing and shows the
// page again with what was typed and a sentence saying what to do.
func TestStaleTokenWhileSignedIn(t *testing.T) {
	env := newEnv(t, []*steps.Step{flowStep})
	owner := env.mustUser("olivia", false)
	pid, check := draftProject(t, env, owner)
	c := env.signIn("olivia")
	form := checkForm(t, c, check)

	// Signing in again gives the session a new token.
	resp, _ := c.post("/login", url.Values{"csrf_token": {c.token("/")}, "username": {"olivia"}, "password": {"correct horse staple olivia"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing in again: %d", resp.StatusCode)
	}

	reason := "Lab only: no mail leaves\nthe test network & <nothing> else"
	form.Set("ack-0", reason)
	form.Set("complete", "yes")
	resp, body := c.post(check, form)
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != check {
		t.Fatalf("stale form: %d to %q, want 303 back to the page\n%.300s", resp.StatusCode, resp.Header.Get("Location"), body)
	}
	expectNothingSaved(t, env, pid)
	expectRestored(t, c, check, reason,
		"Nothing was saved, because this page was opened before you last signed in: check what you typed below and send it again.")

	// Sent again from the fresh page, it is carried out.
	form.Set("csrf_token", c.token("/"))
	if resp, _ := c.post(check, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sending the form again: %d", resp.StatusCode)
	}
	acks, _ := env.st.Acknowledgements(context.Background(), pid)
	if acks["flow/not-used"].Reason != strings.Join(strings.Fields(reason), " ") {
		t.Errorf("acknowledgement after sending again: %+v", acks)
	}
}

// TestExpiredSessionThenSignIn: the session ended while the page was open;
// the user signs in again and the form comes back with what was typed. It
// does not come back for someone else who signs in on that browser.
func TestExpiredSessionThenSignIn(t *testing.T) {
	env := newEnv(t, []*steps.Step{flowStep})
	owner := env.mustUser("olivia", false)
	eddie := env.mustUser("eddie", false)
	pid, check := draftProject(t, env, owner)
	if err := env.st.SetMember(context.Background(), owner.ID, pid, eddie.ID, store.RoleEditor); err != nil {
		t.Fatal(err)
	}
	var offset time.Duration
	env.srv.cfg.Now = func() time.Time { return time.Now().Add(offset) }

	for _, who := range []string{"olivia", "eddie"} {
		c := env.signIn("olivia")
		form := checkForm(t, c, check)
		offset += 31 * time.Minute // past the idle timeout

		reason := "Pilot group of " + who
		form.Set("ack-0", reason)
		form.Set("complete", "yes")
		resp, _ := c.post(check, form)
		login := "/login?next=" + url.QueryEscape(check)
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != login {
			t.Fatalf("form of an expired session: %d to %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), login)
		}
		expectNothingSaved(t, env, pid)

		_, body := c.get(login)
		d := doc(t, body)
		if got, want := strings.TrimSpace(d.Find(`[data-testid="notice"]`).Text()), "You had been signed out, so the form you sent was not saved: sign in again and it comes back with everything you typed."; got != want {
			t.Errorf("sign-in notice %q, want %q", got, want)
		}
		next, _ := d.Find(`input[name="next"]`).Attr("value")
		resp, _ = c.post("/login", url.Values{"csrf_token": {c.token(login)}, "username": {who}, "password": {"correct horse staple " + who}, "next": {next}})
		if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != check {
			t.Fatalf("signing in as %s: %d to %q, want %s", who, resp.StatusCode, resp.Header.Get("Location"), check)
		}
		if who == "olivia" {
			expectRestored(t, c, check, reason,
				"Nothing was saved, because you had been signed out: check what you typed below and send it again.")
			continue
		}
		_, body = c.get(check)
		if d := doc(t, body); d.Find(`[data-testid="notice"]`).Length() != 0 || strings.Contains(body, reason) {
			t.Errorf("olivia's kept form was shown to eddie")
		}
	}
}

// TestStaleSignInPage: a sign-in page left open until its anonymous
// session ended shows the user name again and asks for the password.
func TestStaleSignInPage(t *testing.T) {
	env := newEnv(t, nil)
	env.mustUser("olivia", false)
	var offset time.Duration
	env.srv.cfg.Now = func() time.Time { return time.Now().Add(offset) }
	c := env.client()
	page := "/login?next=%2Fp%2F1"
	_, body := c.get(page)
	d := doc(t, body)
	tok, _ := d.Find(`input[name="csrf_token"]`).Attr("value")
	from, _ := d.Find(`input[name="csrf_page"]`).Attr("value")
	offset = time.Hour
	resp, _ := c.post("/login", url.Values{"csrf_token": {tok}, "csrf_page": {from}, "username": {"olivia"}, "password": {"correct horse staple olivia"}, "next": {"/p/1"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != page {
		t.Fatalf("stale sign-in: %d to %q, want 303 to %s", resp.StatusCode, resp.Header.Get("Location"), page)
	}
	_, body = c.get(page)
	d = doc(t, body)
	if v, _ := d.Find("#username").Attr("value"); v != "olivia" {
		t.Errorf("user name %q, want olivia", v)
	}
	if v, _ := d.Find("#password").Attr("value"); v != "" {
		t.Errorf("the password came back: %q", v)
	}
	if d.Find(`[data-testid="signed-in-user"]`).Length() != 0 {
		t.Errorf("signed in by a form with a stale token")
	}
	if got, want := strings.TrimSpace(d.Find(`[data-testid="notice"]`).Text()), "Nothing was sent, because this page had been open too long: check what you typed below, type the password again and send it again."; got != want {
		t.Errorf("notice %q, want %q", got, want)
	}
}
