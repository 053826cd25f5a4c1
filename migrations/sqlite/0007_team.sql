-- Sign-offs, step assignments and the record of what was done.

-- A sign-off records who approved which revision, and the digest of what
-- they saw: answers, plan and every bundle hash. content keeps that in
-- full, so the wizard can show exactly what changed since. Sign-offs are
-- never edited.
CREATE TABLE signoffs (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	revision   INTEGER NOT NULL,
	digest     TEXT    NOT NULL,
	content    TEXT    NOT NULL CHECK (json_valid(content)),
	user_id    INTEGER NOT NULL REFERENCES users (id),
	at         TEXT    NOT NULL
) STRICT;

CREATE INDEX signoffs_project ON signoffs (project_id, id);

CREATE TRIGGER signoffs_no_update BEFORE UPDATE ON signoffs
BEGIN
	SELECT RAISE(ABORT, 'sign-offs cannot be changed');
END;

-- Plan steps assigned to members. action is the plan step's key
-- (procedure/action).
CREATE TABLE assignments (
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	action     TEXT    NOT NULL,
	user_id    INTEGER NOT NULL REFERENCES users (id),
	PRIMARY KEY (project_id, action)
) STRICT, WITHOUT ROWID;

-- The as-executed record: every mark of a plan step, kept; the newest per
-- step is its status. Rows are never edited.
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

CREATE INDEX executions_project ON executions (project_id, action, id);

CREATE TRIGGER executions_no_update BEFORE UPDATE ON executions
BEGIN
	SELECT RAISE(ABORT, 'the as-executed record cannot be changed; add a new mark');
END;

-- Files attached as evidence to a mark.
CREATE TABLE evidence (
	id           INTEGER PRIMARY KEY,
	execution_id INTEGER NOT NULL REFERENCES executions (id) ON DELETE CASCADE,
	name         TEXT    NOT NULL,
	content_type TEXT    NOT NULL,
	sha256       TEXT    NOT NULL,
	data         BLOB    NOT NULL
) STRICT;

-- How the change ended. One row per closure; the newest counts.
CREATE TABLE closures (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	outcome    TEXT    NOT NULL CHECK (outcome IN ('completed', 'partial', 'backed-out')),
	note       TEXT    NOT NULL DEFAULT '',
	user_id    INTEGER NOT NULL REFERENCES users (id),
	at         TEXT    NOT NULL
) STRICT;
