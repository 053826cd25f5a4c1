// Package storetest opens real, throwaway stores for the tests of other
// packages: an SQLite file in the test's temporary directory with every
// migration applied, closed when the test ends. There is no fake store;
// tests run against the same SQL the wizard runs.
package storetest

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/secex/wizard/store"
)

// Open returns a new, empty store in tb's temporary directory.
func Open(tb testing.TB) *store.Store {
	tb.Helper()
	st, err := store.Open(context.Background(), filepath.Join(tb.TempDir(), "wizard.db"))
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
