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

// Backup writes a consistent copy of the database to path while the wizard
// keeps running. path must not exist: a backup never overwrites another.
//
// The copy is made with VACUUM INTO under a temporary name in the same
// directory, checked with PRAGMA integrity_check, synced to disk and only
// then renamed to path. So a file at path is always a complete, checked
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

	// VACUUM INTO only reads this database, but SQLite refuses it on a
	// query-only connection. A connection of its own keeps the writer free
	// for the users while the copy is made.
	db, err := sql.Open("sqlite", fileURI(s.path)+"?"+pragmas)
	if err != nil {
		return fmt.Errorf("store: backup: %w", err)
	}
	_, err = db.ExecContext(ctx, `VACUUM INTO ?`, tmp)
	db.Close()
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
