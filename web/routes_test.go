package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/secex/wizard/web/pdf"

	"github.com/go-chi/chi/v5"

	"github.com/secex/wizard/assets"
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
)

// wantAccess is the access decision for every route. A route missing here
// fails TestEveryRouteHasAnAccessDecision.
var wantAccess = map[string]access{
	"GET /healthz":  public,
	"GET /assets/*": public,
	"GET /setup":    public,
	"POST /setup":   public,
	"GET /login":    public,
	"POST /login":   public,
	"POST /logout":  public,

	"GET /":          signedIn,
	"POST /projects": signedIn,
	"POST /import":   signedIn,
	"GET /accounts":  admin,
	"POST /accounts": admin,

	"GET /p/{pid}/":                       viewer,
	"GET /p/{pid}/resume":                 viewer,
	"GET /p/{pid}/facts":                  viewer,
	"POST /p/{pid}/facts":                 editor,
	"GET /p/{pid}/servers":                viewer,
	"POST /p/{pid}/servers":               editor,
	"GET /p/{pid}/servers/{sid}":          viewer,
	"POST /p/{pid}/servers/{sid}":         editor,
	"POST /p/{pid}/servers/{sid}/delete":  editor,
	"GET /p/{pid}/steps/{step}":           viewer,
	"GET /p/{pid}/steps/{step}/check":     viewer,
	"POST /p/{pid}/steps/{step}/check":    editor,
	"GET /p/{pid}/steps/{step}/{page}":    viewer,
	"POST /p/{pid}/steps/{step}/{page}":   editor,
	"GET /p/{pid}/ticket":                 viewer,
	"POST /p/{pid}/ticket":                editor,
	"GET /p/{pid}/runbook/document":       viewer,
	"GET /p/{pid}/runbook/pdf":            viewer,
	"GET /p/{pid}/bundles/{file}":         viewer,
	"GET /p/{pid}/runbook":                viewer,
	"GET /p/{pid}/files/{target}/{name}":  viewer,
	"GET /p/{pid}/members":                viewer,
	"POST /p/{pid}/members":               owner,
	"POST /p/{pid}/members/remove":        owner,
	"GET /p/{pid}/events":                 viewer,
	"GET /p/{pid}/settings":               owner,
	"POST /p/{pid}/settings/rename":       owner,
	"POST /p/{pid}/settings/archive":      owner,
	"GET /p/{pid}/export":                 viewer,
	"GET /p/{pid}/servers/{sid}/history":  viewer,
	"GET /p/{pid}/signoff":                viewer,
	"POST /p/{pid}/signoff":               approver,
	"GET /p/{pid}/execute":                viewer,
	"POST /p/{pid}/execute":               editor,
	"POST /p/{pid}/probe":                 editor,
	"POST /p/{pid}/assign":                editor,
	"POST /p/{pid}/close":                 editor,
	"GET /p/{pid}/evidence/{eid}":         viewer,
	"GET /p/{pid}/checklists/{checklist}": viewer,
	"GET /p/{pid}/history":                viewer,
	"GET /p/{pid}/counterparts":           viewer,
}

// fakeControl is a benchmark rule the fake procedure's action covers, so
// the project has a checklist to download.
var fakeControl = &steps.Control{Benchmark: &steps.Benchmark{ID: "Test_STIG", Title: "Test STIG", Short: "Test STIG", Version: 1, Release: 1, Date: "01 Jan 2026"},
	VulnID: "V-1", RuleID: "SV-1r1_rule", STIGID: "TEST-000001", Severity: "low", Title: "The test is done", Check: "The test's answer is yes."}

