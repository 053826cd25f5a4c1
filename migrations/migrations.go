// Package migrations holds the database schema as numbered SQL files,
// applied in name order by the runner in package store. A file that has been
// applied anywhere is never edited: a change to the schema is a new file.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
