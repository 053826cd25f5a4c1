package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/secex/wizard/store"
)

func runBackup(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wizard backup", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := addDatabaseFlags(fs, getenv, "holding wizard.db")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wizard backup [-data DIR | -database URL] FILE\n\nWrites a consistent, checked copy of the database to FILE, which must not\nexist. Safe while the wizard is serving. The copy is an SQLite file, from\nPostgreSQL too, so wizard restore puts it back into either.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("give the backup file to write; see wizard backup -h")}
	}
	st, err := db.open(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := st.Backup(ctx, fs.Arg(0)); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "backup written to %s\n", fs.Arg(0))
	return nil
}

func runRestore(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wizard restore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := addDatabaseFlags(fs, getenv, "to restore into")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wizard restore [-data DIR | -database URL] FILE\n\nMakes FILE, a backup written by wizard backup, the database of the data\ndirectory, or copies it into the PostgreSQL database of -database. Stop the\nwizard first. The data directory must not hold a database yet, and the\nPostgreSQL database must be empty: move the old one away yourself, so\nnothing is lost by mistake.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("give the backup file to restore; see wizard restore -h")}
	}
	if store.IsPostgres(*db.database) {
		return restorePostgres(ctx, *db.database, fs.Arg(0), stdout)
	}
	dst := db.name()
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists; move it (and any wizard.db-wal and wizard.db-shm beside it) away first", dst)
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o700); err != nil {
		return err
	}
	tmp := dst + ".restoring"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	// Opening checks the file is a wizard database and brings its schema up
	// to this version before it takes the real name.
	st, err := store.Open(ctx, tmp)
	if err != nil {
		os.Remove(tmp)
		return fmt.Errorf("%s is not a usable wizard database: %w", fs.Arg(0), err)
	}
	if err := st.Close(); err != nil {
		return err
	}
	for _, suffix := range []string{"-wal", "-shm"} {
		os.Remove(tmp + suffix)
	}
	if err := os.Rename(tmp, dst); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s\n", dst, fs.Arg(0))
	return nil
}

// restorePostgres copies the backup file into the empty PostgreSQL
// database at dsn. The backup is opened from a copy, since opening brings
// its schema up to this version, and the file itself stays as it was.
func restorePostgres(ctx context.Context, dsn, file string, stdout io.Writer) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "wizard-restore-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	tmp := filepath.Join(dir, "wizard.db")
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return err
	}
	src, err := store.Open(ctx, tmp)
	if err != nil {
		return fmt.Errorf("%s is not a usable wizard database: %w", file, err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, dsn)
	if err != nil {
		return err
	}
	defer dst.Close()
	if err := store.CopyDatabase(ctx, dst, src); err != nil {
		if errors.Is(err, store.ErrNotEmpty) {
			return fmt.Errorf("%s already holds data (%w); restore into a new, empty database", describe(dsn), err)
		}
		return err
	}
	fmt.Fprintf(stdout, "restored %s from %s\n", describe(dsn), file)
	return nil
}
