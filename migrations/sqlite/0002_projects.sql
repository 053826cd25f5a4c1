-- Projects, their members and where each member stopped.

-- revision counts the changes made to a project; every generated file and
-- printed runbook names the revision it was made from. facts is the
-- JSON of steps.Facts; facts_version guards it against lost updates.
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

-- role: 1 viewer, 2 editor, 3 approver, 4 owner.
CREATE TABLE members (
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role       INTEGER NOT NULL CHECK (role BETWEEN 1 AND 4),
	PRIMARY KEY (project_id, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX members_user ON members (user_id);

CREATE TABLE positions (
	user_id    INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	path       TEXT    NOT NULL,
	updated_at TEXT    NOT NULL,
	PRIMARY KEY (user_id, project_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX positions_project ON positions (project_id);
