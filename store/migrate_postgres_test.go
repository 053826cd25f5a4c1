package store

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/jackc/pgx/v5"

	"github.com/secex/wizard/migrations"
	"github.com/secex/wizard/store/pgtest"
)

// connectPostgres connects to a new, empty test database.
func connectPostgres(tb testing.TB) *pgx.Conn {
	tb.Helper()
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, pgtest.DSN(tb))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { conn.Close(context.Background()) })
	return conn
}

func pgNow() time.Time { return t0 }

// TestMigrationsAlike checks that both dialects have the same files.
func TestMigrationsAlike(t *testing.T) {
	lite, err := migrationNames(migrations.SQLite)
	if err != nil || len(lite) == 0 {
		t.Fatalf("SQLite migrations: %v, %v", lite, err)
	}
	pg, err := migrationNames(migrations.Postgres)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(lite, pg); diff != "" {
		t.Errorf("migration files (-sqlite +postgres):\n%s", diff)
	}
}

// dialectSchema is what two dialects' schemas must agree on: each table's
// columns in order with their kind and whether they take NULL, the
// indexes made by name, and the foreign keys.
type dialectSchema struct {
	Columns     map[string][]string
	Indexes     []string
	ForeignKeys []string
}

func sqliteSchema(tb testing.TB, db *sql.DB) dialectSchema {
	tb.Helper()
	s := dialectSchema{Columns: map[string][]string{}}
	kinds := map[string]string{"INTEGER": "integer", "TEXT": "text", "BLOB": "bytes"}
	rows, err := db.Query(`
		SELECT m.name, p.name, p.type, p."notnull" OR p.pk > 0
		FROM sqlite_schema m JOIN pragma_table_info(m.name) p
		WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'
		ORDER BY m.name, p.cid`)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var table, col, typ string
		var notNull bool
		if err := rows.Scan(&table, &col, &typ, &notNull); err != nil {
			tb.Fatal(err)
		}
		kind, ok := kinds[typ]
		if !ok {
			kind = "unknown " + typ
		}
		s.Columns[table] = append(s.Columns[table], column(col, kind, notNull))
	}
	rows.Close()

	rows, err = db.Query(`SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name`)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var name string
		rows.Scan(&name)
		s.Indexes = append(s.Indexes, name)
	}
	rows.Close()

	rows, err = db.Query(`
		SELECT m.name, f."table", group_concat(f."from", ',' ORDER BY f.seq), group_concat(f."to", ',' ORDER BY f.seq), f.on_delete
		FROM sqlite_schema m JOIN pragma_foreign_key_list(m.name) f
		WHERE m.type = 'table'
		GROUP BY m.name, f.id`)
	if err != nil {
		tb.Fatal(err)
	}
	for rows.Next() {
		var table, ref, from, to, onDelete string
		if err := rows.Scan(&table, &ref, &from, &to, &onDelete); err != nil {
			tb.Fatal(err)
		}
		s.ForeignKeys = append(s.ForeignKeys, foreignKey(table, from, ref, to, onDelete))
	}
	rows.Close()
	slices.Sort(s.ForeignKeys)
	return s
}

