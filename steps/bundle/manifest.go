package bundle

import (
	"bytes"
	"encoding/json"
	"time"

	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/script"
)

// ManifestFormat is the version of manifest.json's layout.
const ManifestFormat = 1

// The manifest's types list their fields in the order of their JSON
// names, so encoding/json writes the keys sorted.

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

// manifestJSON describes entries (sorted by path) as manifest.json: UTF-8
// without a BOM, indented, keys sorted, CRLF line endings. It holds no
// clock reading: revisionTime is the project's last change.
func manifestJSON(opts Options, doc *runbook.Doc, target string, entries []*entry) ([]byte, error) {
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
		return nil, err
	}
	return []byte(script.LineEndingsCRLF(b.String())), nil
}
