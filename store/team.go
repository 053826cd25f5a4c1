package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"time"
)

// Signoff is an approver's sign-off of one project revision.
type Signoff struct {
	ID       int64
	Revision int64
	Digest   string // SHA-256 of Content
	Content  string // JSON of what was signed
	By       string
	At       time.Time
}

// SignOff records a sign-off of revision by actor. The caller has checked
// the approver's password and that revision is current.
func (s *Store) SignOff(ctx context.Context, actor, projectID, revision int64, content string) (Signoff, error) {
	sum := sha256.Sum256([]byte(content))
	so := Signoff{Revision: revision, Digest: "sha256:" + hex.EncodeToString(sum[:]), Content: content}
	err := s.write(ctx, func(t *tx) error {
		var cur int64
		if err := t.QueryRowContext(ctx, `SELECT revision FROM projects WHERE id = ?`, projectID).Scan(&cur); err != nil {
			if errors.Is(err, sql.ErrNoRows) {
				return ErrNotFound
			}
			return fmt.Errorf("store: %w", err)
		}
		if cur != revision {
			return ErrConflict
		}
		so.At = t.now
		if err := t.QueryRowContext(ctx, `
			INSERT INTO signoffs (project_id, revision, digest, content, user_id, at) VALUES (?, ?, ?, ?, ?, ?)
			RETURNING id`, projectID, revision, so.Digest, content, actor, fmtTime(t.now)).Scan(&so.ID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		// A sign-off is recorded in the history but does not move the
		// revision: what was signed is still the current state.
		return t.audit(ctx, projectID, actor, "sign-off", "project", fmt.Sprintf("revision %d", revision), "", so.Digest)
	})
	if err != nil {
		return Signoff{}, err
	}
	so.By = s.userName(ctx, actor)
	return so, nil
}

func (s *Store) userName(ctx context.Context, id int64) string {
	u, err := s.UserByID(ctx, id)
	if err != nil {
		return ""
	}
	return u.Name
}

// Signoffs lists a project's sign-offs, newest first.
func (s *Store) Signoffs(ctx context.Context, projectID int64) ([]Signoff, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT so.id, so.revision, so.digest, so.content, coalesce(u.name, ''), so.at
		FROM signoffs so LEFT JOIN users u ON u.id = so.user_id
		WHERE so.project_id = ? ORDER BY so.id DESC`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []Signoff
	for rows.Next() {
		var so Signoff
		var at string
		if err := rows.Scan(&so.ID, &so.Revision, &so.Digest, &so.Content, &so.By, &at); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if so.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, so)
	}
	return out, rows.Err()
}

// Assign gives a plan step to a member, or takes it back when userID is 0.
func (s *Store) Assign(ctx context.Context, actor, projectID int64, action string, userID int64) error {
	return s.write(ctx, func(t *tx) error {
		var old string
		t.QueryRowContext(ctx, `SELECT coalesce(u.name, '') FROM assignments a LEFT JOIN users u ON u.id = a.user_id
			WHERE a.project_id = ? AND a.action = ?`, projectID, action).Scan(&old)
		var err error
		if userID == 0 {
			_, err = t.ExecContext(ctx, `DELETE FROM assignments WHERE project_id = ? AND action = ?`, projectID, action)
		} else {
			if _, role, err := t.member(ctx, projectID, userID); err != nil {
				return err
			} else if role == 0 {
				return ErrNotFound
			}
			_, err = t.ExecContext(ctx, `INSERT INTO assignments (project_id, action, user_id) VALUES (?, ?, ?)
				ON CONFLICT (project_id, action) DO UPDATE SET user_id = excluded.user_id`, projectID, action, userID)
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		var name string
		if userID != 0 {
			t.QueryRowContext(ctx, `SELECT name FROM users WHERE id = ?`, userID).Scan(&name)
		}
		if name == old {
			return nil
		}
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		return t.audit(ctx, projectID, actor, "assign", "plan step", action, old, name)
	})
}

// Assignments returns the member assigned to each plan step, by step key.
func (s *Store) Assignments(ctx context.Context, projectID int64) (map[string]string, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT a.action, u.name FROM assignments a JOIN users u ON u.id = a.user_id
		WHERE a.project_id = ?`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var a, n string
		if err := rows.Scan(&a, &n); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out[a] = n
	}
	return out, rows.Err()
}

// Evidence is a file attached to a mark of a plan step.
type Evidence struct {
	ID          int64
	Name        string
	ContentType string
	SHA256      string
	Size        int
	Data        []byte // only filled by EvidenceFile
}

// Execution is one mark of a plan step in the as-executed record.
type Execution struct {
	ID       int64
	Action   string
	Status   string // done, skipped or failed
	Note     string // reason for a skip, what happened for a failure, or any note
	Output   string // pasted command output
	By       string
	At       time.Time
	Evidence []Evidence
}

