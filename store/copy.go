package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// copyTable is one table of the schema as a copy between databases sees
// it. Both dialects' schemas have the same tables and columns (a test
// holds them to it), so a row read from one is written to the other
// column by column.
type copyTable struct {
	name string
	// id says the table's key is an identity column named id: a copy of
	// the whole database keeps its values, and a project's copy gives its
	// rows new ones.
	id bool
	// refs names the columns that hold another table's id, by that table.
	refs map[string]string
	// scope selects one project's rows, with one ? for the project's ID;
	// "" for tables a project's copy leaves out.
	scope string
}

// copyTables lists every table but schema_migrations, each after the
// tables it refers to. A test checks that no table of the schema is
// missing.
var copyTables = []copyTable{
	{name: "users", id: true},
	{name: "setup_tokens"},
	{name: "login_failures", id: true},
	{name: "sessions", refs: map[string]string{"user_id": "users"}},
	{name: "projects", id: true, scope: "id = ?"},
	{name: "members", refs: map[string]string{"project_id": "projects", "user_id": "users"}, scope: "project_id = ?"},
	{name: "servers", id: true, refs: map[string]string{"project_id": "projects"}, scope: "project_id = ?"},
	{name: "server_addrs", refs: map[string]string{"project_id": "projects", "server_id": "servers"}, scope: "project_id = ?"},
	{name: "answers", refs: map[string]string{"project_id": "projects", "updated_by": "users"}, scope: "project_id = ?"},
	{name: "completed_steps", refs: map[string]string{"project_id": "projects", "completed_by": "users"}, scope: "project_id = ?"},
	{name: "acknowledgements", refs: map[string]string{"project_id": "projects", "user_id": "users"}, scope: "project_id = ?"},
	{name: "audit_log", id: true, refs: map[string]string{"project_id": "projects", "user_id": "users"}, scope: "project_id = ?"},
	{name: "tickets", refs: map[string]string{"project_id": "projects", "updated_by": "users"}, scope: "project_id = ?"},
	{name: "signoffs", id: true, refs: map[string]string{"project_id": "projects", "user_id": "users"}, scope: "project_id = ?"},
	{name: "assignments", refs: map[string]string{"project_id": "projects", "user_id": "users"}, scope: "project_id = ?"},
	{name: "executions", id: true, refs: map[string]string{"project_id": "projects", "user_id": "users"}, scope: "project_id = ?"},
	{name: "evidence", id: true, refs: map[string]string{"execution_id": "executions"},
		scope: "execution_id IN (SELECT id FROM executions WHERE project_id = ?)"},
	{name: "closures", id: true, refs: map[string]string{"project_id": "projects", "user_id": "users"}, scope: "project_id = ?"},
	// A position is an address with the project's ID in it, which a
	// project's copy changes: it is copied with the whole database only,
	// and a member of a copied project starts at its task list.
	{name: "positions", refs: map[string]string{"project_id": "projects", "user_id": "users"}},
	{name: "probe_runs", id: true, refs: map[string]string{"project_id": "projects", "user_id": "users"}, scope: "project_id = ?"},
}

// ErrNotEmpty reports that a copy was refused because its destination
// already holds data, which the copy would mix with what it brings.
var ErrNotEmpty = errors.New("store: the destination database is not empty")

