package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// ProbeRun is one run of a plan step's probe.
type ProbeRun struct {
	ID     int64
	Action string // the plan step's key
	Result string // pass or fail
	Report string // the probe's report as JSON
	By     string
	At     time.Time
}

// RecordProbe keeps a probe run of a plan step and writes it to the audit
// trail. A run changes the project's record, so it makes a new revision,
// as a mark of a step does: a sign-off shows what was run since.
func (s *Store) RecordProbe(ctx context.Context, actor, projectID int64, action, result string, report []byte) (int64, error) {
	if result != "pass" && result != "fail" {
		return 0, fmt.Errorf("store: probe result %q", result)
	}
	if !json.Valid(report) {
		return 0, errors.New("store: a probe report must be JSON")
	}
	var id int64
	err := s.write(ctx, func(t *tx) error {
		if err := t.projectExists(ctx, projectID); err != nil {
			return err
		}
		if err := t.QueryRowContext(ctx, `
			INSERT INTO probe_runs (project_id, action, result, report, user_id, at) VALUES (?, ?, ?, ?, ?, ?)
			RETURNING id`, projectID, action, result, string(report), actor, fmtTime(t.now)).Scan(&id); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		return t.audit(ctx, projectID, actor, "probe", "plan step", action, "", result)
	})
	return id, err
}

// ProbeRuns returns every probe run of a project, oldest first.
func (s *Store) ProbeRuns(ctx context.Context, projectID int64) ([]ProbeRun, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT p.id, p.action, p.result, p.report, coalesce(u.name, ''), p.at
		FROM probe_runs p LEFT JOIN users u ON u.id = p.user_id
		WHERE p.project_id = ? ORDER BY p.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var out []ProbeRun
	for rows.Next() {
		var p ProbeRun
		var at string
		if err := rows.Scan(&p.ID, &p.Action, &p.Result, &p.Report, &p.By, &at); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if p.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// ProbeRunsSince counts a project's probe runs at or after since, for the
// limit on how often a project's members may probe.
func (s *Store) ProbeRunsSince(ctx context.Context, projectID int64, since time.Time) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM probe_runs WHERE project_id = ? AND at >= ?`, projectID, fmtTime(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return n, nil
}
