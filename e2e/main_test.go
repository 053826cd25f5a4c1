// Package e2e drives the real wizard binary in headless Chromium.
//
// TestMain builds ./cmd/wizard once. Each test starts its own server with
// startWizard (fresh data directory, 127.0.0.1:0) and its own browser with
// newBrowser, so tests share no state and can run in any order.
package e2e

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/secex/wizard/store/pgtest"
)

// Time limits for the server under test. They are generous because CI runs
// on two cores while other packages' tests run in parallel.
const (
	startTimeout = 30 * time.Second // until "listening on" and a healthy /healthz
	stopTimeout  = 20 * time.Second // from SIGTERM until the process exits
)

var (
	// wizardBin is the binary TestMain built, or "" when the build failed.
	wizardBin string
	// buildErr holds the output of a failed build, reported by every test
	// that needs the binary (tests that do not still run).
	buildErr error
)

// TestMain builds the binary and runs the tests through pgtest.Main,
// which stops the test PostgreSQL if a test started one.
func TestMain(m *testing.M) {
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "wizard-e2e-")
	if err != nil {
		fmt.Fprintln(os.Stderr, "e2e:", err)
		return 1
	}
	defer os.RemoveAll(dir)

	bin := filepath.Join(dir, "wizard")
	// The test runs in e2e/, so the module root is its parent. go test puts
	// its own GOROOT/bin first in PATH, so "go" is the toolchain running us.
	build := exec.Command("go", "build", "-o", bin, "./cmd/wizard")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		buildErr = fmt.Errorf("go build ./cmd/wizard: %v\n%s", err, out)
	} else {
		wizardBin = bin
	}
	return pgtest.Main(m)
}

var (
	listeningRE = regexp.MustCompile(`^listening on (https?://\S+)$`)
	setupURLRE  = regexp.MustCompile(`https?://\S+/setup\?token=\S+`)
)

// wizard is one running wizard server, owned by one test.
type wizard struct {
	// BaseURL is the server's root, such as http://127.0.0.1:41234, without
	// a trailing slash. It changes on Restart.
	BaseURL string
	// DataDir is the server's data directory; it survives Restart.
	DataDir string
	// Database is the PostgreSQL URL the server was started with
	// (-database), or "" when its database is wizard.db in DataDir.
	Database string

	tb       testing.TB
	args     []string // extra serve flags
	setupURL string
	cmd      *exec.Cmd
	exited   chan struct{} // closed when cmd.Wait returns
	waitErr  error         // cmd.Wait's result, valid after exited closes
	stdout   *lockedBuffer
	stderr   *lockedBuffer
}

// startWizard starts the binary on 127.0.0.1:0 with a fresh data directory
// and waits until it serves /healthz. The server is stopped with SIGTERM
// when the test ends; if the test failed, its stdout and stderr are logged.
// args are extra serve flags. When pgtest.Selected, and args name no
// -database, the server gets a new database on the test PostgreSQL.
func startWizard(t testing.TB, args ...string) *wizard {
	t.Helper()
	if wizardBin == "" {
		t.Fatalf("the wizard binary was not built:\n%v", buildErr)
	}
	w := &wizard{DataDir: t.TempDir(), tb: t, args: args}
	if i := slices.Index(args, "-database"); i >= 0 && i+1 < len(args) {
		w.Database = args[i+1]
	} else if pgtest.Selected() {
		w.Database = pgtest.DSN(t)
		w.args = append([]string{"-database", w.Database}, args...)
	}
	t.Cleanup(func() {
		w.stop(t)
		if t.Failed() {
			w.dump(t)
		}
	})
	w.start(t)
	return w
}

// SetupURL returns the one-time setup link the server printed on start. It
// fails the test if none was printed (the data directory already has an
// account, or the server broke its contract).
func (w *wizard) SetupURL() string {
	w.tb.Helper()
	if w.setupURL == "" {
		w.tb.Fatalf("the wizard printed no setup link; stdout:\n%s", w.stdout)
	}
	return w.setupURL
}

// URL returns BaseURL joined with path, which must start with "/".
func (w *wizard) URL(path string) string {
	return w.BaseURL + path
}

// Restart stops the server gracefully and starts it again on the same data
// directory. The port usually changes, so read BaseURL again afterwards.
func (w *wizard) Restart(t testing.TB) {
	t.Helper()
	w.stop(t)
	w.start(t)
}

