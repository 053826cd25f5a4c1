package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/secex/wizard/steps"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/secex/wizard/migrations"
)

// Errors returned by the store. Callers test for them with errors.Is.
var (
	// ErrNotFound reports that a record does not exist, or that a one-time
	// token is used or expired.
	ErrNotFound = errors.New("store: not found")

	// ErrDuplicate reports that a record would repeat a value that must be
	// unique. The error is a *DuplicateError naming the value.
	ErrDuplicate = errors.New("store: duplicate")

	// ErrConflict reports that someone else changed a record after the user
	// read it. Answer conflicts are a *ConflictError with the current values.
	ErrConflict = errors.New("store: changed by someone else")

	// ErrFull reports that the database could not grow: its disk, or the
	// size limit set for it, is full. Nothing of the failed write was
	// kept, and what was saved before is untouched; writes succeed again
	// as soon as there is space, without a restart.
	ErrFull = errors.New("store: the database is out of space")

	// ErrLastOwner reports a change that would leave a project without an
	// owner. Its text is written for the person making the change.
	ErrLastOwner = errors.New("a project must keep at least one owner: make another member owner first")

	// ErrLastAdmin reports a change that would leave no administrator.
	ErrLastAdmin = errors.New("the wizard must keep at least one administrator: make another account administrator first")
)

// DuplicateError reports a value that is already taken. It matches
// ErrDuplicate under errors.Is. Its text is written for the person who
// typed the value.
type DuplicateError struct {
	Entity string // "server" or "user"
	Field  string // "name", "fqdn" or "addrs", like the form fields of steps.ServerForm
	Value  string // the value typed
	Other  string // the server that already has it, when known
}

func (e *DuplicateError) Error() string {
	switch {
	case e.Field == "name" && e.Entity == "user":
		return fmt.Sprintf("There is already an account named %s", e.Value)
	case e.Field == "name":
		return fmt.Sprintf("There is already a %s named %s", e.Entity, e.Value)
	case e.Field == "fqdn":
		return fmt.Sprintf("%s already has the FQDN %s", e.Other, e.Value)
	case e.Field == "addrs":
		return fmt.Sprintf("%s already has the address %s", e.Other, e.Value)
	}
	return fmt.Sprintf("%s %s %q is already taken", e.Entity, e.Field, e.Value)
}

// Is reports whether target is ErrDuplicate.
func (e *DuplicateError) Is(target error) bool { return target == ErrDuplicate }

// Store is the wizard's database: one SQLite file holding accounts,
// sessions, projects, servers, answers, progress and the audit log.
//
// A Store is safe for concurrent use.
type Store struct {
	// Now is the store's clock. Every change made in one transaction is
	// stamped with a single reading of it. Tests replace it before use;
	// the default is time.Now in UTC.
	Now func() time.Time

	path string // the SQLite file; "" on PostgreSQL
	dsn  string // the PostgreSQL connection string; "" on SQLite
	w    *db    // the writer: SQLite's single connection, or a small PostgreSQL pool
	r    *db    // the readers: SQLite's query-only pool, or PostgreSQL's

	// decoded keeps servers already decoded from JSON, by row ID and
	// version: a version changes with every update of the row, so an
	// entry is never stale, and every page of a large project no longer
	// decodes hundreds of servers again.
	decodedMu sync.Mutex
	decoded   map[int64]decodedServer
}

type decodedServer struct {
	version int64
	server  steps.Server
}

// pragmas are applied by the driver to every connection of both pools as
// it is opened. A PRAGMA run once with Exec would reach only the pooled
// connection that happened to run it.
//
//   - journal_mode(WAL): readers never wait for the writer, and the writer
//     never waits for readers.
//   - synchronous(FULL): a commit reaches the disk before the wizard says
//     it is saved; a power cut cannot lose an answer or a sign-off the user
//     was told is saved.
//   - foreign_keys(1): no answer, member or server outlives its project.
//   - busy_timeout(5000): a connection waits up to five seconds for a lock
//     instead of failing at once.
const pragmas = "_pragma=busy_timeout(5000)" +
	"&_pragma=journal_mode(WAL)" +
	"&_pragma=synchronous(FULL)" +
	"&_pragma=foreign_keys(1)" +
	"&_pragma=temp_store(MEMORY)"

// readers is the size of the read pool.
const readers = 4

// Open opens the database, creating it when missing, and brings its schema
// up to date. database is a postgres:// or postgresql:// URL for
// PostgreSQL (see OpenPostgres), or otherwise the path of an SQLite file,
// whose directory is made when missing.
func Open(ctx context.Context, database string) (*Store, error) {
	if IsPostgres(database) {
		return OpenPostgres(ctx, database)
	}
	return OpenSQLite(ctx, database)
}

