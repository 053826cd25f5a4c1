package e2e

// Many members saving at once against the real binary, and a backup taken
// while they do.

import (
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// concurrentWriters is how many members save at the same moment in
// TestConcurrentWritersAllSaved: half add servers to one project, half
// save an answer each in a project of their own.
const (
	concurrentWriters = 50
	writesPerWriter   = 4
)

// writeLog is what a set of writers had acknowledged, and every answer
// that was not an acknowledgement.
type writeLog struct {
	mu       sync.Mutex
	servers  []string        // acknowledged server names
	answers  map[string]int  // project address → the last acknowledged number of users
	failures []string        // anything but a 303, or a failed request
	latency  []time.Duration // of each POST
	statuses map[int]int     // every POST's status, counted
}

func newWriteLog() *writeLog {
	return &writeLog{answers: map[string]int{}, statuses: map[int]int{}}
}

func (l *writeLog) record(what string, r reply, err error, took time.Duration) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.latency = append(l.latency, took)
	l.statuses[r.status]++
	if err == nil && r.status == http.StatusSeeOther {
		return true
	}
	if len(l.failures) < 10 {
		l.failures = append(l.failures, fmt.Sprintf("%s: %d %v %s", what, r.status, err, shorten(r.body, 300)))
	}
	return false
}

// snapshot copies what was acknowledged so far.
func (l *writeLog) snapshot() ([]string, map[string]int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	answers := make(map[string]int, len(l.answers))
	for k, v := range l.answers {
		answers[k] = v
	}
	return slices.Clone(l.servers), answers
}

// sessionCopy is another member signed in with m's session, with its own
// connections, as another tab of the same browser would be.
func (m *member) sessionCopy() *member {
	c := newMember(m.url(""))
	u, _ := url.Parse(m.url("/"))
	c.hc.Jar.SetCookies(u, m.hc.Jar.Cookies(u))
	c.hc.Transport = &http.Transport{MaxIdleConnsPerHost: 2}
	return c
}

// checkStored opens the database at path read-only and returns every
// acknowledged save of servers and answers it lacks.
func checkStored(path string, serversID int64, servers []string, answers map[string]int) ([]string, error) {
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
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
	var missing []string
	for _, name := range servers {
		if !have[name] {
			missing = append(missing, "server "+name)
		}
	}
	for project, want := range answers {
		var value string
		err := db.QueryRowContext(ctx, `SELECT value FROM answers WHERE project_id = ? AND step = ? AND question = ?`,
			projectID(project), answerStep, answerQuestion).Scan(&value)
		if err != nil {
			return nil, fmt.Errorf("the answer in %s: %w", project, err)
		}
		if n, _ := strconv.Atoi(value); n < want {
			missing = append(missing, fmt.Sprintf("the answer in %s is %s, older than the acknowledged %d", project, value, want))
		}
	}
	return missing, nil
}

// serverLogProblems returns the lines of a server's log that show a
// request failed or the database was busy.
func serverLogProblems(log string) []string {
	var bad []string
	for _, line := range strings.Split(log, "\n") {
		if strings.Contains(line, "SQLITE_BUSY") || strings.Contains(line, "database is locked") ||
			strings.Contains(line, "request failed") || strings.Contains(line, "level=ERROR") {
			bad = append(bad, line)
		}
	}
	return bad
}

func percentile(ds []time.Duration, p float64) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	if len(s) == 0 {
		return 0
	}
	return s[min(len(s)-1, int(float64(len(s))*p))].Round(time.Millisecond)
}

