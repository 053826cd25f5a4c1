package e2e

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	_ "modernc.org/sqlite"
)

// crashRounds is how many times TestCrashLosesNoAcknowledgedSave kills the
// server: a few in make test, CRASH_ROUNDS=200 in make crashtest.
func crashRounds(t *testing.T) int {
	if v := os.Getenv("CRASH_ROUNDS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("CRASH_ROUNDS=%q is not a positive number", v)
		}
		return n
	}
	return 5
}

var csrfTokenRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// crashServer is a wizard process the test kills with SIGKILL.
type crashServer struct {
	cmd  *exec.Cmd
	base string
}

func startCrashServer(t *testing.T, data string) (*crashServer, string, time.Duration) {
	t.Helper()
	began := time.Now()
	cmd := exec.Command(wizardBin, "-addr", "127.0.0.1:0", "-data", data)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = io.Discard
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &crashServer{cmd: cmd}
	setup := ""
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		line := sc.Text()
		if u := setupURLRE.FindString(line); u != "" {
			setup = u
		}
		if m := listeningRE.FindStringSubmatch(line); m != nil {
			s.base = strings.TrimSuffix(m[1], "/")
			break
		}
	}
	go io.Copy(io.Discard, out)
	if s.base == "" {
		cmd.Process.Kill()
		cmd.Wait()
		t.Fatalf("the wizard printed no listening line")
	}
	c := &http.Client{Timeout: 2 * time.Second}
	for {
		if st, body, err := get(c, s.base+"/healthz"); err == nil && st == 200 && strings.TrimSpace(body) == "ok" {
			break
		}
		if time.Since(began) > startTimeout {
			t.Fatalf("no /healthz within %v", startTimeout)
		}
		time.Sleep(5 * time.Millisecond)
	}
	return s, setup, time.Since(began)
}

func (s *crashServer) kill() {
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
}

// crashClient is a signed-in member saving servers over HTTP.
type crashClient struct {
	hc   *http.Client
	base string
}

func (c *crashClient) form(path string) (string, error) {
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		return "", err
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	m := csrfTokenRE.FindStringSubmatch(string(b))
	if m == nil {
		return "", fmt.Errorf("no CSRF token on %s (%d)", path, resp.StatusCode)
	}
	return m[1], nil
}

// post sends a form; a redirect to the sign-in page is not an
// acknowledgement, so it is answered as 401.
func (c *crashClient) post(path string, v url.Values) (int, error) {
	req, _ := http.NewRequest(http.MethodPost, c.base+path, strings.NewReader(v.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", c.base)
	resp, err := c.hc.Do(req)
	if err != nil {
		return 0, err
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if strings.HasPrefix(resp.Header.Get("Location"), "/login") {
		return http.StatusUnauthorized, nil
	}
	return resp.StatusCode, nil
}

// TestCrashLosesNoAcknowledgedSave kills a real wizard process with
// SIGKILL at random moments while members add servers over HTTP. After
// every kill the database passes PRAGMA integrity_check and every save the
// server acknowledged (a 303 after the POST) is there when it restarts.
func TestCrashLosesNoAcknowledgedSave(t *testing.T) {
	if wizardBin == "" {
		t.Fatalf("the wizard binary was not built:\n%v", buildErr)
	}
	rounds := crashRounds(t)
	data := t.TempDir()
	srv, setup, _ := startCrashServer(t, data)
	defer func() { srv.kill() }()
	jar, _ := cookiejar.New(nil)
	c := &crashClient{hc: &http.Client{Jar: jar, Timeout: 5 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}, base: srv.base}
	u, _ := url.Parse(setup)
	tok, err := c.form(u.RequestURI())
	if err != nil {
		t.Fatal(err)
	}
	pw := "crash test pass phrase"
	if st, err := c.post("/setup", url.Values{"csrf_token": {tok}, "token": {u.Query().Get("token")}, "username": {"ann"}, "password": {pw}, "confirm": {pw}}); err != nil || st != http.StatusSeeOther {
		t.Fatalf("setup: %d %v", st, err)
	}
	tok, _ = c.form("/")
	if st, err := c.post("/projects", url.Values{"csrf_token": {tok}, "name": {"Crash"}}); err != nil || st != http.StatusSeeOther {
		t.Fatalf("create project: %d %v", st, err)
	}

	var acked []string
	var restarts []time.Duration
	integrity := 0
	n := 0
	for round := 0; round < rounds; round++ {
		c.base = srv.base
		var mu sync.Mutex
		stop := make(chan struct{})
		var wg sync.WaitGroup
		for w := 0; w < 2; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					select {
					case <-stop:
						return
					default:
					}
					tok, err := c.form("/p/1/servers")
					if err != nil {
						return
					}
					mu.Lock()
					n++
					name := fmt.Sprintf("S%05d", n)
					mu.Unlock()
					st, err := c.post("/p/1/servers", url.Values{"csrf_token": {tok}, "name": {name},
						"fqdn": {strings.ToLower(name) + ".corp.example.com"}, "addrs": {fmt.Sprintf("10.%d.%d.%d", 1+n/62500, (n/250)%250, 1+n%250)},
						"os": {"win2000"}, "roles": {"exchange-be"}})
					if err == nil && st == http.StatusSeeOther {
						mu.Lock()
						acked = append(acked, name)
						mu.Unlock()
					}
				}
			}()
		}
		time.Sleep(time.Duration(20+rand.IntN(300)) * time.Millisecond)
		srv.kill()
		close(stop)
		wg.Wait()

		if msg := integrityCheck(filepath.Join(data, "wizard.db")); msg != "ok" {
			integrity++
			t.Errorf("round %d: integrity_check: %s", round, msg)
		}
		var took time.Duration
		srv, _, took = startCrashServer(t, data)
		restarts = append(restarts, took)
	}
	c.base = srv.base
	resp, err := c.hc.Get(c.base + "/p/1/servers")
	if err != nil {
		t.Fatal(err)
	}
	page, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	lost := 0
	for _, name := range acked {
		if !strings.Contains(string(page), name) {
			lost++
			if lost <= 5 {
				t.Errorf("the acknowledged save of server %s is lost", name)
			}
		}
	}
	slices.Sort(restarts)
	t.Logf("crash test: %d rounds, %d saves acknowledged, %d lost, %d integrity failures; restart to serving: median %v, slowest %v",
		rounds, len(acked), lost, integrity, restarts[len(restarts)/2].Round(time.Millisecond), restarts[len(restarts)-1].Round(time.Millisecond))
	if len(acked) == 0 {
		t.Error("no save was acknowledged in any round; the test proved nothing")
	}
}

// integrityCheck runs PRAGMA integrity_check on the database file left by
// a killed server.
func integrityCheck(path string) string {
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		return err.Error()
	}
	defer db.Close()
	var msg string
	if err := db.QueryRowContext(context.Background(), "PRAGMA integrity_check").Scan(&msg); err != nil {
		return err.Error()
	}
	return msg
}