// OpenSQLite opens the SQLite database at path, creating it and its
// directory when missing, and brings its schema up to date.
//
// Writes go through a single connection whose transactions begin with
// BEGIN IMMEDIATE: a transaction that reads and then writes holds the write
// lock from its start, so it waits its turn instead of failing with
// SQLITE_BUSY half-way. Reads use a separate pool of read-only
// connections, which in WAL mode see the last committed state without
// waiting for the writer.
func OpenSQLite(ctx context.Context, path string) (*Store, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	if err := os.MkdirAll(filepath.Dir(abs), 0o700); err != nil {
		return nil, fmt.Errorf("store: creating the data directory: %w", err)
	}
	// Create the file here so it gets owner-only permissions; SQLite gives
	// its -wal and -shm files the same mode.
	f, err := os.OpenFile(abs, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	f.Close()

	s := &Store{Now: func() time.Time { return time.Now().UTC() }, path: abs}
	uri := fileURI(abs)
	w, err := sql.Open("sqlite", uri+"?"+pragmas+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	s.w = &db{DB: w}
	s.w.SetMaxOpenConns(1)
	s.w.SetMaxIdleConns(1)
	s.w.SetConnMaxLifetime(0)
	s.w.SetConnMaxIdleTime(0)
	// The writer connects first: it turns the file to WAL, which a
	// query-only connection cannot do.
	if err := s.w.PingContext(ctx); err != nil {
		s.w.Close()
		return nil, fmt.Errorf("store: opening %s: %w", abs, err)
	}
	r, err := sql.Open("sqlite", uri+"?"+pragmas+"&_pragma=query_only(1)")
	if err != nil {
		s.w.Close()
		return nil, fmt.Errorf("store: %w", err)
	}
	s.r = &db{DB: r}
	s.r.SetMaxOpenConns(readers)
	s.r.SetMaxIdleConns(readers)

	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := s.migrate(ctx, migrations.SQLite); err != nil {
		return err
	}
	if err := s.checkPragmas(ctx); err != nil {
		return err
	}
	var res string
	if err := s.r.QueryRowContext(ctx, "PRAGMA quick_check").Scan(&res); err != nil {
		return fmt.Errorf("store: checking %s: %w", s.path, err)
	}
	if res != "ok" {
		return fmt.Errorf("store: %s is damaged (quick_check: %s); restore it from a backup", s.path, res)
	}
	return nil
}

// fileURI turns an absolute path into an SQLite file: URI, escaping the
// characters (?, #, %) that would otherwise end the path.
func fileURI(abs string) string {
	p := filepath.ToSlash(abs)
	if !strings.HasPrefix(p, "/") {
		p = "/" + p // a Windows drive letter
	}
	return "file:" + (&url.URL{Path: p}).EscapedPath()
}

// checkPragmas reads the settings back from both pools and refuses to go
// on if any is not in effect: a silently ignored setting would trade away
// durability or integrity without anyone noticing.
func (s *Store) checkPragmas(ctx context.Context) error {
	want := []struct {
		pragma string
		value  string
	}{
		{"journal_mode", "wal"},
		{"synchronous", "2"},
		{"foreign_keys", "1"},
		{"busy_timeout", "5000"},
	}
	for _, pool := range []struct {
		name      string
		db        *db
		queryOnly string
	}{{"writer", s.w, "0"}, {"reader", s.r, "1"}} {
		for _, p := range append(want, struct{ pragma, value string }{"query_only", pool.queryOnly}) {
			var got string
			if err := pool.db.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
				return fmt.Errorf("store: reading PRAGMA %s on the %s: %w", p.pragma, pool.name, err)
			}
			if !strings.EqualFold(got, p.value) {
				return fmt.Errorf("store: PRAGMA %s is %s on the %s, want %s", p.pragma, got, pool.name, p.value)
			}
		}
	}
	return nil
}

// Close closes the database. The read pool closes first, so the writer is
// the last connection and checkpoints the WAL into the main file.
func (s *Store) Close() error {
	var errs []error
	if s.r != nil {
		errs = append(errs, s.r.Close())
	}
	if s.w != nil {
		errs = append(errs, s.w.Close())
	}
	return errors.Join(errs...)
}

// Path returns the absolute path of the database file, or "" when the
// database is PostgreSQL.
func (s *Store) Path() string { return s.path }

// Shared reports whether other wizard processes may use the same database
// at once, as replicas on one PostgreSQL do. What a process remembers of
// the database is then only a hint: another replica may have changed it.
func (s *Store) Shared() bool { return s.w.pg }

// tx is a write transaction with the one time its changes are stamped
// with.
type tx struct {
	*conn
	now time.Time
}

// write runs fn in a write transaction and commits it when fn returns nil.
// Keep fn short: no hashing, no network, no rendering; every other write
// waits for it.
//
// Writes run one at a time, each seeing every write before it. On SQLite
// the transaction is immediate, on the single writer connection. On
// PostgreSQL, where several replicas write, the transaction's first
// statement takes the advisory lock writeLock, which every write of every
// replica takes, and its later statements each read the state as
// committed when they run, so the lock gives them all the writes before
// it. A transaction that reads a version and then writes it can then not
// be overtaken between the two, just as on SQLite, and none has to be
// run again because another got in first.
func (s *Store) write(ctx context.Context, fn func(*tx) error) error {
	t, err := s.w.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	// Roll back on an error or a panic alike, so the one writer connection
	// is never left inside a transaction; after Commit this does nothing.
	defer t.Rollback()
	c := &conn{Tx: t, pg: s.w.pg}
	if c.pg {
		if _, err := c.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, writeLock); err != nil {
			return fmt.Errorf("store: waiting for the write lock: %w", err)
		}
	}
	if err := fn(&tx{conn: c, now: s.Now().UTC()}); err != nil {
		return full(err)
	}
	if err := t.Commit(); err != nil {
		return full(fmt.Errorf("store: %w", err))
	}
	return nil
}

