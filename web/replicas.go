package web

import (
	"context"
	"encoding/json"
	"time"

	"github.com/secex/wizard/store"
)

// Live updates across replicas.
//
// On a database shared by several wizard processes, a change made through
// one must reach the members whose streams are open on another. With
// ListenReplicas the broker stops numbering events itself: publish sends
// each change through the store (PostgreSQL's NOTIFY, numbered from one
// sequence), and every replica, this one included, adds the changes it
// receives to its rings with those numbers, in the one order all replicas
// see. Rings, reconnects and catch-up then work as on one process, and a
// browser may reconnect to any replica with its Last-Event-ID.
//
// Presence is not shared: the presence panel shows the members whose
// streams are open on the replica that serves the page.

// ListenReplicas makes the live walkthrough span every replica on the
// shared database, until ctx ends. Call it before serving: events are
// numbered from the shared sequence from then on. It does nothing on a
// database of one process (SQLite).
func (s *Server) ListenReplicas(ctx context.Context) error {
	if !s.st.Shared() {
		return nil
	}
	err := s.st.ListenEvents(ctx, replicaEvents{s.live}, func(err error) {
		s.log.Warn("live_listen", "err", err)
	})
	if err != nil {
		return err
	}
	s.live.relay.Store(s.st)
	return nil
}

// replicaEvents adds the events of every replica to the broker.
type replicaEvents struct{ b *liveBroker }

// Start is called when the listener (re)connects: every event after floor
// will arrive. Events up to floor that this replica never received are
// lost, so every project's events start again from floor, and a browser
// that saw less than that reads its page again.
func (r replicaEvents) Start(floor int64) {
	b := r.b
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.relay.Load() == nil {
		// The first start, before serving: nothing was numbered yet.
		b.seq.Store(floor)
		b.base = floor
		return
	}
	if floor > b.seq.Load() {
		b.seq.Store(floor)
	}
	b.base = max(b.base, floor)
	for pid, f := range b.floors {
		b.floors[pid] = max(f, floor)
	}
	for _, h := range b.hubs {
		h.mu.Lock()
		if floor > h.floor {
			h.floor = floor
			h.events = nil
			h.wakeAll()
		}
		h.mu.Unlock()
	}
}

// Event adds an event of any replica.
func (r replicaEvents) Event(ev store.Event) {
	var le liveEvent
	if err := json.Unmarshal(ev.Data, &le); err != nil {
		return // not one of ours
	}
	// The newest id first: a stream that has sent this event must not
	// find its cursor beyond the newest id and reload. The change was
	// committed before it was sent, so a page read in between shows it.
	for cur := r.b.seq.Load(); ev.ID > cur && !r.b.seq.CompareAndSwap(cur, ev.ID); cur = r.b.seq.Load() {
	}
	r.b.add(ev.ProjectID, ev.ID, le)
}

// catchUp waits, briefly, until this replica has received the events up to
// cursor, when another replica received them first.
func (b *liveBroker) catchUp(ctx context.Context, cursor int64) {
	if b.relay.Load() == nil {
		return
	}
	deadline := time.Now().Add(2 * time.Second)
	for cursor > b.seq.Load() && time.Now().Before(deadline) {
		select {
		case <-ctx.Done():
			return
		case <-time.After(10 * time.Millisecond):
		}
	}
}
