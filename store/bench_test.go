package store

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
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
