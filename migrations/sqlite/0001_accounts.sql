-- Accounts, the one-time setup link, sign-in throttling and server-side
-- sessions. Times are UTC text of fixed width (RFC 3339 with nanoseconds), so
-- they compare correctly as strings and read well in the sqlite3 shell.

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
	created_at    TEXT    NOT NULL
) STRICT;

-- Callers lower-case names; the index still refuses "Alice" beside "alice".
CREATE UNIQUE INDEX users_name ON users (name COLLATE NOCASE);

-- Only the SHA-256 of a setup token is kept: the token itself is printed
-- once on the server's console and never stored.
CREATE TABLE setup_tokens (
	token_hash BLOB NOT NULL PRIMARY KEY,
	expires_at TEXT NOT NULL,
	used_at    TEXT
) STRICT;

CREATE TABLE login_failures (
	id           INTEGER PRIMARY KEY,
	throttle_key TEXT NOT NULL,
	at           TEXT NOT NULL
) STRICT;

CREATE INDEX login_failures_key ON login_failures (throttle_key, at);
CREATE INDEX login_failures_at ON login_failures (at);

-- A session is found by the SHA-256 of its cookie token, so a copy of the
-- database cannot be replayed as cookies. user_id NULL is an anonymous
-- session (one that holds only a CSRF token or a message).
CREATE TABLE sessions (
	token_hash   BLOB    NOT NULL PRIMARY KEY,
	user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
	data         BLOB    NOT NULL,
	created_at   TEXT    NOT NULL,
	last_seen_at TEXT    NOT NULL,
	expires_at   TEXT    NOT NULL
) STRICT;

CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);
