package store

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/secex/wizard/migrations"
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store/pgtest"
)

var update = flag.Bool("update", false, "rewrite testdata/schema.sql")

// OpenTest opens a new store, on a clock that starts at t0 and moves only
// when the test moves it: an SQLite file in tb's temporary directory, or a
// new database on the test PostgreSQL when pgtest.Selected.
func OpenTest(tb testing.TB) (*Store, *clock) {
	tb.Helper()
	if !pgtest.Selected() {
		return openSQLiteTest(tb)
	}
	s, err := OpenPostgres(context.Background(), pgtest.DSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	return onTestClock(tb, s)
}

// openSQLiteTest is OpenTest on SQLite whatever pgtest.Selected says, for
// the tests of what only SQLite has: its pragmas, its file, its migration
// runner.
func openSQLiteTest(tb testing.TB) (*Store, *clock) {
	tb.Helper()
	s, err := Open(context.Background(), filepath.Join(tb.TempDir(), "wizard.db"))
	if err != nil {
		tb.Fatal(err)
	}
	return onTestClock(tb, s)
}

// openReplica opens a second Store on the database of s, as a second
// wizard process would, closed when tb ends.
func openReplica(tb testing.TB, s *Store) *Store {
	tb.Helper()
	var r *Store
	var err error
	if s.Shared() {
		r, err = OpenPostgres(context.Background(), s.dsn)
	} else {
		r, err = Open(context.Background(), s.Path())
	}
	if err != nil {
		tb.Fatal(err)
	}
	r.Now = s.Now
	tb.Cleanup(func() { r.Close() })
	return r
}

func onTestClock(tb testing.TB, s *Store) (*Store, *clock) {
	tb.Cleanup(func() {
		if err := s.Close(); err != nil {
			tb.Error(err)
		}
	})
	c := &clock{t: t0}
	s.Now = c.Now
	return s, c
}

var t0 = time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC)