// MarkStep records a mark of a plan step, with optional evidence files.
func (s *Store) MarkStep(ctx context.Context, actor, projectID int64, e Execution) (int64, error) {
	var id int64
	err := s.write(ctx, func(t *tx) error {
		if err := t.projectExists(ctx, projectID); err != nil {
			return err
		}
		if err := t.QueryRowContext(ctx, `
			INSERT INTO executions (project_id, action, status, note, output, user_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)
			RETURNING id`, projectID, e.Action, e.Status, e.Note, e.Output, actor, fmtTime(t.now)).Scan(&id); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		for _, ev := range e.Evidence {
			sum := sha256.Sum256(ev.Data)
			if _, err := t.ExecContext(ctx, `INSERT INTO evidence (execution_id, name, content_type, sha256, data) VALUES (?, ?, ?, ?, ?)`,
				id, ev.Name, ev.ContentType, hex.EncodeToString(sum[:]), ev.Data); err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		return t.audit(ctx, projectID, actor, "mark", "plan step", e.Action, "", e.Status+noteSuffix(e.Note))
	})
	return id, err
}

func noteSuffix(n string) string {
	if n == "" {
		return ""
	}
	return ": " + n
}

// Executions returns every mark of a project's plan steps, oldest first,
// with their evidence's names and hashes (not the data).
func (s *Store) Executions(ctx context.Context, projectID int64) ([]Execution, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT e.id, e.action, e.status, e.note, e.output, coalesce(u.name, ''), e.at
		FROM executions e LEFT JOIN users u ON u.id = e.user_id
		WHERE e.project_id = ? ORDER BY e.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	var out []Execution
	byID := map[int64]int{}
	for rows.Next() {
		var e Execution
		var at string
		if err := rows.Scan(&e.ID, &e.Action, &e.Status, &e.Note, &e.Output, &e.By, &at); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			rows.Close()
			return nil, err
		}
		byID[e.ID] = len(out)
		out = append(out, e)
	}
	rows.Close()
	evs, err := s.r.QueryContext(ctx, `
		SELECT ev.id, ev.execution_id, ev.name, ev.content_type, ev.sha256, length(ev.data)
		FROM evidence ev JOIN executions e ON e.id = ev.execution_id
		WHERE e.project_id = ? ORDER BY ev.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer evs.Close()
	for evs.Next() {
		var ev Evidence
		var eid int64
		if err := evs.Scan(&ev.ID, &eid, &ev.Name, &ev.ContentType, &ev.SHA256, &ev.Size); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if i, ok := byID[eid]; ok {
			out[i].Evidence = append(out[i].Evidence, ev)
		}
	}
	return out, evs.Err()
}

// EvidenceFile returns one evidence file of a project, data included.
func (s *Store) EvidenceFile(ctx context.Context, projectID, id int64) (Evidence, error) {
	var ev Evidence
	err := s.r.QueryRowContext(ctx, `
		SELECT ev.id, ev.name, ev.content_type, ev.sha256, ev.data
		FROM evidence ev JOIN executions e ON e.id = ev.execution_id
		WHERE e.project_id = ? AND ev.id = ?`, projectID, id).Scan(&ev.ID, &ev.Name, &ev.ContentType, &ev.SHA256, &ev.Data)
	if errors.Is(err, sql.ErrNoRows) {
		return ev, ErrNotFound
	}
	if err != nil {
		return ev, fmt.Errorf("store: %w", err)
	}
	ev.Size = len(ev.Data)
	return ev, nil
}

// Closure is how a change ended.
type Closure struct {
	Outcome string // completed, partial or backed-out
	Note    string
	By      string
	At      time.Time
}

// Close records how the change ended.
func (s *Store) CloseChange(ctx context.Context, actor, projectID int64, c Closure) error {
	return s.write(ctx, func(t *tx) error {
		if err := t.projectExists(ctx, projectID); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO closures (project_id, outcome, note, user_id, at) VALUES (?, ?, ?, ?, ?)`,
			projectID, c.Outcome, c.Note, actor, fmtTime(t.now)); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		return t.audit(ctx, projectID, actor, "close", "change", c.Outcome, "", c.Note)
	})
}

// LatestClosure returns how the change ended, or a zero Closure when it has
// not been closed.
func (s *Store) LatestClosure(ctx context.Context, projectID int64) (Closure, error) {
	var c Closure
	var at string
	err := s.r.QueryRowContext(ctx, `
		SELECT c.outcome, c.note, coalesce(u.name, ''), c.at
		FROM closures c LEFT JOIN users u ON u.id = c.user_id
		WHERE c.project_id = ? ORDER BY c.id DESC LIMIT 1`, projectID).Scan(&c.Outcome, &c.Note, &c.By, &at)
	if errors.Is(err, sql.ErrNoRows) {
		return Closure{}, nil
	}
	if err != nil {
		return c, fmt.Errorf("store: %w", err)
	}
	c.At, err = parseTime(at)
	return c, err
}
