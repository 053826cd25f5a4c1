-- The schema after every migration. Regenerate with
-- go test ./store -run TestMigrations -update

CREATE TABLE acknowledgements (
	project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	finding_key TEXT    NOT NULL,
	reason      TEXT    NOT NULL,
	user_id     INTEGER NOT NULL REFERENCES users (id),
	at          TEXT    NOT NULL,
	PRIMARY KEY (project_id, finding_key)
) STRICT, WITHOUT ROWID;

CREATE TABLE answers (
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	step       TEXT    NOT NULL,
	question   TEXT    NOT NULL,
	value      TEXT    NOT NULL,
	version    INTEGER NOT NULL CHECK (version > 0),
	updated_by INTEGER NOT NULL REFERENCES users (id),
	updated_at TEXT    NOT NULL,
	PRIMARY KEY (project_id, step, question)
) STRICT, WITHOUT ROWID;

CREATE TABLE assignments (
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	action     TEXT    NOT NULL,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	PRIMARY KEY (project_id, action)
) STRICT, WITHOUT ROWID;

CREATE TABLE audit_log (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER, -- NULL for changes to accounts
	user_id    INTEGER, -- NULL when no user made the change
	at         TEXT    NOT NULL,
	action     TEXT    NOT NULL,
	entity     TEXT    NOT NULL,
	entity_key TEXT    NOT NULL DEFAULT '',
	old_value  TEXT    NOT NULL DEFAULT '',
	new_value  TEXT    NOT NULL DEFAULT ''
) STRICT;

CREATE TABLE closures (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	outcome    TEXT    NOT NULL CHECK (outcome IN ('completed', 'partial', 'backed-out')),
	note       TEXT    NOT NULL DEFAULT '',
	user_id    INTEGER NOT NULL REFERENCES users (id),
	at         TEXT    NOT NULL
) STRICT;

CREATE TABLE completed_steps (
	project_id   INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	step         TEXT    NOT NULL,
	completed_by INTEGER NOT NULL REFERENCES users (id),
	completed_at TEXT    NOT NULL,
	PRIMARY KEY (project_id, step)
) STRICT, WITHOUT ROWID;

CREATE TABLE evidence (
	id           INTEGER PRIMARY KEY,
	execution_id INTEGER NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
	name         TEXT    NOT NULL,
	content_type TEXT    NOT NULL,
	sha256       TEXT    NOT NULL,
	data         BLOB    NOT NULL
) STRICT;

CREATE TABLE executions (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	action     TEXT    NOT NULL,
	status     TEXT    NOT NULL CHECK (status IN ('done', 'skipped', 'failed')),
	note       TEXT    NOT NULL DEFAULT '',
	output     TEXT    NOT NULL DEFAULT '', -- pasted command output
	user_id    INTEGER NOT NULL REFERENCES users (id),
	at         TEXT    NOT NULL
) STRICT;

CREATE TABLE login_failures (
	id           INTEGER PRIMARY KEY,
	throttle_key TEXT NOT NULL,
	at           TEXT NOT NULL
) STRICT;

