package store

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/secex/wizard/migrations"
)

// migrationLock is the key of the PostgreSQL advisory lock that a migration
// run holds: "wizard" in ASCII followed by 1. Advisory locks belong to one
// database, so wizards on different databases of a server do not wait for
// each other.
const migrationLock int64 = 0x77697a6172640001

// createSchemaMigrationsPostgres is createSchemaMigrations for PostgreSQL.
const createSchemaMigrationsPostgres = `CREATE TABLE IF NOT EXISTS schema_migrations (
	name       TEXT NOT NULL PRIMARY KEY,
	checksum   TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`

// MigratePostgres brings the schema of the PostgreSQL database at dsn (a
// URL or key=value connection string, as pgx reads it) up to date with
// migrations.Postgres. It is for wizards that share one database: every
// copy calls it as it starts, and the first to get there migrates while the
// others wait for it and then find nothing left to do.
//
// It follows the same rules as the SQLite runner: files are applied in
// name order, each in one transaction together with the row that records
// it, and a database whose recorded files have changed, or that knows
// files this program does not, is refused. Unlike the SQLite runner it
// makes no copy of the database first: back a PostgreSQL database up with
// pg_dump before an upgrade.
func MigratePostgres(ctx context.Context, dsn string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return fmt.Errorf("store: connecting to PostgreSQL: %w", err)
	}
	defer conn.Close(context.Background())
	return migratePostgres(ctx, conn, migrations.Postgres, func() time.Time { return time.Now().UTC() })
}

// migratePostgres applies the files of fsys on conn, holding the advisory
// lock migrationLock on it from before it first looks at schema_migrations
// until it is done. The lock is a session lock, so it lives exactly as long
// as conn's session, which is why the run has a connection of its own
// rather than one lent by a pool: should the process die half-way, the
// server ends the session and the lock with it, and a transaction cut off
// is rolled back.
func migratePostgres(ctx context.Context, conn *pgx.Conn, fsys fs.FS, now func() time.Time) (err error) {
	names, err := migrationNames(fsys)
	if err != nil {
		return err
	}
	if _, err := conn.Exec(ctx, `SELECT pg_advisory_lock($1)`, migrationLock); err != nil {
		return fmt.Errorf("store: waiting for the migration lock: %w", err)
	}
	defer func() {
		// With a cancelled ctx the unlock could not be sent; closing the
		// connection, as the caller does, releases the lock all the same.
		if _, uerr := conn.Exec(context.WithoutCancel(ctx), `SELECT pg_advisory_unlock($1)`, migrationLock); uerr != nil {
			err = errors.Join(err, fmt.Errorf("store: releasing the migration lock: %w", uerr))
		}
	}()

	if _, err := conn.Exec(ctx, createSchemaMigrationsPostgres); err != nil {
		return fmt.Errorf("store: creating schema_migrations: %w", err)
	}
	rows, err := conn.Query(ctx, `SELECT name, checksum FROM schema_migrations`)
	if err != nil {
		return fmt.Errorf("store: reading schema_migrations: %w", err)
	}
	applied := map[string]string{}
	var name, sum string
	_, err = pgx.ForEachRow(rows, []any{&name, &sum}, func() error {
		applied[name] = sum
		return nil
	})
	if err != nil {
		return fmt.Errorf("store: reading schema_migrations: %w", err)
	}
	todo, err := pendingMigrations(fsys, names, applied)
	if err != nil {
		return err
	}

	for _, m := range todo {
		err := pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
			// Without arguments, Exec sends the file as one simple query,
			// which may hold several statements.
			if _, err := tx.Exec(ctx, m.sql); err != nil {
				return err
			}
			_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (name, checksum, applied_at) VALUES ($1, $2, $3)`,
				m.name, m.sum, fmtTime(now()))
			return err
		})
		if err != nil {
			return fmt.Errorf("store: migration %s: %w", m.name, err)
		}
	}
	return nil
}
