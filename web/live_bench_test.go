package web

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/store/storetest"
)

// The team walkthrough under load: a team connected to one project's event
// stream while some of them save answers at a fixed rate. It measures what
// the members feel (how long a save takes, how long until everyone sees it)
// and what the server holds in memory.
//
//	go test ./web -run '^$' -bench LiveTeam -benchtime 1x
//
// Metrics: save-* is from the moment a save was due until its response
// arrived; event-* from the same moment until a member received its change
// event (so it includes the save); fanout-p99 from the server publishing an
// event until a member received it; peak-* is the memory of the whole test
// process, server and clients together.
//
// LIVE_BENCH_DURATION (a Go duration, default 60s) sets how long saves are
// sent. LIVE_BENCH_REFRESH=1 also makes every member read the task list
// again after changes, as the page script does (at most once a second).
const (
	benchMembers   = 25
	benchSavers    = 5
	benchRate      = 10 // saves a second, all savers together
	benchQuestions = 4  // questions each saver takes in turn
)

// benchStep has one number question per page, benchQuestions for each
// saver, so savers never edit the same answer and every save is a real
// change. A saver takes its questions in turn and names the version it
// expects, as the question form does: a save overtaken by the saver's
// next save to the same question, two seconds later, would be a conflict.
var benchStep = func() *steps.Step {
	st := &steps.Step{ID: "bench", Title: "Benchmark procedure", Section: "Test", Summary: "Load", Rationale: []string{"For benchmarks."}}
	for i := range benchSavers * benchQuestions {
		id := fmt.Sprintf("q%d", i)
		st.Pages = append(st.Pages, steps.Page{ID: id, Questions: []steps.Question{{ID: id, Label: "How many? " + id, Kind: steps.KindNumber, Min: 0, Max: 1 << 30}}})
	}
	return st
}()

func BenchmarkLiveTeam(b *testing.B) {
	duration := 60 * time.Second
	if v := os.Getenv("LIVE_BENCH_DURATION"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil {
			b.Fatalf("LIVE_BENCH_DURATION: %v", err)
		}
		duration = d
	}
	refresh := os.Getenv("LIVE_BENCH_REFRESH") == "1"
	for range b.N {
		runLiveTeam(b, duration, refresh)
	}
}

// benchMember is one member: a session cookie and its CSRF token.
type benchMember struct {
	user   store.User
	cookie string
	csrf   string
	got    []int           // change events received, by saver
	lat    []time.Duration // from the save being due to its event arriving
	fanout []time.Duration // from the event being published to it arriving
}

