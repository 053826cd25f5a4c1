package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secex/wizard/assets"
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
)

// sseEvent is one message of an event stream.
type sseEvent struct {
	ID, Event, Data string
}

// eventStream is an open GET /p/{pid}/events, read in the background.
type eventStream struct {
	t        *testing.T
	resp     *http.Response
	events   chan sseEvent
	ended    chan struct{} // closed when the server ends the stream
	comments atomic.Int32  // keep-alive lines seen
	cancel   context.CancelFunc
}

// stream opens the project's event stream as c. lastID, when not "", is
// sent as Last-Event-ID, as a reconnecting browser does.
func (c *client) stream(pid int64, query url.Values, lastID string) *eventStream {
	t := c.env.t
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	u := fmt.Sprintf("%s/p/%d/events?%s", c.env.ts.URL, pid, query.Encode())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	req.Header.Set("Accept", "text/event-stream")
	if lastID != "" {
		req.Header.Set("Last-Event-ID", lastID)
	}
	resp, err := c.hc.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	// Cleanups run last-in first-out: this ends the stream before the test
	// server, which waits for open requests, is closed.
	t.Cleanup(cancel)
	s := &eventStream{t: t, resp: resp, events: make(chan sseEvent, 100), ended: make(chan struct{}), cancel: cancel}
	if resp.StatusCode != http.StatusOK {
		resp.Body.Close()
		close(s.ended)
		return s
	}
	if ct := resp.Header.Get("Content-Type"); ct != "text/event-stream" {
		t.Errorf("event stream Content-Type %q", ct)
	}
	go s.read()
	return s
}

func (s *eventStream) read() {
	defer close(s.ended)
	defer s.resp.Body.Close()
	sc := bufio.NewScanner(s.resp.Body)
	var ev sseEvent
	for sc.Scan() {
		line := sc.Text()
		switch {
		case line == "":
			if ev.Event != "" || ev.Data != "" {
				s.events <- ev
			}
			ev = sseEvent{}
		case strings.HasPrefix(line, ":"):
			s.comments.Add(1)
		default:
			field, value, _ := strings.Cut(line, ":")
			value = strings.TrimPrefix(value, " ")
			switch field {
			case "id":
				ev.ID = value
			case "event":
				ev.Event = value
			case "data":
				ev.Data += value
			}
		}
	}
}

// next returns the next event named kind, skipping others, or fails the
// test after a few seconds.
func (s *eventStream) next(kind string) sseEvent {
	s.t.Helper()
	timeout := time.After(5 * time.Second)
	for {
		select {
		case ev := <-s.events:
			if ev.Event == kind {
				return ev
			}
		case <-s.ended:
			// Events read before the end are still in the channel.
			for {
				select {
				case ev := <-s.events:
					if ev.Event == kind {
						return ev
					}
					continue
				default:
				}
				break
			}
			s.t.Fatalf("the stream ended while waiting for a %q event", kind)
		case <-timeout:
			s.t.Fatalf("no %q event within 5 s", kind)
		}
	}
}

// change decodes a change event.
func (s *eventStream) change() (sseEvent, liveEvent) {
	s.t.Helper()
	ev := s.next("change")
	var le liveEvent
	if err := json.Unmarshal([]byte(ev.Data), &le); err != nil {
		s.t.Fatalf("change event %q: %v", ev.Data, err)
	}
	if ev.ID != fmt.Sprint(le.ID) {
		s.t.Errorf("change event id: line %q, data %d", ev.ID, le.ID)
	}
	return ev, le
}

// presenceUntil reads presence events until one satisfies ok.
func (s *eventStream) presenceUntil(ok func([]presentMember) bool) []presentMember {
	s.t.Helper()
	var last []presentMember
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		ev := s.next("presence")
		var p struct{ Members []presentMember }
		if err := json.Unmarshal([]byte(ev.Data), &p); err != nil {
			s.t.Fatalf("presence event %q: %v", ev.Data, err)
		}
		if last = p.Members; ok(last) {
			return last
		}
	}
	s.t.Fatalf("presence never as expected; last: %+v", last)
	return nil
}

