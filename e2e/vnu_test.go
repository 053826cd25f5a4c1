package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The Nu Html Checker (vnu.jar, from the npm package vnu-jar that `make
// test` installs in testdata/vnu) checks the markup of every page the
// tests check with axe: the HTML the server sent, as the browser received
// it. It needs Java. Without Java or the jar the check is skipped, except
// in CI, where it fails.

// defaultVNU is where `make test` puts vnu.jar; VNU_JAR overrides it.
const defaultVNU = "testdata/vnu/node_modules/vnu-jar/build/dist/vnu.jar"

// checkPage checks the tab's current page with axe and queues its HTML
// for the Nu Html Checker, which runs once over every queued page when the
// test ends. Call it once the page is ready.
func checkPage(t testing.TB, ctx context.Context) {
	t.Helper()
	checkAxe(t, ctx)
	src, err := pageSource(ctx)
	if err != nil {
		t.Fatalf("reading the page's HTML: %v", err)
	}
	htmlQueue(t).add(src)
}

// source is one page's HTML as the server sent it.
type source struct {
	URL  string
	HTML []byte
}

// docKey marks a tab's context with its docTracker.
type docKey struct{}

// docTracker remembers the request of the tab's latest document, whose
// body the browser keeps (the wizard's pages are no-store, so they are not
// in its cache).
type docTracker struct {
	mu  sync.Mutex
	id  network.RequestID
	url string
}

// trackDocuments starts recording the documents the tab of ctx loads; the
// tab must exist. It returns ctx carrying the tracker for pageSource.
func trackDocuments(ctx context.Context) context.Context {
	tr := &docTracker{}
	chromedp.Listen(ctx, func(ev any) {
		if e, ok := ev.(*network.EventResponseReceived); ok && e.Type == network.ResourceTypeDocument && e.Response != nil {
			tr.mu.Lock()
			tr.id, tr.url = e.RequestID, e.Response.URL
			tr.mu.Unlock()
		}
	})
	return context.WithValue(ctx, docKey{}, tr)
}

// pageSource returns the HTML of the tab's current document as received,
// whatever the request was (a GET, or a POST answered with a page).
func pageSource(ctx context.Context) (source, error) {
	tr, ok := ctx.Value(docKey{}).(*docTracker)
	if !ok {
		return source{}, fmt.Errorf("the tab does not record its documents; open it with newBrowser or newPrivateTab")
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil {
		return source{}, err
	}
	loc, _, _ = strings.Cut(loc, "#")
	tr.mu.Lock()
	id, u := tr.id, tr.url
	tr.mu.Unlock()
	if u != loc {
		return source{}, fmt.Errorf("the tab is at %s, but the last document it recorded is %q", loc, u)
	}
	res, err := chromedp.Call(ctx, network.GetResponseBody, network.GetResponseBodyParams{RequestID: id})
	if err != nil {
		return source{}, fmt.Errorf("the body of %s: %w", u, err)
	}
	return source{URL: u, HTML: res.Body}, nil
}

// htmlQueues holds each test's queue.
var htmlQueues sync.Map // testing.TB → *sourceQueue

type sourceQueue struct {
	mu    sync.Mutex
	pages []source
}

func (q *sourceQueue) add(s source) {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.pages = append(q.pages, s)
}

// htmlQueue returns t's queue, creating it with the cleanup that checks
// it.
func htmlQueue(t testing.TB) *sourceQueue {
	if q, ok := htmlQueues.Load(t); ok {
		return q.(*sourceQueue)
	}
	q := &sourceQueue{}
	htmlQueues.Store(t, q)
	dir := t.TempDir() // removed after the check below has run
	t.Cleanup(func() {
		htmlQueues.Delete(t)
		q.mu.Lock()
		pages := q.pages
		q.mu.Unlock()
		checkHTML(t, dir, pages)
	})
	return q
}

// vnuMessage is one message of vnu's JSON output.
type vnuMessage struct {
	Type     string `json:"type"`
	SubType  string `json:"subType"`
	URL      string `json:"url"`
	LastLine int    `json:"lastLine"`
	LastCol  int    `json:"lastColumn"`
	Message  string `json:"message"`
	Extract  string `json:"extract"`
}

// vnuCommand returns the command that runs vnu.jar, or why it cannot run.
func vnuCommand() ([]string, error) {
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, fmt.Errorf("no java: %v; run `make test`, which installs Debian's default-jre-headless", err)
	}
	jar := os.Getenv("VNU_JAR")
	if jar == "" {
		jar = defaultVNU
	}
	if _, err := os.Stat(jar); err != nil {
		return nil, fmt.Errorf("no vnu.jar: %v; run `make test`, which runs npm ci in e2e/testdata/vnu, or set VNU_JAR", err)
	}
	return []string{java, "-Xss8m", "-jar", jar, "--format", "json", "--errors-only", "--exit-zero-always", "--stdout"}, nil
}

