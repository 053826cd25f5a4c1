package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/secex/wizard/steps"
)

// Role is what a member may do in a project. Each role includes the ones
// below it, so roles compare with < and >=.
type Role int

// The roles, lowest first.
const (
	RoleViewer   Role = iota + 1 // reads everything
	RoleEditor                   // also answers questions and describes servers
	RoleApprover                 // also signs off the change
	RoleOwner                    // also manages members and the project
)

var roleNames = [...]string{RoleViewer: "viewer", RoleEditor: "editor", RoleApprover: "approver", RoleOwner: "owner"}

// String returns the role's name in lower case, such as "editor".
func (r Role) String() string {
	if r < RoleViewer || r > RoleOwner {
		return fmt.Sprintf("Role(%d)", int(r))
	}
	return roleNames[r]
}

// ParseRole parses a role name, ignoring case and surrounding spaces.
func ParseRole(s string) (Role, error) {
	s = strings.TrimSpace(s)
	for r := RoleViewer; r <= RoleOwner; r++ {
		if strings.EqualFold(s, roleNames[r]) {
			return r, nil
		}
	}
	return 0, fmt.Errorf("store: %q is not a role; use viewer, editor, approver or owner", s)
}

// Project is one change project: an organisation's servers, facts and
// answers, worked through by its members.
type Project struct {
	ID           int64
	Name         string
	Archived     bool
	Revision     int64 // 1 when created; one more for each transaction that changes the project
	Facts        steps.Facts
	FactsVersion int64 // 0 until the facts are first saved
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

// ProjectWithRole is a project and the role a user has in it.
type ProjectWithRole struct {
	Project
	Role Role
}

// Member is a user and their role in a project.
type Member struct {
	User
	Role Role
}

// projectColumns are read by scanProject. They are not qualified, so they
// also serve in RETURNING clauses; no table joined with projects has a
// column of the same name.
const projectColumns = `id, name, archived, revision, facts, facts_version, created_at, updated_at`

func scanProject(row scanner, extra ...any) (Project, error) {
	var p Project
	var facts, created, updated string
	err := row.Scan(append([]any{&p.ID, &p.Name, &p.Archived, &p.Revision, &facts, &p.FactsVersion, &created, &updated}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return Project{}, ErrNotFound
	}
	if err != nil {
		return Project{}, fmt.Errorf("store: %w", err)
	}
	if err := json.Unmarshal([]byte(facts), &p.Facts); err != nil {
		return Project{}, fmt.Errorf("store: reading the facts of project %d: %w", p.ID, err)
	}
	if p.CreatedAt, err = parseTime(created); err != nil {
		return Project{}, err
	}
	if p.UpdatedAt, err = parseTime(updated); err != nil {
		return Project{}, err
	}
	return p, nil
}

// CreateProject creates a project with actor as its owner.
func (s *Store) CreateProject(ctx context.Context, actor int64, name string) (Project, error) {
	var p Project
	err := s.write(ctx, func(t *tx) error {
		now := fmtTime(t.now)
		var err error
		p, err = scanProject(t.QueryRowContext(ctx, `
			INSERT INTO projects (name, created_at, updated_at) VALUES (?, ?, ?)
			RETURNING `+projectColumns, name, now, now))
		if err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)`,
			p.ID, actor, RoleOwner); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return t.audit(ctx, p.ID, actor, "create", "project", "", "", name)
	})
	if err != nil {
		return Project{}, err
	}
	return p, nil
}

// Projects lists the projects userID is a member of, archived ones
// included, by name.
func (s *Store) Projects(ctx context.Context, userID int64) ([]ProjectWithRole, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT `+projectColumns+`, m.role
		FROM projects p JOIN members m ON m.project_id = p.id
		WHERE m.user_id = ?
		ORDER BY lower(p.name), p.id`, userID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var ps []ProjectWithRole
	for rows.Next() {
		var pr ProjectWithRole
		if pr.Project, err = scanProject(rows, &pr.Role); err != nil {
			return nil, err
		}
		ps = append(ps, pr)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return ps, nil
}

// Project returns a project by ID.
func (s *Store) Project(ctx context.Context, id int64) (Project, error) {
	return scanProject(s.r.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = ?`, id))
}

// RenameProject changes a project's name.
func (s *Store) RenameProject(ctx context.Context, actor, id int64, name string) error {
	return s.write(ctx, func(t *tx) error {
		var old string
		err := t.QueryRowContext(ctx, `SELECT name FROM projects WHERE id = ?`, id).Scan(&old)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if old == name {
			return nil
		}
		if _, err := t.ExecContext(ctx, `UPDATE projects SET name = ? WHERE id = ?`, name, id); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.bump(ctx, id); err != nil {
			return err
		}
		return t.audit(ctx, id, actor, "rename", "project", "", old, name)
	})
}

// SetArchived archives a project or brings it back.
func (s *Store) SetArchived(ctx context.Context, actor, id int64, archived bool) error {
	return s.write(ctx, func(t *tx) error {
		var was bool
		err := t.QueryRowContext(ctx, `SELECT archived FROM projects WHERE id = ?`, id).Scan(&was)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if was == archived {
			return nil
		}
		if _, err := t.ExecContext(ctx, `UPDATE projects SET archived = ? WHERE id = ?`, archived, id); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.bump(ctx, id); err != nil {
			return err
		}
		action := "archive"
		if !archived {
			action = "restore"
		}
		return t.audit(ctx, id, actor, action, "project", "", "", "")
	})
}

// SaveFacts replaces a project's facts. version is the FactsVersion the user
// saw; when the facts have changed since, SaveFacts returns ErrConflict and
// saves nothing.
func (s *Store) SaveFacts(ctx context.Context, actor, id int64, facts steps.Facts, version int64) error {
	b, err := json.Marshal(facts)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return s.write(ctx, func(t *tx) error {
		var old string
		var cur int64
		err := t.QueryRowContext(ctx, `SELECT facts, facts_version FROM projects WHERE id = ?`, id).Scan(&old, &cur)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if cur != version {
			return ErrConflict
		}
		if old == string(b) {
			return nil
		}
		if _, err := t.ExecContext(ctx, `UPDATE projects SET facts = ?, facts_version = facts_version + 1 WHERE id = ?`,
			string(b), id); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.bump(ctx, id); err != nil {
			return err
		}
		return t.audit(ctx, id, actor, "update", "project", "facts", old, string(b))
	})
}

// MemberRole returns userID's role in a project, or ErrNotFound when they
// are not a member.
func (s *Store) MemberRole(ctx context.Context, projectID, userID int64) (Role, error) {
	var r Role
	err := s.r.QueryRowContext(ctx, `SELECT role FROM members WHERE project_id = ? AND user_id = ?`,
		projectID, userID).Scan(&r)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, ErrNotFound
	}
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return r, nil
}

// Members lists a project's members by name.
func (s *Store) Members(ctx context.Context, projectID int64) ([]Member, error) {
	rows, err := s.r.QueryContext(ctx, `
		SELECT u.id, u.name, u.admin, u.created_at, m.role
		FROM members m JOIN users u ON u.id = m.user_id
		WHERE m.project_id = ?
		ORDER BY lower(u.name), u.id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var ms []Member
	for rows.Next() {
		var m Member
		if m.User, err = scanUser(rows, &m.Role); err != nil {
			return nil, err
		}
		ms = append(ms, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return ms, nil
}

// SetMember adds userID to a project with role, or changes their role. It
// returns ErrNotFound when the project or the user does not exist, and
// ErrLastOwner rather than demote the project's only owner.
func (s *Store) SetMember(ctx context.Context, actor, projectID, userID int64, role Role) error {
	if role < RoleViewer || role > RoleOwner {
		return fmt.Errorf("store: %v is not a role", role)
	}
	return s.write(ctx, func(t *tx) error {
		name, old, err := t.member(ctx, projectID, userID)
		if err != nil {
			return err
		}
		if old == role {
			return nil
		}
		if old == RoleOwner {
			if err := t.keepOwner(ctx, projectID, userID); err != nil {
				return err
			}
		}
		if _, err := t.ExecContext(ctx, `
			INSERT INTO members (project_id, user_id, role) VALUES (?, ?, ?)
			ON CONFLICT (project_id, user_id) DO UPDATE SET role = excluded.role`,
			projectID, userID, role); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		if old == 0 {
			return t.audit(ctx, projectID, actor, "add", "member", name, "", role.String())
		}
		return t.audit(ctx, projectID, actor, "update", "member", name, old.String(), role.String())
	})
}

// RemoveMember takes userID out of a project. It returns ErrNotFound when
// they are not a member, and ErrLastOwner rather than remove the project's
// only owner.
func (s *Store) RemoveMember(ctx context.Context, actor, projectID, userID int64) error {
	return s.write(ctx, func(t *tx) error {
		name, old, err := t.member(ctx, projectID, userID)
		if err != nil {
			return err
		}
		if old == 0 {
			return ErrNotFound
		}
		if old == RoleOwner {
			if err := t.keepOwner(ctx, projectID, userID); err != nil {
				return err
			}
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM members WHERE project_id = ? AND user_id = ?`, projectID, userID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM positions WHERE project_id = ? AND user_id = ?`, projectID, userID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		return t.audit(ctx, projectID, actor, "remove", "member", name, old.String(), "")
	})
}

// member returns a user's name and role in a project, role 0 when they
// are not a member. It returns ErrNotFound when the project or the user
// does not exist.
func (t *tx) member(ctx context.Context, projectID, userID int64) (string, Role, error) {
	var name string
	var role sql.NullInt64
	err := t.QueryRowContext(ctx, `
		SELECT u.name, (SELECT m.role FROM members m WHERE m.project_id = p.id AND m.user_id = u.id)
		FROM users u, projects p WHERE u.id = ? AND p.id = ?`, userID, projectID).Scan(&name, &role)
	if errors.Is(err, sql.ErrNoRows) {
		return "", 0, ErrNotFound
	}
	if err != nil {
		return "", 0, fmt.Errorf("store: %w", err)
	}
	return name, Role(role.Int64), nil
}

// keepOwner returns ErrLastOwner when userID is the project's only owner.
func (t *tx) keepOwner(ctx context.Context, projectID, userID int64) error {
	var others int
	err := t.QueryRowContext(ctx, `SELECT count(*) FROM members WHERE project_id = ? AND role = ? AND user_id <> ?`,
		projectID, RoleOwner, userID).Scan(&others)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if others == 0 {
		return ErrLastOwner
	}
	return nil
}

// SetPosition records path as the page where userID stopped in a project,
// so the wizard can take them back there. Positions are not project data:
// they are not audited and do not change the revision.
func (s *Store) SetPosition(ctx context.Context, userID, projectID int64, path string) error {
	return s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `
			INSERT INTO positions (user_id, project_id, path, updated_at) VALUES (?, ?, ?, ?)
			ON CONFLICT (user_id, project_id) DO UPDATE SET path = excluded.path, updated_at = excluded.updated_at`,
			userID, projectID, path, fmtTime(t.now))
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}

// Position returns where userID stopped in a project, or "" when nowhere
// is recorded.
func (s *Store) Position(ctx context.Context, userID, projectID int64) (string, error) {
	var path string
	err := s.r.QueryRowContext(ctx, `SELECT path FROM positions WHERE user_id = ? AND project_id = ?`,
		userID, projectID).Scan(&path)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return path, nil
}

// LatestPosition returns the project userID worked in last and where they
// stopped in it, or 0 and "" when nothing is recorded.
func (s *Store) LatestPosition(ctx context.Context, userID int64) (projectID int64, path string, err error) {
	err = s.r.QueryRowContext(ctx, `
		SELECT project_id, path FROM positions WHERE user_id = ?
		ORDER BY updated_at DESC, project_id DESC LIMIT 1`, userID).Scan(&projectID, &path)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, "", nil
	}
	if err != nil {
		return 0, "", fmt.Errorf("store: %w", err)
	}
	return projectID, path, nil
}

// Privileges returns a short text that changes whenever userID's
// privileges change: whether the account is an administrator and its role
// in each project. The web layer keeps it in the session and gives the
// session a new token when it changes, as it does at sign-in.
func (s *Store) Privileges(ctx context.Context, userID int64) (string, error) {
	var b strings.Builder
	var admin int
	if err := s.r.QueryRowContext(ctx, `SELECT admin FROM users WHERE id = ?`, userID).Scan(&admin); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return "", ErrNotFound
		}
		return "", fmt.Errorf("store: %w", err)
	}
	fmt.Fprintf(&b, "a%d", admin)
	rows, err := s.r.QueryContext(ctx, `SELECT project_id, role FROM members WHERE user_id = ? ORDER BY project_id`, userID)
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var pid, role int64
		if err := rows.Scan(&pid, &role); err != nil {
			return "", fmt.Errorf("store: %w", err)
		}
		fmt.Fprintf(&b, ",%d:%d", pid, role)
	}
	if err := rows.Err(); err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	return b.String(), nil
}
