package web

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/ui"
)

// Live walkthrough.
//
// Every project page opens one server-sent event stream, GET
// /p/{pid}/events, through assets/js/live.js. The stream carries three
// kinds of message:
//
//	id: 1764230400000042        a change, after every successful state-changing
//	event: change               request under /p/{pid} (published centrally by
//	data: {"id":…,"kind":"answers","by":"ada","byId":1,"path":"/p/1/steps/…","at":"…"}
//
//	event: presence             who has the project open and on which page,
//	data: {"members":[{"id":1,"name":"ada","page":"/p/1/…","label":"…"}]}
//
//	id: 1764230400000042        the changes the client missed are no longer
//	event: reload               kept: it must read the page again
//	data: {}
//
// and, before the stream ends because the member was removed or signed out,
// "event: revoked". Comment lines (": keep-alive") every heartbeat keep
// proxies from closing an idle stream. Presence is a snapshot and carries
// no id, so the browser's Last-Event-ID always names the last change seen.
//
// Changes are kept per project in a ring of the last liveRingSize, so a
// browser that reconnects (EventSource does so by itself, sending
// Last-Event-ID) receives what it missed. The page itself tells the stream
// where to start (?last=…): the newest event id when the page was read, so
// a change made between reading the page and opening the stream is not lost.
// A project nobody has had open or changed for liveIdleDrop is let go; a
// browser that comes back to it from an older event is told to reload.
//
// Page scripts are an enhancement: without them a page is an ordinary page,
// the presence panel is rendered on the server, and "Follow" is a link to
// the member's page.

// Limits of the live updates.
const (
	liveRingSize  = 1000             // changes kept per project for reconnecting browsers
	liveHeartbeat = 15 * time.Second // comment line on an idle stream; membership and session re-checked
	liveLinger    = 3 * time.Second  // a member who closed their last stream stays present this long
	liveIdleDrop  = 30 * time.Minute // a project nobody has open and nobody changed is let go after this
	liveRetry     = 3 * time.Second  // how soon a browser reconnects after the stream broke
	liveWriteTime = 10 * time.Second // a stream whose client does not read is dropped after this
)

// liveEvent is one change to a project.
type liveEvent struct {
	ID   int64     `json:"id"`
	Kind string    `json:"kind"` // answers, progress, servers, facts, ticket, members, settings, …
	By   string    `json:"by"`   // name of the member who made it
	ByID int64     `json:"byId"`
	Path string    `json:"path"` // the request that made it
	At   time.Time `json:"at"`
}

// presentMember is a member with the project open.
type presentMember struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Page  string `json:"page"`  // path and query of the page they are on
	Label string `json:"label"` // what that page is, for people
}

// liveBroker hands out the live events of every project.
type liveBroker struct {
	// seq is the last event id given out, shared by all projects so that ids
	// only grow. It starts at the server's start time in microseconds: an id
	// a browser kept from before a restart is then older than anything kept,
	// and the browser is told to reload rather than silently miss changes.
	seq  atomic.Int64
	base int64

	ringSize  int
	heartbeat time.Duration
	linger    time.Duration
	idleDrop  time.Duration

	mu        sync.Mutex
	hubs      map[int64]*liveHub // by project ID
	floors    map[int64]int64    // the newest event of each project whose hub was let go
	lastSweep time.Time

	quit      chan struct{} // closed by CloseStreams
	closeOnce sync.Once

	// relay sends events to every replica when the database is shared
	// and the server listens to the others (ListenReplicas); nil while
	// the events stay in this process.
	relay atomic.Pointer[store.Store]
}

func newLiveBroker() *liveBroker {
	b := &liveBroker{ringSize: liveRingSize, heartbeat: liveHeartbeat, linger: liveLinger, idleDrop: liveIdleDrop,
		hubs: map[int64]*liveHub{}, floors: map[int64]int64{}, quit: make(chan struct{}), lastSweep: time.Now()}
	b.base = time.Now().UnixMicro()
	b.seq.Store(b.base)
	return b
}

// liveHub is one project's recent events, streams and presence.
type liveHub struct {
	mu     sync.Mutex
	events []liveEntry // ascending by id; at most ringSize
	floor  int64       // every event of the project with a larger id is in events
	subs   map[*liveSub]struct{}
	gone   map[int64]*liveGone // members whose last stream just closed, by user ID

	members     []presentMember // the presence snapshot
	presence    []byte          // members as JSON
	presenceVer int64           // counts changes of presence

	touched time.Time // the last event, stream opened or stream closed
	dropped bool      // let go by the broker: look the project's hub up again
}

