package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/secex/wizard/steps"
)

// TicketRecord is a project's change ticket as stored.
type TicketRecord struct {
	Ticket    steps.Ticket
	Version   int64 // 0 when the project has no ticket yet
	UpdatedBy string
	UpdatedAt time.Time
}

// Ticket returns the project's change ticket; a project without one gives
// a zero TicketRecord and no error.
func (s *Store) Ticket(ctx context.Context, projectID int64) (TicketRecord, error) {
	var rec TicketRecord
	var data, at string
	err := s.r.QueryRowContext(ctx, `
		SELECT t.data, t.version, coalesce(u.name, ''), t.updated_at
		FROM tickets t LEFT JOIN users u ON u.id = t.updated_by
		WHERE t.project_id = ?`, projectID).Scan(&data, &rec.Version, &rec.UpdatedBy, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return rec, nil
	}
	if err != nil {
		return rec, fmt.Errorf("store: %w", err)
	}
	if err := json.Unmarshal([]byte(data), &rec.Ticket); err != nil {
		return rec, fmt.Errorf("store: reading the change ticket: %w", err)
	}
	if rec.UpdatedAt, err = parseTime(at); err != nil {
		return rec, err
	}
	return rec, nil
}

// SaveTicket stores the project's change ticket. version is the version
// the user saw (0 for none); a stale version is ErrConflict and nothing is
// saved.
func (s *Store) SaveTicket(ctx context.Context, actor, projectID int64, tk steps.Ticket, version int64) error {
	b, err := json.Marshal(tk)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.projectExists(ctx, projectID); err != nil {
			return err
		}
		var old string
		var cur int64
		err := t.QueryRowContext(ctx, `SELECT data, version FROM tickets WHERE project_id = ?`, projectID).Scan(&old, &cur)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: %w", err)
		}
		if cur != version {
			return ErrConflict
		}
		if old == string(b) {
			return nil
		}
		if _, err := t.ExecContext(ctx, `
			INSERT INTO tickets (project_id, data, version, updated_by, updated_at) VALUES (?, ?, 1, ?, ?)
			ON CONFLICT (project_id) DO UPDATE SET data = excluded.data, version = tickets.version + 1,
				updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
			projectID, string(b), actor, fmtTime(t.now)); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		return t.audit(ctx, projectID, actor, "update", "ticket", "change ticket", old, string(b))
	})
}
