package e2e

import (
	"context"
	_ "embed"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// axeSource is axe-core, vendored with its licence in testdata/axe (see the
// README there), so the tests need neither Node nor the network.
//
//go:embed testdata/axe/axe.min.js
var axeSource string

// axeTags are the rule sets checkAxe runs: WCAG 2.0, 2.1 and 2.2 at levels A
// and AA, and axe's best practices.
var axeTags = []string{"wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"}

// axeTimeout bounds one axe run, injection included.
const axeTimeout = 30 * time.Second

// axeResults is the part of axe.run's result that the tests read.
type axeResults struct {
	URL        string    `json:"url"`
	Violations []axeRule `json:"violations"`
	Incomplete []axeRule `json:"incomplete"` // needs a person to decide
}

type axeRule struct {
	ID      string    `json:"id"`
	Impact  string    `json:"impact"`
	Help    string    `json:"help"`
	HelpURL string    `json:"helpUrl"`
	Tags    []string  `json:"tags"`
	Nodes   []axeNode `json:"nodes"`
}

type axeNode struct {
	// Target is the node's CSS selector; an entry is itself a list of
	// selectors when the node is inside a shadow root or a frame.
	Target         []any  `json:"target"`
	HTML           string `json:"html"`
	FailureSummary string `json:"failureSummary"`
}

// ruleIDs returns the ids of the rules, in axe's order.
func ruleIDs(rules []axeRule) []string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.ID
	}
	return ids
}

// runAxe injects axe-core into the tab's current page (once per document)
// and runs it on the whole document with axeTags.
//
// axe.run settles its promise through timers, which do not run while the
// tab has script execution disabled: evaluation itself works, but the
// promise never resolves. So for a tab from newBrowser(t, false) runAxe
// enables scripts for the duration of the run and disables them again
// before it returns. Turning scripts on does not run the page's own scripts
// that were skipped at load, and nothing else can happen in the tab
// meanwhile, so the page stays as a JavaScript-off user sees it.
func runAxe(ctx context.Context) (res axeResults, err error) {
	if !scriptsEnabled(ctx) {
		if err := setScriptsDisabled(ctx, false); err != nil {
			return res, err
		}
		defer func() {
			if derr := setScriptsDisabled(ctx, true); derr != nil && err == nil {
				err = derr
			}
		}()
	}

	tctx, cancel := context.WithTimeout(ctx, axeTimeout)
	defer cancel()
	loaded, err := chromedp.Run(tctx, chromedp.Evaluate[bool](`typeof window.axe === "object"`))
	if err != nil {
		return res, fmt.Errorf("checking for axe: %w", err)
	}
	if !loaded {
		if err := chromedp.Do(tctx, chromedp.Evaluate[chromedp.Void](axeSource)); err != nil {
			return res, fmt.Errorf("injecting axe-core: %w", err)
		}
	}

	opts, err := json.Marshal(map[string]any{
		"runOnly":     map[string]any{"type": "tag", "values": axeTags},
		"resultTypes": []string{"violations", "incomplete"},
	})
	if err != nil {
		return res, err
	}
	raw, err := chromedp.Run(tctx, chromedp.Evaluate[string](
		`axe.run(document, `+string(opts)+`).then(r => JSON.stringify({url: r.url, violations: r.violations, incomplete: r.incomplete}))`,
		chromedp.EvalAwaitPromise))
	if err != nil {
		return res, fmt.Errorf("running axe: %w", err)
	}
	if err := json.Unmarshal([]byte(raw), &res); err != nil {
		return res, fmt.Errorf("decoding axe's results: %w", err)
	}
	return res, nil
}

func setScriptsDisabled(ctx context.Context, disabled bool) error {
	_, err := chromedp.Call(ctx, emulation.SetScriptExecutionDisabled,
		emulation.SetScriptExecutionDisabledParams{Value: disabled})
	if err != nil {
		return fmt.Errorf("setting script execution disabled=%v: %w", disabled, err)
	}
	return nil
}

// checkAxe runs axe-core on the tab's current page and fails the test with
// every violation: rule id, impact, help text and link, and each node's
// selector, markup and what to fix. Items axe could not decide are logged
// for a person to review. Call it once the page is ready (waitReady).
// It works the same in tabs with JavaScript on and off.
func checkAxe(t testing.TB, ctx context.Context) {
	t.Helper()
	res, err := runAxe(ctx)
	if err != nil {
		t.Fatalf("axe: %v", err)
	}
	if len(res.Incomplete) > 0 {
		t.Logf("axe: needs review on %s: %s", res.URL, strings.Join(ruleIDs(res.Incomplete), ", "))
	}
	if len(res.Violations) > 0 {
		t.Errorf("axe: %d accessibility rule(s) violated on %s:\n%s",
			len(res.Violations), res.URL, formatViolations(res.Violations))
	}
}

// formatViolations lists the rules and their nodes, one block a rule.
func formatViolations(rules []axeRule) string {
	var b strings.Builder
	for _, r := range rules {
		fmt.Fprintf(&b, "- %s (%s): %s\n  %s\n", r.ID, r.Impact, r.Help, r.HelpURL)
		for _, n := range r.Nodes {
			fmt.Fprintf(&b, "  * %s\n    %s\n", formatTarget(n.Target), shorten(n.HTML, 200))
			for line := range strings.SplitSeq(n.FailureSummary, "\n") {
				if line = strings.TrimSpace(line); line != "" {
					fmt.Fprintf(&b, "      %s\n", line)
				}
			}
		}
	}
	return b.String()
}

func formatTarget(target []any) string {
	parts := make([]string, len(target))
	for i, sel := range target {
		parts[i] = fmt.Sprint(sel)
	}
	return strings.Join(parts, " >>> ")
}

func shorten(s string, n int) string {
	r := []rune(strings.Join(strings.Fields(s), " "))
	if len(r) <= n {
		return string(r)
	}
	return string(r[:n]) + "…"
}