// waitEnded fails the test unless the server ends the stream soon.
func (s *eventStream) waitEnded() {
	s.t.Helper()
	select {
	case <-s.ended:
	case <-time.After(5 * time.Second):
		s.t.Fatal("the stream did not end")
	}
}

// liveTeam is a project with an owner (olivia) and an editor (eddie), both
// signed in.
type liveTeam struct {
	env           *testEnv
	pid           int64
	olivia, eddie *client
	eddieUser     store.User
}

func newLiveTeam(t *testing.T) *liveTeam {
	t.Helper()
	env := newEnv(t, []*steps.Step{fakeStep})
	env.srv.live.linger = 50 * time.Millisecond
	own := env.mustUser("olivia", false)
	ed := env.mustUser("eddie", false)
	pid := env.project(own)
	if err := env.st.SetMember(context.Background(), own.ID, pid, ed.ID, store.RoleEditor); err != nil {
		t.Fatal(err)
	}
	return &liveTeam{env: env, pid: pid, olivia: env.signIn("olivia"), eddie: env.signIn("eddie"), eddieUser: ed}
}

func (lt *liveTeam) path(rest string) string { return fmt.Sprintf("/p/%d%s", lt.pid, rest) }

// saveAnswer saves q1 of the fake procedure as c, expecting want.
func (lt *liveTeam) saveAnswer(c *client, value string, version int64, want int) {
	lt.env.t.Helper()
	p := lt.path("/steps/fake/p1")
	resp, body := c.post(p, url.Values{"csrf_token": {c.token(p)}, "q1": {value}, "version.q1": {fmt.Sprint(version)}})
	if resp.StatusCode != want {
		lt.env.t.Fatalf("saving q1=%q: %d, want %d\n%.300s", value, resp.StatusCode, want, body)
	}
}