// TestConcurrentWritersAllSaved has 50 members save at the same moment
// over real HTTP against the real binary: 25 add servers to one project,
// 25 each save an answer in a project of their own, four times over. No
// write is refused, none gets a 5xx, the database is never reported busy,
// and every acknowledged write is stored.
func TestConcurrentWritersAllSaved(t *testing.T) {
	if wizardBin == "" {
		t.Fatalf("the wizard binary was not built:\n%v", buildErr)
	}
	data := t.TempDir()
	srv, setup, _ := startCrashServer(t, data)
	defer func() { srv.kill() }()
	tm := setUpTeam(t, srv.base, setup)

	serverWriters := concurrentWriters / 2
	answerWriters := concurrentWriters - serverWriters
	projects := []string{tm.answers}
	for len(projects) < answerWriters {
		projects = append(projects, tm.ann.importProject(t, exampleProject))
	}

	log := newWriteLog()
	begin := make(chan struct{})
	var wg sync.WaitGroup
	for w := 0; w < serverWriters; w++ {
		m := tm.ann.sessionCopy()
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-begin
			for i := 0; i < writesPerWriter; i++ {
				start := time.Now()
				name, r, err := m.addServer(tm.servers, 1+w*writesPerWriter+i)
				if log.record("add server "+name, r, err, time.Since(start)) {
					log.mu.Lock()
					log.servers = append(log.servers, name)
					log.mu.Unlock()
				}
			}
		}()
	}
	for w := 0; w < answerWriters; w++ {
		m := tm.ann.sessionCopy()
		project := projects[w]
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-begin
			for i := 0; i < writesPerWriter; i++ {
				value := 10000*(w+1) + i
				start := time.Now()
				r, err := m.saveAnswer(project, answerStep, answerQuestion, strconv.Itoa(value))
				if log.record("save answer in "+project, r, err, time.Since(start)) {
					log.mu.Lock()
					log.answers[project] = value
					log.mu.Unlock()
				}
			}
		}()
	}
	start := time.Now()
	close(begin)
	wg.Wait()
	took := time.Since(start)

	for _, f := range log.failures {
		t.Errorf("a write was not acknowledged: %s", f)
	}
	for _, line := range serverLogProblems(srv.stderr.String()) {
		t.Errorf("the server logged: %s", line)
	}
	servers, answers := log.snapshot()
	if want := serverWriters * writesPerWriter; len(servers) != want {
		t.Errorf("%d server saves acknowledged, want %d", len(servers), want)
	}
	if len(answers) != answerWriters {
		t.Errorf("answers acknowledged in %d projects, want %d", len(answers), answerWriters)
	}
	missing, err := checkStored(filepath.Join(data, "wizard.db"), projectID(tm.servers), servers, answers)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range missing {
		t.Errorf("acknowledged but not stored: %s", m)
	}
	// The last answer each member saw acknowledged is the one shown.
	for project, want := range answers {
		_, page, err := tm.ann.page(project + "/steps/" + answerStep + "/" + answerQuestion)
		if err != nil || !strings.Contains(page, `value="`+strconv.Itoa(want)+`"`) {
			t.Errorf("the question page of %s does not show the acknowledged answer %d (%v)", project, want, err)
			break
		}
	}
	t.Logf("%d concurrent writers, %d writes each: %d acknowledged, %d refused or failed, statuses %v; %v in all; POST and its form's GET: median %v, 95th percentile %v, slowest %v",
		concurrentWriters, writesPerWriter, log.statuses[http.StatusSeeOther], len(log.failures), log.statuses,
		took.Round(time.Millisecond), percentile(log.latency, 0.5), percentile(log.latency, 0.95), percentile(log.latency, 1))
}