// CopyDatabase copies everything src holds into dst, which must be empty:
// accounts, sessions, every project and its whole record, with the same
// IDs, so links and bookmarks keep working. Either database may be SQLite
// or PostgreSQL; this is how a wizard moves from one to the other, and how
// a PostgreSQL database is backed up to, and restored from, an SQLite
// file.
//
// src is read in one transaction and dst written in one, so the copy is a
// consistent state of src, and dst holds all of it or, after an error,
// nothing.
func CopyDatabase(ctx context.Context, dst, src *Store) error {
	return src.read(ctx, func(from *conn) error {
		return dst.write(ctx, func(to *tx) error {
			for _, t := range copyTables {
				var any bool
				if err := to.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM `+t.name+`)`).Scan(&any); err != nil {
					return fmt.Errorf("store: %w", err)
				}
				if any {
					return fmt.Errorf("%w: its table %s has rows", ErrNotEmpty, t.name)
				}
			}
			for _, t := range copyTables {
				if err := copyRows(ctx, to, from, t, "", nil, nil); err != nil {
					return err
				}
			}
			if to.pg {
				// Rows copied with their IDs leave the identity's sequence
				// behind them; the next row must come after the last.
				for _, t := range copyTables {
					if !t.id {
						continue
					}
					if _, err := to.ExecContext(ctx, `SELECT setval(pg_get_serial_sequence('`+t.name+`', 'id'),
						coalesce((SELECT max(id) FROM `+t.name+`), 0) + 1, false)`); err != nil {
						return fmt.Errorf("store: moving the identity of %s: %w", t.name, err)
					}
				}
			}
			return nil
		})
	})
}

// CopyProject copies one project of src, with its whole record (servers,
// answers, sign-offs, the as-executed record and evidence, probe runs and
// its history), into dst as a new project, and returns it. Its rows get
// new IDs in dst; the history keeps its order and its times.
//
// Members are matched to dst's accounts by name, ignoring case; a member
// without an account in dst gets one with the same password, which is not
// an administrator. dst's history records the copy, made by actor (an
// account of dst, or 0), and each account it created.
func CopyProject(ctx context.Context, dst, src *Store, actor, projectID int64, from string) (Project, error) {
	var p Project
	err := src.read(ctx, func(rd *conn) error {
		return dst.write(ctx, func(to *tx) error {
			users, err := copyUsers(ctx, to, rd, actor, projectID)
			if err != nil {
				return err
			}
			ids := map[string]map[int64]int64{"users": users}
			for _, t := range copyTables {
				if t.scope == "" {
					continue
				}
				if err := copyRows(ctx, to, rd, t, t.scope, []any{projectID}, ids); err != nil {
					return err
				}
			}
			newID, ok := ids["projects"][projectID]
			if !ok {
				return ErrNotFound
			}
			if err := to.audit(ctx, newID, actor, "copy", "project", "", "", from); err != nil {
				return err
			}
			p, err = scanProject(to.QueryRowContext(ctx, `SELECT `+projectColumns+` FROM projects WHERE id = ?`, newID))
			return err
		})
	})
	return p, err
}

// copyUsers finds or creates in dst an account for every account the
// project's rows name, and returns the new ID of each by its ID in src.
func copyUsers(ctx context.Context, to *tx, from *conn, actor, projectID int64) (map[int64]int64, error) {
	var refs []string
	for _, t := range copyTables {
		if t.scope == "" {
			continue
		}
		for col, ref := range t.refs {
			if ref == "users" {
				refs = append(refs, `SELECT `+col+` FROM `+t.name+` WHERE `+t.scope)
			}
		}
	}
	args := make([]any, len(refs))
	for i := range args {
		args[i] = projectID
	}
	rows, err := from.QueryContext(ctx, `SELECT id, name, password_hash FROM users WHERE id IN (`+strings.Join(refs, " UNION ")+`) ORDER BY id`, args...)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	type account struct {
		id         int64
		name, hash string
	}
	var accounts []account
	for rows.Next() {
		var a account
		if err := rows.Scan(&a.id, &a.name, &a.hash); err != nil {
			rows.Close()
			return nil, fmt.Errorf("store: %w", err)
		}
		accounts = append(accounts, a)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	ids := map[int64]int64{}
	for _, a := range accounts {
		var id int64
		err := to.QueryRowContext(ctx, `SELECT id FROM users WHERE lower(name) = lower(?)`, a.name).Scan(&id)
		if errors.Is(err, sql.ErrNoRows) {
			u, err := to.createUser(ctx, a.name, a.hash, false)
			if err != nil {
				return nil, err
			}
			if err := to.audit(ctx, 0, actor, "create", "user", u.Name, "", "copied with a project"); err != nil {
				return nil, err
			}
			id = u.ID
		} else if err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		ids[a.id] = id
	}
	return ids, nil
}

// copyRows copies the rows of t that where selects (all rows when where
// is "") from one database to the other. With ids nil the rows keep every
// value. Otherwise each column of t.refs is translated through ids, and
// when t.id the rows get new IDs, which are added to ids for the tables
// after t.
func copyRows(ctx context.Context, to *tx, from *conn, t copyTable, where string, args []any, ids map[string]map[int64]int64) error {
	q := `SELECT * FROM ` + t.name
	if where != "" {
		q += ` WHERE ` + where
	}
	if t.id {
		q += ` ORDER BY id`
	}
	rows, err := from.QueryContext(ctx, q, args...)
	if err != nil {
		return fmt.Errorf("store: reading %s: %w", t.name, err)
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return fmt.Errorf("store: reading %s: %w", t.name, err)
	}
	renumber := ids != nil && t.id
	var insertCols []string
	idAt := -1
	for i, c := range cols {
		if renumber && c == "id" {
			idAt = i
			continue
		}
		insertCols = append(insertCols, c)
	}
	insert := `INSERT INTO ` + t.name + ` (` + strings.Join(insertCols, ", ") + `) VALUES (` +
		strings.TrimSuffix(strings.Repeat("?, ", len(insertCols)), ", ") + `)`
	if renumber {
		insert += ` RETURNING id`
		if ids[t.name] == nil {
			ids[t.name] = map[int64]int64{}
		}
	}
	vals := make([]any, len(cols))
	ptrs := make([]any, len(cols))
	for i := range vals {
		ptrs[i] = &vals[i]
	}
	for rows.Next() {
		if err := rows.Scan(ptrs...); err != nil {
			return fmt.Errorf("store: reading %s: %w", t.name, err)
		}
		row := make([]any, 0, len(insertCols))
		for i, v := range vals {
			if i == idAt {
				continue
			}
			if ref, ok := t.refs[cols[i]]; ok && ids != nil && v != nil {
				old, ok := v.(int64)
				if !ok {
					return fmt.Errorf("store: %s.%s holds %T, not an ID", t.name, cols[i], v)
				}
				v, ok = ids[ref][old]
				if !ok {
					if t.name != "audit_log" {
						return fmt.Errorf("store: %s.%s names %s %d, which the copy does not have", t.name, cols[i], ref, old)
					}
					// History may name an account that no longer exists.
					v = nil
				}
			}
			row = append(row, v)
		}
		if !renumber {
			if _, err := to.ExecContext(ctx, insert, row...); err != nil {
				return fmt.Errorf("store: writing %s: %w", t.name, err)
			}
			continue
		}
		var id int64
		if err := to.QueryRowContext(ctx, insert, row...).Scan(&id); err != nil {
			return fmt.Errorf("store: writing %s: %w", t.name, err)
		}
		ids[t.name][vals[idAt].(int64)] = id
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: reading %s: %w", t.name, err)
	}
	return nil
}