CREATE TABLE members (
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       INTEGER NOT NULL CHECK (role BETWEEN 1 AND 4),
	PRIMARY KEY (project_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE positions (
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	path       TEXT    NOT NULL,
	updated_at TEXT    NOT NULL,
	PRIMARY KEY (user_id, project_id)
) STRICT, WITHOUT ROWID;

CREATE TABLE probe_runs (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	action     TEXT    NOT NULL,
	result     TEXT    NOT NULL CHECK (result IN ('pass', 'fail')),
	report     TEXT    NOT NULL CHECK (json_valid(report)),
	user_id    INTEGER NOT NULL REFERENCES users (id),
	at         TEXT    NOT NULL
) STRICT;

CREATE TABLE projects (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL,
	archived      INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
	revision      INTEGER NOT NULL DEFAULT 1,
	facts         TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(facts)),
	facts_version INTEGER NOT NULL DEFAULT 0,
	created_at    TEXT    NOT NULL,
	updated_at    TEXT    NOT NULL
) STRICT;

CREATE TABLE schema_migrations (
	name       TEXT NOT NULL PRIMARY KEY,
	checksum   TEXT NOT NULL,
	applied_at TEXT NOT NULL
) STRICT;

CREATE TABLE server_addrs (
	project_id INTEGER NOT NULL,
	addr       TEXT    NOT NULL,
	server_id  INTEGER NOT NULL,
	PRIMARY KEY (project_id, addr),
	FOREIGN KEY (project_id, server_id) REFERENCES servers (project_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE TABLE servers (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	version    INTEGER NOT NULL DEFAULT 1,
	name       TEXT    NOT NULL,
	fqdn       TEXT    NOT NULL,
	data       TEXT    NOT NULL CHECK (json_valid(data)),
	created_at TEXT    NOT NULL,
	updated_at TEXT    NOT NULL
) STRICT;

CREATE TABLE sessions (
	token_hash   BLOB    NOT NULL PRIMARY KEY,
	user_id      INTEGER REFERENCES users (id) ON DELETE CASCADE,
	data         BLOB    NOT NULL,
	created_at   TEXT    NOT NULL,
	last_seen_at TEXT    NOT NULL,
	expires_at   TEXT    NOT NULL
) STRICT;

CREATE TABLE setup_tokens (
	token_hash BLOB NOT NULL PRIMARY KEY,
	expires_at TEXT NOT NULL,
	used_at    TEXT
) STRICT;

CREATE TABLE signoffs (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	revision   INTEGER NOT NULL,
	digest     TEXT    NOT NULL,
	content    TEXT    NOT NULL CHECK (json_valid(content)),
	user_id    INTEGER NOT NULL REFERENCES users (id),
	at         TEXT    NOT NULL
) STRICT;

CREATE TABLE tickets (
	project_id INTEGER PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
	data       TEXT    NOT NULL,
	version    INTEGER NOT NULL CHECK (version > 0),
	updated_by INTEGER NOT NULL REFERENCES users (id),
	updated_at TEXT    NOT NULL
) STRICT;

CREATE TABLE users (
	id            INTEGER PRIMARY KEY,
	name          TEXT    NOT NULL,
	password_hash TEXT    NOT NULL,
	admin         INTEGER NOT NULL DEFAULT 0 CHECK (admin IN (0, 1)),
	created_at    TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_log_project ON audit_log (project_id, id);

CREATE INDEX executions_project ON executions (project_id, action, id);

CREATE INDEX login_failures_at ON login_failures (at);

CREATE INDEX login_failures_key ON login_failures (throttle_key, at);

CREATE INDEX members_user ON members (user_id);

CREATE INDEX positions_project ON positions (project_id);

CREATE INDEX probe_runs_project ON probe_runs (project_id, id);

CREATE INDEX server_addrs_server ON server_addrs (project_id, server_id);

CREATE UNIQUE INDEX servers_fqdn ON servers (project_id, fqdn COLLATE NOCASE);

CREATE UNIQUE INDEX servers_name ON servers (project_id, name COLLATE NOCASE);

CREATE UNIQUE INDEX servers_project_id ON servers (project_id, id);

CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE INDEX sessions_user ON sessions (user_id);

CREATE INDEX signoffs_project ON signoffs (project_id, id);

CREATE UNIQUE INDEX users_name ON users (name COLLATE NOCASE);

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER executions_no_update BEFORE UPDATE ON executions
BEGIN
	SELECT RAISE(ABORT, 'the as-executed record cannot be changed; add a new mark');
END;

CREATE TRIGGER probe_runs_no_update BEFORE UPDATE ON probe_runs
BEGIN
	SELECT RAISE(ABORT, 'probe runs cannot be changed');
END;

CREATE TRIGGER signoffs_no_update BEFORE UPDATE ON signoffs
BEGIN
	SELECT RAISE(ABORT, 'sign-offs cannot be changed');
END;
