package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" database/sql driver
)

// PostgreSQL error codes the store acts on (PostgreSQL's Appendix A).
const (
	pgUniqueViolation   = "23505"
	pgSerializationFail = "40001"
	pgDeadlockDetected  = "40P01"
	pgDiskFull          = "53100"
)

// postgresConns is the size of each replica's connection pool. Several
// replicas share PostgreSQL's max_connections (100 by default), so a
// replica keeps few; a request holds a connection only for the length of
// one transaction.
const postgresConns = 16

// writeLock is the key of the PostgreSQL advisory lock every write
// transaction holds: "wizard" in ASCII followed by 2 (migrationLock is 1).
const writeLock int64 = 0x77697a6172640002

// IsPostgres reports whether database names a PostgreSQL database (a
// postgres:// or postgresql:// URL) rather than an SQLite file.
func IsPostgres(database string) bool {
	return strings.HasPrefix(database, "postgres://") || strings.HasPrefix(database, "postgresql://")
}

// OpenPostgres opens the PostgreSQL database at dsn, a postgres:// URL as
// pgx reads it, and brings its schema up to date with MigratePostgres.
//
// Several wizard processes may open the same database at once and serve
// the same users behind a load balancer: the migration runs under a lock,
// writes take turns under another (see Store.write), and sessions, sign-in throttling and everything
// else a request relies on live in the database, not in the process.
func OpenPostgres(ctx context.Context, dsn string) (*Store, error) {
	if err := MigratePostgres(ctx, dsn); err != nil {
		return nil, err
	}
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	pool.SetMaxOpenConns(postgresConns)
	pool.SetMaxIdleConns(postgresConns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connecting to PostgreSQL: %w", err)
	}
	d := &db{DB: pool, pg: true}
	return &Store{Now: func() time.Time { return time.Now().UTC() }, dsn: dsn, w: d, r: d}, nil
}

// pgCode returns the SQLSTATE of a PostgreSQL error in err's chain, or "".
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
