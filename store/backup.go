package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Backup writes a consistent copy of the database to path, an SQLite file,
// while the wizard keeps running. path must not exist: a backup never
// overwrites another.
//
// The copy is made under a temporary name in the same directory: with
// VACUUM INTO from SQLite, and with CopyDatabase from PostgreSQL, inside
// one repeatable-read transaction. So a PostgreSQL wizard's backup is an
// SQLite file like any other, which wizard restore puts back into either
// engine, and which needs no pg_dump of the server's version. The copy is
// checked with PRAGMA integrity_check, synced to disk and only then
// renamed to path. So a file at path is always a complete, checked
// backup; a crash or a full disk leaves at most a temporary file behind,
// never a truncated backup that looks good.
func (s *Store) Backup(ctx context.Context, path string) error {
	abs, err := filepath.Abs(path)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if _, err := os.Lstat(abs); err == nil {
		return fmt.Errorf("store: backup: %s already exists", abs)
	} else if !errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("store: backup: %w", err)
	}
	dir := filepath.Dir(abs)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	var rnd [8]byte
	rand.Read(rnd[:])
	tmp := filepath.Join(dir, ".tmp-"+filepath.Base(abs)+"-"+hex.EncodeToString(rnd[:]))
	defer os.Remove(tmp) // a no-op once renamed

	if s.w.pg {
		err = s.backupToSQLite(ctx, tmp)
	} else {
		err = s.vacuumInto(ctx, tmp)
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := checkFile(ctx, tmp); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	f, err := os.OpenFile(tmp, os.O_RDWR, 0)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	err = f.Chmod(0o600)
	if err == nil {
		err = f.Sync()
	}
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if err := os.Rename(tmp, abs); err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	if d, err := os.Open(dir); err == nil {
		d.Sync() // not supported everywhere; the rename is still done
		d.Close()
	}
	return nil
}

// vacuumInto writes a copy of the SQLite database to path.
func (s *Store) vacuumInto(ctx context.Context, path string) error {
	// VACUUM INTO only reads this database, but SQLite refuses it on a
	// query-only connection. A connection of its own keeps the writer free
	// for the users while the copy is made.
	db, err := sql.Open("sqlite", fileURI(s.path)+"?"+pragmas)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, path)
	return err
}

// backupToSQLite copies the PostgreSQL database into a new SQLite file at
// path.
func (s *Store) backupToSQLite(ctx context.Context, path string) error {
	defer os.Remove(path + "-wal")
	defer os.Remove(path + "-shm")
	lite, err := OpenSQLite(ctx, path)
	if err != nil {
		return err
	}
	if err := errors.Join(CopyDatabase(ctx, lite, s), lite.Close()); err != nil {
		return err
	}
	// A file out of WAL mode is one file, like VACUUM INTO's, and checking
	// it leaves no -wal and -shm beside it.
	db, err := sql.Open("sqlite", fileURI(path))
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, `PRAGMA journal_mode=DELETE`)
	return err
}

// checkFile runs PRAGMA integrity_check on the database at path.
func checkFile(ctx context.Context, path string) error {
	db, err := sql.Open("sqlite", fileURI(path)+"?mode=ro")
	if err != nil {
		return err
	}
	defer db.Close()
	var res string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check`).Scan(&res); err != nil {
		return err
	}
	if res != "ok" {
		return fmt.Errorf("the copy failed its integrity check: %s", res)
	}
	return nil
}