type liveEntry struct {
	id   int64
	data []byte // the event as JSON
}

// liveSub is one open stream.
type liveSub struct {
	member presentMember
	opened time.Time
	wake   chan struct{} // capacity 1: something new for this stream
}

// liveGone keeps a member present for a moment after their last stream
// closed: moving to another page closes one stream and opens the next, and
// the others should see a move, not a leave and a join.
type liveGone struct {
	member presentMember
	timer  *time.Timer
}

// hub returns the project's hub, making it on first use, and locked. It
// also lets go of hubs idle for idleDrop, at most once per idleDrop: a
// server that lives for months would otherwise keep up to ringSize events
// of every project ever opened.
func (b *liveBroker) hub(pid int64) *liveHub {
	for {
		b.mu.Lock()
		now := time.Now()
		if now.Sub(b.lastSweep) >= b.idleDrop {
			b.lastSweep = now
			for id, h := range b.hubs {
				h.mu.Lock()
				if len(h.subs) == 0 && len(h.gone) == 0 && now.Sub(h.touched) >= b.idleDrop {
					h.dropped = true
					b.floors[id] = h.lastID()
					delete(b.hubs, id)
				}
				h.mu.Unlock()
			}
		}
		h, ok := b.hubs[pid]
		if !ok {
			// Every event since the server started is kept in some hub,
			// or is at most the newest of a hub let go.
			floor, ok := b.floors[pid]
			if !ok {
				floor = b.base
			}
			h = &liveHub{floor: floor, subs: map[*liveSub]struct{}{}, gone: map[int64]*liveGone{}, touched: now}
			b.hubs[pid] = h
		}
		b.mu.Unlock()
		h.mu.Lock()
		// Let go between the two locks: nobody may use it any more.
		if !h.dropped {
			return h
		}
		h.mu.Unlock()
	}
}

// last returns the newest event id of any project.
func (b *liveBroker) last() int64 { return b.seq.Load() }

// publish adds a change to the project's events and wakes its streams. On
// a database shared by replicas it sends the change to every replica
// instead, this one included, which adds it as it comes back (see
// replicas.go).
func (b *liveBroker) publish(ctx context.Context, pid int64, ev liveEvent) error {
	if relay := b.relay.Load(); relay != nil {
		data, err := json.Marshal(ev)
		if err != nil {
			panic(err) // only strings, numbers and a time
		}
		_, err = relay.PublishEvent(ctx, pid, data)
		return err
	}
	b.add(pid, b.seq.Add(1), ev)
	return nil
}

// add adds the event with id, which is above every id added before, to the
// project's events and wakes its streams.
func (b *liveBroker) add(pid, id int64, ev liveEvent) {
	h := b.hub(pid)
	defer h.mu.Unlock()
	h.touched = time.Now()
	ev.ID = id
	data, err := json.Marshal(ev)
	if err != nil {
		panic(err) // only strings, numbers and a time
	}
	h.events = append(h.events, liveEntry{id: ev.ID, data: data})
	if n := len(h.events) - b.ringSize; n > 0 {
		h.floor = h.events[n-1].id
		// Streams read the entries pending gave them after the lock is
		// released, so the kept entries go to a new array: moving them
		// down in this one would make a stream send one event twice and
		// skip another.
		h.events = slices.Clone(h.events[n:])
	}
	h.wakeAll()
}

func (h *liveHub) wakeAll() {
	for sub := range h.subs {
		select {
		case sub.wake <- struct{}{}:
		default: // already woken
		}
	}
}

// lastID is the id of the project's newest event kept, or its floor.
func (h *liveHub) lastID() int64 {
	if len(h.events) == 0 {
		return h.floor
	}
	return h.events[len(h.events)-1].id
}

// subscribe adds a stream to the project. A cursor below zero means "from
// now on".
func (b *liveBroker) subscribe(pid int64, m presentMember, cursor int64) (*liveHub, *liveSub, int64) {
	sub := &liveSub{member: m, opened: time.Now(), wake: make(chan struct{}, 1)}
	h := b.hub(pid)
	defer h.mu.Unlock()
	h.touched = sub.opened
	if cursor < 0 {
		cursor = h.lastID()
	}
	h.subs[sub] = struct{}{}
	if g, ok := h.gone[m.ID]; ok {
		g.timer.Stop()
		delete(h.gone, m.ID)
	}
	h.updatePresence()
	return h, sub, cursor
}

