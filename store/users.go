package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// User is an account.
type User struct {
	ID        int64
	Name      string
	Admin     bool // may create accounts; the account made with the setup link is one
	CreatedAt time.Time
}

// HasUsers reports whether any account exists. While none does, the wizard
// offers its one-time setup link.
func (s *Store) HasUsers(ctx context.Context) (bool, error) {
	var ok bool
	err := s.r.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM users)`).Scan(&ok)
	if err != nil {
		return false, fmt.Errorf("store: %w", err)
	}
	return ok, nil
}

// CreateSetupToken records the hash of a new first-run setup token, valid
// until expires. On SQLite it replaces any earlier unused token, so only
// the link printed last works. On PostgreSQL every replica prints a link
// of its own as it starts, and an administrator may follow any of them:
// each works until it expires or one of them has made the first account.
func (s *Store) CreateSetupToken(ctx context.Context, tokenHash []byte, expires time.Time) error {
	return s.write(ctx, func(t *tx) error {
		drop, args := `DELETE FROM setup_tokens WHERE used_at IS NULL`, []any(nil)
		if t.pg {
			drop, args = drop+` AND expires_at <= ?`, []any{fmtTime(t.now)}
		}
		if _, err := t.ExecContext(ctx, drop, args...); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO setup_tokens (token_hash, expires_at) VALUES (?, ?)`,
			tokenHash, fmtTime(expires)); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}

// RedeemSetupToken creates the first account, an administrator, with the
// setup token whose hash is tokenHash. It returns ErrNotFound, and changes
// nothing, unless the token exists, is unused and unexpired and no account
// exists yet. Checking all of this in the one transaction that creates the
// account means a link can make exactly one administrator, even when it is
// opened twice at the same moment.
func (s *Store) RedeemSetupToken(ctx context.Context, tokenHash []byte, name, passwordHash string) (User, error) {
	var u User
	err := s.write(ctx, func(t *tx) error {
		var users int
		if err := t.QueryRowContext(ctx, `SELECT count(*) FROM users`).Scan(&users); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if users > 0 {
			return ErrNotFound
		}
		res, err := t.ExecContext(ctx, `
			UPDATE setup_tokens SET used_at = ?
			WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
			fmtTime(t.now), tokenHash, fmtTime(t.now))
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		u, err = t.createUser(ctx, name, passwordHash, true)
		if err != nil {
			return err
		}
		return t.audit(ctx, 0, u.ID, "setup", "user", u.Name, "", "administrator")
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

// CreateUser creates an account that is not an administrator. It returns a
// *DuplicateError when the name is taken, ignoring case.
func (s *Store) CreateUser(ctx context.Context, actor int64, name, passwordHash string) (User, error) {
	var u User
	err := s.write(ctx, func(t *tx) error {
		var err error
		if u, err = t.createUser(ctx, name, passwordHash, false); err != nil {
			return err
		}
		return t.audit(ctx, 0, actor, "create", "user", u.Name, "", "")
	})
	if err != nil {
		return User{}, err
	}
	return u, nil
}

func (t *tx) createUser(ctx context.Context, name, passwordHash string, admin bool) (User, error) {
	u := User{Name: name, Admin: admin, CreatedAt: t.now}
	err := t.QueryRowContext(ctx, `
		INSERT INTO users (name, password_hash, admin, created_at) VALUES (?, ?, ?, ?)
		RETURNING id`, name, passwordHash, admin, fmtTime(t.now)).Scan(&u.ID)
	if isUnique(err) {
		return User{}, &DuplicateError{Entity: "user", Field: "name", Value: name}
	}
	if err != nil {
		return User{}, fmt.Errorf("store: %w", err)
	}
	return u, nil
}

// UserByName returns the account named name, ignoring case, and its
// password hash.
func (s *Store) UserByName(ctx context.Context, name string) (User, string, error) {
	var hash string
	u, err := scanUser(s.r.QueryRowContext(ctx, `
		SELECT id, name, admin, created_at, password_hash FROM users WHERE lower(name) = lower(?)`, name), &hash)
	return u, hash, err
}

// UserByID returns the account with the given ID.
func (s *Store) UserByID(ctx context.Context, id int64) (User, error) {
	return scanUser(s.r.QueryRowContext(ctx, `SELECT id, name, admin, created_at FROM users WHERE id = ?`, id))
}

// Users lists every account by name.
func (s *Store) Users(ctx context.Context) ([]User, error) {
	rows, err := s.r.QueryContext(ctx, `SELECT id, name, admin, created_at FROM users ORDER BY lower(name), id`)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var us []User
	for rows.Next() {
		u, err := scanUser(rows)
		if err != nil {
			return nil, err
		}
		us = append(us, u)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return us, nil
}

type scanner interface{ Scan(dest ...any) error }

func scanUser(row scanner, extra ...any) (User, error) {
	var u User
	var created string
	err := row.Scan(append([]any{&u.ID, &u.Name, &u.Admin, &created}, extra...)...)
	if errors.Is(err, sql.ErrNoRows) {
		return User{}, ErrNotFound
	}
	if err != nil {
		return User{}, fmt.Errorf("store: %w", err)
	}
	if u.CreatedAt, err = parseTime(created); err != nil {
		return User{}, err
	}
	return u, nil
}

// SetPassword replaces a user's password hash. It does not end the user's
// sessions: the caller decides whether to keep the current one, and calls
// DeleteUserSessions for the others.
func (s *Store) SetPassword(ctx context.Context, actor, userID int64, passwordHash string) error {
	return s.write(ctx, func(t *tx) error {
		var name string
		err := t.QueryRowContext(ctx, `UPDATE users SET password_hash = ? WHERE id = ? RETURNING name`,
			passwordHash, userID).Scan(&name)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		// The audit row says that the password changed, never what to.
		return t.audit(ctx, 0, actor, "set-password", "user", name, "", "")
	})
}

// SetAdmin makes a user an administrator or not. It returns ErrLastAdmin
// rather than remove the last administrator, which would leave nobody able
// to create accounts.
func (s *Store) SetAdmin(ctx context.Context, actor, userID int64, admin bool) error {
	return s.write(ctx, func(t *tx) error {
		var name string
		var was bool
		err := t.QueryRowContext(ctx, `SELECT name, admin FROM users WHERE id = ?`, userID).Scan(&name, &was)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if was == admin {
			return nil
		}
		if !admin {
			var others int
			if err := t.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE admin = 1 AND id <> ?`, userID).Scan(&others); err != nil {
				return fmt.Errorf("store: %w", err)
			}
			if others == 0 {
				return ErrLastAdmin
			}
		}
		if _, err := t.ExecContext(ctx, `UPDATE users SET admin = ? WHERE id = ?`, admin, userID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return t.audit(ctx, 0, actor, "set-admin", "user", name, fmt.Sprint(was), fmt.Sprint(admin))
	})
}

