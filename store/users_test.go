package store

import (
	"bytes"
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestSetupToken(t *testing.T) {
	ctx := context.Background()
	s, clk := OpenTest(t)
	hash := []byte("sha256-of-token")

	if ok, err := s.HasUsers(ctx); err != nil || ok {
		t.Fatalf("HasUsers = %v, %v; want false", ok, err)
	}
	if _, err := s.RedeemSetupToken(ctx, hash, "admin", "h"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("redeeming an unknown token: %v, want ErrNotFound", err)
	}

	// On one process a newer token replaces the older one.
	if err := s.CreateSetupToken(ctx, []byte("older"), t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if err := s.CreateSetupToken(ctx, hash, t0.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if s.Shared() {
		// Each replica's link works: both tokens are kept.
		var n int
		if err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM setup_tokens WHERE used_at IS NULL`).Scan(&n); err != nil || n != 2 {
			t.Fatalf("%d unused setup tokens (%v), want both replicas' 2", n, err)
		}
	} else if _, err := s.RedeemSetupToken(ctx, []byte("older"), "admin", "h"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("redeeming a replaced token: %v, want ErrNotFound", err)
	}

	// Expired at exactly the expiry time.
	clk.Advance(time.Hour)
	if _, err := s.RedeemSetupToken(ctx, hash, "admin", "h"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("redeeming an expired token: %v, want ErrNotFound", err)
	}
	if err := s.CreateSetupToken(ctx, hash, clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}

	// Opened twice at once: exactly one administrator.
	var wg sync.WaitGroup
	results := make([]error, 5)
	for i := range results {
		wg.Go(func() {
			_, results[i] = s.RedeemSetupToken(ctx, hash, "admin", "h")
		})
	}
	wg.Wait()
	var ok int
	for _, err := range results {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, ErrNotFound):
			t.Errorf("RedeemSetupToken: %v", err)
		}
	}
	if ok != 1 {
		t.Fatalf("%d redemptions succeeded, want 1", ok)
	}
	u, _, err := s.UserByName(ctx, "admin")
	if err != nil {
		t.Fatal(err)
	}
	if !u.Admin || !u.CreatedAt.Equal(clk.Now()) {
		t.Errorf("setup user = %+v, want an administrator created now", u)
	}
	if ok, _ := s.HasUsers(ctx); !ok {
		t.Errorf("HasUsers = false after setup")
	}
	// Used: not again, and no new token works once a user exists.
	if _, err := s.RedeemSetupToken(ctx, hash, "second", "h"); !errors.Is(err, ErrNotFound) {
		t.Errorf("redeeming a used token: %v, want ErrNotFound", err)
	}
	if err := s.CreateSetupToken(ctx, []byte("new"), clk.Now().Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.RedeemSetupToken(ctx, []byte("new"), "second", "h"); !errors.Is(err, ErrNotFound) {
		t.Errorf("redeeming a token when a user exists: %v, want ErrNotFound", err)
	}

	es, err := s.Audit(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	want := []AuditEntry{{At: clk.Now(), User: "admin", Action: "setup", Entity: "user", Key: "admin", New: "administrator"}}
	if diff := cmp.Diff(want, es, cmpAudit); diff != "" {
		t.Errorf("audit (-want +got):\n%s", diff)
	}
}

func TestUsers(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	alice := mustUser(t, s, "alice")
	bob, err := s.CreateUser(ctx, alice.ID, "bob", "bob-hash")
	if err != nil {
		t.Fatal(err)
	}
	if bob.Admin {
		t.Errorf("CreateUser made an administrator")
	}

	_, err = s.CreateUser(ctx, alice.ID, "BOB", "x")
	var dup *DuplicateError
	if !errors.As(err, &dup) || !errors.Is(err, ErrDuplicate) || dup.Field != "name" || dup.Value != "BOB" {
		t.Fatalf("CreateUser(BOB) = %v, want a duplicate name", err)
	}

	got, hash, err := s.UserByName(ctx, "Bob")
	if err != nil || got != bob || hash != "bob-hash" {
		t.Errorf("UserByName = %+v, %q, %v; want %+v", got, hash, err, bob)
	}
	if got, err := s.UserByID(ctx, bob.ID); err != nil || got != bob {
		t.Errorf("UserByID = %+v, %v", got, err)
	}
	if _, err := s.UserByID(ctx, 999); !errors.Is(err, ErrNotFound) {
		t.Errorf("UserByID(999) = %v, want ErrNotFound", err)
	}
	if _, _, err := s.UserByName(ctx, "carol"); !errors.Is(err, ErrNotFound) {
		t.Errorf("UserByName(carol) = %v, want ErrNotFound", err)
	}
	us, err := s.Users(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]User{alice, bob}, us); diff != "" {
		t.Errorf("Users (-want +got):\n%s", diff)
	}

	if err := s.SetPassword(ctx, alice.ID, bob.ID, "new-hash"); err != nil {
		t.Fatal(err)
	}
	if _, hash, _ := s.UserByName(ctx, "bob"); hash != "new-hash" {
		t.Errorf("password hash = %q after SetPassword", hash)
	}
	if err := s.SetPassword(ctx, alice.ID, 999, "x"); !errors.Is(err, ErrNotFound) {
		t.Errorf("SetPassword(999) = %v, want ErrNotFound", err)
	}

	if err := s.SetAdmin(ctx, alice.ID, bob.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAdmin(ctx, bob.ID, bob.ID, false); !errors.Is(err, ErrLastAdmin) {
		t.Errorf("removing the last administrator: %v, want ErrLastAdmin", err)
	}
	if err := s.SetAdmin(ctx, bob.ID, alice.ID, true); err != nil {
		t.Fatal(err)
	}
	if err := s.SetAdmin(ctx, alice.ID, bob.ID, false); err != nil {
		t.Fatalf("removing one of two administrators: %v", err)
	}
	if u, _ := s.UserByID(ctx, bob.ID); u.Admin {
		t.Errorf("bob is still an administrator")
	}

	es, err := s.Audit(ctx, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	var actions []string
	for _, e := range es {
		actions = append(actions, e.User+" "+e.Action+" "+e.Key+" "+e.Old+">"+e.New)
		if e.Old == "new-hash" || e.New == "new-hash" {
			t.Errorf("the audit log holds a password hash")
		}
	}
	want := []string{
		"alice set-admin bob true>false",
		"bob set-admin alice false>true",
		"alice set-admin bob false>true",
		"alice set-password bob >",
		"alice create bob >",
		" create alice >",
	}
	if diff := cmp.Diff(want, actions); diff != "" {
		t.Errorf("account audit (-want +got):\n%s", diff)
	}
}

func TestLoginFailures(t *testing.T) {
	ctx := context.Background()
	s, clk := OpenTest(t)
	for range 3 {
		if err := s.RecordLoginFailure(ctx, "user:alice"); err != nil {
			t.Fatal(err)
		}
		clk.Advance(time.Minute)
	}
	s.RecordLoginFailure(ctx, "addr:192.0.2.1")
	count := func(key string, since time.Time) int {
		t.Helper()
		n, err := s.LoginFailures(ctx, key, since)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	if n := count("user:alice", t0); n != 3 {
		t.Errorf("failures since t0 = %d, want 3", n)
	}
	if n := count("user:alice", t0.Add(90*time.Second)); n != 1 {
		t.Errorf("failures in the last 90s = %d, want 1", n)
	}
	if err := s.ClearLoginFailures(ctx, "user:alice"); err != nil {
		t.Fatal(err)
	}
	if n := count("user:alice", t0); n != 0 {
		t.Errorf("failures after clearing = %d, want 0", n)
	}
	if n := count("addr:192.0.2.1", t0); n != 1 {
		t.Errorf("clearing one key cleared another: %d", n)
	}
	// Old failures are dropped as new ones come in.
	clk.Advance(25 * time.Hour)
	s.RecordLoginFailure(ctx, "user:bob")
	if n := count("addr:192.0.2.1", t0); n != 0 {
		t.Errorf("day-old failures kept: %d", n)
	}
}

func TestSessions(t *testing.T) {
	ctx := context.Background()
	s, _ := OpenTest(t)
	alice := mustUser(t, s, "alice")
	hash := bytes.Repeat([]byte{7}, 32)
	anon := Session{TokenHash: hash, Data: []byte(`{"csrf":"x"}`),
		CreatedAt: t0, LastSeen: t0, Expires: t0.Add(30 * time.Minute)}
	if err := s.SaveSession(ctx, anon); err != nil {
		t.Fatal(err)
	}
	got, err := s.LoadSession(ctx, hash)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(anon, got); diff != "" {
		t.Errorf("anonymous session (-want +got):\n%s", diff)
	}

	// Signing in binds the session to a user; saving keeps CreatedAt.
	signed := anon
	signed.UserID = alice.ID
	signed.CreatedAt = t0.Add(time.Hour)
	signed.LastSeen = t0.Add(time.Minute)
	signed.Expires = t0.Add(31 * time.Minute)
	if err := s.SaveSession(ctx, signed); err != nil {
		t.Fatal(err)
	}
	got, _ = s.LoadSession(ctx, hash)
	signed.CreatedAt = t0
	if diff := cmp.Diff(signed, got); diff != "" {
		t.Errorf("saved session (-want +got):\n%s", diff)
	}

	if err := s.TouchSession(ctx, hash, t0.Add(5*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if got, _ := s.LoadSession(ctx, hash); !got.LastSeen.Equal(t0.Add(5 * time.Minute)) {
		t.Errorf("LastSeen = %v after touch", got.LastSeen)
	}

	other := Session{TokenHash: []byte("other"), UserID: alice.ID, Data: nil, CreatedAt: t0, LastSeen: t0, Expires: t0.Add(time.Hour)}
	if err := s.SaveSession(ctx, other); err != nil {
		t.Fatal(err)
	}
	if n, err := s.DeleteExpiredSessions(ctx, t0.Add(31*time.Minute)); err != nil || n != 1 {
		t.Errorf("DeleteExpiredSessions = %d, %v; want 1", n, err)
	}
	if _, err := s.LoadSession(ctx, hash); !errors.Is(err, ErrNotFound) {
		t.Errorf("expired session still loads: %v", err)
	}
	if err := s.DeleteUserSessions(ctx, alice.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadSession(ctx, other.TokenHash); !errors.Is(err, ErrNotFound) {
		t.Errorf("session survived DeleteUserSessions: %v", err)
	}
	s.SaveSession(ctx, other)
	if err := s.DeleteSession(ctx, other.TokenHash); err != nil {
		t.Fatal(err)
	}
	if _, err := s.LoadSession(ctx, other.TokenHash); !errors.Is(err, ErrNotFound) {
		t.Errorf("session survived DeleteSession: %v", err)
	}
	if err := s.DeleteSession(ctx, other.TokenHash); err != nil {
		t.Errorf("deleting a deleted session: %v", err)
	}
}
