package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

const (
	// defaultChromium is where Debian's chromium package puts the browser.
	// The environment variable CHROMIUM overrides it.
	defaultChromium = "/usr/bin/chromium"

	// browserTimeout bounds a whole browser, so a hung page fails one test
	// instead of the package's -timeout killing every test.
	browserTimeout = 5 * time.Minute
	// actionTimeout bounds one helper call such as waitReady.
	actionTimeout = 15 * time.Second

	// readySelector matches the footer that ends every page's layout. It
	// is the last element the server writes, so once it is in the DOM the
	// whole document has been parsed.
	readySelector = `[data-testid="page-ready"]`
)

// chromiumPath returns the browser to run: $CHROMIUM, or Debian's path.
func chromiumPath() string {
	if p := os.Getenv("CHROMIUM"); p != "" {
		return p
	}
	return defaultChromium
}

// jsKey marks a browser context with whether page scripts may run.
type jsKey struct{}

// scriptsEnabled reports whether newBrowser was asked for JavaScript.
func scriptsEnabled(ctx context.Context) bool {
	js, ok := ctx.Value(jsKey{}).(bool)
	return !ok || js
}

// newBrowser starts a headless Chromium with its own empty profile and
// returns the context of its first tab. The browser closes when the test
// ends; if the test failed, what Chromium printed is logged.
//
// With js false the tab runs no page scripts, for every page it loads, as
// a user who turned JavaScript off: Emulation.setScriptExecutionDisabled
// is sent to the tab before its first navigation. Runtime.evaluate from
// the test (chromedp.Evaluate, Title, Location) still works for reading
// the page.
//
// Without Chromium the test is skipped, except when the environment
// variable CI is set: CI must run the browser tests, so there it fails.
func newBrowser(t testing.TB, js bool) context.Context {
	t.Helper()
	path, err := exec.LookPath(chromiumPath())
	if err != nil {
		msg := fmt.Sprintf("no Chromium: %v; run `make test`, which installs Debian's chromium package, or set CHROMIUM to the browser", err)
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}

	var output lockedBuffer
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox, // the sandbox cannot start as root, as in CI
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		// The machine has no network but loopback; these stop Chromium
		// from calling home at start and in the background.
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.WindowSize(1280, 900),
		chromedp.CombinedOutput(&output),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	actx, cancelTimeout := context.WithTimeout(actx, browserTimeout)
	ctx, cancelTab := chromedp.NewContext(actx,
		chromedp.WithErrorf(func(format string, args ...any) {
			fmt.Fprintf(&output, "chromedp: "+format+"\n", args...)
		}))
	t.Cleanup(func() {
		cancelTab()
		cancelTimeout()
		cancelAlloc() // waits for the browser to exit, before TempDir is removed
		if t.Failed() {
			t.Logf("chromium and chromedp output:\n%s", output.String())
		}
	})

	// The first call starts the browser and opens the tab.
	if _, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: !js}); err != nil {
		t.Fatalf("starting %s: %v\n%s", path, err, output.String())
	}
	return context.WithValue(trackDocuments(ctx), jsKey{}, js)
}

// waitReady waits until the page-ready footer is in the DOM, or for at most
// actionTimeout.
//
// After a click that navigates, the old page's footer is still there for a
// moment; use clickAndWait (or chromedp.RunResponse) for such steps.
func waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(readySelector))); err != nil {
		return fmt.Errorf("waiting for %s: %w", readySelector, err)
	}
	return nil
}

// visit navigates the tab to url, checks the HTTP status of the document
// and waits for the page-ready footer. It returns the document's response.
func visit(t testing.TB, ctx context.Context, url string, wantStatus int) *network.Response {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.Run(tctx, chromedp.NavigateResponse(url))
	if err != nil {
		t.Fatalf("navigating to %s: %v", url, err)
	}
	if resp.Status != int64(wantStatus) {
		t.Fatalf("GET %s: status %d, want %d", url, resp.Status, wantStatus)
	}
	if err := waitReady(ctx); err != nil {
		t.Fatalf("%s: %v", url, err)
	}
	return resp
}

