package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/secex/wizard/steps"
)

// ServerRecord is a stored server with its ID and version. A change names
// the version it was made from and is refused once that is out of date.
type ServerRecord struct {
	ID      int64
	Version int64
	Server  steps.Server
}

// Servers lists a project's servers in the order they were added.
func (s *Store) Servers(ctx context.Context, projectID int64) ([]ServerRecord, error) {
	var recs []ServerRecord
	err := s.read(ctx, func(t *conn) error {
		var err error
		recs, err = s.servers(ctx, t, projectID)
		return err
	})
	return recs, err
}

func (s *Store) servers(ctx context.Context, t *conn, projectID int64) ([]ServerRecord, error) {
	rows, err := t.QueryContext(ctx, `SELECT id, version, data FROM servers WHERE project_id = ? ORDER BY id`, projectID)
	if err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	defer rows.Close()
	var recs []ServerRecord
	for rows.Next() {
		var r ServerRecord
		var data []byte
		if err := rows.Scan(&r.ID, &r.Version, &data); err != nil {
			return nil, fmt.Errorf("store: %w", err)
		}
		s.decodedMu.Lock()
		d, ok := s.decoded[r.ID]
		s.decodedMu.Unlock()
		if ok && d.version == r.Version {
			r.Server = cloneServer(d.server)
		} else {
			if err := json.Unmarshal(data, &r.Server); err != nil {
				return nil, fmt.Errorf("store: reading server %d: %w", r.ID, err)
			}
			s.decodedMu.Lock()
			if s.decoded == nil {
				s.decoded = map[int64]decodedServer{}
			}
			s.decoded[r.ID] = decodedServer{r.Version, cloneServer(r.Server)}
			s.decodedMu.Unlock()
		}
		recs = append(recs, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("store: %w", err)
	}
	return recs, nil
}

// Topology returns a project's facts and servers, read together.
func (s *Store) Topology(ctx context.Context, projectID int64) (steps.Topology, error) {
	var topo steps.Topology
	err := s.read(ctx, func(t *conn) error {
		var facts []byte
		err := t.QueryRowContext(ctx, `SELECT facts FROM projects WHERE id = ?`, projectID).Scan(&facts)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrNotFound
		}
		if err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := json.Unmarshal(facts, &topo.Facts); err != nil {
			return fmt.Errorf("store: reading the facts of project %d: %w", projectID, err)
		}
		recs, err := s.servers(ctx, t, projectID)
		if err != nil {
			return err
		}
		// A project without servers has nil Servers, as a Topology built
		// any other way does, so both hash the same (steps.HashAnswers).
		if len(recs) > 0 {
			topo.Servers = make([]steps.Server, len(recs))
			for i, r := range recs {
				topo.Servers[i] = r.Server
			}
		}
		return nil
	})
	if err != nil {
		return steps.Topology{}, err
	}
	return topo, nil
}

// AddServers adds servers to a project, all or none. When a server repeats
// the name, FQDN or an address of another server of the project (or of an
// earlier one in the list), nothing is added and the error is a
// *DuplicateError naming the first repeated value.
func (s *Store) AddServers(ctx context.Context, actor, projectID int64, servers []steps.Server) error {
	if len(servers) == 0 {
		return nil
	}
	return s.write(ctx, func(t *tx) error {
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		for _, srv := range servers {
			data, err := serverJSON(srv)
			if err != nil {
				return err
			}
			if err := t.checkServer(ctx, projectID, 0, srv); err != nil {
				return err
			}
			var id int64
			err = t.QueryRowContext(ctx, `
				INSERT INTO servers (project_id, name, fqdn, data, created_at, updated_at)
				VALUES (?, ?, ?, ?, ?, ?) RETURNING id`,
				projectID, srv.Name, srv.FQDN, data, fmtTime(t.now), fmtTime(t.now)).Scan(&id)
			if err != nil {
				return fmt.Errorf("store: adding server %s: %w", srv.Name, err)
			}
			if err := t.addAddrs(ctx, projectID, id, srv); err != nil {
				return err
			}
			if err := t.audit(ctx, projectID, actor, "add", "server", string(srv.Name), "", data); err != nil {
				return err
			}
		}
		return nil
	})
}

// UpdateServer replaces a server. version is the Version the user saw;
// when the server has changed since, UpdateServer returns ErrConflict and
// saves nothing. Repeated values are refused as by AddServers.
func (s *Store) UpdateServer(ctx context.Context, actor, projectID, serverID, version int64, srv steps.Server) error {
	data, err := serverJSON(srv)
	if err != nil {
		return err
	}
	return s.write(ctx, func(t *tx) error {
		old, err := t.server(ctx, projectID, serverID, version)
		if err != nil {
			return err
		}
		if old == data {
			return nil
		}
		if err := t.checkServer(ctx, projectID, serverID, srv); err != nil {
			return err
		}
		if _, err := t.ExecContext(ctx, `
			UPDATE servers SET name = ?, fqdn = ?, data = ?, version = version + 1, updated_at = ?
			WHERE id = ?`, srv.Name, srv.FQDN, data, fmtTime(t.now), serverID); err != nil {
			return fmt.Errorf("store: updating server %s: %w", srv.Name, err)
		}
		if _, err := t.ExecContext(ctx, `DELETE FROM server_addrs WHERE project_id = ? AND server_id = ?`,
			projectID, serverID); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.addAddrs(ctx, projectID, serverID, srv); err != nil {
			return err
		}
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		return t.audit(ctx, projectID, actor, "update", "server", string(srv.Name), old, data)
	})
}

