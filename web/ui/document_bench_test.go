package ui

import (
	"testing"

	"github.com/secex/wizard/steps/bundle"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/runbook/runbooktest"
)

// BenchmarkRunbookHTML200 prints the runbook of the whole change of a
// project of 200 servers, every procedure of the test catalogue answered,
// as the standalone HTML document of a bundle.
func BenchmarkRunbookHTML200(b *testing.B) {
	sc := runbooktest.Big(b)
	hs, err := bundle.FileHashes(sc.Output)
	if err != nil {
		b.Fatal(err)
	}
	d := sc.Build(hs)
	css := runbookCSS(b)
	var size int
	b.ReportAllocs()
	for b.Loop() {
		h, err := RunbookHTML(d, css)
		if err != nil {
			b.Fatal(err)
		}
		size = len(h)
	}
	b.ReportMetric(float64(size)/(1<<20), "html-MB")
}

// BenchmarkRenderAll200 is everything `wizard render` writes for that
// project, with the real HTML printer: the file hashes, the whole runbook
// as Markdown and HTML, the change bundle and every server's bundle.
// peak-heap-MB is the most heap held during one render.
func BenchmarkRenderAll200(b *testing.B) {
	sc := runbooktest.Big(b)
	css := runbookCSS(b)
	html := func(d *runbook.Doc) ([]byte, error) { return RunbookHTML(d, css) }
	render := func() int {
		hs, err := bundle.FileHashes(sc.Output)
		if err != nil {
			b.Fatal(err)
		}
		d := sc.Build(hs)
		set, err := bundle.All(bundle.Options{Meta: sc.Meta, Ticket: sc.Ticket, HTML: html}, d, sc.Output)
		if err != nil {
			b.Fatal(err)
		}
		n := len(set.Markdown) + len(set.HTML) + len(set.Change)
		for _, z := range set.Servers {
			n += len(z)
		}
		return n
	}
	var size int
	peak := runbooktest.PeakHeap(func() { size = render() })
	b.ReportAllocs()
	for b.Loop() {
		render()
	}
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(size)/(1<<20), "output-MB")
}

// BenchmarkServerBundle200 is one server's bundle download on that project
// with the real HTML printer: hashes, the whole runbook (for the
// numbering), the server's part and its ZIP.
func BenchmarkServerBundle200(b *testing.B) {
	sc := runbooktest.Big(b)
	css := runbookCSS(b)
	opts := bundle.Options{Meta: sc.Meta, Ticket: sc.Ticket, HTML: func(d *runbook.Doc) ([]byte, error) { return RunbookHTML(d, css) }}
	b.ReportAllocs()
	for b.Loop() {
		hs, err := bundle.FileHashes(sc.Output)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := bundle.Server(opts, sc.Build(hs), sc.Output, "EXBE001"); err != nil {
			b.Fatal(err)
		}
	}
}