// validateHTML runs vnu.jar over pages, written to files in dir, and
// returns its errors by page URL.
func validateHTML(dir string, pages []source) (map[string][]vnuMessage, error) {
	cmd, err := vnuCommand()
	if err != nil {
		return nil, err
	}
	byFile := map[string]string{}
	args := slices.Clone(cmd)
	for i, p := range pages {
		name := filepath.Join(dir, fmt.Sprintf("page-%03d.html", i+1))
		if err := os.WriteFile(name, p.HTML, 0o644); err != nil {
			return nil, err
		}
		byFile[(&url.URL{Scheme: "file", Path: name}).String()] = p.URL
		args = append(args, name)
	}
	var stdout, stderr bytes.Buffer
	c := exec.Command(args[0], args[1:]...)
	c.Stdout, c.Stderr = &stdout, &stderr
	if err := c.Run(); err != nil {
		return nil, fmt.Errorf("vnu: %v\n%s", err, stderr.String())
	}
	var out struct {
		Messages []vnuMessage `json:"messages"`
	}
	if err := json.Unmarshal(stdout.Bytes(), &out); err != nil {
		return nil, fmt.Errorf("decoding vnu's output: %v\n%s", err, shorten(stdout.String(), 500))
	}
	errs := map[string][]vnuMessage{}
	for _, m := range out.Messages {
		if m.Type != "error" && m.SubType != "fatal" {
			continue
		}
		u := m.URL
		if p, ok := byFile[strings.Replace(u, "file:/", "file:///", 1)]; ok {
			u = p
		} else if p, ok := byFile[u]; ok {
			u = p
		}
		errs[u] = append(errs[u], m)
	}
	return errs, nil
}

// checkHTML fails t with every error vnu finds in pages.
func checkHTML(t testing.TB, dir string, pages []source) {
	t.Helper()
	if len(pages) == 0 {
		return
	}
	errs, err := validateHTML(dir, pages)
	if err != nil {
		if os.Getenv("CI") != "" {
			t.Errorf("the Nu Html Checker cannot run: %v", err)
		} else {
			t.Logf("the Nu Html Checker did not run: %v", err)
		}
		return
	}
	for _, p := range pages {
		if ms := errs[p.URL]; len(ms) > 0 {
			t.Errorf("vnu: %d HTML error(s) on %s:\n%s", len(ms), p.URL, formatVNU(ms))
			delete(errs, p.URL)
		}
	}
	for u, ms := range errs {
		t.Errorf("vnu: %d HTML error(s) on %s:\n%s", len(ms), u, formatVNU(ms))
	}
	t.Logf("vnu: %d pages checked", len(pages))
}

func formatVNU(ms []vnuMessage) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "- line %d, column %d: %s\n    %s\n", m.LastLine, m.LastCol, m.Message, shorten(m.Extract, 160))
	}
	return b.String()
}
