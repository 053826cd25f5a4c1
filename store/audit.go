package store

import (
	"context"
	"fmt"
	"math"
	"time"
)

// AuditEntry is one row of the audit log.
type AuditEntry struct {
	ID     int64
	At     time.Time
	User   string // name of the user who made the change; "" when none
	Action string // such as "add", "update", "delete", "rename", "complete"
	Entity string // "project", "member", "server", "answer", "step", "finding" or "user"
	Key    string // which one: a question as step/question, a server or user name
	Old    string // the value before, "" for none
	New    string // the value after, "" for none
}

// Audit returns the newest limit entries of a project's history, newest
// first; limit 0 or less returns them all. Project ID 0 returns the
// changes that belong to no project: accounts.
func (s *Store) Audit(ctx context.Context, projectID int64, limit int) ([]AuditEntry, error) {
	if limit <= 0 {
		limit = math.MaxInt32 // PostgreSQL has no negative "no limit"
	}
	where, args := auditProject(projectID)
	return s.auditWhere(ctx, where+` ORDER BY a.id DESC LIMIT ?`, append(args, limit)...)
}

// LastChange returns the newest entry of a project's history about one
// thing (entity and key, as AuditEntry names them), and false when there
// is none: who changed it last, and when.
func (s *Store) LastChange(ctx context.Context, projectID int64, entity, key string) (AuditEntry, bool, error) {
	where, args := auditProject(projectID)
	es, err := s.auditWhere(ctx, where+` AND a.entity = ? AND a.entity_key = ? ORDER BY a.id DESC LIMIT 1`,
		append(args, entity, key)...)
	if err != nil || len(es) == 0 {
		return AuditEntry{}, false, err
	}
	return es[0], true, nil
}

// auditProject is the condition that selects a project's history, or with
// projectID 0 the history of no project. It is two statements rather than
// one with IS NOT DISTINCT FROM, which PostgreSQL cannot answer from an
// index.
func auditProject(projectID int64) (string, []any) {
	if projectID == 0 {
		return `a.project_id IS NULL`, nil
	}
	return `a.project_id = ?`, []any{projectID}
}

func (s *Store) auditWhere(ctx context.Context, where string, args ...any) ([]AuditEntry, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT a.id, a.at, coalesce(u.name, ''), a.action, a.entity, a.entity_key, a.old_value, a.new_value
		FROM audit_log a LEFT JOIN users u ON u.id = a.user_id
		WHERE `+where, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var es []AuditEntry
	for rows.Next() {
		var e AuditEntry
		var at string
		if err := rows.Scan(&e.ID, &at, &e.User, &e.Action, &e.Entity, &e.Key, &e.Old, &e.New); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if e.At, err = parseTime(at); err != nil {
			return nil, err
		}
		es = append(es, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return es, nil
}
