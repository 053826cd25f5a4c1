// Package pgtest runs a throwaway PostgreSQL server for tests, the way
// package storetest opens throwaway SQLite files: a real server, started
// from the binaries of the machine's PostgreSQL package, never a fake.
//
// The first call to DSN in a test binary creates a cluster with initdb in a
// new temporary directory and starts postgres on a free port of 127.0.0.1,
// with its unix socket in that directory and trust authentication, so no
// password is involved. Every call then creates a new, empty database for
// its test and drops it when the test ends, so tests never see each
// other's tables. fsync is off, since the data is thrown away anyway,
// unless DurableVar is set.
//
// A package whose tests call DSN must run them through Main from its
// TestMain, which stops the server and removes its directory once every
// test has run:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// DSN fails the test when Main is not in use, rather than leave a server
// behind. Should the test binary die without returning from Main (a
// timeout's panic, a signal), the kernel sends the server SIGQUIT as its
// parent goes, so no server outlives the tests; only the temporary
// directory is left.
//
// PostgreSQL refuses to run as root. When the tests run as root, as they do
// in CI, initdb and postgres run as the user postgres, which Debian's
// package creates, or as nobody when there is no such user; the temporary
// directory is handed to that user.
//
// When initdb cannot be found on PATH or under /usr/lib/postgresql/*/bin,
// DSN fails the test when the CI environment variable is set and skips it
// otherwise; `make postgres` installs Debian's postgresql package.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// superuser is the name initdb gives the cluster's superuser, whichever
// system user runs it.
const superuser = "postgres"

var (
	// mainRunning is set while Main runs the tests.
	mainRunning atomic.Bool

	startOnce sync.Once
	running   *server
	startErr  error

	// databases numbers the databases made for tests.
	databases atomic.Int64
)

// errNotInstalled reports that no PostgreSQL binaries were found.
var errNotInstalled = errors.New("PostgreSQL is not installed (no initdb on PATH or under /usr/lib/postgresql/*/bin); run make postgres to install Debian's postgresql package")

// SelectVar is the environment variable that turns the store's tests, and
// the tests of every package that opens a store through package storetest
// or starts the wizard in e2e, to PostgreSQL: with SelectVar=postgres they
// run on a database of the test server instead of an SQLite file. make
// test runs those packages once each way.
const SelectVar = "WIZARD_TEST_STORE"

// DurableVar is the environment variable that, set to anything, keeps the
// test server's commits durable (fsync on, synchronous_commit on), as a
// production server's are. Tests leave it unset and run faster; benchmarks
// that compare save times with SQLite's synchronous=FULL set it.
const DurableVar = "PGTEST_DURABLE"

// Selected reports whether the tests are to run on PostgreSQL.
func Selected() bool { return os.Getenv(SelectVar) == "postgres" }

// Main runs the tests of m and then stops the server, if a test started
// one. It returns the exit code for os.Exit.
func Main(m *testing.M) int {
	mainRunning.Store(true)
	code := m.Run()
	mainRunning.Store(false)
	if running != nil {
		if err := running.stop(); err != nil {
			fmt.Fprintf(os.Stderr, "pgtest: %v\n", err)
			if code == 0 {
				code = 1
			}
		}
	}
	return code
}

// DSN returns the connection string of a new, empty database on the test
// server, starting the server on first use. The database is dropped when tb
// ends.
func DSN(tb testing.TB) string {
	tb.Helper()
	if !mainRunning.Load() {
		tb.Fatal("pgtest: the package's TestMain must run its tests through pgtest.Main, which stops the server afterwards")
	}
	startOnce.Do(func() { running, startErr = start() })
	if errors.Is(startErr, errNotInstalled) {
		if os.Getenv("CI") != "" {
			tb.Fatal(startErr)
		}
		tb.Skip(startErr)
	}
	if startErr != nil {
		tb.Fatalf("pgtest: starting PostgreSQL: %v", startErr)
	}

	name := fmt.Sprintf("test_%d", databases.Add(1))
	ctx := context.Background()
	if err := running.exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	tb.Cleanup(func() {
		// FORCE ends connections a test left open.
		if err := running.exec(context.Background(), "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: %v", err)
		}
	})
	return running.dsn(name)
}

// server is a running postgres and the directory that holds its cluster.
type server struct {
	dir  string // removed when the server stops
	port int
	cmd  *exec.Cmd
	done chan struct{} // closed when postgres has exited
	err  error         // how postgres exited, once done is closed
	logs string        // the server's log file
}

func (s *server) dsn(database string) string {
	return fmt.Sprintf("postgres://%s@127.0.0.1:%d/%s?sslmode=disable", superuser, s.port, database)
}

// exec runs one statement in the postgres database.
func (s *server) exec(ctx context.Context, sql string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.dsn("postgres"))
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		return fmt.Errorf("%s: %w", sql, err)
	}
	return nil
}

