package store

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/secex/wizard/store/pgtest"
)

// recorder is an EventListener that keeps what it was given.
type recorder struct {
	mu     sync.Mutex
	floors []int64
	events []Event
	wake   chan struct{}
}

func newRecorder() *recorder { return &recorder{wake: make(chan struct{}, 1)} }

func (r *recorder) Start(floor int64) {
	r.mu.Lock()
	r.floors = append(r.floors, floor)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) Event(ev Event) {
	r.mu.Lock()
	r.events = append(r.events, ev)
	r.mu.Unlock()
	r.poke()
}

func (r *recorder) poke() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// waitFor waits until ok holds for what r was given.
func (r *recorder) waitFor(tb testing.TB, what string, ok func(floors []int64, events []Event) bool) {
	tb.Helper()
	deadline := time.After(10 * time.Second)
	for {
		r.mu.Lock()
		done := ok(r.floors, r.events)
		r.mu.Unlock()
		if done {
			return
		}
		select {
		case <-r.wake:
		case <-deadline:
			r.mu.Lock()
			defer r.mu.Unlock()
			tb.Fatalf("waited 10s for %s: floors %v, %d events", what, r.floors, len(r.events))
		}
	}
}

func openShared(tb testing.TB) (*Store, *Store) {
	tb.Helper()
	s, err := OpenPostgres(context.Background(), pgtest.DSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s, openReplica(tb, s)
}

// TestEventsReachEveryReplica publishes events from two replicas at once
// and checks that each replica's listener receives all of them, in the
// order of their numbers, which are the same everywhere.
func TestEventsReachEveryReplica(t *testing.T) {
	a, b := openShared(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	la, lb := newRecorder(), newRecorder()
	for _, x := range []struct {
		s *Store
		l *recorder
	}{{a, la}, {b, lb}} {
		if err := x.s.ListenEvents(ctx, x.l, func(err error) { t.Error(err) }); err != nil {
			t.Fatal(err)
		}
	}
	const each = 50
	var wg sync.WaitGroup
	for i, s := range []*Store{a, b, a, b} {
		wg.Go(func() {
			for j := range each {
				if _, err := s.PublishEvent(ctx, int64(i+1), fmt.Appendf(nil, `{"n":%d}`, j)); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	for name, l := range map[string]*recorder{"A": la, "B": lb} {
		l.waitFor(t, "every event on replica "+name, func(_ []int64, evs []Event) bool { return len(evs) >= 4*each })
		l.mu.Lock()
		if l.floors[0] != 0 || len(l.events) != 4*each {
			t.Errorf("replica %s: floor %d and %d events, want 0 and %d", name, l.floors[0], len(l.events), 4*each)
		}
		for i, ev := range l.events {
			if ev.ID != int64(i+1) {
				t.Fatalf("replica %s: event %d has number %d; events must arrive numbered 1, 2, 3, …", name, i, ev.ID)
			}
		}
		l.mu.Unlock()
	}
	if _, err := a.PublishEvent(ctx, 1, []byte("not json")); err == nil {
		t.Error("an event that is not JSON was sent")
	}
	lite, _ := openSQLiteTest(t)
	if _, err := lite.PublishEvent(ctx, 1, []byte(`{}`)); !errors.Is(err, ErrNotShared) {
		t.Errorf("publishing on SQLite: %v, want ErrNotShared", err)
	}
}

// TestEventsAfterReconnect cuts the listener's connection and checks that
// it connects again by itself, reporting the number it starts from after
// the events it missed, and then receives the events after it.
func TestEventsAfterReconnect(t *testing.T) {
	a, b := openShared(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	l := newRecorder()
	var errs []error
	var mu sync.Mutex
	if err := a.ListenEvents(ctx, l, func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }); err != nil {
		t.Fatal(err)
	}
	if _, err := b.PublishEvent(ctx, 1, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, "the first event", func(_ []int64, evs []Event) bool { return len(evs) == 1 })

	if _, err := b.w.ExecContext(ctx, `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = ?`, listenerName); err != nil {
		t.Fatal(err)
	}
	// Missed while the listener is away, or not: either way the new floor
	// covers what was not received.
	if _, err := b.PublishEvent(ctx, 1, []byte(`{}`)); err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, "a second start", func(floors []int64, _ []Event) bool { return len(floors) == 2 })
	id, err := b.PublishEvent(ctx, 1, []byte(`{"after":true}`))
	if err != nil {
		t.Fatal(err)
	}
	l.waitFor(t, "the event after the reconnect", func(_ []int64, evs []Event) bool {
		return len(evs) > 0 && evs[len(evs)-1].ID == id
	})
	l.mu.Lock()
	defer l.mu.Unlock()
	if f := l.floors[1]; f < 1 || f >= id {
		t.Errorf("after the reconnect the floor is %d, want at least the first event (1) and below the next (%d)", f, id)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(errs) == 0 {
		t.Error("the broken connection was not reported")
	}
}