type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func mustUser(tb testing.TB, s *Store, name string) User {
	tb.Helper()
	u, err := s.CreateUser(context.Background(), 0, name, "hash-of-"+name)
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

func mustProject(tb testing.TB, s *Store, owner User, name string) Project {
	tb.Helper()
	p, err := s.CreateProject(context.Background(), owner.ID, name)
	if err != nil {
		tb.Fatal(err)
	}
	return p
}

func mustRevision(tb testing.TB, s *Store, id int64) int64 {
	tb.Helper()
	p, err := s.Project(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return p.Revision
}

func server(name, fqdn string, addrs ...string) steps.Server {
	s := steps.Server{Name: steps.NetBIOSName(name), FQDN: steps.FQDN(fqdn), OS: steps.OSWindows2003,
		Roles: []steps.Role{steps.RoleBackEnd}}
	for _, a := range addrs {
		s.Addrs = append(s.Addrs, netip.MustParseAddr(a))
	}
	return s
}

// schema dumps the database's schema in a stable order.
func schema(tb testing.TB, db *sql.DB) string {
	tb.Helper()
	rows, err := db.Query(`
		SELECT sql FROM sqlite_schema
		WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%'
		ORDER BY CASE type WHEN 'table' THEN 0 WHEN 'index' THEN 1 WHEN 'trigger' THEN 2 ELSE 3 END, name`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var b strings.Builder
	b.WriteString("-- The schema after every migration. Regenerate with\n-- go test ./store -run TestMigrations -update\n")
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			tb.Fatal(err)
		}
		b.WriteString("\n" + s + ";\n")
	}
	if err := rows.Err(); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

func appliedMigrations(tb testing.TB, db *sql.DB) []string {
	tb.Helper()
	rows, err := db.Query(`SELECT name FROM schema_migrations ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			tb.Fatal(err)
		}
		names = append(names, n)
	}
	return names
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "wizard.db")
	s, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	got := schema(t, s.r.DB)
	files, err := fs.Glob(migrations.SQLite, "*.sql")
	if err != nil || len(files) == 0 {
		t.Fatalf("no migrations: %v", err)
	}
	if diff := cmp.Diff(files, appliedMigrations(t, s.r.DB)); diff != "" {
		t.Errorf("applied migrations (-files +recorded):\n%s", diff)
	}

	// Applying them again, directly and by opening again, changes nothing.
	if err := s.migrate(ctx, migrations.SQLite); err != nil {
		t.Fatalf("second migrate: %v", err)
	}
	s.Close()
	s, err = Open(ctx, path)
	if err != nil {
		t.Fatalf("reopening: %v", err)
	}
	defer s.Close()
	if again := schema(t, s.r.DB); again != got {
		t.Errorf("schema changed when migrations ran again:\n%s", cmp.Diff(got, again))
	}
	if diff := cmp.Diff(files, appliedMigrations(t, s.r.DB)); diff != "" {
		t.Errorf("applied migrations after reopening (-files +recorded):\n%s", diff)
	}
	if _, err := os.Stat(path + ".before-" + strings.TrimSuffix(files[0], ".sql")); err == nil {
		t.Errorf("a backup was made although nothing was migrated")
	}

	golden := filepath.Join("testdata", "schema.sql")
	if *update {
		if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("schema differs from %s (-want +got); run go test ./store -run TestMigrations -update if the change is intended:\n%s", golden, diff)
	}
}

func TestMigrateRefuses(t *testing.T) {
	ctx := context.Background()
	withFile := func(name, sql string) fstest.MapFS {
		m := fstest.MapFS{}
		files, _ := fs.Glob(migrations.SQLite, "*.sql")
		for _, f := range files {
			b, _ := fs.ReadFile(migrations.SQLite, f)
			m[f] = &fstest.MapFile{Data: b}
		}
		m[name] = &fstest.MapFile{Data: []byte(sql)}
		return m
	}
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"edited", withFile("0001_accounts.sql", "CREATE TABLE x (a INTEGER);"), "was changed after it was applied"},
		{"bad name", withFile("6_x.sql", "SELECT 1;"), "name must look like"},
		{"same number", withFile("0002_again.sql", "SELECT 1;"), "have the same number"},
		{"failing", withFile("0099_bad.sql", "CREATE TABLE half (a INTEGER); INSERT INTO nope VALUES (1);"), "no such table: nope"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := openSQLiteTest(t)
			err := s.migrate(ctx, tt.fsys)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("migrate = %v, want an error containing %q", err, tt.want)
			}
			var n int
			s.r.QueryRow(`SELECT count(*) FROM sqlite_schema WHERE name = 'half'`).Scan(&n)
			if n != 0 {
				t.Errorf("a failed migration left its table behind")
			}
			files, _ := fs.Glob(migrations.SQLite, "*.sql")
			if diff := cmp.Diff(files, appliedMigrations(t, s.r.DB)); diff != "" {
				t.Errorf("recorded migrations changed (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("backup before", func(t *testing.T) {
		s, _ := openSQLiteTest(t)
		err := s.migrate(ctx, withFile("0099_more.sql", "CREATE TABLE more (a INTEGER);"))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := os.Stat(s.Path() + ".before-0099_more"); err != nil {
			t.Errorf("no backup before migrating: %v", err)
		}
	})

	t.Run("newer database", func(t *testing.T) {
		s, _ := openSQLiteTest(t)
		if _, err := s.w.Exec(`INSERT INTO schema_migrations VALUES ('9999_future.sql', 'x', 'x')`); err != nil {
			t.Fatal(err)
		}
		err := s.migrate(ctx, migrations.SQLite)
		if err == nil || !strings.Contains(err.Error(), "does not know") {
			t.Fatalf("migrate = %v, want a refusal", err)
		}
	})
}

// TestPragmas checks the settings are in effect on every connection of
// both pools, not only on the one that happened to run first.
func TestPragmas(t *testing.T) {
	ctx := context.Background()
	s, _ := openSQLiteTest(t)
	for _, pool := range []struct {
		name      string
		db        *sql.DB
		conns     int
		queryOnly string
	}{{"writer", s.w.DB, 1, "0"}, {"reader", s.r.DB, readers, "1"}} {
		var conns []*sql.Conn
		for range pool.conns {
			c, err := pool.db.Conn(ctx)
			if err != nil {
				t.Fatal(err)
			}
			conns = append(conns, c)
		}
		for i, c := range conns {
			for _, p := range []struct{ pragma, want string }{
				{"journal_mode", "wal"},
				{"synchronous", "2"},
				{"foreign_keys", "1"},
				{"busy_timeout", "5000"},
				{"query_only", pool.queryOnly},
			} {
				var got string
				if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(&got); err != nil {
					t.Fatal(err)
				}
				if got != p.want {
					t.Errorf("%s connection %d: PRAGMA %s = %s, want %s", pool.name, i, p.pragma, got, p.want)
				}
			}
		}
		for _, c := range conns {
			c.Close()
		}
	}
	if _, err := s.r.Exec(`INSERT INTO users (name, password_hash, created_at) VALUES ('x', 'x', 'x')`); err == nil {
		t.Errorf("the read pool accepted a write")
	}
	if max := s.w.Stats().MaxOpenConnections; max != 1 {
		t.Errorf("writer has up to %d connections, want 1", max)
	}
}

func TestOpenCreates(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data dir #1?")
	path := filepath.Join(dir, "wizard.db")
	s, err := Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	for _, c := range []struct {
		path string
		mode os.FileMode
	}{{dir, 0o700 | os.ModeDir}, {path, 0o600}} {
		fi, err := os.Stat(c.path)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode() != c.mode {
			t.Errorf("%s has mode %v, want %v", c.path, fi.Mode(), c.mode)
		}
	}
	if entries, _ := os.ReadDir(filepath.Dir(dir)); len(entries) != 1 {
		t.Errorf("the path was not used as given: %v", entries)
	}
}

func TestBackup(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	u := mustUser(t, s, "alice")
	p := mustProject(t, s, u, "Contoso")
	if err := s.SaveAnswers(ctx, u.ID, p.ID, "rpc", []AnswerChange{{Question: "q", Value: "v"}}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "backups", "wizard-1.db")
	if err := s.Backup(ctx, path); err != nil {
		t.Fatal(err)
	}
	if err := s.Backup(ctx, path); err == nil {
		t.Errorf("a second backup overwrote the first")
	}
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode() != 0o600 {
		t.Errorf("backup has mode %v, want 0600", fi.Mode())
	}
	if entries, _ := os.ReadDir(filepath.Dir(path)); len(entries) != 1 {
		t.Errorf("backup directory holds %d files, want only the backup", len(entries))
	}

	b, err := Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	as, err := b.Answers(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	if as["rpc"]["q"].Value != "v" {
		t.Errorf("backup holds %v", as)
	}
}

func TestErrorsIs(t *testing.T) {
	var err error = &DuplicateError{Entity: "server", Field: "addrs", Value: "10.0.0.1", Other: "EXBE01"}
	if !errors.Is(err, ErrDuplicate) || errors.Is(err, ErrConflict) {
		t.Errorf("DuplicateError does not match only ErrDuplicate")
	}
	if got, want := err.Error(), "EXBE01 already has the address 10.0.0.1"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	err = &ConflictError{}
	if !errors.Is(err, ErrConflict) || errors.Is(err, ErrDuplicate) {
		t.Errorf("ConflictError does not match only ErrConflict")
	}
}

// TestWriteIsImmediate checks a write transaction holds the write lock from
// its start, before it writes anything: another connection that wants to
// write is kept out at once.
func TestWriteIsImmediate(t *testing.T) {
	ctx := context.Background()
	s, _ := openSQLiteTest(t)
	other, err := sql.Open("sqlite", fileURI(s.Path())+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	err = s.write(ctx, func(tx *tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&n); err != nil {
			return err
		}
		_, err := other.ExecContext(ctx, `BEGIN IMMEDIATE; ROLLBACK`)
		if err == nil || !strings.Contains(err.Error(), "locked") {
			t.Errorf("another writer got in during a read-then-write transaction: %v", err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
