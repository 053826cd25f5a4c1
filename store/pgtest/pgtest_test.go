package pgtest

import (
	"context"
	"os"
	"syscall"
	"testing"

	"github.com/jackc/pgx/v5"
)

func TestMain(m *testing.M) { os.Exit(Main(m)) }

// TestDSN checks that each test gets a database of its own, that it is
// empty and writable, that the server listens on 127.0.0.1 only, and that
// it does not run as root.
func TestDSN(t *testing.T) {
	ctx := context.Background()
	a, b := DSN(t), DSN(t)
	if a == b {
		t.Fatalf("two calls returned the same database %s", a)
	}
	connA, err := pgx.Connect(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	defer connA.Close(ctx)
	connB, err := pgx.Connect(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	defer connB.Close(ctx)

	var tables int
	if err := connA.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE schemaname = 'public'`).Scan(&tables); err != nil || tables != 0 {
		t.Fatalf("a new database has %d tables (%v), want none", tables, err)
	}
	if _, err := connA.Exec(ctx, `CREATE TABLE only_in_a (x INTEGER); INSERT INTO only_in_a VALUES (1)`); err != nil {
		t.Fatal(err)
	}
	if err := connB.QueryRow(ctx, `SELECT count(*) FROM pg_tables WHERE tablename = 'only_in_a'`).Scan(&tables); err != nil || tables != 0 {
		t.Errorf("a table made in one test's database is seen in another's (%d, %v)", tables, err)
	}

	var listen, fsync string
	if err := connA.QueryRow(ctx, `SELECT current_setting('listen_addresses'), current_setting('fsync')`).Scan(&listen, &fsync); err != nil {
		t.Fatal(err)
	}
	if listen != "127.0.0.1" || fsync != "off" {
		t.Errorf("listen_addresses = %q, fsync = %q; want 127.0.0.1 and off", listen, fsync)
	}
	if os.Geteuid() == 0 {
		st, err := os.Stat(running.dir + "/data")
		if err != nil {
			t.Fatal(err)
		}
		if st.Sys().(*syscall.Stat_t).Uid == 0 {
			t.Errorf("the cluster belongs to root; PostgreSQL must run as another user")
		}
	}
}