// fakeStep is a one-question procedure that plans one action and makes one
// file, enough to reach every route.
var fakeStep = &steps.Step{
	ID: "fake", Title: "Fake procedure", Section: "Test", Summary: "A test procedure", Rationale: []string{"For tests."},
	Pages: []steps.Page{{ID: "p1", Questions: []steps.Question{{ID: "q1", Label: "Is this a test?", Kind: steps.KindYesNo}}}},
	Plan: func(in steps.Input) []steps.Action {
		return []steps.Action{{ID: "a", Phase: steps.PhaseClients, Target: "EXBE01", Title: "Do the test",
			Controls: []steps.ControlRef{{Control: fakeControl}}}}
	},
	Files: func(in steps.Input) ([]steps.File, error) {
		return []steps.File{{Target: "EXBE01", Name: "a.txt", Kind: steps.FileGuide, Body: []byte("answer " + in.Of("fake")["q1"] + "\r\n")}}, nil
	},
}

func TestEveryRouteHasAnAccessDecision(t *testing.T) {
	env := newEnv(t, []*steps.Step{fakeStep})
	seen := map[string]bool{}
	err := chi.Walk(env.srv.handler.(chi.Routes), func(method, route string, _ http.Handler, _ ...func(http.Handler) http.Handler) error {
		key := method + " " + route
		seen[key] = true
		if _, ok := wantAccess[key]; !ok {
			t.Errorf("route %s has no access decision in wantAccess", key)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	for k := range wantAccess {
		if !seen[k] {
			t.Errorf("wantAccess lists %s, which the router does not have", k)
		}
	}
}

func TestRouteAccessByRole(t *testing.T) {
	env := newEnv(t, []*steps.Step{fakeStep})
	env.srv.cfg.PDF = realPrinter(t)
	ctx := context.Background()
	own := env.mustUser("olivia", false)
	adminUser := env.mustUser("adam", true)
	p, err := env.st.CreateProject(ctx, own.ID, "Access test")
	if err != nil {
		t.Fatal(err)
	}
	if err := env.st.SaveFacts(ctx, own.ID, p.ID, steps.Facts{ADDomain: "corp.example.com", PublicDomain: "example.com", OWAHost: "mail.example.com", OWAPath: "/exchange"}, 0); err != nil {
		t.Fatal(err)
	}
	srv, _ := steps.ServerForm{Name: "EXBE01", FQDN: "exbe01.corp.example.com", Addrs: "10.0.1.10", OS: "win2000", Roles: []string{"exchange-be"}}.Parse()
	if err := env.st.AddServers(ctx, own.ID, p.ID, []steps.Server{srv}); err != nil {
		t.Fatal(err)
	}
	recs, _ := env.st.Servers(ctx, p.ID)
	if err := env.st.SaveAnswers(ctx, own.ID, p.ID, "fake", []store.AnswerChange{{Question: "q1", Value: "yes"}}); err != nil {
		t.Fatal(err)
	}
	if err := env.st.SetStepComplete(ctx, own.ID, p.ID, "fake", true); err != nil {
		t.Fatal(err)
	}
	execID, err := env.st.MarkStep(ctx, own.ID, p.ID, store.Execution{Action: "fake/a@EXBE01", Status: "done",
		Evidence: []store.Evidence{{Name: "out.txt", ContentType: "text/plain", Data: []byte("ok")}}})
	if err != nil {
		t.Fatal(err)
	}
	execs, _ := env.st.Executions(ctx, p.ID)
	_ = execID
	roles := map[string]store.Role{"vera": store.RoleViewer, "eddie": store.RoleEditor, "april": store.RoleApprover}
	for name, role := range roles {
		u := env.mustUser(name, false)
		if err := env.st.SetMember(ctx, own.ID, p.ID, u.ID, role); err != nil {
			t.Fatal(err)
		}
	}
	env.mustUser("nora", false) // signed in, not a member
	_ = adminUser

	fill := strings.NewReplacer("{pid}", fmt.Sprint(p.ID), "{sid}", fmt.Sprint(recs[0].ID), "{step}", "fake", "{page}", "p1",
		"{target}", "EXBE01", "{name}", "a.txt", "{eid}", fmt.Sprint(execs[0].Evidence[0].ID), "{file}", "change.zip", "{checklist}", "EXBE01.cklb", "*", strings.TrimPrefix(assets.Path("css/site.css"), "/assets/"))

	// Members in order of increasing access; each row says which access
	// levels the user has.
	users := []struct {
		name string
		has  map[access]bool
	}{
		{"", map[access]bool{public: true}},
		{"nora", map[access]bool{public: true, signedIn: true}},
		{"vera", map[access]bool{public: true, signedIn: true, viewer: true}},
		{"eddie", map[access]bool{public: true, signedIn: true, viewer: true, editor: true}},
		{"april", map[access]bool{public: true, signedIn: true, viewer: true, editor: true, approver: true}},
		{"olivia", map[access]bool{public: true, signedIn: true, viewer: true, editor: true, approver: true, owner: true}},
		{"adam", map[access]bool{public: true, signedIn: true, admin: true}},
	}
	for _, u := range users {
		var c *client
		if u.name == "" {
			c = env.client()
		} else {
			c = env.signIn(u.name)
		}
		for route, need := range wantAccess {
			if need == public || route == "POST /logout" {
				continue
			}
			method, pattern, _ := strings.Cut(route, " ")
			path := fill.Replace(pattern)
			t.Run(fmt.Sprintf("%s/%s", nameOr(u.name), route), func(t *testing.T) {
				var resp *http.Response
				var body string
				if method == http.MethodGet {
					resp, body = c.get(path)
				} else {
					from := "/login"
					if u.name != "" {
						from = "/"
					}
					tok := c.token(from)
					resp, body = c.post(path, url.Values{"csrf_token": {tok}})
				}
				allowed := u.has[need]
				status := resp.StatusCode
				loc := resp.Header.Get("Location")
				switch {
				case allowed && (status == http.StatusForbidden || status == http.StatusNotFound || strings.HasPrefix(loc, "/login")):
					t.Errorf("%s %s as %s: got %d %s, want access\n%.400s", method, path, nameOr(u.name), status, loc, body)
				case !allowed && u.name == "" && method == http.MethodGet && !(status == http.StatusSeeOther && strings.HasPrefix(loc, "/login")):
					t.Errorf("%s %s signed out: got %d %s, want a redirect to sign in", method, path, status, loc)
				case !allowed && u.name == "" && method != http.MethodGet && status != http.StatusForbidden:
					t.Errorf("%s %s signed out: got %d, want 403", method, path, status)
				case !allowed && u.name != "" && strings.HasPrefix(pattern, "/p/") && !u.has[viewer] && status != http.StatusNotFound:
					t.Errorf("%s %s as non-member %s: got %d, want 404", method, path, u.name, status)
				case !allowed && u.name != "" && (u.has[viewer] || !strings.HasPrefix(pattern, "/p/")) && status != http.StatusForbidden:
					t.Errorf("%s %s as %s: got %d, want 403", method, path, u.name, status)
				}
			})
		}
	}
}

func nameOr(n string) string {
	if n == "" {
		return "anonymous"
	}
	return n
}

// realPrinter is a PDF printer with Debian's Chromium; without it the test
// fails in CI and is skipped elsewhere.
func realPrinter(t *testing.T) PDFPrinter {
	t.Helper()
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	p, err := pdf.New(path)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal(err)
		}
		t.Skip(err)
	}
	return p
}

func TestPDFLinkOnlyWithAPrinter(t *testing.T) {
	env, pid := teamProject(t)
	c := env.signIn("olivia")
	path := fmt.Sprintf("/p/%d/runbook", pid)
	_, body := c.get(path)
	if doc(t, body).Find("[data-testid=runbook-pdf]").Length() != 0 {
		t.Error("PDF link offered without a printer")
	}
	if resp, _ := c.get(path + "/pdf"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("PDF without a printer: %d", resp.StatusCode)
	}
	env.srv.cfg.PDF = realPrinter(t)
	_, body = c.get(path)
	href := doc(t, body).Find("[data-testid=runbook-pdf]").AttrOr("href", "")
	resp, pdfBody := c.get(href)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(pdfBody, "%PDF") || resp.Header.Get("Content-Type") != "application/pdf" {
		t.Errorf("PDF download: %d %q", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}
