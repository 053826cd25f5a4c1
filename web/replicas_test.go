package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/store/pgtest"
)

// TestLiveAcrossReplicas runs two wizard servers on one PostgreSQL, as
// behind a load balancer. A change saved through one reaches a stream open
// on the other; a stream that breaks resumes on the other replica from
// its Last-Event-ID with every change it missed, in order and without a
// reload; and a session and its CSRF token from one are good on the other.
func TestLiveAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	open := func() *store.Store {
		st, err := store.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { st.Close() })
		return st
	}
	a := newEnvOn(t, open(), []*steps.Step{fakeStep})
	b := newEnvOn(t, open(), []*steps.Step{fakeStep})
	own, ed := a.mustUser("olivia", false), a.mustUser("eddie", false)
	lt := &liveTeam{env: a, pid: a.project(own), eddieUser: ed}
	if err := a.st.SetMember(ctx, own.ID, lt.pid, ed.ID, store.RoleEditor); err != nil {
		t.Fatal(err)
	}
	lt.eddie = a.signIn("eddie")   // on A
	lt.olivia = b.signIn("olivia") // on B

	s := lt.olivia.stream(lt.pid, url.Values{"page": {lt.path("")}}, "")
	s.next("presence")
	lt.saveAnswer(lt.eddie, "yes", 0, http.StatusSeeOther)
	first, ev := s.change()
	if ev.Kind != "answers" || ev.By != "eddie" {
		t.Fatalf("on B the change from A is %+v, want eddie's answers", ev)
	}

	// Olivia's stream breaks; Eddie makes two changes on A; her browser
	// reconnects, this time to A, with the last id it saw.
	s.cancel()
	s.waitEnded()
	lt.saveAnswer(lt.eddie, "no", 1, http.StatusSeeOther)
	lt.complete(lt.eddie)
	onA := &client{env: a, hc: lt.olivia.hc} // the same cookies, the other replica
	s = onA.stream(lt.pid, nil, first.ID)
	x, evX := s.change()
	y, evY := s.change()
	if evX.Kind != "answers" || evY.Kind != "progress" || !(first.ID < x.ID && x.ID < y.ID) {
		t.Errorf("resuming on A from %s: %s %+v, %s %+v; want answers then progress with growing ids", first.ID, x.ID, evX, y.ID, evY)
	}

	// Eddie's session from A saves through B with the form B gives him,
	// and Olivia's stream on A hears of it.
	onB := &client{env: b, hc: lt.eddie.hc}
	p := lt.path("/steps/fake/p1")
	resp, body := onB.post(p, url.Values{"csrf_token": {onB.token(p)}, "q1": {"yes"}, "version.q1": {"2"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("saving through B with A's session: %d\n%.300s", resp.StatusCode, body)
	}
	if _, ev := s.change(); ev.Kind != "answers" || !strings.HasSuffix(ev.Path, "/steps/fake/p1") {
		t.Errorf("on A the change from B is %+v", ev)
	}
}
