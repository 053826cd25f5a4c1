package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

func TestTicketForm(t *testing.T) {
	env := newEnv(t, nil)
	owner := env.mustUser("olivia", false)
	pid := env.project(owner)
	c := env.signIn("olivia")
	path := fmt.Sprintf("/p/%d/ticket", pid)
	tok := c.token(path)
	form := url.Values{"csrf_token": {tok}, "version": {"0"}, "number": {"CHG0012345"}, "title": {"Secure Exchange"},
		"requester": {"Ann"}, "implementers": {"Bo\nCy"}, "reviewer": {"Di"}, "approvers": {"CAB"},
		"window-start": {"2026-12-05 22:00"}, "window-end": {"2026-12-05 21:00"}, "time-zone": {"Europe/London"},
		"risk": {"medium"}, "risk-reason": {"Short OWA outage"}, "affected-users": {"OWA users"}}
	resp, body := c.post(path, form)
	d := doc(t, body)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(d.Find("#window-end-error").Text(), "end after it starts") {
		t.Fatalf("window ending before it starts: %d %q", resp.StatusCode, d.Find("#window-end-error").Text())
	}
	if d.Find("#implementers").Text() != "Bo\nCy" || d.Find("#window-end").AttrOr("value", "") != "2026-12-05 21:00" {
		t.Error("typed values not kept")
	}
	form.Set("window-end", "2026-12-06 02:00")
	if resp, body := c.post(path, form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: %d %s", resp.StatusCode, body)
	}
	rec, _ := env.st.Ticket(context.Background(), pid)
	if rec.Ticket.Number != "CHG0012345" || len(rec.Ticket.Implementers) != 2 || rec.Ticket.WindowStart != "2026-12-05T22:00" {
		t.Errorf("saved ticket: %+v", rec.Ticket)
	}
	// A second save from a page opened before the first is a conflict.
	form.Set("title", "Other title")
	resp, body = c.post(path, form)
	if resp.StatusCode != http.StatusConflict || !strings.Contains(body, "olivia changed the change ticket") {
		t.Errorf("stale save: %d", resp.StatusCode)
	}
	if rec, _ := env.st.Ticket(context.Background(), pid); rec.Ticket.Title != "Secure Exchange" {
		t.Errorf("stale save overwrote the ticket: %q", rec.Ticket.Title)
	}
}