// unsubscribe removes a stream. When it was the member's last, they stay
// present for the linger time.
func (b *liveBroker) unsubscribe(h *liveHub, sub *liveSub) {
	h.mu.Lock()
	defer h.mu.Unlock()
	delete(h.subs, sub)
	h.touched = time.Now()
	uid := sub.member.ID
	for other := range h.subs {
		if other.member.ID == uid {
			h.updatePresence()
			return
		}
	}
	g := &liveGone{member: sub.member}
	g.timer = time.AfterFunc(b.linger, func() {
		h.mu.Lock()
		defer h.mu.Unlock()
		if h.gone[uid] == g {
			delete(h.gone, uid)
			h.updatePresence()
		}
	})
	h.gone[uid] = g
	h.updatePresence()
}

// updatePresence rebuilds the presence snapshot and, when it changed, wakes
// every stream to send it. A member with several pages open is shown on
// the one opened last.
func (h *liveHub) updatePresence() {
	latest := map[int64]*liveSub{}
	for sub := range h.subs {
		if cur, ok := latest[sub.member.ID]; !ok || sub.opened.After(cur.opened) {
			latest[sub.member.ID] = sub
		}
	}
	ms := make([]presentMember, 0, len(latest)+len(h.gone))
	for _, sub := range latest {
		ms = append(ms, sub.member)
	}
	for uid, g := range h.gone {
		if _, ok := latest[uid]; !ok {
			ms = append(ms, g.member)
		}
	}
	sort.Slice(ms, func(i, j int) bool {
		if ms[i].Name != ms[j].Name {
			return ms[i].Name < ms[j].Name
		}
		return ms[i].ID < ms[j].ID
	})
	data, err := json.Marshal(struct {
		Members []presentMember `json:"members"`
	}{ms})
	if err != nil {
		panic(err)
	}
	if h.presence != nil && string(data) == string(h.presence) {
		return
	}
	h.members, h.presence = ms, data
	h.presenceVer++
	h.wakeAll()
}

// pending returns what a stream at cursor, which last sent presence
// version seen, has to send: the events after cursor (or reload when some
// of them are no longer kept) and the presence snapshot if it changed.
func (b *liveBroker) pending(h *liveHub, cursor, seen int64) (evs []liveEntry, next int64, reload bool, presence []byte, ver int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	next = cursor
	if cursor < h.floor || cursor > b.seq.Load() {
		reload, next = true, h.lastID()
	} else {
		i := sort.Search(len(h.events), func(i int) bool { return h.events[i].id > cursor })
		// Entries are never changed once added, so the slice may be read
		// after the lock is released.
		evs = h.events[i:len(h.events):len(h.events)]
		if len(evs) > 0 {
			next = evs[len(evs)-1].id
		}
	}
	if h.presenceVer != seen {
		presence = h.presence
	}
	return evs, next, reload, presence, h.presenceVer
}

// present returns who has the project open.
func (b *liveBroker) present(pid int64) []presentMember {
	b.mu.Lock()
	h := b.hubs[pid]
	b.mu.Unlock()
	if h == nil {
		return nil
	}
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.members
}

// CloseStreams ends every event stream, for a graceful shutdown: streams
// never finish on their own, so http.Server.Shutdown would otherwise wait
// for them until its deadline. Register it with RegisterOnShutdown.
func (s *Server) CloseStreams() {
	s.live.closeOnce.Do(func() { close(s.live.quit) })
}

// liveRequest runs a project route's handler h. For a page it notes the
// newest event first, so the page's script resumes from there; for a
// state-changing request that succeeded it publishes the change to the
// project's other members. A request that was refused or sent back with
// problems (status 400 or more) changed nothing and publishes nothing.
func (s *Server) liveRequest(w http.ResponseWriter, r *http.Request, h handlerFunc) error {
	rs := state(r)
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		rs.liveSince = s.live.last()
		return h(w, r)
	}
	sw := &statusWriter{ResponseWriter: w}
	if err := h(sw, r); err != nil {
		return err
	}
	if sw.status < http.StatusBadRequest {
		pid := rs.project.ID
		// The change is saved whether or not the others hear of it: a
		// failure to tell them is logged, not the request's error.
		if err := s.live.publish(context.WithoutCancel(r.Context()), pid, liveEvent{Kind: changeKind(pid, r.URL.Path),
			By: rs.user.Name, ByID: rs.user.ID, Path: r.URL.Path, At: s.now()}); err != nil {
			s.log.Warn("live_publish", "project", pid, "err", err)
		}
	}
	return nil
}

