// Package migrations holds the database schema as numbered SQL files, one
// folder per database the wizard runs on: sqlite/ for the single-file
// database and postgres/ for a PostgreSQL database that several copies of
// the wizard share. Both folders have the same files under the same names;
// each file does in its dialect what its namesake does in the other. The
// runners in package store apply them in name order and record each by its
// bare file name, so the folder a file lives in is not part of what a
// database remembers.
//
// A file that has been applied anywhere is never edited: a change to the
// schema is a new file, written in both folders.
package migrations

import (
	"embed"
	"io/fs"
)

//go:embed sqlite/*.sql
var sqliteFiles embed.FS

//go:embed postgres/*.sql
var postgresFiles embed.FS

// SQLite holds the SQLite migrations, rooted at the folder so that names
// are bare file names such as 0001_accounts.sql.
var SQLite = sub(sqliteFiles, "sqlite")

// Postgres holds the PostgreSQL migrations, named like those of SQLite.
var Postgres = sub(postgresFiles, "postgres")

func sub(fsys embed.FS, dir string) fs.FS {
	f, err := fs.Sub(fsys, dir)
	if err != nil {
		// fs.Sub fails only for an invalid path, and dir is a constant.
		panic(err)
	}
	return f
}
