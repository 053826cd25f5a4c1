package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
)

// Live events between replicas.
//
// Replicas on one PostgreSQL tell each other about every change a member
// makes, so that the other members' pages follow it wherever they are
// connected. An event is numbered from the sequence live_event_ids and
// sent with NOTIFY on eventChannel; every replica LISTENs. Numbering and
// sending happen in one transaction under the advisory lock eventLock, so
// the events commit in the order of their numbers, and PostgreSQL delivers
// notifications in the order their transactions committed: every replica
// receives the same events in the same order. Nothing is stored: a replica
// that was not listening when an event was sent (it had not started, or
// its connection broke) learns from the number it starts from again that
// it missed some, and its browsers read their pages again.

// eventChannel is the NOTIFY channel of live events.
const eventChannel = "wizard_live"

// eventLock is the key of the advisory lock that numbers and sends live
// events: "wizard" in ASCII followed by 3 (see migrationLock, writeLock).
const eventLock int64 = 0x77697a6172640003

// listenerName is the application_name of a replica's listening
// connection.
const listenerName = "wizard live events"

// maxEventData bounds an event's data: a NOTIFY payload holds less than
// 8000 bytes.
const maxEventData = 7000

// ErrNotShared reports a call that needs a database shared by replicas.
var ErrNotShared = errors.New("store: live events between replicas need PostgreSQL")

// Event is a live event as replicas send it to each other.
type Event struct {
	ID        int64           `json:"id"`
	ProjectID int64           `json:"p"`
	Data      json.RawMessage `json:"d"` // the event, as the web server wrote it
}

// PublishEvent numbers a live event of a project and sends it to every
// replica listening, this one included, and returns its number. data must
// be JSON, at most maxEventData bytes.
func (s *Store) PublishEvent(ctx context.Context, projectID int64, data []byte) (int64, error) {
	if !s.Shared() {
		return 0, ErrNotShared
	}
	if len(data) > maxEventData || !json.Valid(data) {
		return 0, fmt.Errorf("store: a live event must be JSON of at most %d bytes", maxEventData)
	}
	// The read pool: an event waits for other events, never for writes.
	t, err := s.r.BeginTx(ctx, nil)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	defer t.Rollback()
	c := &conn{Tx: t, pg: true}
	var id int64
	if _, err := c.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, eventLock); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	if err := c.QueryRowContext(ctx, `SELECT nextval('live_event_ids')`).Scan(&id); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	payload, err := json.Marshal(Event{ID: id, ProjectID: projectID, Data: data})
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	if _, err := c.ExecContext(ctx, `SELECT pg_notify(?, ?)`, eventChannel, string(payload)); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	if err := t.Commit(); err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return id, nil
}

// EventListener receives the live events of every replica.
type EventListener interface {
	// Start is called each time the listener (re)connects, with the
	// number every later event is above. Events up to it that had not
	// been received are lost.
	Start(floor int64)
	// Event is called for each event, in order.
	Event(Event)
}

// ListenEvents listens for live events until ctx ends, on a connection of
// its own. It returns once it listens, having called l.Start, or with the
// error that kept it from connecting; after that it reconnects by itself
// whenever the connection breaks, calling l.Start again, and logs nothing:
// failures go to onError.
func (s *Store) ListenEvents(ctx context.Context, l EventListener, onError func(error)) error {
	if !s.Shared() {
		return ErrNotShared
	}
	conn, floor, err := s.listen(ctx, l)
	if err != nil {
		return err
	}
	go func() {
		for {
			err := receive(ctx, conn, floor, l)
			conn.Close(context.Background())
			if ctx.Err() != nil {
				return
			}
			onError(fmt.Errorf("store: live events: %w", err))
			for pause := 100 * time.Millisecond; ; pause = min(2*pause, 5*time.Second) {
				select {
				case <-ctx.Done():
					return
				case <-time.After(pause):
				}
				if conn, floor, err = s.listen(ctx, l); err == nil {
					break
				}
				onError(fmt.Errorf("store: live events: %w", err))
			}
		}
	}()
	return nil
}

// listen connects, LISTENs and reports the floor: the sequence's value
// read under eventLock, when no event is between being numbered and being
// sent, so that every event above it arrives on this connection.
func (s *Store) listen(ctx context.Context, l EventListener) (*pgx.Conn, int64, error) {
	cfg, err := pgx.ParseConfig(s.dsn)
	if err != nil {
		return nil, 0, err
	}
	// Named, so that an administrator can tell it in pg_stat_activity.
	cfg.RuntimeParams["application_name"] = listenerName
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, 0, err
	}
	var floor int64
	err = func() error {
		if _, err := conn.Exec(ctx, `LISTEN `+eventChannel); err != nil {
			return err
		}
		return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, eventLock); err != nil {
				return err
			}
			var called bool
			if err := tx.QueryRow(ctx, `SELECT last_value, is_called FROM live_event_ids`).Scan(&floor, &called); err != nil {
				return err
			}
			if !called {
				floor = 0
			}
			return nil
		})
	}()
	if err != nil {
		conn.Close(context.Background())
		return nil, 0, err
	}
	l.Start(floor)
	return conn, floor, nil
}

// receive hands l the events above floor arriving on conn until it breaks
// or ctx ends. Events sent between LISTEN and reading the floor arrive too,
// and are below it.
func receive(ctx context.Context, conn *pgx.Conn, floor int64, l EventListener) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var ev Event
		if err := json.Unmarshal([]byte(n.Payload), &ev); err != nil {
			return fmt.Errorf("a live event that is not JSON: %w", err)
		}
		if ev.ID <= floor {
			continue
		}
		floor = ev.ID
		l.Event(ev)
	}
}
