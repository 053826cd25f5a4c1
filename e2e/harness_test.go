package e2e

// Self-tests of the harness: the browser helpers against pages served by
// httptest, and startWizard against the real binary.

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

const goodPage = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>Good page</title></head>
<body>
<header><a href="#main">Skip to main content</a></header>
<main id="main">
<h1>An accessible page</h1>
<p id="marker">static</p>
<form method="post" action="/submit">
<label for="name">Name</label>
<input id="name" name="name" type="text" autocomplete="name">
<button type="submit">Continue</button>
</form>
</main>
<script>document.getElementById("marker").textContent = "scripted";</script>
<footer data-testid="page-ready"><p>Footer</p></footer>
</body>
</html>`

// badPage breaks rules on purpose: no lang, no title, an image without
// alt text, an unlabelled field, no landmarks and no h1.
const badPage = `<!doctype html>
<html>
<head><meta charset="utf-8"></head>
<body>
<p id="marker">static</p>
<img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=">
<input type="text" name="q">
<script>document.getElementById("marker").textContent = "scripted";</script>
<footer data-testid="page-ready"></footer>
</body>
</html>`

// testSite serves the pages above; /csp is goodPage behind a strict
// Content-Security-Policy, as the wizard may send. POST /submit answers 303
// to /done, like the wizard's form handlers.
func testSite(t *testing.T) *httptest.Server {
	t.Helper()
	mux := http.NewServeMux()
	page := func(body string) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			fmt.Fprint(w, body)
		}
	}
	mux.HandleFunc("GET /{$}", page(goodPage))
	mux.HandleFunc("GET /bad", page(badPage))
	mux.HandleFunc("GET /csp", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; form-action 'self'")
		page(goodPage)(w, r)
	})
	mux.HandleFunc("POST /submit", func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/done?name="+url.QueryEscape(r.PostFormValue("name")), http.StatusSeeOther)
	})
	mux.HandleFunc("GET /done", page(strings.Replace(goodPage, "An accessible page", "Thanks", 1)))
	ts := httptest.NewServer(mux)
	t.Cleanup(ts.Close)
	return ts
}

func markerText(t *testing.T, ctx context.Context) string {
	t.Helper()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.ID("marker")))
	if err != nil {
		t.Fatalf("reading #marker: %v", err)
	}
	return s
}

// TestBrowserScripts proves that newBrowser(t, false) really stops page
// scripts, on every page the tab loads, and that newBrowser(t, true) runs
// them.
func TestBrowserScripts(t *testing.T) {
	ts := testSite(t)
	for _, js := range []bool{true, false} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			ctx := newBrowser(t, js)
			want := "static"
			if js {
				want = "scripted"
			}
			for _, path := range []string{"/", "/bad", "/"} {
				visit(t, ctx, ts.URL+path, http.StatusOK)
				if got := markerText(t, ctx); got != want {
					t.Errorf("%s: #marker = %q, want %q", path, got, want)
				}
			}
		})
	}
}

// TestClickAndWait submits a form with JavaScript off and follows the 303,
// as the wizard's no-JavaScript journeys do.
func TestClickAndWait(t *testing.T) {
	ts := testSite(t)
	ctx := newBrowser(t, false)
	visit(t, ctx, ts.URL+"/", http.StatusOK)
	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("name"), "Ada")); err != nil {
		t.Fatal(err)
	}
	resp := clickAndWait(t, ctx, `button[type="submit"]`)
	if resp.Status != http.StatusOK || !strings.HasPrefix(resp.URL, ts.URL+"/done?name=Ada") {
		t.Errorf("after submit: %d %s, want 200 %s/done?name=Ada", resp.Status, resp.URL, ts.URL)
	}
	h1, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if err != nil || h1 != "Thanks" {
		t.Errorf("h1 = %q, %v; want Thanks", h1, err)
	}
}

// recordingTB keeps the errors reported to it, so a test can check that a
// helper fails a test without failing itself.
type recordingTB struct {
	testing.TB
	errors []string
}

func (r *recordingTB) Helper() {}

func (r *recordingTB) Errorf(format string, args ...any) {
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recordingTB) Error(args ...any) {
	r.errors = append(r.errors, fmt.Sprint(args...))
}

// TestAxe checks that axe runs with JavaScript on and off, passes an
// accessible page (also under a strict CSP) and fails an inaccessible one,
// and that with JavaScript off the page's scripts stay off around the run.
func TestAxe(t *testing.T) {
	ts := testSite(t)
	for _, js := range []bool{true, false} {
		t.Run(fmt.Sprintf("js=%v", js), func(t *testing.T) {
			ctx := newBrowser(t, js)
			want := "static"
			if js {
				want = "scripted"
			}

			for _, path := range []string{"/", "/csp"} {
				visit(t, ctx, ts.URL+path, http.StatusOK)
				checkAxe(t, ctx)
				checkAxe(t, ctx) // a second run reuses the injected axe
			}

			visit(t, ctx, ts.URL+"/bad", http.StatusOK)
			res, err := runAxe(ctx)
			if err != nil {
				t.Fatal(err)
			}
			got := ruleIDs(res.Violations)
			for _, id := range []string{"html-has-lang", "document-title", "image-alt", "label"} {
				if !slices.Contains(got, id) {
					t.Errorf("axe on /bad: violations %v lack %q", got, id)
				}
			}
			rec := &recordingTB{TB: t}
			checkAxe(rec, ctx)
			if len(rec.errors) != 1 {
				t.Fatalf("checkAxe on /bad reported %d errors, want 1: %q", len(rec.errors), rec.errors)
			}
			report := rec.errors[0]
			for _, s := range []string{"image-alt (critical)", "https://dequeuniversity.com/rules/axe/", "* img", "<input type=\"text\" name=\"q\">"} {
				if !strings.Contains(report, s) {
					t.Errorf("checkAxe report lacks %q:\n%s", s, report)
				}
			}
			if t.Failed() {
				t.Logf("checkAxe report:\n%s", report)
			}

			// axe ran with scripts briefly on; the page must not have
			// run its own script, and later pages must not either.
			if got := markerText(t, ctx); got != want {
				t.Errorf("after axe: #marker = %q, want %q", got, want)
			}
			visit(t, ctx, ts.URL+"/", http.StatusOK)
			if got := markerText(t, ctx); got != want {
				t.Errorf("next page after axe: #marker = %q, want %q", got, want)
			}
		})
	}
}

// TestWizardHarness starts the real binary: it printed the setup link and
// serves /healthz to the browser, and Restart keeps the data directory.
func TestWizardHarness(t *testing.T) {
	w := startWizard(t)
	ctx := newBrowser(t, false)

	setup, err := url.Parse(w.SetupURL())
	if err != nil {
		t.Fatalf("setup link %q: %v", w.SetupURL(), err)
	}
	if base := setup.Scheme + "://" + setup.Host; base != w.BaseURL {
		t.Errorf("setup link %s is not on %s", setup, w.BaseURL)
	}
	if setup.Query().Get("token") == "" {
		t.Errorf("setup link %s has no token", setup)
	}

	checkHealthz := func() {
		t.Helper()
		resp, err := chromedp.Run(ctx, chromedp.NavigateResponse(w.URL("/healthz")))
		if err != nil {
			t.Fatalf("GET /healthz: %v", err)
		}
		body, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("body")))
		if err != nil {
			t.Fatal(err)
		}
		if resp.Status != http.StatusOK || strings.TrimSpace(body) != "ok" {
			t.Errorf("GET /healthz in the browser: %d %q, want 200 \"ok\"", resp.Status, body)
		}
	}
	checkHealthz()

	dir, before := w.DataDir, w.BaseURL
	w.Restart(t)
	if w.DataDir != dir {
		t.Errorf("Restart changed the data directory: %s, was %s", w.DataDir, dir)
	}
	t.Logf("restarted: %s, was %s", w.BaseURL, before)
	checkHealthz()
}

// TestHTMLCheck checks that pageSource reads the HTML as the server sent
// it, for a page reached by a GET and by a POST, and that the Nu Html
// Checker passes a valid page and reports an invalid one.
func TestHTMLCheck(t *testing.T) {
	ts := testSite(t)
	ctx := newBrowser(t, false)
	visit(t, ctx, ts.URL+"/", http.StatusOK)
	good, err := pageSource(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if string(good.HTML) != goodPage || good.URL != ts.URL+"/" {
		t.Errorf("pageSource of / = %s %q, want the page as served", good.URL, shorten(string(good.HTML), 80))
	}
	checkPage(t, ctx) // queued; checked when the test ends

	if err := chromedp.Do(ctx, chromedp.SendKeys(chromedp.ID("name"), "Ada")); err != nil {
		t.Fatal(err)
	}
	clickAndWait(t, ctx, `button[type="submit"]`)
	done, err := pageSource(ctx)
	if err != nil || !strings.Contains(string(done.HTML), "<h1>Thanks</h1>") {
		t.Errorf("pageSource after a POST and its redirect: %q, %v", shorten(string(done.HTML), 80), err)
	}

	visit(t, ctx, ts.URL+"/bad", http.StatusOK)
	bad, err := pageSource(ctx)
	if err != nil {
		t.Fatal(err)
	}
	errs, err := validateHTML(t.TempDir(), []source{good, bad})
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("the Nu Html Checker cannot run: %v", err)
		}
		t.Skipf("the Nu Html Checker cannot run: %v", err)
	}
	if ms := errs[good.URL]; len(ms) > 0 {
		t.Errorf("vnu reports errors on a valid page:\n%s", formatVNU(ms))
	}
	ms := errs[bad.URL]
	if !slices.ContainsFunc(ms, func(m vnuMessage) bool { return strings.Contains(m.Message, "title") }) {
		t.Errorf("vnu does not report the missing title of /bad: %+v", ms)
	}
	if len(errs) != 1 {
		t.Errorf("vnu's errors are for %d pages, want 1: %v", len(errs), errs)
	}
}