func (lt *liveTeam) complete(c *client) {
	lt.env.t.Helper()
	p := lt.path("/steps/fake/check")
	resp, body := c.post(p, url.Values{"csrf_token": {c.token(p)}, "complete": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		lt.env.t.Fatalf("completing: %d\n%.300s", resp.StatusCode, body)
	}
}

func TestLiveChangeReachesOtherMembers(t *testing.T) {
	lt := newLiveTeam(t)
	s := lt.olivia.stream(lt.pid, url.Values{"page": {lt.path("")}}, "")
	s.next("presence") // subscribed

	before := time.Now()
	lt.saveAnswer(lt.eddie, "yes", 0, http.StatusSeeOther)
	_, ev := s.change()
	if ev.Kind != "answers" || ev.By != "eddie" || ev.ByID != lt.eddieUser.ID || ev.Path != lt.path("/steps/fake/p1") {
		t.Errorf("change event %+v, want answers by eddie at %s", ev, lt.path("/steps/fake/p1"))
	}
	if ev.At.Before(before.Add(-time.Second)) || ev.At.After(time.Now().Add(time.Second)) {
		t.Errorf("change event at %v, not about now", ev.At)
	}

	// A save sent back with a problem changed nothing and is not
	// published; the next event is the completion that follows it.
	lt.saveAnswer(lt.eddie, "", 1, http.StatusUnprocessableEntity)
	lt.complete(lt.eddie)
	if _, ev := s.change(); ev.Kind != "progress" {
		t.Errorf("after a refused save and a completion the event is %+v, want progress", ev)
	}
}

func TestLiveResumeFromLastEventID(t *testing.T) {
	lt := newLiveTeam(t)

	// The page says where its stream starts: a change made between reading
	// the page and opening the stream still arrives.
	_, body := lt.olivia.get(lt.path(""))
	m := regexp.MustCompile(`data-last-event-id="([0-9]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("the task list has no data-last-event-id:\n%.2000s", body)
	}
	lt.saveAnswer(lt.eddie, "yes", 0, http.StatusSeeOther)
	s := lt.olivia.stream(lt.pid, url.Values{"last": {m[1]}}, "")
	first, ev := s.change()
	if ev.Kind != "answers" {
		t.Fatalf("first event %+v, want the answer saved before the stream opened", ev)
	}

	// The stream breaks; two changes happen; the browser reconnects with
	// the last id it saw and receives both, in order.
	s.cancel()
	s.waitEnded()
	lt.saveAnswer(lt.eddie, "no", 1, http.StatusSeeOther)
	lt.complete(lt.eddie)
	s = lt.olivia.stream(lt.pid, nil, first.ID)
	a, evA := s.change()
	b, evB := s.change()
	if evA.Kind != "answers" || evB.Kind != "progress" || !(first.ID < a.ID && a.ID < b.ID) {
		t.Errorf("after resuming from %s: %s %+v, %s %+v; want answers then progress with growing ids", first.ID, a.ID, evA, b.ID, evB)
	}
	select {
	case ev := <-s.events:
		if ev.Event == "change" {
			t.Errorf("an extra change after resuming: %+v", ev)
		}
	case <-time.After(100 * time.Millisecond):
	}
}

func TestLiveReloadWhenEventsNoLongerKept(t *testing.T) {
	lt := newLiveTeam(t)
	lt.env.srv.live.ringSize = 2
	s := lt.olivia.stream(lt.pid, nil, "")
	s.next("presence")
	lt.saveAnswer(lt.eddie, "yes", 0, http.StatusSeeOther)
	first, _ := s.change()
	s.cancel()
	s.waitEnded()
	for i, v := range []string{"no", "yes", "no"} {
		lt.saveAnswer(lt.eddie, v, int64(i+1), http.StatusSeeOther)
	}
	s = lt.olivia.stream(lt.pid, nil, first.ID)
	reload := s.next("reload")
	if reload.ID == "" || reload.ID <= first.ID {
		t.Errorf("reload event id %q, want the newest id, after %s", reload.ID, first.ID)
	}
	// From a previous run of the server, an id can only be older than
	// anything kept.
	s2 := lt.olivia.stream(lt.pid, nil, "12")
	s2.next("reload")
	// An id from the future is as unknown.
	s3 := lt.olivia.stream(lt.pid, url.Values{"last": {fmt.Sprint(lt.env.srv.live.last() + 1000)}}, "")
	s3.next("reload")
}

func TestLiveRemovedMemberStreamEnds(t *testing.T) {
	lt := newLiveTeam(t)
	s := lt.eddie.stream(lt.pid, nil, "")
	s.next("presence")

	members := lt.path("/members")
	_, page := lt.olivia.get(members)
	buttons := doc(t, page).Find(`[data-testid="member-list"] [data-testid="remove-member"]`)
	if buttons.Length() != 2 || strings.Join(strings.Fields(buttons.Eq(0).Text()), " ") != "Remove eddie" {
		t.Errorf("the members page has %d Remove buttons, the first %q; want one a member, the first \"Remove eddie\"", buttons.Length(), buttons.Eq(0).Text())
	}
	resp, body := lt.olivia.post(members+"/remove", url.Values{"csrf_token": {lt.olivia.token(members)}, "username": {"eddie"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("removing eddie: %d\n%.500s", resp.StatusCode, body)
	}
	if ev := s.next("revoked"); !strings.Contains(ev.Data, "membership") {
		t.Errorf("revoked event %q, want the reason membership", ev.Data)
	}
	s.waitEnded()
	if _, err := lt.env.st.MemberRole(context.Background(), lt.pid, lt.eddieUser.ID); err == nil {
		t.Errorf("eddie is still a member")
	}
	// Reconnecting is refused like any page of the project.
	if s := lt.eddie.stream(lt.pid, nil, ""); s.resp.StatusCode != http.StatusNotFound {
		t.Errorf("eddie's stream after removal: %d, want 404", s.resp.StatusCode)
	}

	// The only owner cannot be removed; the page says why.
	resp, body = lt.olivia.post(members+"/remove", url.Values{"csrf_token": {lt.olivia.token(members)}, "username": {"olivia"}})
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "at least one owner") {
		t.Errorf("removing the only owner: %d\n%.500s", resp.StatusCode, body)
	}
}

func TestLiveSignedOutStreamEnds(t *testing.T) {
	lt := newLiveTeam(t)
	lt.env.srv.live.heartbeat = 50 * time.Millisecond
	s := lt.eddie.stream(lt.pid, nil, "")
	s.next("presence")
	time.Sleep(200 * time.Millisecond)
	if n := s.comments.Load(); n < 2 {
		t.Errorf("%d keep-alive lines in 200 ms with a 50 ms heartbeat", n)
	}
	resp, _ := lt.eddie.post("/logout", url.Values{"csrf_token": {lt.eddie.token(lt.path(""))}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("signing out: %d", resp.StatusCode)
	}
	if ev := s.next("revoked"); !strings.Contains(ev.Data, "session") {
		t.Errorf("revoked event %q, want the reason session", ev.Data)
	}
	s.waitEnded()
}

func TestLiveStreamAccess(t *testing.T) {
	lt := newLiveTeam(t)
	env := lt.env
	env.mustUser("nora", false)
	if s := env.signIn("nora").stream(lt.pid, nil, ""); s.resp.StatusCode != http.StatusNotFound {
		t.Errorf("non-member's stream: %d, want 404", s.resp.StatusCode)
	}
	if s := env.client().stream(lt.pid, nil, ""); s.resp.StatusCode != http.StatusSeeOther {
		t.Errorf("signed-out stream: %d, want 303 to sign in", s.resp.StatusCode)
	}
	// Opened as a page, the address says what it is instead of hanging.
	resp, body := lt.olivia.get(lt.path("/events"))
	if resp.StatusCode != http.StatusNotAcceptable || !strings.Contains(body, "live updates") {
		t.Errorf("GET events as a page: %d %q", resp.StatusCode, body)
	}
}

func TestLiveShutdownEndsStreams(t *testing.T) {
	lt := newLiveTeam(t)
	s := lt.olivia.stream(lt.pid, nil, "")
	s.next("presence")
	lt.env.srv.CloseStreams()
	s.waitEnded()
	if s := lt.olivia.stream(lt.pid, nil, ""); s.resp.StatusCode != http.StatusServiceUnavailable {
		t.Errorf("stream after CloseStreams: %d, want 503", s.resp.StatusCode)
	}
}

func TestLivePresence(t *testing.T) {
	lt := newLiveTeam(t)
	question := lt.path("/steps/fake/p1")
	so := lt.olivia.stream(lt.pid, url.Values{"page": {question}}, "")
	se := lt.eddie.stream(lt.pid, url.Values{"page": {lt.path("")}}, "")

	want := map[string]presentMember{
		"olivia": {Name: "olivia", Page: question, Label: "Fake procedure: Is this a test?"},
		"eddie":  {Name: "eddie", Page: lt.path(""), Label: "Task list"},
	}
	both := func(ms []presentMember) bool {
		if len(ms) != 2 {
			return false
		}
		for _, m := range ms {
			w := want[m.Name]
			if m.Page != w.Page || m.Label != w.Label {
				return false
			}
		}
		return true
	}
	so.presenceUntil(both)
	se.presenceUntil(both)

	// The panel is rendered on the server too: the member reading the page
	// first, on it, then the others, each with a Follow link to their page.
	_, body := lt.olivia.get(lt.path("/servers"))
	d := doc(t, body)
	rows := d.Find(`[data-testid="presence"] [data-testid="present-member"]`)
	if rows.Length() != 2 {
		t.Fatalf("%d members in the presence panel, want 2:\n%s", rows.Length(), d.Find(`[data-testid="presence"]`).Text())
	}
	if txt := strings.Join(strings.Fields(rows.Eq(0).Text()), " "); txt != "olivia (you) Servers" {
		t.Errorf("first row %q, want olivia on Servers", txt)
	}
	if rows.Eq(0).Find("a").Length() != 0 {
		t.Errorf("the member's own row has a link")
	}
	follow := rows.Eq(1).Find(`a[data-testid="follow"]`)
	if href, _ := follow.Attr("href"); href != lt.path("") || !strings.Contains(rows.Eq(1).Text(), "eddie") {
		t.Errorf("second row %q links to %q, want eddie's page %s", rows.Eq(1).Text(), href, lt.path(""))
	}
	if txt := strings.Join(strings.Fields(follow.Text()), " "); txt != "Follow eddie" {
		t.Errorf("follow link text %q", txt)
	}

	// The script is loaded from our own assets with the page's nonce.
	resp, _ := lt.olivia.get(lt.path(""))
	csp := resp.Header.Get("Content-Security-Policy")
	nonce := regexp.MustCompile(`'nonce-([^']+)'`).FindStringSubmatch(csp)
	src, _ := d.Find(`[data-testid="presence"] script`).Attr("src")
	if nonce == nil || src != assets.Path("js/live.js") {
		t.Fatalf("CSP %q, script %q", csp, src)
	}
	_, body = lt.olivia.get(lt.path(""))
	if !strings.Contains(body, `nonce="`) || strings.Contains(body, "<script>") {
		t.Errorf("the page has a script without a nonce")
	}
	resp, js := lt.olivia.get(src)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/javascript") || !strings.Contains(js, "EventSource") {
		t.Errorf("GET %s: %d %s", src, resp.StatusCode, resp.Header.Get("Content-Type"))
	}

	// eddie opens a second page, the servers page: he is shown on the page
	// opened last.
	se2 := lt.eddie.stream(lt.pid, url.Values{"page": {lt.path("/servers")}}, "")
	so.presenceUntil(func(ms []presentMember) bool {
		return len(ms) == 2 && ms[0].Name == "eddie" && ms[0].Page == lt.path("/servers") && ms[0].Label == "Servers"
	})

	// Leaving: once eddie's streams are closed and the linger time has
	// passed, only olivia is present.
	se.cancel()
	se2.cancel()
	so.presenceUntil(func(ms []presentMember) bool { return len(ms) == 1 && ms[0].Name == "olivia" })
}

