package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// Answer is the stored answer to one question of one step.
type Answer struct {
	Step      string
	Question  string
	Value     string // the normalised form steps.Question.Parse returns
	Version   int64  // 1 for the first answer, one more for each change
	UpdatedBy string // name of the user who gave this value
	UpdatedAt time.Time
}

// AnswerChange is one answer a user saves.
type AnswerChange struct {
	Question string
	Value    string
	Version  int64 // the Version the user saw; 0 when they saw no answer
}

// Conflict is an answer that someone else changed after the user read it.
type Conflict struct {
	Question string
	Theirs   Answer // the current answer; Version 0 when there is none
	Yours    string // the value the user tried to save
}

// ConflictError reports the answers of a save that were changed by someone
// else meanwhile. It matches ErrConflict under errors.Is.
type ConflictError struct {
	Conflicts []Conflict
}

func (e *ConflictError) Error() string {
	qs := make([]string, len(e.Conflicts))
	for i, c := range e.Conflicts {
		qs[i] = c.Question
	}
	return fmt.Sprintf("store: changed by someone else: %s", strings.Join(qs, ", "))
}

// Is reports whether target is ErrConflict.
func (e *ConflictError) Is(target error) bool { return target == ErrConflict }

// Answers returns every answer of a project by step, then question.
func (s *Store) Answers(ctx context.Context, projectID int64) (map[string]map[string]Answer, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT a.step, a.question, a.value, a.version, coalesce(u.name, ''), a.updated_at
		FROM answers a LEFT JOIN users u ON u.id = a.updated_by
		WHERE a.project_id = ?`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := map[string]map[string]Answer{}
	for rows.Next() {
		a, err := scanAnswer(rows)
		if err != nil {
			return nil, err
		}
		if out[a.Step] == nil {
			out[a.Step] = map[string]Answer{}
		}
		out[a.Step][a.Question] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return out, nil
}

func scanAnswer(row scanner) (Answer, error) {
	var a Answer
	var at string
	if err := row.Scan(&a.Step, &a.Question, &a.Value, &a.Version, &a.UpdatedBy, &at); err != nil {
		return Answer{}, err
	}
	var err error
	a.UpdatedAt, err = parseTime(at)
	return a, err
}

// SaveAnswers saves answers to questions of one step, in one transaction.
//
// Every change names the version of the answer the user saw. If any answer
// has a different version now, because someone else saved it meanwhile,
// nothing is saved and the error is a *ConflictError holding each
// current answer beside the user's value, so the user can choose knowingly
// instead of one of them being lost without notice.
//
// A change to the value the answer already has is skipped. Each real change
// increases the answer's version and is written to the audit log with its
// old and new value; the project's revision increases once, and the step
// is no longer complete, since its answers must be reviewed again.
func (s *Store) SaveAnswers(ctx context.Context, actor, projectID int64, step string, changes []AnswerChange) error {
	if step == "" {
		return errors.New("store: SaveAnswers needs a step")
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.projectExists(ctx, projectID); err != nil {
			return err
		}
		type change struct {
			AnswerChange
			old string
		}
		var todo []change
		var conflicts []Conflict
		seen := map[string]bool{}
		for _, c := range changes {
			if seen[c.Question] {
				return fmt.Errorf("store: question %s/%s appears twice in one save", step, c.Question)
			}
			seen[c.Question] = true
			cur, err := t.answer(ctx, projectID, step, c.Question)
			if err != nil {
				return err
			}
			switch {
			case cur.Version != c.Version:
				conflicts = append(conflicts, Conflict{Question: c.Question, Theirs: cur, Yours: c.Value})
			case cur.Version > 0 && cur.Value == c.Value:
				// Unchanged: no new version, nothing to audit.
			default:
				todo = append(todo, change{c, cur.Value})
			}
		}
		if len(conflicts) > 0 {
			return &ConflictError{Conflicts: conflicts}
		}
		if len(todo) == 0 {
			return nil
		}
		for _, c := range todo {
			_, err := t.ExecContext(ctx, `
				INSERT INTO answers (project_id, step, question, value, version, updated_by, updated_at)
				VALUES (?, ?, ?, ?, ?, ?, ?)
				ON CONFLICT (project_id, step, question) DO UPDATE SET
					value = excluded.value, version = excluded.version,
					updated_by = excluded.updated_by, updated_at = excluded.updated_at`,
				projectID, step, c.Question, c.Value, c.Version+1, actor, fmtTime(t.now))
			if err != nil {
				return fmt.Errorf("store: saving %s/%s: %w", step, c.Question, err)
			}
			action := "update"
			if c.Version == 0 {
				action = "add"
			}
			if err := t.audit(ctx, projectID, actor, action, "answer", step+"/"+c.Question, c.old, c.Value); err != nil {
				return err
			}
		}
		if _, err := t.setComplete(ctx, actor, projectID, step, false); err != nil {
			return err
		}
		return t.bump(ctx, projectID)
	})
}

// answer returns the current answer, or one with Version 0 when there is
// none.
func (t *tx) answer(ctx context.Context, projectID int64, step, question string) (Answer, error) {
	a, err := scanAnswer(t.QueryRowContext(ctx, `
		SELECT a.step, a.question, a.value, a.version, coalesce(u.name, ''), a.updated_at
		FROM answers a LEFT JOIN users u ON u.id = a.updated_by
		WHERE a.project_id = ? AND a.step = ? AND a.question = ?`, projectID, step, question))
	if errors.Is(err, sql.ErrNoRows) {
		return Answer{Step: step, Question: question}, nil
	}
	if err != nil {
		return Answer{}, fmt.Errorf("store: %w", err)
	}
	return a, nil
}

func (t *tx) projectExists(ctx context.Context, projectID int64) error {
	var ok bool
	if err := t.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM projects WHERE id = ?)`, projectID).Scan(&ok); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if !ok {
		return ErrNotFound
	}
	return nil
}

