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
	data := fs.String("data", envOr(getenv, "WIZARD_DATA", defaultDataDir(getenv)), "data `directory` holding wizard.db (env WIZARD_DATA)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wizard backup [-data DIR] FILE\n\nWrites a consistent, checked copy of the database to FILE, which must not\nexist. Safe while the wizard is serving.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("give the backup file to write; see wizard backup -h")}
	}
	st, err := store.Open(ctx, filepath.Join(*data, "wizard.db"))
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
	data := fs.String("data", envOr(getenv, "WIZARD_DATA", defaultDataDir(getenv)), "data `directory` to restore into (env WIZARD_DATA)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wizard restore [-data DIR] FILE\n\nMakes FILE, a backup written by wizard backup, the database of the data\ndirectory. Stop the wizard first. The data directory must not hold a\ndatabase yet: move the old one away yourself, so nothing is lost by mistake.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if fs.NArg() != 1 {
		return usageError{errors.New("give the backup file to restore; see wizard restore -h")}
	}
	dst := filepath.Join(*data, "wizard.db")
	if _, err := os.Stat(dst); err == nil {
		return fmt.Errorf("%s exists; move it (and any wizard.db-wal and wizard.db-shm beside it) away first", dst)
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(*data, 0o700); err != nil {
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
