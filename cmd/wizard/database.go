package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"

	"github.com/secex/wizard/store"
)

// databaseFlags are the flags that say where the database is: -database, a
// postgres:// URL (or an SQLite file), and otherwise wizard.db in -data.
type databaseFlags struct {
	data, database *string
}

// addDatabaseFlags registers -data and -database on fs. what says what the
// data directory is for this command.
func addDatabaseFlags(fs *flag.FlagSet, getenv func(string) string, what string) databaseFlags {
	return databaseFlags{
		data: fs.String("data", envOr(getenv, "WIZARD_DATA", defaultDataDir(getenv)), "data `directory` "+what+" (env WIZARD_DATA)"),
		database: fs.String("database", getenv("WIZARD_DATABASE"), "the `database`: a postgres:// URL, for several wizards sharing one PostgreSQL (env WIZARD_DATABASE); without it, wizard.db in the data directory. "+
			"Put the password in PGPASSWORD or ~/.pgpass rather than the URL, which shows in process lists"),
	}
}

// name returns the database the flags name: the PostgreSQL URL, or the
// SQLite file's path.
func (f databaseFlags) name() string {
	if *f.database != "" {
		return *f.database
	}
	return filepath.Join(*f.data, "wizard.db")
}

// open opens the database the flags name.
func (f databaseFlags) open(ctx context.Context) (*store.Store, error) {
	return store.Open(ctx, f.name())
}

// describe names a database for people and logs: an SQLite file's path, or
// a PostgreSQL URL with its password masked.
func describe(database string) string {
	if !store.IsPostgres(database) {
		return database
	}
	u, err := url.Parse(database)
	if err != nil {
		return "a PostgreSQL database (its URL does not parse)"
	}
	return u.Redacted()
}

func runMove(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wizard move", flag.ContinueOnError)
	fs.SetOutput(stderr)
	from := fs.String("from", "", "the `database` to move from: a postgres:// URL or an SQLite file such as DATA/wizard.db")
	to := fs.String("to", "", "the `database` to move to: a postgres:// URL or an SQLite file, made when missing")
	project := fs.Int64("project", 0, "move only the project with this `ID` (the number in its address, /p/ID)")
	by := fs.String("by", "", "with -project: the `NAME` of the account in the destination recorded as making the move")
	fs.Usage = func() {
		fmt.Fprintln(stderr, `Usage: wizard move -from DATABASE -to DATABASE [-project ID [-by NAME]]

Moves a wizard's database between SQLite and PostgreSQL, in either
direction. Each DATABASE is a postgres:// URL or the path of an SQLite file.

Without -project the whole database is copied, with the same IDs, into a
destination that must be empty; the source is left as it was, as the
backup of the move. Stop the wizards on the source first, so nothing is
saved there after the copy.

With -project one project is copied with its whole record (servers,
answers, sign-offs, the as-executed record and evidence, probe runs and
history) into the destination as a new project, and archived in the source
so that nobody goes on changing the old one. Members are matched to the
destination's accounts by name; a member without one gets an account with
the same password, which is not an administrator.`)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if *from == "" || *to == "" || fs.NArg() > 0 {
		return usageError{errors.New("give the databases with -from and -to; see wizard move -h")}
	}
	if *by != "" && *project == 0 {
		return usageError{errors.New("-by goes with -project")}
	}
	if !store.IsPostgres(*from) {
		// Opening would make an empty database where a path is mistyped.
		if _, err := os.Stat(*from); err != nil {
			return fmt.Errorf("-from: %w", err)
		}
	}
	src, err := store.Open(ctx, *from)
	if err != nil {
		return fmt.Errorf("opening %s: %w", describe(*from), err)
	}
	defer src.Close()
	dst, err := store.Open(ctx, *to)
	if err != nil {
		return fmt.Errorf("opening %s: %w", describe(*to), err)
	}
	defer dst.Close()

	if *project == 0 {
		if err := store.CopyDatabase(ctx, dst, src); err != nil {
			if errors.Is(err, store.ErrNotEmpty) {
				return fmt.Errorf("%s already holds data (%w); move into a new, empty database, or move single projects with -project", describe(*to), err)
			}
			return err
		}
		fmt.Fprintf(stdout, "copied %s into %s; start the wizard on the new database, and keep the old one as the backup of the move\n", describe(*from), describe(*to))
		return nil
	}
	var actor int64
	if *by != "" {
		u, _, err := dst.UserByName(ctx, *by)
		if err != nil {
			return fmt.Errorf("-by: no account named %q in %s: %w", *by, describe(*to), err)
		}
		actor = u.ID
	}
	p, err := src.Project(ctx, *project)
	if err != nil {
		return fmt.Errorf("project %d in %s: %w", *project, describe(*from), err)
	}
	moved, err := store.CopyProject(ctx, dst, src, actor, p.ID, "moved from "+describe(*from))
	if err != nil {
		return fmt.Errorf("moving project %d: %w", p.ID, err)
	}
	if !p.Archived {
		if err := src.SetArchived(ctx, 0, p.ID, true); err != nil {
			return fmt.Errorf("project %d is copied to %s as project %d, but archiving it in %s failed: %w", p.ID, describe(*to), moved.ID, describe(*from), err)
		}
	}
	fmt.Fprintf(stdout, "moved project %d (%s) to %s as project %d; it is archived in %s\n", p.ID, p.Name, describe(*to), moved.ID, describe(*from))
	return nil
}
