package web

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/store/storetest"
)

// testEnv is a real server over a real SQLite file.
type testEnv struct {
	t   *testing.T
	st  *store.Store
	srv *Server
	ts  *httptest.Server
}

func newEnv(t *testing.T, catalog []*steps.Step) *testEnv {
	t.Helper()
	return newEnvOn(t, storetest.Open(t), catalog)
}

// newEnvOn is newEnv on a store the test opened, such as a second replica
// on the database of another.
func newEnvOn(t *testing.T, st *store.Store, catalog []*steps.Step) *testEnv {
	t.Helper()
	srv := NewServer(Config{Product: "Test Wizard", Version: "test"}, st, catalog, nil)
	if err := srv.ListenReplicas(t.Context()); err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return &testEnv{t: t, st: st, srv: srv, ts: ts}
}

// client is a browser-like client with its own cookies.
type client struct {
	env *testEnv
	hc  *http.Client
}

func (e *testEnv) client() *client {
	jar, _ := cookiejar.New(nil)
	return &client{env: e, hc: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

func (c *client) get(path string) (*http.Response, string) {
	c.env.t.Helper()
	resp, err := c.hc.Get(c.env.ts.URL + path)
	if err != nil {
		c.env.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// token fetches a page and returns its CSRF token.
func (c *client) token(path string) string {
	c.env.t.Helper()
	_, body := c.get(path)
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		c.env.t.Fatalf("no csrf token on %s", path)
	}
	return m[1]
}

func (c *client) post(path string, form url.Values) (*http.Response, string) {
	c.env.t.Helper()
	req, _ := http.NewRequest(http.MethodPost, c.env.ts.URL+path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.hc.Do(req)
	if err != nil {
		c.env.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

// mustUser creates an account directly in the store.
func (e *testEnv) mustUser(name string, admin bool) store.User {
	e.t.Helper()
	u, err := e.st.CreateUser(context.Background(), 0, name, hashPassword("correct horse staple "+name))
	if err != nil {
		e.t.Fatal(err)
	}
	if admin {
		if err := e.st.SetAdmin(context.Background(), 0, u.ID, true); err != nil {
			e.t.Fatal(err)
		}
	}
	return u
}

// signIn signs a new client in as name.
func (e *testEnv) signIn(name string) *client {
	e.t.Helper()
	c := e.client()
	tok := c.token("/login")
	resp, body := c.post("/login", url.Values{"csrf_token": {tok}, "username": {name}, "password": {"correct horse staple " + name}})
	if resp.StatusCode != http.StatusSeeOther {
		e.t.Fatalf("sign in %s: %d\n%s", name, resp.StatusCode, body)
	}
	return c
}

func doc(t *testing.T, body string) *goquery.Document {
	t.Helper()
	d, err := goquery.NewDocumentFromReader(strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	return d
}