// A page outside the project, or not a clean path, is shown as the task
// list, so the panel never links elsewhere.
func TestPresencePage(t *testing.T) {
	pp := projectPath(7)
	for _, p := range []string{"", "//evil.example/x", "https://evil.example/", pp + "/../../login", pp + "/events",
		"/p/70", "/p/8/servers", "/login", pp + "/x\n", pp + "/a\\b", pp + "/%2e%2e/%2E%2e/login", pp + "/x#y", strings.Repeat("/p/7/x", 100)} {
		if got := presencePage(7, p); got != pp {
			t.Errorf("presencePage(%q) = %q, want %q", p, got, pp)
		}
	}
	for _, p := range []string{pp, pp + "/servers", pp + "/steps/a/b?return=check"} {
		if got := presencePage(7, p); got != p {
			t.Errorf("presencePage(%q) = %q, want it kept", p, got)
		}
	}
}

// TestLiveIdleHubIsLetGo checks that a project nobody has open and nobody
// changed for the idle time is let go, that one with an open stream is
// not, and that a browser resuming from before the hub was let go is told
// to reload while one that had seen its newest event is not.
func TestLiveIdleHubIsLetGo(t *testing.T) {
	b := newLiveBroker()
	b.idleDrop = 20 * time.Millisecond
	b.publish(context.Background(), 1, liveEvent{Kind: "answers"})
	b.publish(context.Background(), 1, liveEvent{Kind: "answers"})
	seen := b.last()
	h2, sub2, _ := b.subscribe(2, presentMember{ID: 7, Name: "Olivia"}, -1)
	time.Sleep(2 * b.idleDrop)
	b.publish(context.Background(), 3, liveEvent{Kind: "answers"}) // any use sweeps
	b.mu.Lock()
	_, kept1 := b.hubs[1]
	_, kept2 := b.hubs[2]
	b.mu.Unlock()
	if kept1 {
		t.Error("idle project 1 was kept")
	}
	if !kept2 {
		t.Error("project 2, with an open stream, was let go")
	}
	b.unsubscribe(h2, sub2)

	h, sub, cursor := b.subscribe(1, presentMember{ID: 7, Name: "Olivia"}, seen)
	defer b.unsubscribe(h, sub)
	if _, _, reload, _, _ := b.pending(h, cursor, 0); reload {
		t.Error("a browser that had seen project 1's newest event was told to reload")
	}
	if _, _, reload, _, _ := b.pending(h, seen-1, 0); !reload {
		t.Error("a browser behind project 1's newest event was not told to reload after its hub was let go")
	}
	b.publish(context.Background(), 1, liveEvent{Kind: "servers"})
	if evs, _, reload, _, _ := b.pending(h, cursor, 0); reload || len(evs) != 1 {
		t.Errorf("after the hub came back: %d events, reload %v; want the new event", len(evs), reload)
	}
}

