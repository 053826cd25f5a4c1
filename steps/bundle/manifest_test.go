package bundle

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/runbook"
)

// The manifest's layout as types, for encoding/json: their fields are in
// the order of their JSON names, so it writes the keys sorted.

type manifest struct {
	AnswersHash  string              `json:"answersHash"`
	Change       manifestChange      `json:"change"`
	Files        []manifestFile      `json:"files"`
	Format       int                 `json:"format"`
	Procedures   []manifestProcedure `json:"procedures"`
	Product      string              `json:"product"`
	Project      string              `json:"project"`
	Revision     int64               `json:"revision"`
	RevisionTime string              `json:"revisionTime"` // the project's last change, RFC 3339 in UTC; "" when unknown
	Scope        string              `json:"scope"`        // "server" or "change"
	Target       string              `json:"target"`       // the server; "" for the change
	Version      string              `json:"version"`
}

type manifestChange struct {
	Number      string `json:"number"`
	TimeZone    string `json:"timeZone"`
	Title       string `json:"title"`
	WindowEnd   string `json:"windowEnd"`
	WindowStart string `json:"windowStart"`
}

type manifestFile struct {
	Kind      string `json:"kind"`
	Path      string `json:"path"`
	Procedure string `json:"procedure,omitempty"`
	SHA256    string `json:"sha256"`
	Size      int    `json:"size"`
}

type manifestProcedure struct {
	ID      string `json:"id"`
	Section string `json:"section"`
	Title   string `json:"title"`
}

// TestManifestJSON checks that manifestJSON writes byte for byte what
// encoding/json writes for the same manifest, indented, with CRLF line
// endings: with values that need escaping, with and without a revision
// time, with no files or procedures and with several.
func TestManifestJSON(t *testing.T) {
	hostile := "Ticket \"quoted\" <b>&amp;</b> back\\slash tab\tnew\nline \x01 caf\u00e9 \u2028 \u202e bad\xff"
	for _, tc := range []struct {
		name    string
		opts    Options
		doc     *runbook.Doc
		target  string
		entries []*entry
	}{
		{name: "empty", doc: &runbook.Doc{}},
		{name: "server", target: "EX01",
			opts: Options{Meta: runbook.Meta{Product: "P", Version: "1.0", Project: hostile, Revision: 12, AnswersHash: "sha256:ab",
				Generated: time.Date(2026, 12, 7, 8, 9, 10, 0, time.FixedZone("x", 3600))},
				Ticket: steps.Ticket{Number: "CHG1", Title: hostile, WindowStart: `say "now"`, WindowEnd: `C:\Temp`, TimeZone: "<Europe/London> & \x7f"}},
			doc: &runbook.Doc{Procedures: []runbook.Procedure{{ID: "a", Title: hostile, Section: "1.2"}, {ID: "b", Title: "B", Section: ""}}},
			entries: []*entry{
				{path: "10-x.cmd", body: []byte("x"), kind: "apply", procedure: "a"},
				{path: "README.txt", body: []byte(hostile), kind: kindReadme},
				{path: "runbook-" + hostile + ".md", body: nil, kind: kindRunbook},
			}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := manifestJSON(tc.opts, tc.doc, tc.target, tc.entries)
			if err != nil {
				t.Fatal(err)
			}
			if want := encodedManifest(t, tc.opts, tc.doc, tc.target, tc.entries); string(got) != want {
				t.Errorf("manifestJSON =\n%s\nencoding/json writes\n%s", got, want)
			}
		})
	}
}

func encodedManifest(t *testing.T, opts Options, doc *runbook.Doc, target string, entries []*entry) string {
	m := manifest{
		AnswersHash: opts.Meta.AnswersHash,
		Change: manifestChange{Number: opts.Ticket.Number, Title: opts.Ticket.Title,
			WindowStart: opts.Ticket.WindowStart, WindowEnd: opts.Ticket.WindowEnd, TimeZone: opts.Ticket.TimeZone},
		Files:      []manifestFile{},
		Format:     ManifestFormat,
		Procedures: []manifestProcedure{},
		Product:    opts.Meta.Product,
		Project:    opts.Meta.Project,
		Revision:   opts.Meta.Revision,
		Scope:      "change",
		Target:     target,
		Version:    opts.Meta.Version,
	}
	if target != "" {
		m.Scope = "server"
	}
	if !opts.Meta.Generated.IsZero() {
		m.RevisionTime = opts.Meta.Generated.UTC().Format(time.RFC3339)
	}
	for _, p := range doc.Procedures {
		m.Procedures = append(m.Procedures, manifestProcedure{ID: p.ID, Title: p.Title, Section: p.Section})
	}
	for _, e := range entries {
		m.Files = append(m.Files, manifestFile{Kind: e.kind, Path: e.path, Procedure: e.procedure, SHA256: e.sha(), Size: e.length()})
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		t.Fatal(err)
	}
	return strings.ReplaceAll(b.String(), "\n", "\r\n")
}