// SetStepComplete marks a step of a project complete or not.
func (s *Store) SetStepComplete(ctx context.Context, actor, projectID int64, step string, complete bool) error {
	return s.write(ctx, func(t *tx) error {
		if err := t.projectExists(ctx, projectID); err != nil {
			return err
		}
		changed, err := t.setComplete(ctx, actor, projectID, step, complete)
		if err != nil || !changed {
			return err
		}
		return t.bump(ctx, projectID)
	})
}

// setComplete marks a step complete or not and audits the change, if it
// is one. It does not bump the revision.
func (t *tx) setComplete(ctx context.Context, actor, projectID int64, step string, complete bool) (changed bool, err error) {
	var res sql.Result
	action := "complete"
	if complete {
		res, err = t.ExecContext(ctx, `
			INSERT INTO completed_steps (project_id, step, completed_by, completed_at) VALUES (?, ?, ?, ?)
			ON CONFLICT DO NOTHING`, projectID, step, actor, fmtTime(t.now))
	} else {
		action = "reopen"
		res, err = t.ExecContext(ctx, `DELETE FROM completed_steps WHERE project_id = ? AND step = ?`, projectID, step)
	}
	if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	return true, t.audit(ctx, projectID, actor, action, "step", step, "", "")
}

// CompletedSteps returns the IDs of a project's complete steps.
func (s *Store) CompletedSteps(ctx context.Context, projectID int64) (map[string]bool, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT step FROM completed_steps WHERE project_id = ?`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var step string
		if err := rows.Scan(&step); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		out[step] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return out, nil
}

// Ack is an acknowledged warning: the reason a team goes on despite it.
// The runbook prints it as a recorded deviation.
type Ack struct {
	Key    string // steps.Finding.Key
	Reason string
	By     string // user name
	At     time.Time
}

// Acknowledge records why a project goes on despite the warning finding
// key, replacing any earlier reason. The reason must not be blank.
func (s *Store) Acknowledge(ctx context.Context, actor, projectID int64, key, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return errors.New("store: an acknowledgement needs a reason")
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.projectExists(ctx, projectID); err != nil {
			return err
		}
		var old string
		err := t.QueryRowContext(ctx, `SELECT reason FROM acknowledgements WHERE project_id = ? AND finding_key = ?`,
			projectID, key).Scan(&old)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: %w", err)
		}
		if old == reason {
			return nil
		}
		if _, err := t.ExecContext(ctx, `
			INSERT INTO acknowledgements (project_id, finding_key, reason, user_id, at) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (project_id, finding_key) DO UPDATE SET
				reason = excluded.reason, user_id = excluded.user_id, at = excluded.at`,
			projectID, key, reason, actor, fmtTime(t.now)); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		return t.audit(ctx, projectID, actor, "acknowledge", "finding", key, old, reason)
	})
}

// Acknowledgements returns a project's acknowledged warnings by key.
func (s *Store) Acknowledgements(ctx context.Context, projectID int64) (map[string]Ack, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT a.finding_key, a.reason, coalesce(u.name, ''), a.at
		FROM acknowledgements a LEFT JOIN users u ON u.id = a.user_id
		WHERE a.project_id = ?`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	out := map[string]Ack{}
	for rows.Next() {
		var a Ack
		var at string
		if err := rows.Scan(&a.Key, &a.Reason, &a.By, &at); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		if a.At, err = parseTime(at); err != nil {
			return nil, err
		}
		out[a.Key] = a
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return out, nil
}
