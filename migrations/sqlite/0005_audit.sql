-- The audit log: one row per change, written in the same transaction as the
-- change, so history and state cannot disagree. project_id and user_id have
-- no foreign keys on purpose: history outlives what it describes.

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

CREATE INDEX audit_log_project ON audit_log (project_id, id);

-- The log is append-only. The triggers stop accidental or casual edits
-- through SQL; they do not stop someone who can rewrite the file.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- INSERT OR REPLACE deletes the row it replaces without firing DELETE
-- triggers, so an insert may not reuse an ID either.
CREATE TRIGGER audit_log_no_replace BEFORE INSERT ON audit_log
WHEN EXISTS (SELECT 1 FROM audit_log WHERE id = NEW.id)
BEGIN
	SELECT RAISE(ABORT, 'audit_log is append-only');
END;
