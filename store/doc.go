// Package store keeps the wizard's state in one SQLite file, or in one
// PostgreSQL database shared by several wizard processes: accounts and
// sessions, projects and their members, servers, answers, progress,
// acknowledged warnings and the audit log.
//
// # Two engines, one store
//
// [Open] takes an SQLite path or a postgres:// URL and returns the same
// [Store] either way. Its methods are written once: the SQL keeps to what
// both engines read alike, and the rest of the difference sits in a few
// places, each with both forms side by side: how a parameter is written
// (dialect.go), how a write transaction takes its turn ([Store.write]),
// how errors are told apart (ErrDuplicate, ErrFull), how the schema is
// migrated (migrations/sqlite and migrations/postgres, numbered alike) and
// how a backup is made ([Store.Backup]). So a query fixed or added for one
// engine is fixed or added for both, and every test of the package runs
// on each (make test runs them with WIZARD_TEST_STORE=postgres too).
// [CopyDatabase] and [CopyProject] move data between the two.
//
// The file is the team's change record. The choices below are made so that
// what the wizard says is saved is saved, that one administrator cannot
// silently overwrite another, and that the history cannot disagree with the
// state it describes.
//
// # Durability
//
// On SQLite the database runs in WAL mode with synchronous=FULL: a commit is on disk
// before the wizard reports it, so a power cut cannot take back an answer or
// a sign-off the user saw saved. Every setting is a _pragma parameter of the
// driver's DSN, so every pooled connection has it, and [Open] reads each one
// back and refuses to start if any is not in effect. [Store.Backup] makes a
// consistent copy while the wizard runs.
//
// # One writer
//
// All writes go through a single connection whose transactions begin with
// BEGIN IMMEDIATE. A transaction that reads a version and then writes holds
// the write lock from its first statement, so concurrent saves queue up and
// each sees the one before it; none fails half-way with SQLITE_BUSY, which
// a deferred transaction upgrading its lock would. Reads use a separate pool
// of query-only connections and never wait for the writer.
//
// On PostgreSQL every write transaction of every replica first takes one
// advisory lock, with the same effect: writes take turns and each sees all
// before it, so no save can be overtaken between reading a version and
// writing the next, and none needs to be retried. Reads run in
// repeatable-read, read-only transactions and never wait for it.
//
// # No lost updates
//
// Answers, servers and a project's facts carry versions. A save names the
// version the user saw; if someone saved in between, the save is refused
// ([ErrConflict], or a [*ConflictError] with the current answers) and
// nothing is written, so the user decides with both values in front of
// them.
//
// # History
//
// Every change to a project increases its revision, which generated files
// and runbooks print, and appends a row to the audit log with the old and
// the new value, in the same transaction as the change: if the change is
// saved, so is its history, and neither without the other. Triggers refuse
// UPDATE and DELETE on the log.
//
// # Schema
//
// The schema is the numbered SQL files of package migrations, applied in
// order by [Open], each in one transaction and recorded by name. An applied
// file is never edited; a change to the schema is a new file.
//
// SQL is written by hand. Exported methods take a context and begin a
// transaction; private helpers do the work inside it, and every row one
// transaction writes carries the same time, read once from [Store.Now].
package store