func postgresSchema(tb testing.TB, conn *pgx.Conn) dialectSchema {
	tb.Helper()
	ctx := context.Background()
	s := dialectSchema{Columns: map[string][]string{}}
	kinds := map[string]string{"bigint": "integer", "integer": "integer", "text": "text", "bytea": "bytes"}
	rows, _ := conn.Query(ctx, `
		SELECT table_name, column_name, data_type, is_nullable = 'NO'
		FROM information_schema.columns
		WHERE table_schema = current_schema()
		ORDER BY table_name, ordinal_position`)
	var table, col, typ string
	var notNull bool
	if _, err := pgx.ForEachRow(rows, []any{&table, &col, &typ, &notNull}, func() error {
		kind, ok := kinds[typ]
		if !ok {
			kind = "unknown " + typ
		}
		s.Columns[table] = append(s.Columns[table], column(col, kind, notNull))
		return nil
	}); err != nil {
		tb.Fatal(err)
	}

	// The indexes made by name: those of primary keys are made by the
	// table, as SQLite's sqlite_autoindex_* are.
	rows, _ = conn.Query(ctx, `
		SELECT c.relname FROM pg_index i
		JOIN pg_class c ON c.oid = i.indexrelid
		WHERE c.relnamespace = current_schema()::regnamespace AND NOT i.indisprimary
		ORDER BY c.relname`)
	var err error
	if s.Indexes, err = pgx.CollectRows(rows, pgx.RowTo[string]); err != nil {
		tb.Fatal(err)
	}

	rows, _ = conn.Query(ctx, `
		SELECT conrelid::regclass::text, confrelid::regclass::text,
			(SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(conkey) WITH ORDINALITY k(n, i)
				JOIN pg_attribute a ON a.attrelid = conrelid AND a.attnum = k.n),
			(SELECT string_agg(a.attname, ',' ORDER BY k.i) FROM unnest(confkey) WITH ORDINALITY k(n, i)
				JOIN pg_attribute a ON a.attrelid = confrelid AND a.attnum = k.n),
			CASE confdeltype WHEN 'a' THEN 'NO ACTION' WHEN 'c' THEN 'CASCADE' WHEN 'r' THEN 'RESTRICT'
				WHEN 'n' THEN 'SET NULL' WHEN 'd' THEN 'SET DEFAULT' END
		FROM pg_constraint
		WHERE contype = 'f' AND connamespace = current_schema()::regnamespace`)
	var ref, from, to, onDelete string
	if _, err := pgx.ForEachRow(rows, []any{&table, &ref, &from, &to, &onDelete}, func() error {
		s.ForeignKeys = append(s.ForeignKeys, foreignKey(table, from, ref, to, onDelete))
		return nil
	}); err != nil {
		tb.Fatal(err)
	}
	slices.Sort(s.ForeignKeys)
	return s
}

func column(name, kind string, notNull bool) string {
	if notNull {
		return name + " " + kind + " NOT NULL"
	}
	return name + " " + kind
}

func foreignKey(table, from, ref, to, onDelete string) string {
	return fmt.Sprintf("%s (%s) REFERENCES %s (%s) ON DELETE %s", table, from, ref, to, onDelete)
}

// TestPostgresSchemaMatchesSQLite migrates a new PostgreSQL database and a
// new SQLite file and compares what the store relies on: the same tables
// with the same columns in the same order, of corresponding types and
// nullability, the same named indexes and the same foreign keys.
func TestPostgresSchemaMatchesSQLite(t *testing.T) {
	ctx := context.Background()
	conn := connectPostgres(t)
	if err := migratePostgres(ctx, conn, migrations.Postgres, pgNow); err != nil {
		t.Fatal(err)
	}
	lite, _ := openSQLiteTest(t)
	want := sqliteSchema(t, lite.r.DB)
	got := postgresSchema(t, conn)
	if len(want.Columns) < 2 || len(want.Indexes) == 0 || len(want.ForeignKeys) == 0 {
		t.Fatalf("the SQLite schema looks empty: %+v", want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("schemas differ (-sqlite +postgres):\n%s", diff)
	}

	names, _ := migrationNames(migrations.Postgres)
	if diff := cmp.Diff(names, appliedPostgres(t, conn)); diff != "" {
		t.Errorf("recorded migrations (-files +recorded):\n%s", diff)
	}

	// A second run has nothing to do and changes nothing.
	if err := MigratePostgres(ctx, conn.Config().ConnString()); err != nil {
		t.Fatalf("second run: %v", err)
	}
	if diff := cmp.Diff(got, postgresSchema(t, conn)); diff != "" {
		t.Errorf("the schema changed on a second run:\n%s", diff)
	}
}

func appliedPostgres(tb testing.TB, conn *pgx.Conn) []string {
	tb.Helper()
	rows, _ := conn.Query(context.Background(), `SELECT name FROM schema_migrations ORDER BY name`)
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		tb.Fatal(err)
	}
	return names
}

