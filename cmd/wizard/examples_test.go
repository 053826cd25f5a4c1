package main

import (
	"archive/zip"
	"bytes"
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/steps/projectfile"
)

var updateManifests = flag.Bool("update-examples", false, "rewrite docs/examples/*.manifest from the current renders")

// TestExamplesRenderTheirManifest checks every project of docs/examples:
// wizard check finds nothing that stops it, it imports into a real
// database, and wizard render writes exactly the files its committed
// manifest lists, bundle by bundle.
func TestExamplesRenderTheirManifest(t *testing.T) {
	files, _ := filepath.Glob("../../docs/examples/*.json")
	if len(files) < 2 {
		t.Fatalf("docs/examples holds %v; want the small example and the fleet", files)
	}
	si := newSignedIn(t)
	ctx := context.Background()
	u, _, _ := si.st.UserByName(ctx, "ann")
	for _, file := range files {
		name := strings.TrimSuffix(filepath.Base(file), ".json")
		t.Run(name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if err := run(ctx, []string{"check", file}, env(nil), &stdout, &stderr); err != nil {
				t.Fatalf("wizard check: %v\n%s", err, stdout.String())
			}
			f, _ := os.Open(file)
			_, problems, err := si.h.Import(ctx, u.ID, f)
			f.Close()
			if err != nil || len(problems) > 0 {
				t.Fatalf("import: %v %v", problems, err)
			}
			out := t.TempDir()
			stdout.Reset()
			if err := run(ctx, []string{"render", "-out", out, file}, env(nil), &stdout, &stderr); err != nil {
				t.Fatalf("render: %v\n%s", err, stderr.String())
			}
			got := manifest(t, out)
			path := strings.TrimSuffix(file, ".json") + ".manifest"
			if *updateManifests {
				if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v; run go test ./cmd/wizard -run Examples -update-examples", err)
			}
			if got != string(want) {
				t.Errorf("%s is out of date; run go test ./cmd/wizard -run Examples -update-examples, and check the difference:\n%s", path, lineDiff(string(want), got))
			}
		})
	}
}

// TestFleetExampleIsComplete keeps the fleet example what docs/examples
// promises: every procedure completed, a filled ticket, and an accepted
// deviation the runbook lists.
func TestFleetExampleIsComplete(t *testing.T) {
	f, err := os.Open("../../docs/examples/fleet.json")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	p, problems := projectfile.Decode(f, catalog.All)
	if len(problems) > 0 {
		t.Fatal(problems)
	}
	if own := steps.OnPlatform(catalog.All, p.Topology.Facts.Platform); len(p.Completed) != len(own) {
		t.Errorf("%d of %d procedures completed", len(p.Completed), len(own))
	}
	if p.Ticket == nil || len(p.Ticket.Problems()) > 0 || p.Ticket.Communication == "" || p.Ticket.CABReference == "" {
		t.Errorf("the ticket is not filled: %+v", p.Ticket)
	}
	if len(p.Deviations) == 0 {
		t.Fatal("no accepted deviation")
	}
	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"render", "-out", out, "../../docs/examples/fleet.json"}, env(nil), &stdout, &stderr); err != nil {
		t.Fatal(err, stderr.String())
	}
	md, _ := os.ReadFile(filepath.Join(out, "runbook.md"))
	dev := string(md)
	dev = dev[strings.Index(dev, "## 10. Deviations"):]
	for _, d := range p.Deviations {
		if !strings.Contains(dev, d.Reason) {
			t.Errorf("the runbook's deviations section lacks %q", d.Reason)
		}
	}
}

// manifest lists every file wizard render wrote to dir and every member
// of each zip bundle, one a line, sorted.
func manifest(t *testing.T, dir string) string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for _, e := range entries {
		lines = append(lines, e.Name())
		if !strings.HasSuffix(e.Name(), ".zip") {
			continue
		}
		z, err := zip.OpenReader(filepath.Join(dir, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range z.File {
			lines = append(lines, e.Name()+": "+m.Name)
		}
		z.Close()
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n") + "\n"
}

// lineDiff lists the lines only in want (-) and only in got (+).
func lineDiff(want, got string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	w, g := in(want), in(got)
	var b strings.Builder
	for _, l := range strings.Split(want, "\n") {
		if !g[l] {
			fmt.Fprintf(&b, "- %s\n", l)
		}
	}
	for _, l := range strings.Split(got, "\n") {
		if !w[l] {
			fmt.Fprintf(&b, "+ %s\n", l)
		}
	}
	return b.String()
}