// start creates a cluster and starts postgres on it.
func start() (*server, error) {
	bin, err := findBinaries()
	if err != nil {
		return nil, err
	}
	cred, err := credential()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp("", "pgtest-")
	if err != nil {
		return nil, err
	}
	s := &server{dir: dir, logs: filepath.Join(dir, "postgres.log")}
	if cred != nil {
		if err := os.Chown(dir, int(cred.Uid), int(cred.Gid)); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
	}
	data := filepath.Join(dir, "data")
	initdb := command(cred, dir, filepath.Join(bin, "initdb"), "--pgdata="+data, "--username="+superuser,
		"--auth=trust", "--encoding=UTF8", "--locale=C", "--no-sync")
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}

	// The free port is found by listening on it and letting it go, so
	// another process may take it first: try again on a new one.
	for attempt := 0; ; attempt++ {
		if s.port, err = freePort(); err != nil {
			break
		}
		if err = s.run(cred, filepath.Join(bin, "postgres"), data); err == nil {
			return s, nil
		}
		if attempt == 2 {
			break
		}
	}
	os.RemoveAll(dir)
	return nil, err
}

// run starts postgres and waits until it accepts connections.
func (s *server) run(cred *syscall.Credential, postgres, data string) error {
	logFile, err := os.OpenFile(s.logs, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
	if err != nil {
		return err
	}
	defer logFile.Close()
	args := []string{"-D", data,
		"-c", "listen_addresses=127.0.0.1",
		"-c", "port=" + strconv.Itoa(s.port),
		"-c", "unix_socket_directories=" + s.dir,
		"-c", "max_connections=200"}
	if os.Getenv(DurableVar) == "" {
		args = append(args, "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off")
	}
	s.cmd = command(cred, s.dir, postgres, args...)
	s.cmd.Stdout, s.cmd.Stderr = logFile, logFile
	// SIGQUIT, postgres's immediate shutdown, should the test binary die
	// without stopping it. The signal is set in the child after it has
	// taken its user, so the change of user does not clear it.
	s.cmd.SysProcAttr.Pdeathsig = syscall.SIGQUIT
	if err := s.cmd.Start(); err != nil {
		return err
	}
	s.done = make(chan struct{})
	go func() { s.err = s.cmd.Wait(); close(s.done) }()

	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		conn, err := pgx.Connect(ctx, s.dsn("postgres"))
		if err == nil {
			conn.Close(ctx)
			cancel()
			return nil
		}
		cancel()
		select {
		case <-s.done:
			return fmt.Errorf("postgres exited: %v\n%s", s.err, s.tail())
		case <-time.After(50 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			s.cmd.Process.Kill()
			<-s.done
			return fmt.Errorf("postgres did not accept connections within a minute: %v\n%s", err, s.tail())
		}
	}
}

// stop shuts postgres down (a fast shutdown: sessions are ended) and
// removes the cluster.
func (s *server) stop() error {
	s.cmd.Process.Signal(syscall.SIGINT)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		s.cmd.Process.Kill()
		<-s.done
	}
	return os.RemoveAll(s.dir)
}

// tail returns the end of the server's log, for error messages.
func (s *server) tail() string {
	b, _ := os.ReadFile(s.logs)
	if len(b) > 4000 {
		b = b[len(b)-4000:]
	}
	return string(b)
}

// command prepares a PostgreSQL program run as cred's user (the current
// user when cred is nil), in dir, so that it does not start in a directory
// that user cannot read.
func command(cred *syscall.Credential, dir, name string, args ...string) *exec.Cmd {
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "LC_ALL=C", "PGTZ=UTC")
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if cred != nil {
		u, err := user.LookupId(strconv.Itoa(int(cred.Uid)))
		home := dir
		if err == nil && u.HomeDir != "" {
			home = u.HomeDir
		}
		cmd.Env = append(cmd.Env, "HOME="+home, "USER="+superuser)
	}
	return cmd
}

// credential returns whom to run PostgreSQL as: nil, the current user,
// unless that is root, which PostgreSQL refuses.
func credential() (*syscall.Credential, error) {
	if os.Geteuid() != 0 {
		return nil, nil
	}
	for _, name := range []string{"postgres", "nobody"} {
		u, err := user.Lookup(name)
		if err != nil {
			continue
		}
		uid, err1 := strconv.ParseUint(u.Uid, 10, 32)
		gid, err2 := strconv.ParseUint(u.Gid, 10, 32)
		if err1 != nil || err2 != nil || uid == 0 {
			continue
		}
		return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}, nil
	}
	return nil, errors.New("the tests run as root, which PostgreSQL refuses, and there is neither a postgres nor a nobody user to run it as")
}

// findBinaries returns the folder of initdb and postgres: that of initdb on
// PATH (following a link to the real folder, where postgres of the same
// version is), or else the newest /usr/lib/postgresql/N/bin.
func findBinaries() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			p = real
		}
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	dirs = slices.DeleteFunc(dirs, func(d string) bool {
		_, err := os.Stat(filepath.Join(d, "initdb"))
		return err != nil
	})
	if len(dirs) == 0 {
		return "", errNotInstalled
	}
	version := func(d string) int {
		n, _ := strconv.Atoi(strings.Split(filepath.Base(filepath.Dir(d)), ".")[0])
		return n
	}
	slices.SortFunc(dirs, func(a, b string) int { return version(a) - version(b) })
	return dirs[len(dirs)-1], nil
}

// freePort returns a TCP port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