// TestMigratePostgresTogether starts two migrations of one new database at
// the same moment, as two wizards starting together would. Both must
// succeed, with each file applied once: without the advisory lock both
// would create the same tables and one would fail.
func TestMigratePostgresTogether(t *testing.T) {
	ctx := context.Background()
	dsn := pgtest.DSN(t)
	const migrators = 2
	conns := make([]*pgx.Conn, migrators)
	for i := range conns {
		c, err := pgx.Connect(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close(ctx)
		conns[i] = c
	}
	// Each file also counts its runs in a table of its own, which
	// schema_migrations's primary key could not hide.
	fsys := fstest.MapFS{}
	names, _ := migrationNames(migrations.Postgres)
	for _, n := range names {
		b, _ := fs.ReadFile(migrations.Postgres, n)
		fsys[n] = &fstest.MapFile{Data: append(b, []byte(fmt.Sprintf(
			"\nCREATE TABLE IF NOT EXISTS runs (name TEXT NOT NULL);\nINSERT INTO runs VALUES ('%s');\n", n))...)}
	}

	start := make(chan struct{})
	errs := make([]error, migrators)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			<-start
			errs[i] = migratePostgres(ctx, c, fsys, pgNow)
		})
	}
	close(start)
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Errorf("migrator %d: %v", i, err)
		}
	}
	rows, _ := conns[0].Query(ctx, `SELECT name FROM runs ORDER BY name`)
	runs, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(names, runs); diff != "" {
		t.Errorf("files run (-each once +run):\n%s", diff)
	}
	if diff := cmp.Diff(names, appliedPostgres(t, conns[0])); diff != "" {
		t.Errorf("recorded migrations (-files +recorded):\n%s", diff)
	}
	var held int
	if err := conns[0].QueryRow(ctx, `SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'`).Scan(&held); err != nil || held != 0 {
		t.Errorf("%d advisory locks still held after both runs (%v)", held, err)
	}
}

// TestMigratePostgresRefuses checks the PostgreSQL runner refuses what the
// SQLite runner refuses, and that a failing file leaves nothing behind.
func TestMigratePostgresRefuses(t *testing.T) {
	ctx := context.Background()
	withFile := func(name, sql string) fstest.MapFS {
		m := fstest.MapFS{}
		files, _ := fs.Glob(migrations.Postgres, "*.sql")
		for _, f := range files {
			b, _ := fs.ReadFile(migrations.Postgres, f)
			m[f] = &fstest.MapFile{Data: b}
		}
		m[name] = &fstest.MapFile{Data: []byte(sql)}
		return m
	}
	tests := []struct {
		name string
		fsys fstest.MapFS
		want string
	}{
		{"edited", withFile("0001_accounts.sql", "CREATE TABLE x (a INTEGER);"), "was changed after it was applied"},
		{"same number", withFile("0002_again.sql", "SELECT 1;"), "have the same number"},
		{"failing", withFile("0099_bad.sql", "CREATE TABLE half (a INTEGER); INSERT INTO nope VALUES (1);"), `relation "nope" does not exist`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			conn := connectPostgres(t)
			if err := migratePostgres(ctx, conn, migrations.Postgres, pgNow); err != nil {
				t.Fatal(err)
			}
			err := migratePostgres(ctx, conn, tt.fsys, pgNow)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("migrate = %v, want an error containing %q", err, tt.want)
			}
			var half bool
			conn.QueryRow(ctx, `SELECT to_regclass('half') IS NOT NULL`).Scan(&half)
			if half {
				t.Errorf("a failed migration left its table behind")
			}
			names, _ := migrationNames(migrations.Postgres)
			if diff := cmp.Diff(names, appliedPostgres(t, conn)); diff != "" {
				t.Errorf("recorded migrations changed (-want +got):\n%s", diff)
			}
		})
	}

	t.Run("newer database", func(t *testing.T) {
		conn := connectPostgres(t)
		if err := migratePostgres(ctx, conn, migrations.Postgres, pgNow); err != nil {
			t.Fatal(err)
		}
		if _, err := conn.Exec(ctx, `INSERT INTO schema_migrations VALUES ('9999_future.sql', 'x', 'x')`); err != nil {
			t.Fatal(err)
		}
		err := migratePostgres(ctx, conn, migrations.Postgres, pgNow)
		if err == nil || !strings.Contains(err.Error(), "does not know") {
			t.Fatalf("migrate = %v, want a refusal", err)
		}
	})
}