// sqliteFull is SQLite's result code for a database or disk that is full.
const sqliteFull = 13

// full marks an error the database raised because it could not grow as
// ErrFull, so that callers can tell the user what happened instead of a
// generic failure.
func full(err error) error {
	var coded interface{ Code() int }
	if errors.As(err, &coded) && coded.Code()&0xff == sqliteFull || pgCode(err) == pgDiskFull {
		return fmt.Errorf("%w (%v)", ErrFull, err)
	}
	return err
}

// read runs fn in a read transaction on the read pool, so that the
// queries it makes see one consistent state.
func (s *Store) read(ctx context.Context, fn func(*conn) error) error {
	opts := &sql.TxOptions{ReadOnly: true}
	if s.r.pg {
		// READ COMMITTED would give each statement a snapshot of its own.
		opts.Isolation = sql.LevelRepeatableRead
	}
	t, err := s.r.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	defer t.Rollback()
	return fn(&conn{Tx: t, pg: s.r.pg})
}

// timeLayout is RFC 3339 in UTC with a fixed nine-digit fraction, so that
// stored times sort and compare correctly as text.
const timeLayout = "2006-01-02T15:04:05.000000000Z07:00"

func fmtTime(t time.Time) string { return t.UTC().Format(timeLayout) }

func parseTime(s string) (time.Time, error) {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("store: reading a stored time: %w", err)
	}
	return t.UTC(), nil
}

// nullID stores 0 as NULL, for optional references.
func nullID(id int64) sql.NullInt64 { return sql.NullInt64{Int64: id, Valid: id != 0} }

// isUnique reports whether err is a violation of a UNIQUE or PRIMARY KEY
// constraint.
func isUnique(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return pgCode(err) == pgUniqueViolation
	}
	return e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE || e.Code() == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
}

// audit appends a row to the audit log. projectID and userID 0 are stored
// as NULL.
func (t *tx) audit(ctx context.Context, projectID, userID int64, action, entity, key, old, new string) error {
	_, err := t.ExecContext(ctx, `
		INSERT INTO audit_log (project_id, user_id, at, action, entity, entity_key, old_value, new_value)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		nullID(projectID), nullID(userID), fmtTime(t.now), action, entity, key, old, new)
	if err != nil {
		return fmt.Errorf("store: writing the audit log: %w", err)
	}
	return nil
}

// bump increments the project's revision once for the transaction's
// change. It returns ErrNotFound when the project does not exist.
func (t *tx) bump(ctx context.Context, projectID int64) error {
	res, err := t.ExecContext(ctx, `UPDATE projects SET revision = revision + 1, updated_at = ? WHERE id = ?`,
		fmtTime(t.now), projectID)
	if err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// LimitSize caps how large the database may grow, in bytes (SQLite's
// max_page_count, never below what it holds now); zero lifts the cap.
// Beyond it writes fail with ErrFull, exactly as on a full disk, which is
// how the wizard's answer to a full disk is tested.
func (s *Store) LimitSize(ctx context.Context, bytes int64) error {
	if s.w.pg {
		return errors.New("store: a size limit is set on PostgreSQL itself (a tablespace on a volume of that size), not by the wizard")
	}
	var pageSize, pages int64
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_size").Scan(&pageSize); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	if err := s.w.QueryRowContext(ctx, "PRAGMA page_count").Scan(&pages); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	limit := int64(4294967294)
	if bytes > 0 {
		limit = max(bytes/pageSize, pages)
	}
	if _, err := s.w.ExecContext(ctx, "PRAGMA max_page_count = "+strconv.FormatInt(limit, 10)); err != nil {
		return fmt.Errorf("store: %w", err)
	}
	return nil
}
