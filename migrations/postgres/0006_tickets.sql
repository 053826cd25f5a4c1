-- The change ticket of a project: the PostgreSQL form of
-- sqlite/0006_tickets.sql. One per project, kept as the JSON form of
-- steps.Ticket, versioned like answers so two members editing it at once
-- see a conflict rather than losing each other's changes.
CREATE TABLE tickets (
	project_id BIGINT NOT NULL PRIMARY KEY REFERENCES projects (id) ON DELETE CASCADE,
	data       TEXT   NOT NULL,
	version    BIGINT NOT NULL CHECK (version > 0),
	updated_by BIGINT NOT NULL REFERENCES users (id),
	updated_at TEXT   NOT NULL
);
