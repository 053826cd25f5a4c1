-- The change ticket of a project: one per project, kept as the JSON form of
-- steps.Ticket, versioned like answers so two members editing it at once
-- see a conflict rather than losing each other's changes.
CREATE TABLE tickets (
	project_id INTEGER PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
	data       TEXT    NOT NULL,
	version    INTEGER NOT NULL CHECK (version > 0),
	updated_by INTEGER NOT NULL REFERENCES users (id),
	updated_at TEXT    NOT NULL
) STRICT;