// statusWriter remembers the status a handler answered with.
type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	return w.ResponseWriter.Write(b)
}

func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// changeKind names what a request to p changed, from its path: the first
// part after the project, except that a procedure's question pages change
// answers and its check page changes its progress (the task status).
func changeKind(pid int64, p string) string {
	rest := strings.Trim(strings.TrimPrefix(p, projectPath(pid)), "/")
	parts := strings.Split(rest, "/")
	switch {
	case parts[0] == "":
		return "project"
	case parts[0] == "steps" && len(parts) == 3 && parts[2] == "check":
		return "progress"
	case parts[0] == "steps":
		return "answers"
	}
	return parts[0]
}

// events serves the project's event stream; see the comment at the top of
// this file.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	if !strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
		// Opened as a page: say what it is rather than hang.
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.WriteHeader(http.StatusNotAcceptable)
		io.WriteString(w, "This address sends live updates to the project's pages. Open the project instead.\n")
		return nil
	}
	select {
	case <-s.live.quit:
		http.Error(w, "The wizard is shutting down.", http.StatusServiceUnavailable)
		return nil
	default:
	}
	rs := state(r)
	pid, uid := rs.project.ID, rs.user.ID
	cursor := lastEventID(r)
	page := presencePage(pid, r.URL.Query().Get("page"))
	member := presentMember{ID: uid, Name: rs.user.Name, Page: page, Label: s.pageLabel(r.Context(), pid, page)}
	// A browser that comes from a replica that heard of a change first is
	// given a moment for the change to reach this one too, rather than
	// told to reload.
	s.live.catchUp(r.Context(), cursor)
	hub, sub, cursor := s.live.subscribe(pid, member, cursor)
	defer s.live.unsubscribe(hub, sub)

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("X-Accel-Buffering", "no") // nginx: do not hold events back
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(msg []byte) bool {
		rc.SetWriteDeadline(time.Now().Add(liveWriteTime))
		if _, err := w.Write(msg); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send(fmt.Appendf(nil, "retry: %d\n\n", liveRetry.Milliseconds())) {
		return nil
	}

	ctx := r.Context()
	beat := time.NewTicker(s.live.heartbeat)
	defer beat.Stop()
	var seen int64 // presence version sent
	var buf []byte
	for {
		evs, next, reload, presence, ver := s.live.pending(hub, cursor, seen)
		if len(evs) > 0 || reload || presence != nil {
			// Every delivery is checked against the member list as it
			// is now: a member removed a moment ago gets nothing more.
			if !s.stillMember(ctx, pid, uid) {
				send(revoked("membership"))
				return nil
			}
			buf = buf[:0]
			if presence != nil {
				buf = fmt.Appendf(buf, "event: presence\ndata: %s\n\n", presence)
			}
			if reload {
				buf = fmt.Appendf(buf, "id: %d\nevent: reload\ndata: {}\n\n", next)
			}
			for _, e := range evs {
				buf = fmt.Appendf(buf, "id: %d\nevent: change\ndata: %s\n\n", e.id, e.data)
			}
			if !send(buf) {
				return nil
			}
			cursor, seen = next, ver
		}
		select {
		case <-ctx.Done():
			return nil
		case <-s.live.quit:
			return nil
		case <-sub.wake:
		case <-beat.C:
			if !s.stillMember(ctx, pid, uid) {
				send(revoked("membership"))
				return nil
			}
			if !s.sessionAlive(ctx, rs) {
				send(revoked("session"))
				return nil
			}
			if !send([]byte(": keep-alive\n\n")) {
				return nil
			}
		}
	}
}

func revoked(reason string) []byte {
	return fmt.Appendf(nil, "event: revoked\ndata: {\"reason\":%q}\n\n", reason)
}

// lastEventID is where a stream starts: after the Last-Event-ID the browser
// sends when it reconnects, else after the id the page was rendered with
// (?last=), else from now on (-1).
func lastEventID(r *http.Request) int64 {
	for _, v := range []string{r.Header.Get("Last-Event-ID"), r.URL.Query().Get("last")} {
		if id, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64); err == nil && id >= 0 {
			return id
		}
	}
	return -1
}

// stillMember reports whether the user may still read the project. Any
// error counts as no: the browser reconnects and is asked again.
func (s *Server) stillMember(ctx context.Context, pid, uid int64) bool {
	role, err := s.st.MemberRole(ctx, pid, uid)
	return err == nil && role >= store.RoleViewer
}