// TestBackupUnderLoad takes a backup with wizard backup while members keep
// saving, restores it with wizard restore into a fresh data directory, and
// checks the restored copy: integrity_check ok, every write acknowledged
// before the backup began is in it, and the wizard serves it.
func TestBackupUnderLoad(t *testing.T) {
	if wizardBin == "" {
		t.Fatalf("the wizard binary was not built:\n%v", buildErr)
	}
	data := t.TempDir()
	srv, setup, _ := startCrashServer(t, data)
	defer func() { srv.kill() }()
	tm := setUpTeam(t, srv.base, setup)
	projects := []string{tm.answers, tm.ann.importProject(t, exampleProject), tm.ann.importProject(t, exampleProject)}

	log := newWriteLog()
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var counter sync.Mutex
	n := 0
	next := func() int {
		counter.Lock()
		defer counter.Unlock()
		n++
		return n
	}
	for w := 0; w < 4; w++ {
		m := tm.ann.sessionCopy()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				start := time.Now()
				name, r, err := m.addServer(tm.servers, next())
				if log.record("add server "+name, r, err, time.Since(start)) {
					log.mu.Lock()
					log.servers = append(log.servers, name)
					log.mu.Unlock()
				}
			}
		}()
	}
	for _, project := range projects {
		m := tm.ann.sessionCopy()
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				value := 1000 + next()
				start := time.Now()
				r, err := m.saveAnswer(project, answerStep, answerQuestion, strconv.Itoa(value))
				if log.record("save answer in "+project, r, err, time.Since(start)) {
					log.mu.Lock()
					log.answers[project] = max(log.answers[project], value)
					log.mu.Unlock()
				}
			}
		}()
	}

	// Let the load build up, then take the backup in the middle of it.
	time.Sleep(1500 * time.Millisecond)
	servers, answers := log.snapshot()
	backup := filepath.Join(t.TempDir(), "wizard-backup.db")
	began := time.Now()
	out, err := exec.Command(wizardBin, "backup", "-data", data, backup).CombinedOutput()
	backupTook := time.Since(began)
	if err != nil {
		close(stop)
		wg.Wait()
		t.Fatalf("wizard backup under load: %v\n%s", err, out)
	}
	time.Sleep(500 * time.Millisecond)
	close(stop)
	wg.Wait()
	after, _ := log.snapshot()
	for _, f := range log.failures {
		t.Errorf("a write during the backup was not acknowledged: %s", f)
	}
	for _, line := range serverLogProblems(srv.stderr.String()) {
		t.Errorf("the server logged: %s", line)
	}
	if len(after) <= len(servers) {
		t.Errorf("no server save was acknowledged during and after the backup (%d before, %d in all): it was not taken under load", len(servers), len(after))
	}
	srv.kill()

	restored := t.TempDir()
	if out, err := exec.Command(wizardBin, "restore", "-data", restored, backup).CombinedOutput(); err != nil {
		t.Fatalf("wizard restore: %v\n%s", err, out)
	}
	db := filepath.Join(restored, "wizard.db")
	for _, suffix := range []string{"-wal", "-shm", ".restoring"} {
		if _, err := os.Stat(db + suffix); err == nil {
			t.Errorf("the restore left %s behind", filepath.Base(db+suffix))
		}
	}
	if msg := integrityCheck(db); msg != "ok" {
		t.Errorf("integrity_check of the restored copy: %s", msg)
	}
	missing, err := checkStored(db, projectID(tm.servers), servers, answers)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range missing {
		t.Errorf("acknowledged before the backup began, missing from the restored copy: %s", m)
	}

	// The restored copy opens and serves: ann signs in again and sees the
	// servers saved before the backup.
	srv2, _, startTook := startCrashServer(t, restored)
	defer srv2.kill()
	ann := newMember(srv2.base)
	v, err := ann.formOf("/login")
	if err != nil {
		t.Fatal(err)
	}
	v.Set("username", "ann")
	v.Set("password", memberPass)
	ann.mustPost(t, "/login", v)
	_, page, err := ann.page(tm.servers + "/servers")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range servers {
		if !strings.Contains(page, name) {
			t.Errorf("the restored wizard's servers page lacks %s", name)
			break
		}
	}
	v, err = ann.formOf(tm.servers + "/servers")
	if err != nil {
		t.Fatal(err)
	}
	name, form := serverForm(900000)
	form.Set("csrf_token", v.Get("csrf_token"))
	ann.mustPost(t, tm.servers+"/servers", form)
	t.Logf("backup under load: %v to back up while %d writers saved; %d server saves and the answers of %d projects acknowledged before it began, %d of them missing from the restored copy; %d writes in all, %d refused; restored wizard serving in %v and saved %s",
		backupTook.Round(time.Millisecond), 4+len(projects), len(servers), len(answers), len(missing),
		len(log.latency), len(log.failures), startTook.Round(time.Millisecond), name)
}
