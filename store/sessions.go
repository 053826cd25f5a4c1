package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// Session is a server-side session. Only the SHA-256 of the cookie's token
// is stored, so the database alone cannot be turned into a working cookie.
type Session struct {
	TokenHash []byte
	UserID    int64 // 0 for an anonymous session
	Data      []byte
	CreatedAt time.Time
	LastSeen  time.Time
	Expires   time.Time
}

// SaveSession creates or replaces a session. An existing session keeps its
// original CreatedAt, so saving cannot stretch its absolute lifetime.
func (s *Store) SaveSession(ctx context.Context, sess Session) error {
	if sess.Data == nil {
		sess.Data = []byte{}
	}
	return s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `
			INSERT INTO sessions (token_hash, user_id, data, created_at, last_seen_at, expires_at)
			VALUES (?, ?, ?, ?, ?, ?)
			ON CONFLICT (token_hash) DO UPDATE SET
				user_id = excluded.user_id,
				data = excluded.data,
				last_seen_at = excluded.last_seen_at,
				expires_at = excluded.expires_at`,
			sess.TokenHash, nullID(sess.UserID), sess.Data,
			fmtTime(sess.CreatedAt), fmtTime(sess.LastSeen), fmtTime(sess.Expires))
		if err != nil {
			return fmt.Errorf("store: saving session: %w", err)
		}
		return nil
	})
}

// LoadSession returns the session whose token hashes to tokenHash, or
// ErrNotFound. It does not judge expiry: the caller compares Expires and
// LastSeen with its own clock and timeouts.
func (s *Store) LoadSession(ctx context.Context, tokenHash []byte) (Session, error) {
	sess := Session{TokenHash: tokenHash}
	var uid sql.NullInt64
	var created, seen, expires string
	err := s.r.QueryRowContext(ctx, `
		SELECT user_id, data, created_at, last_seen_at, expires_at FROM sessions WHERE token_hash = ?`,
		tokenHash).Scan(&uid, &sess.Data, &created, &seen, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return Session{}, ErrNotFound
	}
	if err != nil {
		return Session{}, fmt.Errorf("store: loading session: %w", err)
	}
	sess.UserID = uid.Int64
	for _, f := range []struct {
		s string
		t *time.Time
	}{{created, &sess.CreatedAt}, {seen, &sess.LastSeen}, {expires, &sess.Expires}} {
		if *f.t, err = parseTime(f.s); err != nil {
			return Session{}, err
		}
	}
	return sess, nil
}

// TouchSession records that the session was used at lastSeen. It does not
// move Expires; SaveSession does.
func (s *Store) TouchSession(ctx context.Context, tokenHash []byte, lastSeen time.Time) error {
	return s.write(ctx, func(t *tx) error {
		_, err := t.ExecContext(ctx, `UPDATE sessions SET last_seen_at = ? WHERE token_hash = ?`,
			fmtTime(lastSeen), tokenHash)
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}

// DeleteSession ends a session. Deleting a session that does not exist is
// not an error.
func (s *Store) DeleteSession(ctx context.Context, tokenHash []byte) error {
	return s.write(ctx, func(t *tx) error {
		if _, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE token_hash = ?`, tokenHash); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}

// DeleteUserSessions ends every session of a user, as after a password
// change or when an account is disabled.
func (s *Store) DeleteUserSessions(ctx context.Context, userID int64) error {
	return s.write(ctx, func(t *tx) error {
		if _, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE user_id = ?`, userID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		return nil
	})
}

// DeleteExpiredSessions deletes the sessions whose Expires is not after now
// and returns how many it deleted.
func (s *Store) DeleteExpiredSessions(ctx context.Context, now time.Time) (int64, error) {
	var n int64
	err := s.write(ctx, func(t *tx) error {
		res, err := t.ExecContext(ctx, `DELETE FROM sessions WHERE expires_at <= ?`, fmtTime(now))
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		n, _ = res.RowsAffected()
		return nil
	})
	return n, err
}
