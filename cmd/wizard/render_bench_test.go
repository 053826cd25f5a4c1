package main

import (
	"fmt"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/steps/projectfile"
	"github.com/secex/wizard/steps/steptest"
	"github.com/secex/wizard/web"
)

// bigProject is a generated organisation of 200 servers (20 ISA Servers,
// 60 front-ends, 100 back-ends, 19 gateways and a domain controller) with
// every procedure answered and completed.
func bigProject(tb testing.TB) projectfile.Project { return projectOfSize(tb, 200) }

// projectOfSize is an organisation of n servers (n a multiple of 50) in
// the proportions of bigProject: a tenth ISA Servers, three tenths
// front-ends, half back-ends, the rest gateways and one domain controller.
func projectOfSize(tb testing.TB, n int) projectfile.Project {
	if n%50 != 0 || n < 50 {
		tb.Fatalf("project of %d servers: the size must be a multiple of 50", n)
	}
	topo := steptest.BigTopology(n/10, 3*n/10, n/2, n/10-1)
	// Policies are made from a Windows Server 2003 domain controller:
	// one ipsecpol command line for 160 servers would exceed cmd.exe's
	// limit on Windows 2000, which the IPSec procedure refuses.
	topo.Servers[0].OS = steps.OSWindows2003
	answers := steptest.AnswerAll(catalog.All, topo)
	// Where the generated answer is one the checks rightly refuse, answer
	// as an administrator would.
	set := func(step, q, v string) { answers[step][q] = v }
	set("owa-front-end-certificate", "country", "US")
	set("owa-ipsec", "local-policy", "no")
	set("smtp-message-screener", "use-screener", "no")
	set("smtp-relay", "internal-networks", "10.0.0.0/8")
	set("smtp-relay", "relay-list", "10.0.82.10/32")
	p := projectfile.Project{Name: "Benchmark", Revision: 1, UpdatedAt: time.Date(2026, 11, 27, 8, 0, 0, 0, time.UTC),
		Topology: topo, Answers: answers}
	for _, st := range catalog.All {
		if strings.HasPrefix(st.ID, "current-") {
			// The current platform's procedures need its servers, which
			// this organisation of Exchange 2000 and 2003 has none of.
			delete(answers, st.ID)
			continue
		}
		p.Completed = append(p.Completed, st.ID)
	}
	// The warnings these answers raise are accepted with a reason, as the
	// project's owner would before rendering: a warning nobody accepted
	// withholds the runbook.
	rd, err := web.Render(catalog.All, product, version, p)
	if err != nil {
		tb.Fatal(err)
	}
	for _, f := range rd.Withheld() {
		if f.Severity == steps.Warning {
			p.Deviations = append(p.Deviations, projectfile.Deviation{Key: f.Key(), Reason: "Accepted for the benchmark.",
				AcceptedBy: "bench", At: p.UpdatedAt})
		}
	}
	return p
}

// BenchmarkRenderAll renders the whole runbook (Markdown and HTML) and
// every bundle of projects of 50, 200 and 800 servers, and reports the
// peak heap; the three sizes show how the cost grows with the project.
func BenchmarkRenderAll(b *testing.B) {
	for _, n := range []int{50, 200, 800} {
		b.Run(fmt.Sprintf("servers=%d", n), func(b *testing.B) { benchmarkRenderAll(b, projectOfSize(b, n)) })
	}
}

func benchmarkRenderAll(b *testing.B, p projectfile.Project) {
	rd, err := web.Render(catalog.All, product, version, p)
	if err != nil {
		b.Fatal(err)
	}
	if rd.Doc == nil {
		for _, f := range rd.Withheld() {
			b.Logf("blocking finding: %s: %s", f.Key(), f.Message)
		}
		b.Fatal("generated answers are blocked by error findings")
	}
	b.ReportAllocs()
	var peak uint64
	cpu := cpuTime(b)
	for b.Loop() {
		// Each render starts from a collected heap, as in a fresh process;
		// the collection itself is not timed.
		b.StopTimer()
		stop := watchHeap(&peak)
		b.StartTimer()
		rd, err := web.Render(catalog.All, product, version, p)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := rd.Files(); err != nil {
			b.Fatal(err)
		}
		b.StopTimer()
		stop()
		b.StartTimer()
	}
	b.ReportMetric(float64(cpuTime(b)-cpu)/float64(b.N)/1e6, "cpu-ms/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(len(rd.Out.Actions)), "actions")
	b.ReportMetric(float64(len(rd.Out.Files)), "files")
}

// watchHeap samples the live heap every millisecond until stopped and
// keeps the highest value seen in peak.
func watchHeap(peak *uint64) (stop func()) {
	runtime.GC()
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	go func() {
		defer wg.Done()
		t := time.NewTicker(time.Millisecond)
		defer t.Stop()
		for {
			metrics.Read(sample)
			if v := sample[0].Value.Uint64(); v > *peak {
				*peak = v
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() { close(done); wg.Wait() }
}
