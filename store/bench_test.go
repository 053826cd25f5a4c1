package store

import (
	"context"
	"fmt"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store/pgtest"
)

// BenchmarkSaveAnswer measures one answer save: an immediate transaction
// that reads the version, upserts the answer, writes the audit row, bumps
// the revision and commits with synchronous=FULL to a real file.
func BenchmarkSaveAnswer(b *testing.B) {
	ctx := context.Background()
	s, _ := OpenTest(b)
	s.Now = func() time.Time { return time.Now().UTC() }
	u := mustUser(b, s, "alice")
	p := mustProject(b, s, u, "Contoso")
	var version int64
	for b.Loop() {
		err := s.SaveAnswers(ctx, u.ID, p.ID, "rpc-encrypt", []AnswerChange{
			{Question: "versions", Value: fmt.Sprint(version), Version: version},
		})
		if err != nil {
			b.Fatal(err)
		}
		version++
	}
}

// BenchmarkTopology200 measures reading the facts and servers of a project
// with 200 servers.
func BenchmarkTopology200(b *testing.B) {
	ctx := context.Background()
	s, _ := OpenTest(b)
	u := mustUser(b, s, "alice")
	p := mustProject(b, s, u, "Contoso")
	if err := s.SaveFacts(ctx, u.ID, p.ID, steps.Facts{ADDomain: "corp.contoso.com", OWAHost: "mail.contoso.com"}, 0); err != nil {
		b.Fatal(err)
	}
	var srvs []steps.Server
	for i := range 200 {
		srv := server(fmt.Sprintf("SRV%03d", i), fmt.Sprintf("srv%03d.corp.contoso.com", i),
			fmt.Sprintf("10.0.%d.%d", i/100, i%100+1), fmt.Sprintf("10.1.%d.%d", i/100, i%100+1))
		srv.Roles = []steps.Role{steps.RoleFrontEnd}
		srv.FrontEnd = steps.FrontEndFacts{SiteID: 1, OU: "Front End"}
		srvs = append(srvs, srv)
	}
	if err := s.AddServers(ctx, u.ID, p.ID, srvs); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		topo, err := s.Topology(ctx, p.ID)
		if err != nil {
			b.Fatal(err)
		}
		if len(topo.Servers) != 200 {
			b.Fatalf("%d servers", len(topo.Servers))
		}
	}
}

// BenchmarkSaveTogether measures saves made at once by 8 editors, each on
// a question of their own, through one SQLite wizard and through two
// replicas on one PostgreSQL, and reports the median and 99th percentile
// of one save as users wait for it. With PGTEST_DURABLE=1 PostgreSQL
// commits are flushed to disk as SQLite's are with synchronous=FULL; the
// comparison is only fair with it.
func BenchmarkSaveTogether(b *testing.B) {
	for _, engine := range []string{"sqlite-1-process", "postgres-2-replicas"} {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			var s *Store
			var err error
			if engine == "sqlite-1-process" {
				s, err = Open(ctx, filepath.Join(b.TempDir(), "wizard.db"))
			} else {
				s, err = OpenPostgres(ctx, pgtest.DSN(b))
			}
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			stores := []*Store{s}
			if s.Shared() {
				stores = append(stores, openReplica(b, s))
			}
			u := mustUser(b, s, "alice")
			p := mustProject(b, s, u, "Contoso")
			const editors = 8
			var next atomic.Int64
			lat := make([][]time.Duration, editors)
			b.ResetTimer()
			var wg sync.WaitGroup
			for e := range editors {
				wg.Go(func() {
					st := stores[e%len(stores)]
					var version int64
					for next.Add(1) <= int64(b.N) {
						t0 := time.Now()
						err := st.SaveAnswers(ctx, u.ID, p.ID, "rpc-encrypt", []AnswerChange{
							{Question: fmt.Sprintf("q%d", e), Value: fmt.Sprint(version), Version: version},
						})
						lat[e] = append(lat[e], time.Since(t0))
						if err != nil {
							b.Error(err)
							return
						}
						version++
					}
				})
			}
			wg.Wait()
			b.StopTimer()
			all := slices.Concat(lat...)
			slices.Sort(all)
			if len(all) == 0 {
				return
			}
			pct := func(q float64) float64 {
				return float64(all[min(len(all)-1, int(q*float64(len(all))))].Microseconds()) / 1000
			}
			b.ReportMetric(pct(0.50), "save-p50-ms")
			b.ReportMetric(pct(0.99), "save-p99-ms")
		})
	}
}