// TestPresenceLabels checks that the presence panel names each page in
// plain words: the server by its name, the check page by its procedure.
func TestPresenceLabels(t *testing.T) {
	lt := newLiveTeam(t)
	ctx := context.Background()
	srvs, ps := steps.ParseServerList("EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be", steps.Topology{})
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	if err := lt.env.st.AddServers(ctx, 0, lt.pid, srvs); err != nil {
		t.Fatal(err)
	}
	recs, err := lt.env.st.Servers(ctx, lt.pid)
	if err != nil || len(recs) != 1 {
		t.Fatalf("servers: %v %v", recs, err)
	}
	sid := fmt.Sprint(recs[0].ID)
	for page, want := range map[string]string{
		"":                             "Task list",
		"/servers":                     "Servers",
		"/servers/" + sid:              "Server EXBE01",
		"/servers/" + sid + "/history": "History of server EXBE01",
		"/servers/999":                 "Servers",
		"/steps/fake":                  "Fake procedure",
		"/steps/fake/check":            "Check answers: Fake procedure",
		"/steps/fake/p1?return=check":  "Fake procedure: Is this a test?",
		"/signoff":                     "Review and sign off",
		"/execute":                     "Record of the change window",
	} {
		if got := lt.env.srv.pageLabel(ctx, lt.pid, lt.path(page)); got != want {
			t.Errorf("label of %q = %q, want %q", page, got, want)
		}
	}

	// The label reaches the other members through the event stream and
	// the member's own row of the panel rendered with the page.
	so := lt.olivia.stream(lt.pid, url.Values{"page": {lt.path("")}}, "")
	lt.eddie.stream(lt.pid, url.Values{"page": {lt.path("/servers/" + sid)}}, "")
	so.presenceUntil(func(ms []presentMember) bool {
		for _, m := range ms {
			if m.Name == "eddie" && m.Label == "Server EXBE01" {
				return true
			}
		}
		return false
	})
	_, body := lt.olivia.get(lt.path("/servers/" + sid))
	row := doc(t, body).Find(`[data-testid="presence"] [data-testid="present-member"]`).First()
	if txt := strings.Join(strings.Fields(row.Text()), " "); txt != "olivia (you) Server EXBE01" {
		t.Errorf("own row %q, want olivia on Server EXBE01", txt)
	}
}