// DeleteServer removes a server. version is the Version the user saw; when
// the server has changed since, DeleteServer returns ErrConflict and keeps
// it.
func (s *Store) DeleteServer(ctx context.Context, actor, projectID, serverID, version int64) error {
	return s.write(ctx, func(t *tx) error {
		old, err := t.server(ctx, projectID, serverID, version)
		if err != nil {
			return err
		}
		var name string
		if err := t.QueryRowContext(ctx, `DELETE FROM servers WHERE id = ? RETURNING name`, serverID).Scan(&name); err != nil {
			return fmt.Errorf("store: %w", err)
		}
		if err := t.bump(ctx, projectID); err != nil {
			return err
		}
		return t.audit(ctx, projectID, actor, "delete", "server", name, old, "")
	})
}

// server returns the stored JSON of a server after checking it belongs to
// the project (else ErrNotFound) and is at version (else ErrConflict).
func (t *tx) server(ctx context.Context, projectID, serverID, version int64) (string, error) {
	var data string
	var cur int64
	err := t.QueryRowContext(ctx, `SELECT data, version FROM servers WHERE id = ? AND project_id = ?`,
		serverID, projectID).Scan(&data, &cur)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrNotFound
	}
	if err != nil {
		return "", fmt.Errorf("store: %w", err)
	}
	if cur != version {
		return "", ErrConflict
	}
	return data, nil
}

// checkServer returns a *DuplicateError when srv repeats the name, FQDN or
// an address of another server of the project; self is the ID of the
// server srv replaces, or 0. It runs inside the write transaction, so no
// other change can slip in between the check and the write.
func (t *tx) checkServer(ctx context.Context, projectID, self int64, srv steps.Server) error {
	if srv.Name == "" || srv.FQDN == "" {
		return fmt.Errorf("store: a server needs a name and an FQDN")
	}
	var other string
	err := t.QueryRowContext(ctx, `SELECT name FROM servers WHERE project_id = ? AND lower(name) = lower(?) AND id <> ?`,
		projectID, srv.Name, self).Scan(&other)
	if err == nil {
		return &DuplicateError{Entity: "server", Field: "name", Value: string(srv.Name), Other: other}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %w", err)
	}
	err = t.QueryRowContext(ctx, `SELECT name FROM servers WHERE project_id = ? AND lower(fqdn) = lower(?) AND id <> ?`,
		projectID, srv.FQDN, self).Scan(&other)
	if err == nil {
		return &DuplicateError{Entity: "server", Field: "fqdn", Value: string(srv.FQDN), Other: other}
	} else if !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("store: %w", err)
	}
	seen := map[string]bool{}
	for _, a := range srv.Addrs {
		addr := a.String()
		if seen[addr] {
			return &DuplicateError{Entity: "server", Field: "addrs", Value: addr, Other: string(srv.Name)}
		}
		seen[addr] = true
		err := t.QueryRowContext(ctx, `
			SELECT s.name FROM server_addrs a JOIN servers s ON s.id = a.server_id
			WHERE a.project_id = ? AND a.addr = ? AND a.server_id <> ?`, projectID, addr, self).Scan(&other)
		if err == nil {
			return &DuplicateError{Entity: "server", Field: "addrs", Value: addr, Other: other}
		} else if !errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("store: %w", err)
		}
	}
	return nil
}

func (t *tx) addAddrs(ctx context.Context, projectID, serverID int64, srv steps.Server) error {
	for _, a := range srv.Addrs {
		if _, err := t.ExecContext(ctx, `INSERT INTO server_addrs (project_id, addr, server_id) VALUES (?, ?, ?)`,
			projectID, a.String(), serverID); err != nil {
			if isUnique(err) {
				return &DuplicateError{Entity: "server", Field: "addrs", Value: a.String(), Other: "another server"}
			}
			return fmt.Errorf("store: %w", err)
		}
	}
	return nil
}

func serverJSON(srv steps.Server) (string, error) {
	b, err := json.Marshal(srv)
	if err != nil {
		return "", fmt.Errorf("store: server %s: %w", srv.Name, err)
	}
	return string(b), nil
}

// cloneServer copies the slices of srv, so callers of Servers may change
// what they get without changing the decoded copy kept for others.
func cloneServer(srv steps.Server) steps.Server {
	srv.Addrs = slices.Clone(srv.Addrs)
	srv.Roles = slices.Clone(srv.Roles)
	srv.ISA.ExternalAddrs = slices.Clone(srv.ISA.ExternalAddrs)
	return srv
}
