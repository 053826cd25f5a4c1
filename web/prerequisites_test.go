package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/secex/wizard/steps"
)

// graphStep is a one-question procedure that needs the procedures reqs.
func graphStep(id, title string, reqs ...string) *steps.Step {
	return &steps.Step{
		ID: id, Title: title, Section: "Test", Summary: "A test procedure", Rationale: []string{"For tests."}, Requires: reqs,
		Pages: []steps.Page{{ID: "p1", Questions: []steps.Question{{ID: "q1", Label: "Is this a test?", Kind: steps.KindYesNo}}}},
	}
}

// taskRow is a procedure's row of the task list.
type taskRow struct {
	link         bool
	hint, status string
}

func taskRows(t *testing.T, body string) map[string]taskRow {
	t.Helper()
	rows := map[string]taskRow{}
	doc(t, body).Find(`[data-testid="task-list"] li`).Each(func(_ int, li *goquery.Selection) {
		name := li.Find(".task-name")
		title := strings.TrimSpace(name.Children().First().Text())
		rows[title] = taskRow{
			link:   name.Find("a").Length() > 0,
			hint:   strings.Join(strings.Fields(name.Find(".task-hint").Text()), " "),
			status: strings.TrimSpace(li.Find(`[data-testid="task-status"]`).Text()),
		}
	})
	return rows
}

// TestProceduresOpenWhenTheirPrerequisitesAreComplete checks that the
// procedures form a graph: one opens as soon as everything it needs,
// directly or through what it needs, is completed, whatever the state of
// the procedures before it in the guide; one that cannot start names every
// procedure it still needs.
func TestProceduresOpenWhenTheirPrerequisitesAreComplete(t *testing.T) {
	catalog := []*steps.Step{
		graphStep("early", "Early procedure"),
		graphStep("base", "Base procedure"),
		graphStep("mid", "Middle procedure", "base"),
		graphStep("top", "Top procedure", "mid"),
	}
	env := newEnv(t, catalog)
	owner := env.mustUser("olivia", false)
	pid := env.project(owner)
	c := env.signIn("olivia")
	pp := fmt.Sprintf("/p/%d", pid)
	ctx := context.Background()
	setComplete := func(id string, done bool) {
		t.Helper()
		if err := env.st.SetStepComplete(ctx, owner.ID, pid, id, done); err != nil {
			t.Fatal(err)
		}
	}
	check := func(when string, want map[string]taskRow) {
		t.Helper()
		_, body := c.get(pp)
		got := taskRows(t, body)
		for title, w := range want {
			g, ok := got[title]
			if !ok {
				t.Errorf("%s: no task %q on the task list", when, title)
				continue
			}
			if g.link != w.link || g.status != w.status || (w.hint != "" && g.hint != w.hint) {
				t.Errorf("%s: %q is %+v, want %+v", when, title, g, w)
			}
		}
	}
	open := taskRow{link: true, status: "Not yet started"}
	done := taskRow{link: true, status: "Completed"}
	blocked := func(hint string) taskRow { return taskRow{hint: hint, status: "Cannot start yet"} }

	check("at first", map[string]taskRow{
		"Early procedure":  open,
		"Base procedure":   open,
		"Middle procedure": blocked("Cannot start yet: needs “Base procedure”."),
		"Top procedure":    blocked("Cannot start yet: needs “Base procedure” and “Middle procedure”."),
	})

	// The middle procedure opens once the base one is complete, though the
	// earlier, unrelated procedure is not even started.
	setComplete("base", true)
	check("base completed", map[string]taskRow{
		"Early procedure":  open,
		"Base procedure":   done,
		"Middle procedure": open,
		"Top procedure":    blocked("Cannot start yet: needs “Middle procedure”."),
	})
	if resp, _ := c.get(pp + "/steps/mid"); resp.StatusCode != http.StatusSeeOther || resp.Header.Get("Location") != pp+"/steps/mid/p1" {
		t.Errorf("GET /steps/mid with base completed: %d to %q, want 303 to its first page", resp.StatusCode, resp.Header.Get("Location"))
	}
	q := pp + "/steps/mid/p1"
	if resp, body := c.post(q, url.Values{"csrf_token": {c.token(q)}, "q1": {"yes"}, "version.q1": {"0"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("answering the middle procedure: %d\n%.300s", resp.StatusCode, body)
	}
	resp, body := c.get(pp + "/steps/top")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, "Cannot start yet: needs “Middle procedure”.") {
		t.Errorf("GET /steps/top: %d, want the page naming what it needs:\n%.500s", resp.StatusCode, body)
	}
	tq := pp + "/steps/top/p1"
	if resp, _ := c.get(tq); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("GET a question of the top procedure before it may start: %d, want 303 to its start", resp.StatusCode)
	}
	if resp, _ := c.post(tq, url.Values{"csrf_token": {c.token(pp)}, "q1": {"yes"}, "version.q1": {"0"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("answering the top procedure before it may start: %d, want 403", resp.StatusCode)
	}

	setComplete("mid", true)
	check("base and middle completed", map[string]taskRow{
		"Early procedure": open,
		"Top procedure":   open,
	})

	// Reopening the base procedure closes the top one again, though the
	// middle one is still marked completed: the top procedure reads the
	// middle one's answers, and those rest on the base procedure's.
	setComplete("base", false)
	check("base reopened", map[string]taskRow{
		"Early procedure":  open,
		"Middle procedure": blocked("Cannot start yet: needs “Base procedure”."),
		"Top procedure":    blocked("Cannot start yet: needs “Base procedure”."),
	})
}