// TestLiveRingTrimKeepsPendingEvents: the events pending hands a stream
// stay as they were while later changes push the oldest out of a full
// ring, so a stream never sends one change twice or skips one.
func TestLiveRingTrimKeepsPendingEvents(t *testing.T) {
	b := newLiveBroker()
	b.ringSize = 4
	const pid = 1
	// More events than the ring holds, so that its array has room to
	// grow in place.
	for i := range 6 {
		b.publish(context.Background(), pid, liveEvent{Kind: "answers", Path: fmt.Sprintf("/p/1/%d", i)})
	}
	h := b.hub(pid)
	h.mu.Unlock()
	first := h.events[0].id
	evs, _, reload, _, _ := b.pending(h, first, 0)
	if reload || len(evs) != 3 {
		t.Fatalf("pending after the oldest of 4 events kept: %d events, reload %v", len(evs), reload)
	}
	want := slices.Clone(evs)
	for i := range 3 {
		b.publish(context.Background(), pid, liveEvent{Kind: "answers", Path: fmt.Sprintf("/p/1/later%d", i)})
	}
	for i := range evs {
		if evs[i].id != want[i].id || string(evs[i].data) != string(want[i].data) {
			t.Errorf("pending event %d changed from %d %s to %d %s when the ring was trimmed", i, want[i].id, want[i].data, evs[i].id, evs[i].data)
		}
	}
}
