-- Answers, progress and acknowledged warnings.

-- Every answer carries a version. A save names the version the user saw
-- and is refused when it is no longer current, so one administrator never
-- silently overwrites another's answer.
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

-- A row means the step is complete.
CREATE TABLE completed_steps (
	project_id   INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	step         TEXT    NOT NULL,
	completed_by INTEGER NOT NULL REFERENCES users (id),
	completed_at TEXT    NOT NULL,
	PRIMARY KEY (project_id, step)
) STRICT, WITHOUT ROWID;

-- A warning finding goes on only with a recorded reason, which the runbook
-- prints as a deviation.
CREATE TABLE acknowledgements (
	project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	finding_key TEXT    NOT NULL,
	reason      TEXT    NOT NULL,
	user_id     INTEGER NOT NULL REFERENCES users (id),
	at          TEXT    NOT NULL,
	PRIMARY KEY (project_id, finding_key)
) STRICT, WITHOUT ROWID;
