-- The servers of a project. Names, FQDNs and addresses are unique within a
-- project, so a script generated for one server can never be aimed at
-- another by a typing mistake.

-- data is the whole steps.Server as JSON and is what the wizard reads; name
-- and fqdn repeat it for the unique indexes, and server_addrs repeats the
-- addresses for theirs.
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

CREATE UNIQUE INDEX servers_project_id ON servers (project_id, id);
CREATE UNIQUE INDEX servers_name ON servers (project_id, name COLLATE NOCASE);
CREATE UNIQUE INDEX servers_fqdn ON servers (project_id, fqdn COLLATE NOCASE);

-- One row per address; the primary key refuses an address that another
-- server of the same project already has.
CREATE TABLE server_addrs (
	project_id INTEGER NOT NULL,
	addr       TEXT    NOT NULL,
	server_id  INTEGER NOT NULL,
	PRIMARY KEY (project_id, addr),
	FOREIGN KEY (project_id, server_id) REFERENCES servers (project_id, id) ON DELETE CASCADE
) STRICT, WITHOUT ROWID;

CREATE INDEX server_addrs_server ON server_addrs (project_id, server_id);
