package store

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
)

// migrationName is the form of a migration file: a four-digit number, a
// short name and .sql.
var migrationName = regexp.MustCompile(`^[0-9]{4}_[a-z0-9_]+\.sql$`)

// createSchemaMigrations creates the table that records applied
// migrations by file name, with a checksum of the file's content.
const createSchemaMigrations = `CREATE TABLE IF NOT EXISTS schema_migrations (
	name       TEXT NOT NULL PRIMARY KEY,
	checksum   TEXT NOT NULL,
	applied_at TEXT NOT NULL
) STRICT`

// migrate applies the files of fsys that the database has not seen yet, in
// name order. Each file runs in one transaction together with the row that
// records it, so a file is either applied and recorded or not applied at
// all; there is no half-migrated state to repair by hand.
//
// Migrations only go forward. migrate refuses to run when a recorded file
// has changed since it was applied, or when the database knows files this
// program does not (it was opened by a newer version): going on would run
// code against a schema it was not written for.
//
// Before migrating a database that already has data, migrate copies it next
// to itself (wizard.db.before-0006_name), so an upgrade that goes wrong can
// be undone by restoring that copy.
func (s *Store) migrate(ctx context.Context, fsys fs.FS) error {
	if _, err := s.w.ExecContext(ctx, createSchemaMigrations); err != nil {
		return fmt.Errorf("store: creating schema_migrations: %w", err)
	}

	names, err := migrationNames(fsys)
	if err != nil {
		return err
	}

	applied := map[string]string{}
	rows, err := s.w.QueryContext(ctx, `SELECT name, checksum FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("store: reading schema_migrations: %w", err)
	}
	for rows.Next() {
		var name, sum string
		if err := rows.Scan(&name, &sum); err != nil {
			rows.Close()
			return fmt.Errorf("store: reading schema_migrations: %w", err)
		}
		applied[name] = sum
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return fmt.Errorf("store: reading schema_migrations: %w", err)
	}
	todo, err := pendingMigrations(fsys, names, applied)
	if err != nil {
		return err
	}
	if len(todo) == 0 {
		return nil
	}

	if len(applied) > 0 {
		backup := s.path + ".before-" + strings.TrimSuffix(todo[0].name, ".sql")
		// A copy left by an earlier, failed attempt is the state before
		// that attempt: keep it.
		if _, err := os.Stat(backup); os.IsNotExist(err) {
			if err := s.Backup(ctx, backup); err != nil {
				return fmt.Errorf("store: backing up before migration %s: %w", todo[0].name, err)
			}
		}
	}

	for _, m := range todo {
		err := s.write(ctx, func(t *tx) error {
			if _, err := t.ExecContext(ctx, m.sql); err != nil {
				return err
			}
			_, err := t.ExecContext(ctx, `INSERT INTO schema_migrations (name, checksum, applied_at) VALUES (?, ?, ?)`,
				m.name, m.sum, fmtTime(t.now))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}

	// Foreign keys cannot be switched off inside a transaction, so no
	// migration can have broken them; check anyway before anything runs on
	// the new schema.
	rows, err = s.w.QueryContext(ctx, `PRAGMA foreign_key_check`)
	if err != nil {
		return fmt.Errorf("store: checking foreign keys: %w", err)
	}
	bad := rows.Next()
	rows.Close()
	if bad {
		return fmt.Errorf("store: foreign keys are broken after migration %s", todo[len(todo)-1].name)
	}
	return nil
}

// migrationNames lists the migration files of fsys in the order they are
// applied, refusing names that do not have the form of one and numbers
// used twice.
func migrationNames(fsys fs.FS) ([]string, error) {
	names, err := fs.Glob(fsys, "*.sql")
	if err != nil {
		return nil, fmt.Errorf("store: listing migrations: %w", err)
	}
	slices.Sort(names)
	seen := map[string]string{}
	for _, n := range names {
		if !migrationName.MatchString(n) {
			return nil, fmt.Errorf("store: migration %s: name must look like 0001_short_name.sql", n)
		}
		if prev, ok := seen[n[:4]]; ok {
			return nil, fmt.Errorf("store: migrations %s and %s have the same number", prev, n)
		}
		seen[n[:4]] = n
	}
	return names, nil
}

// migration is a file still to apply.
type migration struct{ name, sql, sum string }

// pendingMigrations returns the files of names (from migrationNames) that
// applied, the recorded names and checksums, does not have. It refuses a
// recorded file that has changed since, and a recorded file fsys does not
// have.
func pendingMigrations(fsys fs.FS, names []string, applied map[string]string) ([]migration, error) {
	for name := range applied {
		if !slices.Contains(names, name) {
			return nil, fmt.Errorf("store: the database has migration %s, which this version of the wizard does not know; run the version that last used it, or restore a backup", name)
		}
	}
	var todo []migration
	for _, n := range names {
		b, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, fmt.Errorf("store: reading migration %s: %w", n, err)
		}
		sum := checksum(b)
		if prev, ok := applied[n]; ok {
			if prev != sum {
				return nil, fmt.Errorf("store: migration %s was changed after it was applied; applied migrations must never be edited", n)
			}
			continue
		}
		todo = append(todo, migration{n, string(b), sum})
	}
	return todo, nil
}

// checksum identifies a migration's content. Line endings are normalised
// so a checkout with CRLF line endings does not look like an edit.
func checksum(b []byte) string {
	sum := sha256.Sum256([]byte(strings.ReplaceAll(string(b), "\r\n", "\n")))
	return hex.EncodeToString(sum[:])
}
