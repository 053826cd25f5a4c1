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

// The connections of each replica. Several replicas share PostgreSQL's
// max_connections (100 by default), so a replica keeps few, and a request
// holds one only for the length of a transaction. Writes have a pool of
// their own, as on SQLite: a write waiting for the write lock holds its
// connection meanwhile, and must not take the ones pages are read with.
const (
	postgresWriters = 4
	postgresReaders = 12
)

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
	w, err := openPool(ctx, dsn, postgresWriters)
	if err != nil {
		return nil, err
	}
	r, err := openPool(ctx, dsn, postgresReaders)
	if err != nil {
		w.Close()
		return nil, err
	}
	return &Store{Now: func() time.Time { return time.Now().UTC() }, dsn: dsn, w: w, r: r}, nil
}

func openPool(ctx context.Context, dsn string, conns int) (*db, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	pool.SetMaxOpenConns(conns)
	pool.SetMaxIdleConns(conns)
	pool.SetConnMaxIdleTime(5 * time.Minute)
	if err := pool.PingContext(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("store: connecting to PostgreSQL: %w", err)
	}
	return &db{DB: pool, pg: true}, nil
}

// pgCode returns the SQLSTATE of a PostgreSQL error in err's chain, or "".
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}
