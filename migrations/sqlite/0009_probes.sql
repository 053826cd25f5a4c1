-- Probe runs: each time a member ran the probe of a plan step, with the
-- whole report as JSON. The newest run of a step is its current result;
-- older runs stay, as evidence of what was seen when. Rows are never
-- edited.
CREATE TABLE probe_runs (
	id         INTEGER PRIMARY KEY,
	project_id INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
	action     TEXT    NOT NULL,
	result     TEXT    NOT NULL CHECK (result IN ('pass', 'fail')),
	report     TEXT    NOT NULL CHECK (json_valid(report)),
	user_id    INTEGER NOT NULL REFERENCES users (id),
	at         TEXT    NOT NULL
) STRICT;

CREATE INDEX probe_runs_project ON probe_runs (project_id, id);

CREATE TRIGGER probe_runs_no_update BEFORE UPDATE ON probe_runs
BEGIN
	SELECT RAISE(ABORT, 'probe runs cannot be changed');
END;
