// Package storetest opens real, throwaway stores for the tests of other
// packages: an SQLite file in the test's temporary directory with every
// migration applied, closed when the test ends, or, when the environment
// variable pgtest.SelectVar is "postgres", a new database on the test
// PostgreSQL server of package pgtest. There is no fake store; tests run
// against the same SQL the wizard runs.
//
// A package whose tests use Open runs them through pgtest.Main:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/secex/wizard/store"
	"github.com/secex/wizard/store/pgtest"
)

// Open returns a new, empty store.
func Open(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), Database(tb))
	if err != nil {
		tb.Fatalf("opening the test store: %v", err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Errorf("closing the test store: %v", err)
		}
	})
	return st
}

// Database returns where a new, empty store for tb is to be: an SQLite
// file in tb's temporary directory, or a new PostgreSQL database's URL
// when pgtest.Selected. Give it to store.Open, or to the wizard as its
// -database.
func Database(tb testing.TB) string {
	tb.Helper()
	if pgtest.Selected() {
		return pgtest.DSN(tb)
	}
	return filepath.Join(tb.TempDir(), "wizard.db")
}

// MustUser creates a user named name whose password hash matches no
// password.
func MustUser(tb testing.TB, st *store.Store, name string) store.User {
	tb.Helper()
	u, err := st.CreateUser(context.Background(), 0, name, "!")
	if err != nil {
		tb.Fatalf("creating user %s: %v", name, err)
	}
	return u
}

// MustProject creates a project owned by owner.
func MustProject(tb testing.TB, st *store.Store, owner store.User, name string) store.Project {
	tb.Helper()
	p, err := st.CreateProject(context.Background(), owner.ID, name)
	if err != nil {
		tb.Fatalf("creating project %s: %v", name, err)
	}
	return p
}