// sessionAlive reports whether the stream's session still exists and has
// not expired, so signing out (or a session running out) ends the stream
// within a heartbeat.
func (s *Server) sessionAlive(ctx context.Context, rs *reqState) bool {
	if rs.session == nil || rs.session.ID == "" {
		return false
	}
	rec, err := s.st.LoadSession(ctx, hashToken(rs.session.ID))
	if err != nil || rec.UserID != rs.user.ID {
		return false
	}
	return !s.sessions.expired(rec, s.now())
}

// presencePage is the page a stream says its member is on: a clean path
// inside the project, with its query. Anything else counts as the task
// list, so presence never links out of the project. Browsers read a
// backslash as a slash and %2e as a dot, so neither may hide a "..".
func presencePage(pid int64, page string) string {
	pp := projectPath(pid)
	u, err := url.Parse(page)
	switch {
	case err != nil, len(page) > 500, safeNext(page) == "", strings.Contains(page, "\\"),
		u.Scheme != "", u.Host != "", u.Fragment != "", path.Clean(u.Path) != u.Path,
		u.Path != pp && !strings.HasPrefix(u.Path, pp+"/"), u.Path == pp+"/events":
		return pp
	}
	return page
}

// pageLabel names, in plain words, the page of the project a member is
// on, for the presence panel: "Server EXBE01", "Check answers: Outlook RPC
// encryption". A page it cannot name more exactly is named by its part of
// the project.
func (s *Server) pageLabel(ctx context.Context, pid int64, page string) string {
	p, _, _ := strings.Cut(page, "?")
	parts := strings.Split(strings.Trim(strings.TrimPrefix(p, projectPath(pid)), "/"), "/")
	switch parts[0] {
	case "":
		return "Task list"
	case "facts":
		return "Describe the organisation"
	case "servers":
		if len(parts) == 1 {
			return "Servers"
		}
		name := s.serverName(ctx, pid, parts[1])
		if name == "" {
			return "Servers"
		}
		if len(parts) > 2 && parts[2] == "history" {
			return "History of server " + name
		}
		return "Server " + name
	case "steps":
		if len(parts) < 2 {
			break
		}
		st, err := s.lookupStep(parts[1])
		if err != nil {
			break
		}
		if len(parts) == 2 {
			return st.Title
		}
		if parts[2] == "check" {
			return "Check answers: " + st.Title
		}
		if pg, ok := st.Page(parts[2]); ok && pg.Heading() != "" {
			return st.Title + ": " + pg.Heading()
		}
		return st.Title
	case "ticket":
		return "Change ticket"
	case "runbook":
		return "Runbook and downloads"
	case "members":
		return "Members"
	case "history":
		return "History"
	case "settings":
		return "Project settings"
	case "signoff":
		return "Review and sign off"
	case "execute":
		return "Record of the change window"
	case "evidence":
		return "Evidence of a verification"
	}
	return "Another page of the project"
}

// serverName is the name of the project's server with the id in the path
// segment sid, or "" when there is none.
func (s *Server) serverName(ctx context.Context, pid int64, sid string) string {
	id, err := strconv.ParseInt(sid, 10, 64)
	if err != nil {
		return ""
	}
	recs, err := s.st.Servers(ctx, pid)
	if err != nil {
		return ""
	}
	for _, rec := range recs {
		if rec.ID == id {
			return string(rec.Server.Name)
		}
	}
	return ""
}

// liveView is the presence panel of a project page: the signed-in member
// first, on this page, then everyone else with the project open.
func (s *Server) liveView(r *http.Request) *ui.Live {
	rs := state(r)
	if rs.project == nil || rs.user == nil {
		return nil
	}
	pid := rs.project.ID
	since := rs.liveSince
	if since == 0 {
		since = s.live.last()
	}
	here := r.URL.RequestURI()
	v := &ui.Live{ProjectID: pid, Events: projectPath(pid) + "/events", LastEventID: since, Me: rs.user.ID}
	v.Present = append(v.Present, ui.PresentMember{UserID: rs.user.ID, Name: rs.user.Name, Page: here,
		Label: s.pageLabel(r.Context(), pid, presencePage(pid, here)), Self: true})
	for _, m := range s.live.present(pid) {
		if m.ID != rs.user.ID {
			v.Present = append(v.Present, ui.PresentMember{UserID: m.ID, Name: m.Name, Page: m.Page, Label: m.Label})
		}
	}
	return v
}
