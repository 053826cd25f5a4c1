package ui

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/secex/wizard/steps/bundle"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/runbook/runbooktest"
)

func runbookCSS(tb testing.TB) string {
	tb.Helper()
	b, err := os.ReadFile("../../assets/css/runbook.css")
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

func referenceDoc(tb testing.TB) (runbooktest.Scenario, *runbook.Doc) {
	tb.Helper()
	sc := runbooktest.Reference(tb)
	hs, err := bundle.FileHashes(sc.Output)
	if err != nil {
		tb.Fatal(err)
	}
	return sc, sc.Build(hs)
}

func parse(tb testing.TB, b []byte) *goquery.Document {
	tb.Helper()
	d, err := goquery.NewDocumentFromReader(bytes.NewReader(b))
	if err != nil {
		tb.Fatal(err)
	}
	return d
}

func renderLinked(tb testing.TB, d *runbook.Doc) []byte {
	tb.Helper()
	var b bytes.Buffer
	if err := RunbookDocument(d, "/assets/css/runbook.0123456789ab.css").Render(context.Background(), &b); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

// TestRunbookDocument checks the linked document: a whole page, its
// running header's text, every plan step, check and undo entry, tables
// with captions and header scopes, headings in order, and nothing
// interactive or inline-styled.
func TestRunbookDocument(t *testing.T) {
	sc, d := referenceDoc(t)
	for _, doc := range []*runbook.Doc{d, d.ForServer("EXFE01"), d.ForServer("Outlook clients")} {
		page := parse(t, renderLinked(t, doc))
		html := page.Find("html")
		if got := html.AttrOr("data-running-head", ""); got != "CHG0012345: "+sc.Ticket.Title {
			t.Errorf("%s: running head %q", doc.Scope, got)
		}
		if got := html.AttrOr("data-running-scope", ""); got != doc.Scope {
			t.Errorf("%s: running scope %q", doc.Scope, got)
		}
		if !strings.Contains(html.AttrOr("data-running-foot", ""), "Revision 7") {
			t.Errorf("%s: running foot %q", doc.Scope, html.AttrOr("data-running-foot", ""))
		}
		if href := page.Find(`link[rel="stylesheet"]`).AttrOr("href", ""); href != "/assets/css/runbook.0123456789ab.css" {
			t.Errorf("%s: style sheet %q", doc.Scope, href)
		}
		if n := page.Find("style, script, [style], input, button, form, select, textarea").Length(); n > 0 {
			t.Errorf("%s: %d inline styles, scripts or controls", doc.Scope, n)
		}
		if got, want := page.Find(`[data-testid="runbook-step"]`).Length(), len(doc.Steps()); got != want || want == 0 {
			t.Errorf("%s: %d steps printed, the document has %d", doc.Scope, got, want)
		}
		if got, want := page.Find(`[data-testid="runbook-undo"]`).Length(), len(doc.Steps()); got != want {
			t.Errorf("%s: %d undo entries, want %d", doc.Scope, got, want)
		}
		if page.Find(`[data-testid="runbook-signoff"]`).Length() != 1 || page.Find(`[data-testid="runbook-closure"]`).Length() != 1 {
			t.Errorf("%s: sign-off table or closure record missing", doc.Scope)
		}
		if got := page.Find(`[data-testid="runbook-section"]`).Length(); got != len(doc.Sections) {
			t.Errorf("%s: %d sections printed, want %d", doc.Scope, got, len(doc.Sections))
		}
		page.Find("table").Each(func(i int, tb *goquery.Selection) {
			if strings.TrimSpace(tb.Find("caption").Text()) == "" {
				t.Errorf("%s: table %d has no caption", doc.Scope, i)
			}
			tb.Find("th").Each(func(_ int, th *goquery.Selection) {
				if s := th.AttrOr("scope", ""); s != "col" && s != "row" {
					t.Errorf("%s: table %d: th %q has scope %q", doc.Scope, i, th.Text(), s)
				}
			})
		})
		level := 0
		page.Find("h1, h2, h3, h4, h5, h6").Each(func(_ int, h *goquery.Selection) {
			n, _ := strconv.Atoi(goquery.NodeName(h)[1:])
			if n > level+1 {
				t.Errorf("%s: heading %q (h%d) follows an h%d", doc.Scope, h.Text(), n, level)
			}
			level = n
		})
		if page.Find("h1").Length() != 1 {
			t.Errorf("%s: %d h1 elements", doc.Scope, page.Find("h1").Length())
		}
	}
}

// TestRunbookHashes checks that each step that runs a file prints the
// file's path and SHA-256, as document control lists them.
func TestRunbookHashes(t *testing.T) {
	_, d := referenceDoc(t)
	page := parse(t, renderLinked(t, d))
	text := page.Find("#" + runbook.SectionControl).Text()
	for _, f := range d.Files {
		if !strings.Contains(text, f.SHA256) || !strings.Contains(text, f.Path) {
			t.Errorf("document control lacks %s %s", f.Path, f.SHA256)
		}
	}
	step := page.Find("#step-4").Text()
	if !strings.Contains(step, "10-"+runbooktest.FixtureApply) {
		t.Errorf("step 4 does not name the numbered apply script: %s", step)
	}
}

// TestRunbookDocumentInline checks the bundle's document: the style sheet
// is inside it, the running header is stated as CSS strings, and a hostile
// ticket cannot end the style element or add markup.
func TestRunbookDocumentInline(t *testing.T) {
	sc, d := referenceDoc(t)
	css := runbookCSS(t)
	b, err := RunbookHTML(d, css)
	if err != nil {
		t.Fatal(err)
	}
	page := parse(t, b)
	style := page.Find("head style")
	if style.Length() != 1 || !strings.Contains(style.Text(), "@page") || !strings.Contains(style.Text(), `content: "CHG0012345: Secure Exchange communications`) {
		t.Errorf("inline style sheet missing or without the running header")
	}
	if page.Find("link").Length() != 0 {
		t.Error("the inline document links a style sheet")
	}

	hostile := sc
	hostile.Ticket.Title = `x"; } body { display: none } </style><script>alert(1)</script><style>`
	hostile.Ticket.Number = "CHG\\\n\"<>&"
	hs, _ := bundle.FileHashes(hostile.Output)
	hd := hostile.Build(hs)
	b, err = RunbookHTML(hd, css)
	if err != nil {
		t.Fatal(err)
	}
	page = parse(t, b)
	if page.Find("script").Length() != 0 || page.Find("style").Length() != 1 {
		t.Errorf("a hostile title added elements: %d scripts, %d styles", page.Find("script").Length(), page.Find("style").Length())
	}
	if strings.Contains(page.Find("style").Text(), "display: none") && !strings.Contains(page.Find("style").Text(), `\22 ; } body { display: none }`) {
		t.Error("a hostile title escaped its CSS string")
	}
	if got := page.Find("h1").Text(); got != hd.Title {
		t.Errorf("title printed as %q, want %q", got, hd.Title)
	}
}

func TestCSSString(t *testing.T) {
	for in, want := range map[string]string{
		`plain`:        `"plain"`,
		`a"b`:          `"a\22 b"`,
		`a\b`:          `"a\5c b"`,
		"a\nb":         `"a\a b"`,
		`</style>`:     `"\3c /style\3e "`,
		"Bob’s change": `"Bob’s change"`,
	} {
		if got := cssString(in); got != want {
			t.Errorf("cssString(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestRunbookHTMLDeterministic renders twice and compares the bytes.
func TestRunbookHTMLDeterministic(t *testing.T) {
	_, d := referenceDoc(t)
	css := runbookCSS(t)
	a, err := RunbookHTML(d, css)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := RunbookHTML(d, css)
	if !bytes.Equal(a, b) {
		t.Error("two renders differ")
	}
}