func (w *wizard) start(t testing.TB) {
	t.Helper()
	w.setupURL, w.BaseURL = "", ""
	if w.stdout == nil {
		w.stdout, w.stderr = new(lockedBuffer), new(lockedBuffer)
	} else {
		// Keep the earlier runs' output for the failure log.
		fmt.Fprintln(w.stdout, "--- restart ---")
		fmt.Fprintln(w.stderr, "--- restart ---")
	}

	// The setup link comes before the "listening on" line, so it is set
	// before that line is sent on the channel; nothing writes it after.
	listening := make(chan string, 1)
	var seen bool
	lines := &lineWriter{buf: w.stdout, line: func(s string) {
		if seen {
			return
		}
		if m := listeningRE.FindStringSubmatch(s); m != nil {
			seen = true
			listening <- strings.TrimSuffix(m[1], "/")
			return
		}
		if u := setupURLRE.FindString(s); u != "" {
			w.setupURL = u
		}
	}}

	w.cmd = exec.Command(wizardBin, append([]string{"-addr", "127.0.0.1:0", "-data", w.DataDir}, w.args...)...)
	w.cmd.Stdout = lines
	w.cmd.Stderr = w.stderr
	// A child that leaves a process holding our pipes open must not hang
	// the test in Wait.
	w.cmd.WaitDelay = 5 * time.Second
	if err := w.cmd.Start(); err != nil {
		t.Fatalf("starting the wizard: %v", err)
	}
	exited := make(chan struct{})
	w.exited = exited
	go func(cmd *exec.Cmd) {
		w.waitErr = cmd.Wait()
		close(exited)
	}(w.cmd)

	timeout := time.After(startTimeout)
	select {
	case base := <-listening:
		w.BaseURL = base
	case <-exited:
		w.cmd = nil
		t.Fatalf("the wizard exited before it was listening: %v", w.waitErr)
	case <-timeout:
		t.Fatalf("the wizard printed no %q line within %v", "listening on", startTimeout)
	}

	client := &http.Client{Timeout: 2 * time.Second}
	for {
		status, body, err := get(client, w.BaseURL+"/healthz")
		if err == nil && status == http.StatusOK && strings.TrimSpace(body) == "ok" {
			return
		}
		select {
		case <-exited:
			w.cmd = nil
			t.Fatalf("the wizard exited while waiting for /healthz: %v", w.waitErr)
		case <-timeout:
			t.Fatalf("GET /healthz not 200 ok within %v: status %d, body %q, err %v", startTimeout, status, body, err)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

// stop sends SIGTERM and waits for the process. The contract is a graceful
// shutdown, so a non-zero exit or a process that needs SIGKILL fails the test.
func (w *wizard) stop(t testing.TB) {
	t.Helper()
	if w.cmd == nil || w.cmd.Process == nil {
		return
	}
	defer func() { w.cmd = nil }()
	select {
	case <-w.exited:
		t.Errorf("the wizard had already exited: %v", w.waitErr)
		return
	default:
	}
	if err := w.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("sending SIGTERM to the wizard: %v", err)
	}
	select {
	case <-w.exited:
		if w.waitErr != nil {
			t.Errorf("the wizard did not exit cleanly after SIGTERM: %v", w.waitErr)
		}
	case <-time.After(stopTimeout):
		w.cmd.Process.Kill()
		<-w.exited
		t.Errorf("the wizard did not exit within %v of SIGTERM; killed it", stopTimeout)
	}
}

// dump logs what the server printed (every run, after a Restart), for a
// failing test.
func (w *wizard) dump(t testing.TB) {
	t.Helper()
	t.Logf("wizard stdout:\n%s", w.stdout)
	t.Logf("wizard stderr:\n%s", w.stderr)
}

func get(c *http.Client, url string) (status int, body string, err error) {
	resp, err := c.Get(url)
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	return resp.StatusCode, string(b), err
}

// lockedBuffer is a bytes.Buffer that the process's output goroutines and
// the test can use at the same time.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	if b == nil {
		return ""
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// lineWriter copies everything to buf and calls line for each complete
// line, without its line ending. os/exec calls Write from one goroutine.
type lineWriter struct {
	buf     io.Writer
	line    func(string)
	partial []byte
}

func (lw *lineWriter) Write(p []byte) (int, error) {
	if _, err := lw.buf.Write(p); err != nil {
		return 0, err
	}
	lw.partial = append(lw.partial, p...)
	for {
		i := bytes.IndexByte(lw.partial, '\n')
		if i < 0 {
			break
		}
		lw.line(strings.TrimRight(string(lw.partial[:i]), "\r"))
		lw.partial = lw.partial[i+1:]
	}
	return len(p), nil
}
