package store

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
)

// TestDatabaseFull: with the database held at its current size (SQLite's
// max_page_count, as a full disk would), a write fails with ErrFull,
// nothing saved before is damaged, and writes succeed again once the
// limit is lifted, on the same open store.
func TestDatabaseFull(t *testing.T) {
	st, _ := openSQLiteTest(t)
	ctx := context.Background()
	u, _ := st.CreateUser(ctx, 0, "ann", "x")
	p, err := st.CreateProject(ctx, u.ID, "Kept")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.LimitSize(ctx, 1); err != nil {
		t.Fatal(err)
	}
	big := []byte(`{"checks":"` + strings.Repeat("x", 256<<10) + `"}`)
	_, err = st.RecordProbe(ctx, u.ID, p.ID, "a@B", "pass", big)
	if !errors.Is(err, ErrFull) {
		t.Fatalf("write to a full database: %v", err)
	}
	if got, err := st.Project(ctx, p.ID); err != nil || got.Name != "Kept" {
		t.Errorf("the project saved before: %+v %v", got, err)
	}
	if runs, _ := st.ProbeRuns(ctx, p.ID); len(runs) != 0 {
		t.Errorf("a failed write left %d runs", len(runs))
	}
	var ok string
	st.w.QueryRowContext(ctx, "PRAGMA integrity_check").Scan(&ok)
	if ok != "ok" {
		t.Errorf("integrity_check: %s", ok)
	}
	if err := st.LimitSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RecordProbe(ctx, u.ID, p.ID, "a@B", "pass", big); err != nil {
		t.Errorf("after space returned: %v", err)
	}
}

// TestPostgresErrors checks that the PostgreSQL errors the store acts on
// are told apart by their SQLSTATE, wrapped or not: a full disk is
// ErrFull, and a unique violation a duplicate.
func TestPostgresErrors(t *testing.T) {
	wrap := func(code string) error { return fmt.Errorf("store: %w", &pgconn.PgError{Code: code}) }
	if err := full(wrap(pgDiskFull)); !errors.Is(err, ErrFull) {
		t.Errorf("disk full: %v, want ErrFull", err)
	}
	if err := full(wrap(pgUniqueViolation)); errors.Is(err, ErrFull) {
		t.Errorf("unique violation: %v, want not ErrFull", err)
	}
	if !isUnique(wrap(pgUniqueViolation)) || isUnique(wrap(pgDiskFull)) {
		t.Error("isUnique does not tell 23505 from 53100")
	}
}