// TestPostgresScreenerListsLikeSQLite runs migration 0008, which moves
// data, in both dialects over the same old answers and compares the
// answers and project revisions it leaves. TestMigrateScreenerLists checks
// that SQLite's result is right.
func TestPostgresScreenerListsLikeSQLite(t *testing.T) {
	ctx := context.Background()
	const step = "smtp-message-screener"
	old := []struct {
		project  int64
		question string
		value    string
		by       int64
		at       string
	}{
		{1, "block-domains", "yes", 1, "2026-03-01T10:00:00.000000000Z"},
		{1, "sender-domain-1", " Spam.Example.NET. ", 1, "2026-03-01T10:00:00.000000000Z"},
		{1, "sender-domain-2", "", 2, "2026-03-01T11:00:00.000000000Z"},
		{1, "sender-domain-3", "bulk.example.org", 2, "2026-03-01T12:00:00.000000000Z"},
		{1, "sender-domain-4", "spam.example.net", 1, "2026-03-01T09:00:00.000000000Z"},
		{1, "sender-domain-10", "late.example.net\t", 1, "2026-03-01T09:00:00.000000000Z"},
		{1, "sender-domain-100", "not a box", 1, "2026-03-01T09:00:00.000000000Z"},
		{1, "sender-1-mailbox", "Offers", 1, "2026-03-01T10:00:00.000000000Z"},
		{1, "sender-1-domain", "Mailer.example.net.", 1, "2026-03-01T10:00:00.000000000Z"},
		{1, "sender-2-mailbox", "offers", 2, "2026-03-01T13:00:00.000000000Z"},
		{1, "sender-2-domain", "mailer.example.net", 2, "2026-03-01T13:00:00.000000000Z"},
		{1, "sender-12-mailbox", " sales ", 1, "2026-03-01T10:00:00.000000000Z"},
		{1, "keyword-1", "Make money fast", 1, "2026-03-01T10:00:00.000000000Z"},
		{1, "keyword-2", " \r\n", 1, "2026-03-01T10:00:00.000000000Z"},
		{1, "keyword-3", "limited offer", 2, "2026-03-01T14:00:00.000000000Z"},
		{1, "keyword-4", "Make money fast", 1, "2026-03-01T10:00:00.000000000Z"},
		{1, "keywords", "already converted", 1, "2026-03-01T10:00:00.000000000Z"},
		{2, "sender-1-mailbox", "", 1, "2026-03-01T10:00:00.000000000Z"},
		{2, "sender-1-domain", "", 1, "2026-03-01T10:00:00.000000000Z"},
		{2, "keyword-1", "", 1, "2026-03-01T10:00:00.000000000Z"},
		{3, "use-keywords", "yes", 1, "2026-03-01T10:00:00.000000000Z"},
	}
	seed := func(exec func(sql string, args ...any) error) {
		t.Helper()
		for _, u := range []int64{1, 2} {
			if err := exec(`INSERT INTO users (id, name, password_hash, created_at) VALUES (?, ?, '!', ?)`,
				u, fmt.Sprintf("user%d", u), fmtTime(t0)); err != nil {
				t.Fatal(err)
			}
		}
		for _, p := range []int64{1, 2, 3} {
			if err := exec(`INSERT INTO projects (id, name, created_at, updated_at) VALUES (?, ?, ?, ?)`,
				p, fmt.Sprintf("project %d", p), fmtTime(t0), fmtTime(t0)); err != nil {
				t.Fatal(err)
			}
		}
		for _, a := range old {
			if err := exec(`INSERT INTO answers (project_id, step, question, value, version, updated_by, updated_at) VALUES (?, ?, ?, ?, 1, ?, ?)`,
				a.project, step, a.question, a.value, a.by, a.at); err != nil {
				t.Fatal(err)
			}
		}
		// Another procedure's box of the same name stays as it is.
		if err := exec(`INSERT INTO answers (project_id, step, question, value, version, updated_by, updated_at) VALUES (3, 'smtp-relay', 'keyword-1', 'x', 1, 1, ?)`,
			fmtTime(t0)); err != nil {
			t.Fatal(err)
		}
	}
	const answersQuery = `SELECT project_id, step, question, value, version, updated_by, updated_at FROM answers ORDER BY project_id, step, question`
	const revisionsQuery = `SELECT id, revision FROM projects ORDER BY id`

	lite, _ := openSQLiteTest(t)
	seed(func(sql string, args ...any) error { _, err := lite.w.ExecContext(ctx, sql, args...); return err })
	if _, err := lite.w.ExecContext(ctx, `DELETE FROM schema_migrations WHERE name = '0008_screener_lists.sql'`); err != nil {
		t.Fatal(err)
	}
	if err := lite.migrate(ctx, migrations.SQLite); err != nil {
		t.Fatal(err)
	}
	var want, wantRevisions []string
	rows, err := lite.r.QueryContext(ctx, answersQuery)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var p, v, by int64
		var step, q, value, at string
		if err := rows.Scan(&p, &step, &q, &value, &v, &by, &at); err != nil {
			t.Fatal(err)
		}
		want = append(want, fmt.Sprintf("%d %s %s %q v%d by %d at %s", p, step, q, value, v, by, at))
	}
	rows.Close()
	rows, err = lite.r.QueryContext(ctx, revisionsQuery)
	if err != nil {
		t.Fatal(err)
	}
	for rows.Next() {
		var id, rev int64
		rows.Scan(&id, &rev)
		wantRevisions = append(wantRevisions, fmt.Sprintf("project %d revision %d", id, rev))
	}
	rows.Close()

	conn := connectPostgres(t)
	before := fstest.MapFS{}
	names, _ := migrationNames(migrations.Postgres)
	for _, n := range names {
		if n < "0008" {
			b, _ := fs.ReadFile(migrations.Postgres, n)
			before[n] = &fstest.MapFile{Data: b}
		}
	}
	if err := migratePostgres(ctx, conn, before, pgNow); err != nil {
		t.Fatal(err)
	}
	seed(func(sql string, args ...any) error {
		for i := range args {
			sql = strings.Replace(sql, "?", fmt.Sprintf("$%d", i+1), 1)
		}
		_, err := conn.Exec(ctx, sql, args...)
		return err
	})
	started := time.Now().UTC()
	if err := migratePostgres(ctx, conn, migrations.Postgres, pgNow); err != nil {
		t.Fatal(err)
	}
	var got, gotRevisions []string
	var p, v, by int64
	var stepName, q, value, at string
	rows2, _ := conn.Query(ctx, answersQuery)
	if _, err := pgx.ForEachRow(rows2, []any{&p, &stepName, &q, &value, &v, &by, &at}, func() error {
		got = append(got, fmt.Sprintf("%d %s %s %q v%d by %d at %s", p, stepName, q, value, v, by, at))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	var rev int64
	var updatedAt string
	rows2, _ = conn.Query(ctx, `SELECT id, revision, updated_at FROM projects ORDER BY id`)
	if _, err := pgx.ForEachRow(rows2, []any{&p, &rev, &updatedAt}, func() error {
		gotRevisions = append(gotRevisions, fmt.Sprintf("project %d revision %d", p, rev))
		if rev > 1 {
			// The new stamp has the store's form and is the migration's time,
			// to the millisecond.
			u, err := parseTime(updatedAt)
			if err != nil || len(updatedAt) != len(fmtTime(t0)) || u.Before(started.Truncate(time.Millisecond)) {
				t.Errorf("project %d updated_at = %q (%v), want the store's form, no earlier than %v", p, updatedAt, err, started)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}

	converted := func(list string) bool {
		return slices.ContainsFunc(want, func(s string) bool { return strings.Contains(s, " "+list+" ") })
	}
	if !converted("sender-domains") || !converted("senders") {
		t.Fatalf("SQLite's migration converted nothing: %q", want)
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("answers after 0008 (-sqlite +postgres):\n%s", diff)
	}
	if diff := cmp.Diff(wantRevisions, gotRevisions); diff != "" {
		t.Errorf("revisions after 0008 (-sqlite +postgres):\n%s", diff)
	}
}
