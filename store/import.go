package store

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/secex/wizard/steps"
)

// Import is a whole project to create at once, already checked by the
// caller (see steps/projectfile).
type Import struct {
	Name      string
	Topology  steps.Topology
	Answers   map[string]steps.Answers
	Completed []string
	Ticket    *steps.Ticket
	Acks      []Ack // reasons for accepted warnings; recorded as given by the importing user
}

// ImportProject creates a project owned by actor from im in one
// transaction: either everything is stored or nothing is.
func (s *Store) ImportProject(ctx context.Context, actor int64, im Import) (Project, error) {
	var p Project
	err := s.write(ctx, func(t *tx) error {
		now := fmtTime(t.now)
		facts, err := json.Marshal(im.Topology.Facts)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if p, err = scanProject(t.QueryRowContext(ctx, `
			INSERT INTO projects (name, facts, facts_version, created_at, updated_at) VALUES (?, ?, 1, ?, ?)
			RETURNING `+projectColumns, im.Name, string(facts), now, now)); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)`,
			p.ID, actor, RoleOwner); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.audit(ctx, p.ID, actor, "import", "project", "", "",
			fmt.Sprintf("%s: %d servers, %d procedures answered, %d completed", im.Name, len(im.Topology.Servers), len(im.Answers), len(im.Completed))); err != nil {
			return err
		}
		for _, srv := range im.Topology.Servers {
			data, err := serverJSON(srv)
			if err != nil {
				return err
			}
			if err := t.checkServer(ctx, p.ID, 0, srv); err != nil {
				return err
			}
			var id int64
			if err := t.QueryRowContext(ctx, `
				INSERT INTO servers (project_id, name, fqdn, data, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
				p.ID, srv.Name, srv.FQDN, data, now, now).Scan(&id); err != nil {
				return fmt.Errorf("store: adding server %s: %w", srv.Name, err)
			}
			if err := t.addAddrs(ctx, p.ID, id, srv); err != nil {
				return err
			}
		}
		stepIDs := make([]string, 0, len(im.Answers))
		for id := range im.Answers {
			stepIDs = append(stepIDs, id)
		}
		sort.Strings(stepIDs)
		for _, step := range stepIDs {
			for q, v := range im.Answers[step] {
				if _, err := t.ExecContext(ctx, `
					INSERT INTO answers (project_id, step, question, value, version, updated_by, updated_at)
					VALUES (?, ?, ?, ?, 1, ?, ?)`, p.ID, step, q, v, actor, now); err != nil {
					return fmt.Errorf("store: %w", err)
				}
			}
		}
		for _, step := range im.Completed {
			if _, err := t.setComplete(ctx, actor, p.ID, step, true); err != nil {
				return err
			}
		}
		if im.Ticket != nil {
			b, err := json.Marshal(im.Ticket)
			if err != nil {
				return fmt.Errorf("store: %w", err)
			}
			if _, err := t.ExecContext(ctx, `
				INSERT INTO tickets (project_id, data, version, updated_by, updated_at) VALUES (?, ?, 1, ?, ?)`,
				p.ID, string(b), actor, now); err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
		for _, a := range im.Acks {
			if _, err := t.ExecContext(ctx, `
				INSERT INTO acknowledgements (project_id, finding_key, reason, user_id, at) VALUES (?, ?, ?, ?, ?)`,
				p.ID, a.Key, a.Reason, actor, now); err != nil {
				return fmt.Errorf("store: %w", err)
			}
		}
		p.Revision++
		return t.bump(ctx, p.ID)
	})
	if err != nil {
		return Project{}, err
	}
	return p, nil
}
