package e2e

import (
	"bufio"
	"context"
	"database/sql"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
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

// crashServer is a wizard process the test kills with SIGKILL.
type crashServer struct {
	cmd    *exec.Cmd
	base   string
	stderr *lockedBuffer // the server's log
}

func startCrashServer(t *testing.T, data string) (*crashServer, string, time.Duration) {
	t.Helper()
	began := time.Now()
	cmd := exec.Command(wizardBin, "-addr", "127.0.0.1:0", "-data", data)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	s := &crashServer{cmd: cmd, stderr: new(lockedBuffer)}
	cmd.Stderr = s.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
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

// crashTally is what the clients of one crash test had acknowledged: a
// 303 after the POST. A save the server made but whose answer the kill cut
// off is not acknowledged; it may or may not be there, and either is right.
type crashTally struct {
	mu       sync.Mutex
	next     int      // the last server number handed out
	servers  []string // acknowledged server names
	answer   int      // the highest acknowledged number of Outlook users; 0 for none
	answers  int      // acknowledged answer saves
	signoffs int      // acknowledged sign-offs
	refused  []string // answers neither 303 nor a cut connection, at most a few
}

func (c *crashTally) number() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.next++
	return c.next
}

// refuse notes an answer that is neither an acknowledgement nor a
// connection the kill cut: a 5xx, or a form refused, is a defect.
func (c *crashTally) refuse(what string, r reply) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.refused) < 5 {
		c.refused = append(c.refused, fmt.Sprintf("%s: %d %s", what, r.status, shorten(r.body, 300)))
	}
}

// TestCrashLosesNoAcknowledgedSave kills a real wizard process with
// SIGKILL at random moments while members save over HTTP: two add servers
// to one project, one saves an answer in another, and an approver signs
// off a third. After every kill the database passes PRAGMA
// integrity_check and every save the server acknowledged (a 303 after the
// POST) is in it; then the server starts again on the same data.
func TestCrashLosesNoAcknowledgedSave(t *testing.T) {
	if wizardBin == "" {
		t.Fatalf("the wizard binary was not built:\n%v", buildErr)
	}
	rounds := crashRounds(t)
	data := t.TempDir()
	srv, setup, _ := startCrashServer(t, data)
	defer func() { srv.kill() }()
	tm := setUpTeam(t, srv.base, setup)
	answersID, signoffID := projectID(tm.answers), projectID(tm.signoff)

	var tally crashTally
	var restarts []time.Duration
	integrity, lost := 0, 0
	for round := 0; round < rounds; round++ {
		tm.moveTo(srv.base)
		stop := make(chan struct{})
		stopped := func() bool {
			select {
			case <-stop:
				return true
			default:
				return false
			}
		}
		var wg sync.WaitGroup
		worker := func(save func() bool) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for !stopped() && save() {
				}
			}()
		}
		addServer := func() bool {
			name, r, err := tm.ann.addServer(tm.servers, tally.number())
			switch {
			case err != nil:
				return false
			case r.status == http.StatusSeeOther:
				tally.mu.Lock()
				tally.servers = append(tally.servers, name)
				tally.mu.Unlock()
			default:
				tally.refuse("add server "+name, r)
			}
			return true
		}
		worker(addServer)
		worker(addServer)
		worker(func() bool {
			value := 1000 + tally.number()
			r, err := tm.ann.saveAnswer(tm.answers, answerStep, answerQuestion, strconv.Itoa(value))
			switch {
			case err != nil:
				return false
			case r.status == http.StatusSeeOther:
				tally.mu.Lock()
				tally.answers++
				tally.answer = max(tally.answer, value)
				tally.mu.Unlock()
			default:
				tally.refuse("save answer", r)
			}
			return true
		})
		worker(func() bool {
			r, err := tm.bob.signOff(tm.signoff)
			switch {
			case err != nil:
				return false
			case r.status == http.StatusSeeOther:
				tally.mu.Lock()
				tally.signoffs++
				tally.mu.Unlock()
			default:
				tally.refuse("sign off", r)
			}
			return true
		})
		time.Sleep(time.Duration(50+rand.IntN(550)) * time.Millisecond)
		srv.kill()
		close(stop)
		wg.Wait()

		db := filepath.Join(data, "wizard.db")
		if msg := integrityCheck(db); msg != "ok" {
			integrity++
			t.Errorf("round %d: integrity_check: %s", round, msg)
		}
		missing, err := missingSaves(db, &tally, projectID(tm.servers), answersID, signoffID)
		if err != nil {
			t.Fatalf("round %d: reading the database: %v", round, err)
		}
		for i, m := range missing {
			if lost+i < 5 {
				t.Errorf("round %d: %s", round, m)
			}
		}
		lost += len(missing)
		var took time.Duration
		srv, _, took = startCrashServer(t, data)
		restarts = append(restarts, took)
	}

	// The restarted server serves what was saved.
	tm.moveTo(srv.base)
	_, page, err := tm.ann.page(tm.servers + "/servers")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range tally.servers {
		if !strings.Contains(page, name) {
			t.Errorf("the servers page after the last restart lacks the acknowledged server %s", name)
			break
		}
	}
	for _, r := range tally.refused {
		t.Errorf("a save was refused, not acknowledged nor cut off: %s", r)
	}
	slices.Sort(restarts)
	t.Logf("crash test: %d rounds; acknowledged %d server saves, %d answer saves, %d sign-offs; %d lost, %d integrity failures; restart to serving: median %v, slowest %v",
		rounds, len(tally.servers), tally.answers, tally.signoffs, lost, integrity,
		restarts[len(restarts)/2].Round(time.Millisecond), restarts[len(restarts)-1].Round(time.Millisecond))
	if len(tally.servers) == 0 || tally.answers == 0 {
		t.Error("no server or no answer save was acknowledged in any round; the test proved nothing")
	}
	if tally.signoffs == 0 && rounds >= 5 {
		t.Error("no sign-off was acknowledged in any round; the test proved nothing about them")
	}
}

// missingSaves reads the database a killed server left and describes every
// acknowledged save that is not in it: a server by name, the answer (its
// value may be a later one the kill cut the acknowledgement of, never an
// earlier one), and the number of sign-offs.
func missingSaves(path string, c *crashTally, serversID, answersID, signoffID int64) ([]string, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		return nil, err
	}
	defer db.Close()
	ctx := context.Background()
	have := map[string]bool{}
	rows, err := db.QueryContext(ctx, `SELECT name FROM servers WHERE project_id = ?`, serversID)
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var name string
		if err := rows.Scan(&name); err != nil {
			rows.Close()
			return nil, err
		}
		have[name] = true
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var missing []string
	for _, name := range c.servers {
		if !have[name] {
			missing = append(missing, "the acknowledged save of server "+name+" is lost")
		}
	}
	if c.answer > 0 {
		var value string
		err := db.QueryRowContext(ctx, `SELECT value FROM answers WHERE project_id = ? AND step = ? AND question = ?`,
			answersID, answerStep, answerQuestion).Scan(&value)
		if err != nil {
			return nil, err
		}
		if n, _ := strconv.Atoi(value); n < c.answer {
			missing = append(missing, fmt.Sprintf("the answer is %s, older than the acknowledged %d", value, c.answer))
		}
	}
	var signoffs int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM signoffs WHERE project_id = ?`, signoffID).Scan(&signoffs); err != nil {
		return nil, err
	}
	if signoffs < c.signoffs {
		missing = append(missing, fmt.Sprintf("%d sign-offs stored, %d acknowledged", signoffs, c.signoffs))
	}
	return missing, nil
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
