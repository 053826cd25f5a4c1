package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secex/wizard/store"
	"github.com/secex/wizard/store/pgtest"
)

// TestMain stops the test PostgreSQL server, if a test started one.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// TestPostgresCommands takes a wizard from SQLite to PostgreSQL and back
// with the commands an administrator runs: move, export and import,
// backup and restore, and a single project's move, with the database
// given by -database and by WIZARD_DATABASE.
func TestPostgresCommands(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	st, _, err := openOffline(ctx, inData(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, 0, "ann", "x"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	lite := filepath.Join(data, "wizard.db")
	pg := pgtest.DSN(t)
	cmd := func(getenv func(string) string, args ...string) (string, error) {
		t.Helper()
		var out, errb bytes.Buffer
		err := run(ctx, args, getenv, &out, &errb)
		return out.String() + errb.String(), err
	}
	if out, err := cmd(env(nil), "import", "-data", data, "-owner", "ann", "../../docs/examples/small.json"); err != nil {
		t.Fatalf("import: %v\n%s", err, out)
	}
	exported := func(getenv func(string) string, args ...string) string {
		t.Helper()
		out, err := cmd(getenv, append([]string{"export", "-project", "1"}, args...)...)
		if err != nil {
			t.Fatalf("export %v: %v\n%s", args, err, out)
		}
		return out
	}
	want := exported(env(nil), "-data", data)

	if out, err := cmd(env(nil), "move", "-from", lite, "-to", pg); err != nil {
		t.Fatalf("move to PostgreSQL: %v\n%s", err, out)
	}
	if got := exported(env(map[string]string{"WIZARD_DATABASE": pg})); got != want {
		t.Errorf("the project exported from PostgreSQL differs:\n%s\nwant\n%s", got, want)
	}
	if out, err := cmd(env(nil), "move", "-from", lite, "-to", pg); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Errorf("moving into a database with data: %v\n%s", err, out)
	}

	// Backup from PostgreSQL, restore into another PostgreSQL and into a
	// data directory.
	backup := filepath.Join(t.TempDir(), "b.db")
	if out, err := cmd(env(nil), "backup", "-database", pg, backup); err != nil {
		t.Fatalf("backup: %v\n%s", err, out)
	}
	pg2 := pgtest.DSN(t)
	if out, err := cmd(env(nil), "restore", "-database", pg2, backup); err != nil {
		t.Fatalf("restore into PostgreSQL: %v\n%s", err, out)
	}
	if got := exported(env(nil), "-database", pg2); got != want {
		t.Errorf("the project restored into PostgreSQL differs:\n%s", got)
	}
	if out, err := cmd(env(nil), "restore", "-database", pg2, backup); err == nil || !strings.Contains(err.Error(), "already holds data") {
		t.Errorf("restoring over data: %v\n%s", err, out)
	}
	fresh := t.TempDir()
	if out, err := cmd(env(nil), "restore", "-data", fresh, backup); err != nil {
		t.Fatalf("restore into a data directory: %v\n%s", err, out)
	}
	if got := exported(env(nil), "-data", fresh); got != want {
		t.Errorf("the project restored into SQLite differs:\n%s", got)
	}

	// Import a project file into PostgreSQL.
	file := filepath.Join(t.TempDir(), "p.json")
	os.WriteFile(file, []byte(want), 0o600)
	if out, err := cmd(env(nil), "import", "-database", pg, "-owner", "ann", file); err != nil || !strings.Contains(out, "imported project 2") {
		t.Fatalf("import into PostgreSQL: %v\n%s", err, out)
	}

	// One project back to a new SQLite file, archived in PostgreSQL.
	back := filepath.Join(t.TempDir(), "back.db")
	out, err := cmd(env(nil), "move", "-from", pg, "-to", back, "-project", "2")
	if err != nil || !strings.Contains(out, "as project 1") {
		t.Fatalf("moving a project: %v\n%s", err, out)
	}
	src, err := store.Open(ctx, pg)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	if p, err := src.Project(ctx, 2); err != nil || !p.Archived {
		t.Errorf("the moved project in the source: %+v, %v; want archived", p, err)
	}
	if out, err := cmd(env(nil), "move", "-from", filepath.Join(t.TempDir(), "missing.db"), "-to", back); err == nil {
		t.Errorf("moving from a file that does not exist succeeded:\n%s", out)
	}
	if out, err := cmd(env(nil), "serve", "-database", back); err == nil || !strings.Contains(err.Error(), "postgres://") {
		t.Errorf("serving with an SQLite file as -database: %v\n%s", err, out)
	}
}
