package bundle_test

import (
	"testing"

	"github.com/secex/wizard/steps/bundle"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/runbook/runbooktest"
)

// renderAll renders what `wizard render` writes for a project: the file
// hashes, the runbook of the whole change as Markdown and HTML, the change
// bundle and every server's bundle. It returns the bytes written.
func renderAll(tb testing.TB, sc runbooktest.Scenario, html func(*runbook.Doc) ([]byte, error)) int {
	hs, err := bundle.FileHashes(sc.Output)
	if err != nil {
		tb.Fatal(err)
	}
	doc := sc.Build(hs)
	opts := bundle.Options{Meta: sc.Meta, Ticket: sc.Ticket, HTML: html}
	set, err := bundle.All(opts, doc, sc.Output)
	if err != nil {
		tb.Fatal(err)
	}
	n := len(set.Markdown) + len(set.HTML) + len(set.Change)
	for _, z := range set.Servers {
		n += len(z)
	}
	return n
}

// BenchmarkRenderAll200 renders the runbook and every bundle of a project
// of 200 servers with every procedure of the test catalogue answered. The
// HTML printer is the plain stand-in (web/ui has the benchmark with the
// real one); peak-heap-MB is the most heap held during one render.
func BenchmarkRenderAll200(b *testing.B) {
	sc := runbooktest.Big(b)
	b.Logf("%d servers, %d targets with work, %d actions, %d files", len(sc.Input.Topology.Servers), len(sc.Build(nil).Targets), len(sc.Output.Actions), len(sc.Output.Files))
	var size int
	peak := runbooktest.PeakHeap(func() { size = renderAll(b, sc, plainHTML) })
	b.ReportAllocs()
	for b.Loop() {
		renderAll(b, sc, plainHTML)
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(size)/(1<<20), "output-MB")
}

// BenchmarkServerBundle200 is one server's bundle download on the same
// project: hashes, the whole runbook (for the numbering), the server's part
// and its ZIP.
func BenchmarkServerBundle200(b *testing.B) {
	sc := runbooktest.Big(b)
	target := "EXBE001"
	b.ReportAllocs()
	for b.Loop() {
		hs, err := bundle.FileHashes(sc.Output)
		if err != nil {
			b.Fatal(err)
		}
		doc := sc.Build(hs)
		if _, err := bundle.Server(bundle.Options{Meta: sc.Meta, Ticket: sc.Ticket, HTML: plainHTML}, doc, sc.Output, target); err != nil {
			b.Fatal(err)
		}
	}
}
