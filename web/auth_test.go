package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/secex/wizard/store"
)

func TestSetupLinkIsSingleUseAndMakesAnAdministrator(t *testing.T) {
	env := newEnv(t, nil)
	link, err := env.srv.SetupLink(context.Background(), env.ts.URL)
	if err != nil || !strings.Contains(link, "/setup?token=") {
		t.Fatalf("SetupLink = %q, %v", link, err)
	}
	u, _ := url.Parse(link)
	token := u.Query().Get("token")
	c := env.client()
	csrf := c.token("/setup?token=" + url.QueryEscape(token))

	// A weak password is refused with the name kept.
	resp, body := c.post("/setup", url.Values{"csrf_token": {csrf}, "token": {token}, "username": {"Alice"}, "password": {"short"}, "confirm": {"short"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("weak password: %d", resp.StatusCode)
	}
	d := doc(t, body)
	if got := d.Find("#username").AttrOr("value", ""); got != "Alice" {
		t.Errorf("user name not kept: %q", got)
	}
	if !strings.HasPrefix(d.Find("title").Text(), "Error:") || d.Find(`[data-testid=error-summary] a[href="#password"]`).Length() != 1 {
		t.Errorf("no error summary linked to the password field")
	}
	resp, _ = c.post("/setup", url.Values{"csrf_token": {csrf}, "token": {token}, "username": {"Alice"}, "password": {"password1234"}, "confirm": {"password1234"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("common password accepted: %d", resp.StatusCode)
	}
	good := url.Values{"csrf_token": {csrf}, "token": {token}, "username": {"Alice"}, "password": {"a long and unusual phrase"}, "confirm": {"a long and unusual phrase"}}
	resp, _ = c.post("/setup", good)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("setup: %d", resp.StatusCode)
	}
	us, _ := env.st.Users(context.Background())
	if len(us) != 1 || us[0].Name != "alice" || !us[0].Admin {
		t.Fatalf("users after setup: %+v", us)
	}
	// The same link again, from another browser, makes nothing.
	c2 := env.client()
	csrf2 := c2.token("/login")
	good.Set("csrf_token", csrf2)
	good.Set("username", "mallory")
	resp, _ = c2.post("/setup", good)
	if resp.StatusCode != http.StatusGone {
		t.Errorf("second use of the setup link: %d, want 410", resp.StatusCode)
	}
	if us, _ := env.st.Users(context.Background()); len(us) != 1 {
		t.Errorf("second use created an account: %+v", us)
	}
	if link, _ := env.srv.SetupLink(context.Background(), env.ts.URL); link != "" {
		t.Errorf("setup link offered although an administrator exists: %q", link)
	}
}

func TestSignInRotatesTheSessionAndSignOutEndsIt(t *testing.T) {
	env := newEnv(t, nil)
	env.mustUser("bob", false)
	c := env.client()
	csrf := c.token("/login")
	before := sessionCookie(t, c)
	resp, _ := c.post("/login", url.Values{"csrf_token": {csrf}, "username": {"bob"}, "password": {"correct horse staple bob"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign in: %d", resp.StatusCode)
	}
	after := sessionCookie(t, c)
	if before == "" || after == "" || before == after {
		t.Fatalf("session token not rotated at sign-in: %q -> %q", before, after)
	}
	for _, sc := range resp.Cookies() {
		if !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Path != "/" {
			t.Errorf("cookie %s: HttpOnly=%v SameSite=%v Path=%q", sc.Name, sc.HttpOnly, sc.SameSite, sc.Path)
		}
	}
	// The pre-sign-in token is worthless now.
	old := env.client()
	old.hc.Jar.SetCookies(mustURL(env.ts.URL), []*http.Cookie{{Name: "wizard", Value: before}})
	if resp, _ := old.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("old token still signed in: %d", resp.StatusCode)
	}
	// Sign out, then replay the signed-in cookie.
	tok := c.token("/")
	if resp, _ := c.post("/logout", url.Values{"csrf_token": {tok}}); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign out: %d", resp.StatusCode)
	}
	replay := env.client()
	replay.hc.Jar.SetCookies(mustURL(env.ts.URL), []*http.Cookie{{Name: "wizard", Value: after}})
	if resp, _ := replay.get("/"); resp.StatusCode != http.StatusSeeOther || !strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		t.Errorf("replayed cookie after sign-out: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}
}

func TestSessionIdleTimeout(t *testing.T) {
	env := newEnv(t, nil)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	env.srv.cfg.Now = func() time.Time { return now }
	env.mustUser("bob", false)
	c := env.signIn("bob")
	if resp, _ := c.get("/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("signed in: %d", resp.StatusCode)
	}
	now = now.Add(29 * time.Minute)
	if resp, _ := c.get("/"); resp.StatusCode != http.StatusOK {
		t.Fatalf("after 29 idle minutes: %d", resp.StatusCode)
	}
	now = now.Add(31 * time.Minute)
	if resp, _ := c.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("after 31 idle minutes still signed in: %d", resp.StatusCode)
	}
}

func TestSessionAbsoluteTimeout(t *testing.T) {
	env := newEnv(t, nil)
	now := time.Date(2026, 11, 27, 9, 0, 0, 0, time.UTC)
	env.srv.cfg.Now = func() time.Time { return now }
	env.mustUser("bob", false)
	c := env.signIn("bob")
	for i := 0; i < 19; i++ { // active every 25 minutes for 7h55
		now = now.Add(25 * time.Minute)
		if resp, _ := c.get("/"); resp.StatusCode != http.StatusOK {
			t.Fatalf("active user signed out after %v", time.Duration(i+1)*25*time.Minute)
		}
	}
	now = now.Add(70 * time.Minute) // 9h05 after sign-in, with a 20-minute gap
	now = now.Add(-50 * time.Minute)
	for i := 0; i < 3; i++ {
		now = now.Add(25 * time.Minute)
		c.get("/")
	}
	if resp, _ := c.get("/"); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("still signed in more than 9 hours after sign-in: %d", resp.StatusCode)
	}
}

func TestLoginThrottle(t *testing.T) {
	env := newEnv(t, nil)
	env.mustUser("carol", false)
	c := env.client()
	csrf := c.token("/login")
	for i := 0; i < maxLoginFailures; i++ {
		resp, _ := c.post("/login", url.Values{"csrf_token": {csrf}, "username": {"carol"}, "password": {"wrong password " + string(rune('a'+i))}})
		if resp.StatusCode != http.StatusUnprocessableEntity {
			t.Fatalf("failure %d: %d", i, resp.StatusCode)
		}
	}
	// Even the right password is refused now.
	resp, body := c.post("/login", url.Values{"csrf_token": {csrf}, "username": {"carol"}, "password": {"correct horse staple carol"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "Too many failed sign-ins") {
		t.Errorf("throttled sign-in: %d", resp.StatusCode)
	}
	// Another account from the same address is throttled too.
	env.mustUser("dave", false)
	resp, _ = c.post("/login", url.Values{"csrf_token": {csrf}, "username": {"dave"}, "password": {"correct horse staple dave"}})
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Errorf("throttle per address: %d", resp.StatusCode)
	}
}

func TestCSRF(t *testing.T) {
	env := newEnv(t, nil)
	env.mustUser("erin", false)
	c := env.signIn("erin")
	// No token: not carried out; the user is sent back to the form, which
	// shows what was sent, to be sent again deliberately.
	resp, _ := c.post("/projects", url.Values{"name": {"Sneaky"}})
	if resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != "/" {
		t.Errorf("POST without token: %d to %q, want 303 back to the form", resp.StatusCode, resp.Header.Get("Location"))
	}
	if _, body := c.get("/"); !strings.Contains(body, `value="Sneaky"`) || !strings.Contains(body, "Nothing was saved") {
		t.Errorf("the form sent without a token does not come back with its value and a notice")
	}
	// A cross-site request with the right token is refused as well.
	tok := c.token("/")
	req, _ := http.NewRequest(http.MethodPost, env.ts.URL+"/projects", strings.NewReader(url.Values{"name": {"Cross"}, "csrf_token": {tok}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	resp, err := c.hc.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("cross-site POST: %d", resp.StatusCode)
	}
	ps, _ := env.st.Projects(context.Background(), 1)
	if len(ps) != 0 {
		t.Errorf("projects created by refused requests: %+v", ps)
	}
}

func TestSecurityHeaders(t *testing.T) {
	env := newEnv(t, nil)
	resp, body := env.client().get("/login")
	csp := resp.Header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'none'", "script-src 'nonce-", "frame-ancestors 'none'", "form-action 'self'"} {
		if !strings.Contains(csp, want) {
			t.Errorf("CSP %q lacks %q", csp, want)
		}
	}
	for h, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store"} {
		if got := resp.Header.Get(h); got != want {
			t.Errorf("%s = %q, want %q", h, got, want)
		}
	}
	if strings.Contains(body, "style=") || strings.Contains(body, "<script>") {
		t.Error("page has inline style or an inline script without a nonce")
	}
	resp2, _ := env.client().get("/login")
	if resp2.Header.Get("Content-Security-Policy") == csp {
		t.Error("CSP nonce repeated across responses")
	}
}

func TestSecureCookiesUnderTLS(t *testing.T) {
	env := newEnv(t, nil)
	env.srv.sessions.secure = true
	resp, _ := env.client().get("/login")
	var found bool
	for _, c := range resp.Cookies() {
		found = true
		if c.Name != "__Host-wizard" || !c.Secure || !c.HttpOnly {
			t.Errorf("cookie under TLS: %+v", c)
		}
	}
	if !found {
		t.Error("no session cookie on the sign-in page")
	}
}

func TestSafeNext(t *testing.T) {
	for in, want := range map[string]string{"/p/1/runbook": "/p/1/runbook", "//evil.example": "", "https://evil.example/": "", "/\\evil": "", "": ""} {
		if got := safeNext(in); got != want {
			t.Errorf("safeNext(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPasswordHash(t *testing.T) {
	h := hashPassword("a long and unusual phrase")
	if !strings.HasPrefix(h, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Errorf("hash format: %s", h)
	}
	if !checkPassword(h, "a long and unusual phrase") || checkPassword(h, "a long and unusual phrasE") {
		t.Error("checkPassword wrong")
	}
	if hashPassword("a long and unusual phrase") == h {
		t.Error("no salt")
	}
	for pw, bad := range map[string]bool{"short": true, strings.Repeat("x", 129): true, "qwertyuiop123": true, "my name is frank!!": true, "aaaaaaaaaaaaaaa": true, "a long and unusual phrase": false} {
		if got := passwordProblem(pw, "frank") != nil; got != bad {
			t.Errorf("passwordProblem(%q) refused=%v, want %v", pw, got, bad)
		}
	}
}

func sessionCookie(t *testing.T, c *client) string {
	t.Helper()
	for _, ck := range c.hc.Jar.Cookies(mustURL(c.env.ts.URL)) {
		if ck.Name == "wizard" {
			return ck.Value
		}
	}
	return ""
}

func mustURL(s string) *url.URL {
	u, err := url.Parse(s)
	if err != nil {
		panic(err)
	}
	return u
}

// TestRoleChangeRotatesTheSession: when an owner changes a member's role,
// the member's next request gets a new session token, the old token no
// longer works, the member stays signed in, and the new role is what
// decides at once.
func TestRoleChangeRotatesTheSession(t *testing.T) {
	env := newEnv(t, nil)
	owner := env.mustUser("olivia", false)
	ed := env.mustUser("eddie", false)
	pid := env.project(owner)
	if err := env.st.SetMember(t.Context(), owner.ID, pid, ed.ID, store.RoleEditor); err != nil {
		t.Fatal(err)
	}
	c := env.signIn("eddie")
	base, _ := url.Parse(env.ts.URL)
	cookie := func() string {
		for _, k := range c.hc.Jar.Cookies(base) {
			if k.Name == "wizard" {
				return k.Value
			}
		}
		return ""
	}
	path := fmt.Sprintf("/p/%d/facts", pid)
	if resp, _ := c.get(path); resp.StatusCode != http.StatusOK {
		t.Fatalf("editor: %d", resp.StatusCode)
	}
	before := cookie()
	if resp, _ := c.get(path); resp.StatusCode != http.StatusOK || cookie() != before {
		t.Fatal("the token changed without a privilege change")
	}
	tok := c.token(path)
	if err := env.st.SetMember(t.Context(), owner.ID, pid, ed.ID, store.RoleViewer); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.get(path); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the change: %d", resp.StatusCode)
	}
	after := cookie()
	if after == "" || after == before {
		t.Fatal("the session kept its token after the role change")
	}
	// The viewer cannot save, with the same CSRF token still valid.
	resp, _ := c.post(path, url.Values{"csrf_token": {tok}, "version": {"1"}, "ad-domain": {"corp.example.com"}})
	if resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer saved the facts: %d", resp.StatusCode)
	}
	// The old token is gone.
	old := env.client()
	old.hc.Jar.SetCookies(base, []*http.Cookie{{Name: "wizard", Value: before, Path: "/"}})
	if resp, _ := old.get(path); resp.StatusCode == http.StatusOK {
		t.Error("the token from before the role change still opens the project")
	}
}

func TestPrivilegesChanged(t *testing.T) {
	for _, tt := range []struct {
		was, now string
		want     bool
	}{
		{"a0,1:2", "a0,1:2", false},
		{"a0,1:2", "a0,1:2,7:4", false}, // joined a project
		{"a0", "a0,7:4", false},
		{"a0,1:2", "a0,1:1", true},     // a role lowered
		{"a0,1:2", "a0,1:3", true},     // a role raised
		{"a0,1:2,3:4", "a0,3:4", true}, // removed from a project
		{"a0,1:2", "a1,1:2", true},     // made an administrator
	} {
		if got := privilegesChanged(tt.was, tt.now); got != tt.want {
			t.Errorf("%q -> %q: %v, want %v", tt.was, tt.now, got, tt.want)
		}
	}
}