func runLiveTeam(b *testing.B, duration time.Duration, refresh bool) {
	ctx := context.Background()
	// LIVE_BENCH_REPLICAS=2 (with WIZARD_TEST_STORE=postgres) serves the
	// team from two servers on one PostgreSQL: member i's stream is on
	// server i%2, and each save goes to the other server than its saver's
	// stream, so most events cross from one replica to the other.
	replicas := 1
	if v := os.Getenv("LIVE_BENCH_REPLICAS"); v != "" {
		replicas, _ = strconv.Atoi(v)
	}
	database := storetest.Database(b)
	if replicas > 1 && !store.IsPostgres(database) {
		b.Fatal("LIVE_BENCH_REPLICAS needs WIZARD_TEST_STORE=postgres")
	}
	listenCtx, stopListening := context.WithCancel(ctx)
	defer stopListening()
	var st *store.Store
	var servers []*httptest.Server
	for range max(replicas, 1) {
		rst, err := store.Open(ctx, database)
		if err != nil {
			b.Fatal(err)
		}
		defer rst.Close()
		if st == nil {
			st = rst
		}
		srv := NewServer(Config{Product: "Bench", Version: "bench"}, rst, []*steps.Step{benchStep}, nil)
		if err := srv.ListenReplicas(listenCtx); err != nil {
			b.Fatal(err)
		}
		ts := httptest.NewServer(srv)
		defer ts.Close()
		defer srv.CloseStreams()
		servers = append(servers, ts)
	}

	// The team: the first member owns the project, the savers are
	// editors, everyone else a viewer. Sessions are made directly in the
	// store, as signing in would leave them.
	members := make([]*benchMember, benchMembers)
	var pid int64
	now := time.Now().UTC()
	for i := range members {
		u := storetest.MustUser(b, st, fmt.Sprintf("member%02d", i))
		switch {
		case i == 0:
			p, err := st.CreateProject(ctx, u.ID, "Load")
			if err != nil {
				b.Fatal(err)
			}
			pid = p.ID
			if err := st.SaveFacts(ctx, u.ID, pid, steps.Facts{ADDomain: "corp.example.com", PublicDomain: "example.com", OWAHost: "mail.example.com", OWAPath: "/exchange"}, 0); err != nil {
				b.Fatal(err)
			}
		case i < benchSavers:
			if err := st.SetMember(ctx, members[0].user.ID, pid, u.ID, store.RoleEditor); err != nil {
				b.Fatal(err)
			}
		default:
			if err := st.SetMember(ctx, members[0].user.ID, pid, u.ID, store.RoleViewer); err != nil {
				b.Fatal(err)
			}
		}
		token, csrf := randomToken(), randomToken()
		data, _ := json.Marshal(map[string]string{keyCSRF: csrf})
		if err := st.SaveSession(ctx, store.Session{TokenHash: hashToken(token), UserID: u.ID, Data: data,
			CreatedAt: now, LastSeen: now, Expires: now.Add(time.Hour)}); err != nil {
			b.Fatal(err)
		}
		members[i] = &benchMember{user: u, cookie: "wizard=" + token, csrf: csrf, got: make([]int, benchSavers)}
	}
	saverOf := map[int64]int{}
	for i := range benchSavers {
		saverOf[members[i].user.ID] = i
	}
	client := &http.Client{
		Transport:     &http.Transport{MaxIdleConnsPerHost: 2 * benchMembers},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	defer client.CloseIdleConnections()

	if la, err := os.ReadFile("/proc/loadavg"); err == nil {
		b.Logf("load average before the run: %s", strings.TrimSpace(string(la)))
	}
	var mem memPeak
	stopMem := mem.sample(100 * time.Millisecond)
	defer stopMem()

	// Save n is due at start + n/rate and is sent by saver n%savers; an
	// event is delivered late by how long after that moment it arrived.
	total := int(duration.Seconds() * benchRate)
	interval := time.Second / benchRate
	var started atomic.Pointer[time.Time]
	due := func(saver, k int) time.Time {
		return started.Load().Add(time.Duration(k*benchSavers+saver) * interval)
	}

	// Every member connects to the event stream.
	streamCtx, stopStreams := context.WithCancel(ctx)
	defer stopStreams()
	var mu sync.Mutex // guards members' got and lat
	var delivered atomic.Int64
	allIn := make(chan struct{})
	var readers, pageReads sync.WaitGroup
	var pageLat latencies
	var pageFails atomic.Int64
	connected := make(chan struct{}, benchMembers)
	for i, m := range members {
		ts := servers[i%len(servers)]
		req, _ := http.NewRequestWithContext(streamCtx, http.MethodGet, fmt.Sprintf("%s/p/%d/events?page=/p/%d", ts.URL, pid, pid), nil)
		req.Header.Set("Accept", "text/event-stream")
		req.Header.Set("Cookie", m.cookie)
		resp, err := client.Do(req)
		if err != nil || resp.StatusCode != http.StatusOK {
			b.Fatalf("stream of %s: %v %v", m.user.Name, err, resp)
		}
		readers.Add(1)
		go func() {
			defer readers.Done()
			defer resp.Body.Close()
			var read pageReader
			if refresh {
				read = pageReader{client: client, url: fmt.Sprintf("%s/p/%d", ts.URL, pid), cookie: m.cookie, lat: &pageLat, fails: &pageFails, wg: &pageReads}
			}
			sc := bufio.NewScanner(resp.Body)
			event := ""
			for sc.Scan() {
				line := sc.Text()
				switch {
				case strings.HasPrefix(line, "event: "):
					event = strings.TrimPrefix(line, "event: ")
					if event == "presence" {
						select {
						case connected <- struct{}{}:
						default:
						}
					}
				case strings.HasPrefix(line, "data: ") && event == "change":
					at := time.Now()
					var ev liveEvent
					if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &ev); err != nil {
						b.Errorf("change event %q: %v", line, err)
						continue
					}
					saver, ok := saverOf[ev.ByID]
					if !ok {
						b.Errorf("change by a member who does not save: %+v", ev)
						continue
					}
					mu.Lock()
					k := m.got[saver]
					m.got[saver]++
					m.lat = append(m.lat, at.Sub(due(saver, k)))
					m.fanout = append(m.fanout, at.Sub(ev.At))
					mu.Unlock()
					if delivered.Add(1) == int64(total*benchMembers) {
						close(allIn)
					}
					if refresh {
						read.changed()
					}
				case line == "":
					event = ""
				}
			}
		}()
	}
	for range benchMembers {
		select {
		case <-connected:
		case <-time.After(10 * time.Second):
			b.Fatal("not every member connected")
		}
	}

	// The savers, open loop: each save is sent when it is due, whether or
	// not the ones before it have been answered, so a slow server cannot
	// slow the rate down and hide its own delay.
	var saveLat latencies
	var saveFails atomic.Int64
	var saves sync.WaitGroup
	b.ResetTimer()
	start := time.Now()
	started.Store(&start)
	for n := range total {
		saver, k := n%benchSavers, n/benchSavers
		time.Sleep(time.Until(due(saver, k)))
		saves.Add(1)
		go func() {
			defer saves.Done()
			m := members[saver]
			q := fmt.Sprintf("q%d", saver*benchQuestions+k%benchQuestions)
			form := url.Values{"csrf_token": {m.csrf}, q: {strconv.Itoa(n + 1)}, "version." + q: {strconv.Itoa(k / benchQuestions)}}
			ts := servers[(saver+1)%len(servers)]
			req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("%s/p/%d/steps/bench/%s", ts.URL, pid, q), strings.NewReader(form.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Sec-Fetch-Site", "same-origin")
			req.Header.Set("Cookie", m.cookie)
			resp, err := client.Do(req)
			if err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			saveLat.add(time.Since(due(saver, k)))
			if err != nil || resp.StatusCode != http.StatusSeeOther {
				saveFails.Add(1)
				if err == nil {
					err = fmt.Errorf("status %d", resp.StatusCode)
				}
				b.Errorf("save %d by %s: %v", n, m.user.Name, err)
			}
		}()
	}
	// The rate achieved: the last save was sent one interval before the
	// next would have been due.
	rate := float64(total) / (time.Since(start) + interval).Seconds()
	saves.Wait()
	select {
	case <-allIn:
	case <-time.After(10 * time.Second):
	}
	b.StopTimer()
	stopStreams()
	readers.Wait()
	pageReads.Wait()
	stopMem()

	// Every member received every save, exactly once.
	var eventLat, fanoutLat latencies
	for _, m := range members {
		for saver, n := range m.got {
			if n != total/benchSavers+boolInt(saver < total%benchSavers) {
				b.Errorf("%s received %d changes by saver %d, want %d", m.user.Name, n, saver, total/benchSavers)
			}
		}
		for _, d := range m.lat {
			eventLat.add(d)
		}
		for _, d := range m.fanout {
			fanoutLat.add(d)
		}
	}
	if f := saveFails.Load(); f > 0 {
		b.Errorf("%d of %d saves failed", f, total)
	}

	b.ReportMetric(float64(total), "saves")
	b.ReportMetric(rate, "saves/s")
	b.ReportMetric(float64(delivered.Load()), "events")
	b.ReportMetric(ms(saveLat.pct(50)), "save-p50-ms")
	b.ReportMetric(ms(saveLat.pct(99)), "save-p99-ms")
	b.ReportMetric(ms(saveLat.pct(100)), "save-max-ms")
	b.ReportMetric(ms(eventLat.pct(50)), "event-p50-ms")
	b.ReportMetric(ms(eventLat.pct(99)), "event-p99-ms")
	b.ReportMetric(ms(eventLat.pct(100)), "event-max-ms")
	b.ReportMetric(ms(fanoutLat.pct(99)), "fanout-p99-ms")
	if refresh {
		b.ReportMetric(float64(pageLat.n()), "page-reads")
		b.ReportMetric(ms(pageLat.pct(99)), "page-p99-ms")
		if f := pageFails.Load(); f > 0 {
			b.Errorf("%d page reads failed", f)
		}
	}
	b.ReportMetric(float64(mem.heapInuse.Load())/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(mem.sys.Load())/(1<<20), "peak-sys-MB")
	if hwm, ok := vmHWM(); ok {
		b.ReportMetric(float64(hwm)/(1<<20), "peak-rss-MB")
	}
	b.ReportMetric(0, "ns/op") // the scenario's length is set, not measured
}

// pageReader reads a member's page again after changes, like live.js: not
// sooner than 150 ms after a change, at most once a second, one at a time.
type pageReader struct {
	client *http.Client
	url    string
	cookie string
	lat    *latencies
	fails  *atomic.Int64
	wg     *sync.WaitGroup

	mu      sync.Mutex
	pending bool
	last    time.Time
}

func (p *pageReader) changed() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.pending {
		return
	}
	p.pending = true
	wait := max(150*time.Millisecond, time.Until(p.last.Add(time.Second)))
	p.wg.Add(1)
	time.AfterFunc(wait, func() {
		defer p.wg.Done()
		p.mu.Lock()
		p.pending, p.last = false, time.Now()
		p.mu.Unlock()
		t0 := time.Now()
		req, _ := http.NewRequest(http.MethodGet, p.url, nil)
		req.Header.Set("Cookie", p.cookie)
		resp, err := p.client.Do(req)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		if err != nil || resp.StatusCode != http.StatusOK {
			p.fails.Add(1)
			return
		}
		p.lat.add(time.Since(t0))
	})
}