// clickAndWait clicks the element that sel matches, waits for the
// navigation it starts (following redirects, so a POST answered with 303
// gives the response of the GET), and waits for the new page to be ready.
// It returns the final document's response.
func clickAndWait(t testing.TB, ctx context.Context, sel string) *network.Response {
	t.Helper()
	tctx, cancel := context.WithTimeout(ctx, actionTimeout)
	defer cancel()
	resp, err := chromedp.RunResponse(tctx, chromedp.Click(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("clicking %s: %v", sel, err)
	}
	if err := waitReady(ctx); err != nil {
		t.Fatalf("after clicking %s: %v", sel, err)
	}
	return resp
}

// browserPage is a wizard driven through a browser: the helpers the
// walkthroughs use to read, fill in and submit its pages.
type browserPage struct {
	t   *testing.T
	ctx context.Context
	w   *wizard
}

// jsQuote quotes v as a JavaScript string literal.
func jsQuote(v string) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// js evaluates expr, a function body returning a JSON-encodable value,
// and decodes the result into v.
func (p *browserPage) js(expr string, v any) {
	p.t.Helper()
	out, err := chromedp.Run(p.ctx, chromedp.Evaluate[string](`JSON.stringify((() => { `+expr+` })())`))
	if err != nil {
		p.t.Fatalf("evaluating %s: %v", shorten(expr, 120), err)
	}
	if err := json.Unmarshal([]byte(out), v); err != nil {
		p.t.Fatalf("decoding %q: %v", shorten(out, 200), err)
	}
}

func (p *browserPage) text(sel string) string {
	p.t.Helper()
	var v string
	p.js(`const e = document.querySelector(`+jsQuote(sel)+`); return e ? e.textContent.replace(/\s+/g, " ").trim() : "";`, &v)
	return v
}

func (p *browserPage) texts(sel string) []string {
	p.t.Helper()
	var v []string
	p.js(`return [...document.querySelectorAll(`+jsQuote(sel)+`)].map(e => e.textContent.replace(/\s+/g, " ").trim());`, &v)
	return v
}

func (p *browserPage) path() string {
	p.t.Helper()
	u, err := chromedp.Run(p.ctx, chromedp.Location())
	if err != nil {
		p.t.Fatal(err)
	}
	return strings.TrimPrefix(u, p.w.BaseURL)
}

// fill types v into the field sel, replacing what it held.
func (p *browserPage) fill(sel, v string) {
	p.t.Helper()
	var ok bool
	p.js(`const e = document.querySelector(`+jsQuote(sel)+`); if (!e) return false; e.value = ""; return true;`, &ok)
	if !ok {
		p.t.Fatalf("no %s on %s", sel, p.path())
	}
	if v == "" {
		return
	}
	if err := chromedp.Do(p.ctx, chromedp.SendKeys(chromedp.CSS(sel), v)); err != nil {
		p.t.Fatalf("typing into %s: %v", sel, err)
	}
}

// paste puts v into the field sel at once, as pasting does.
func (p *browserPage) paste(sel, v string) {
	p.t.Helper()
	var ok bool
	p.js(`const e = document.querySelector(`+jsQuote(sel)+`); if (!e) return false; e.value = `+jsQuote(v)+`; return true;`, &ok)
	if !ok {
		p.t.Fatalf("no %s on %s", sel, p.path())
	}
}

func (p *browserPage) click(sel string) {
	p.t.Helper()
	ctx, cancel := context.WithTimeout(p.ctx, actionTimeout)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(sel))); err != nil {
		p.t.Fatalf("clicking %s on %s: %v", sel, p.path(), err)
	}
}

// submit clicks sel, which navigates, and checks the final status.
func (p *browserPage) submit(sel string, status int) {
	p.t.Helper()
	resp := clickAndWait(p.t, p.ctx, sel)
	if resp.Status != int64(status) {
		p.t.Fatalf("after clicking %s: status %d at %s, want %d; %s", sel, resp.Status, resp.URL, status, p.text(`[data-testid="error-summary"]`))
	}
}

// formField is one question of a question page as the browser shows it.
type formField struct {
	Kind    string   `json:"kind"`
	Name    string   `json:"name"`
	ID      string   `json:"id"`
	Values  []string `json:"values"`
	Checked []string `json:"checked"`
	Value   string   `json:"value"`
}

func (p *browserPage) fields() []formField {
	var fs []formField
	p.js(`
		const form = document.querySelector('form[data-testid="question-form"]');
		const out = [];
		for (const el of form.querySelectorAll("fieldset, input[type=text], textarea")) {
			if (el.tagName === "FIELDSET") {
				const inputs = [...el.querySelectorAll("input[type=radio], input[type=checkbox]")];
				if (inputs.length === 0) continue;
				out.push({kind: inputs[0].type, name: inputs[0].name, id: inputs[0].id, values: inputs.map(i => i.value),
					checked: inputs.filter(i => i.checked).map(i => i.value)});
			} else if (!el.closest("fieldset")) {
				out.push({kind: "text", name: el.name, id: el.id, value: el.value});
			}
		}
		return out;`, &fs)
	return fs
}
