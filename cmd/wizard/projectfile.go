package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web"
)

// openOffline opens the database and a wizard server on it, for the
// subcommands that work on projects without serving.
func openOffline(ctx context.Context, db databaseFlags) (*store.Store, *web.Server, error) {
	st, err := db.open(ctx)
	if err != nil {
		return nil, nil, err
	}
	return st, web.NewServer(web.Config{Product: product, Version: version}, st, catalog.All, nil), nil
}

func runExport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wizard export", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := addDatabaseFlags(fs, getenv, "holding wizard.db")
	id := fs.Int64("project", 0, "the project's `ID` (the number in its address, /p/ID)")
	out := fs.String("out", "", "write to `FILE` instead of standard output")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wizard export -project ID [-out FILE] [-data DIR | -database URL]\n\nWrites a project as a project file: servers, answers, statuses, change ticket\nand deviations; never accounts. See docs/project-file.md.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if *id <= 0 || fs.NArg() > 0 {
		return usageError{fmt.Errorf("give the project with -project ID; see wizard export -h")}
	}
	st, srv, err := openOffline(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	b, err := srv.Export(ctx, *id)
	if err != nil {
		return fmt.Errorf("project %d: %w", *id, err)
	}
	if *out == "" {
		_, err = stdout.Write(b)
		return err
	}
	return os.WriteFile(*out, b, 0o600)
}

func runImport(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wizard import", flag.ContinueOnError)
	fs.SetOutput(stderr)
	db := addDatabaseFlags(fs, getenv, "holding wizard.db")
	owner := fs.String("owner", "", "user `NAME` of the account that owns the new project")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wizard import -owner NAME [-data DIR | -database URL] FILE\n\nCreates a new project from a project file, checking every value as the web\nforms do. When anything is wrong, nothing is imported and every problem is\nlisted with its path in the file.")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if *owner == "" || fs.NArg() != 1 {
		return usageError{fmt.Errorf("give the owner with -owner NAME and one project file; see wizard import -h")}
	}
	f, err := os.Open(fs.Arg(0))
	if err != nil {
		return err
	}
	defer f.Close()
	st, srv, err := openOffline(ctx, db)
	if err != nil {
		return err
	}
	defer st.Close()
	u, _, err := st.UserByName(ctx, *owner)
	if err != nil {
		return fmt.Errorf("no account named %q: %w", *owner, err)
	}
	p, problems, err := srv.Import(ctx, u.ID, f)
	if err != nil {
		return err
	}
	if len(problems) > 0 {
		for _, pr := range problems {
			if pr.Field != "" {
				fmt.Fprintf(stderr, "%s: %s: %s\n", fs.Arg(0), pr.Field, pr.Message)
			} else {
				fmt.Fprintf(stderr, "%s: %s\n", fs.Arg(0), pr.Message)
			}
		}
		return fmt.Errorf("%d problems; nothing was imported", len(problems))
	}
	fmt.Fprintf(stdout, "imported project %d: %s\n", p.ID, p.Name)
	return nil
}

func envOr(getenv func(string) string, name, def string) string {
	if v := getenv(name); v != "" {
		return v
	}
	return def
}