// latencies collects durations for percentiles.
type latencies struct {
	mu sync.Mutex
	ds []time.Duration
}

func (l *latencies) add(d time.Duration) {
	l.mu.Lock()
	l.ds = append(l.ds, d)
	l.mu.Unlock()
}

func (l *latencies) n() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.ds)
}

// pct returns the p-th percentile (nearest rank); 100 is the maximum.
func (l *latencies) pct(p float64) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.ds) == 0 {
		return 0
	}
	s := slices.Clone(l.ds)
	slices.Sort(s)
	i := int(float64(len(s))*p/100+0.999999) - 1
	return s[min(max(i, 0), len(s)-1)]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// memPeak keeps the highest heap in use and memory obtained from the
// system seen while sampling. Both count the whole test process: the
// server and the 25 clients.
type memPeak struct {
	heapInuse, sys atomic.Uint64
}

func (m *memPeak) sample(every time.Duration) (stop func()) {
	done := make(chan struct{})
	var once sync.Once
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > m.heapInuse.Load() {
				m.heapInuse.Store(ms.HeapInuse)
			}
			if ms.Sys > m.sys.Load() {
				m.sys.Store(ms.Sys)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() {
		once.Do(func() { close(done) })
		<-finished
	}
}

// vmHWM returns the process's peak resident set size, on Linux.
func vmHWM() (uint64, bool) {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0, false
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmHWM:"); ok {
			kb, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return kb << 10, err == nil
		}
	}
	return 0, false
}