// loginFailureRetention is how long failed sign-ins are kept. LoginFailures
// cannot count further back than this.
const loginFailureRetention = 24 * time.Hour

// RecordLoginFailure records a failed sign-in under key, such as
// "user:alice" or "addr:192.0.2.1". Failures older than a day are dropped
// at the same time, so the table stays small however many names an
// attacker tries.
func (s *Store) RecordLoginFailure(ctx context.Context, key string) error {
	return s.write(ctx, func(t *tx) error {
		if _, err := t.ExecContext(ctx, `DELETE FROM login_failures WHERE at < ?`,
			fmtTime(t.now.Add(-loginFailureRetention))); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if _, err := t.ExecContext(ctx, `INSERT INTO login_failures (throttle_key, at) VALUES (?, ?)`,
			key, fmtTime(t.now)); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}

// LoginFailures counts the failures recorded under key at or after since.
func (s *Store) LoginFailures(ctx context.Context, key string, since time.Time) (int, error) {
	var n int
	err := s.r.QueryRowContext(ctx, `SELECT count(*) FROM login_failures WHERE throttle_key = ? AND at >= ?`,
		key, fmtTime(since)).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("store: %w", err)
	}
	return n, nil
}

// ClearLoginFailures forgets the failures recorded under key, after a
// successful sign-in.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	return s.write(ctx, func(t *tx) error {
		if _, err := t.ExecContext(ctx, `DELETE FROM login_failures WHERE throttle_key = ?`, key); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}
