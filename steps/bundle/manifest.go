package bundle

import (
	"bytes"
	"encoding/json"
	"strconv"
	"time"

	"github.com/secex/wizard/steps/runbook"
)

// ManifestFormat is the version of manifest.json's layout.
const ManifestFormat = 1

// manifestJSON describes entries (sorted by path) as manifest.json: UTF-8
// without a BOM, indented, keys sorted, CRLF line endings. It holds no
// clock reading: revisionTime is the project's last change.
//
// The layout is exactly what encoding/json writes for the manifest type,
// indented by two spaces, with CRLF for LF: the change bundle's manifest
// lists every file of every server, so it is written directly rather than
// through reflection and a second pass that indents.
func manifestJSON(opts Options, doc *runbook.Doc, target string, entries []*entry) ([]byte, error) {
	scope := "change"
	if target != "" {
		scope = "server"
	}
	revisionTime := ""
	if !opts.Meta.Generated.IsZero() {
		revisionTime = opts.Meta.Generated.UTC().Format(time.RFC3339)
	}
	t := opts.Ticket
	w := jsonWriter{b: make([]byte, 0, 1024+200*len(entries))}
	w.b = append(w.b, '{')
	w.str(1, "answersHash", opts.Meta.AnswersHash, true)
	w.key(1, "change")
	w.b = append(w.b, '{')
	w.str(2, "number", t.Number, true)
	w.str(2, "timeZone", t.TimeZone, true)
	w.str(2, "title", t.Title, true)
	w.str(2, "windowEnd", t.WindowEnd, true)
	w.str(2, "windowStart", t.WindowStart, false)
	w.close(1, '}', true)
	w.key(1, "files")
	w.b = append(w.b, '[')
	for i, e := range entries {
		w.line(2)
		w.b = append(w.b, '{')
		w.str(3, "kind", e.kind, true)
		w.str(3, "path", e.path, true)
		if e.procedure != "" {
			w.str(3, "procedure", e.procedure, true)
		}
		w.str(3, "sha256", e.sha(), true)
		w.num(3, "size", int64(e.length()), false)
		w.close(2, '}', i < len(entries)-1)
	}
	if len(entries) > 0 {
		w.close(1, ']', true)
	} else {
		w.b = append(w.b, "],"...)
	}
	w.num(1, "format", ManifestFormat, true)
	w.key(1, "procedures")
	w.b = append(w.b, '[')
	for i, p := range doc.Procedures {
		w.line(2)
		w.b = append(w.b, '{')
		w.str(3, "id", p.ID, true)
		w.str(3, "section", p.Section, true)
		w.str(3, "title", p.Title, false)
		w.close(2, '}', i < len(doc.Procedures)-1)
	}
	if len(doc.Procedures) > 0 {
		w.close(1, ']', true)
	} else {
		w.b = append(w.b, "],"...)
	}
	w.str(1, "product", opts.Meta.Product, true)
	w.str(1, "project", opts.Meta.Project, true)
	w.num(1, "revision", opts.Meta.Revision, true)
	w.str(1, "revisionTime", revisionTime, true)
	w.str(1, "scope", scope, true)
	w.str(1, "target", target, true)
	w.str(1, "version", opts.Meta.Version, false)
	w.close(0, '}', false)
	w.b = append(w.b, "\r\n"...)
	return w.b, w.err
}

// jsonWriter writes indented JSON as encoding/json's Encoder does with
// SetIndent("", "  ") and SetEscapeHTML(false), with CRLF line endings.
type jsonWriter struct {
	b   []byte
	err error
}

// line starts a new line indented to depth.
func (w *jsonWriter) line(depth int) {
	w.b = append(w.b, "\r\n"...)
	for range depth {
		w.b = append(w.b, "  "...)
	}
}

// key starts the member name on a new line at depth.
func (w *jsonWriter) key(depth int, name string) {
	w.line(depth)
	w.b = append(w.b, '"')
	w.b = append(w.b, name...)
	w.b = append(w.b, `": `...)
}

func (w *jsonWriter) str(depth int, name, v string, comma bool) {
	w.key(depth, name)
	w.quote(v)
	if comma {
		w.b = append(w.b, ',')
	}
}

func (w *jsonWriter) num(depth int, name string, v int64, comma bool) {
	w.key(depth, name)
	w.b = strconv.AppendInt(w.b, v, 10)
	if comma {
		w.b = append(w.b, ',')
	}
}

// close ends an object or array whose members were written, on a new line
// at depth.
func (w *jsonWriter) close(depth int, c byte, comma bool) {
	w.line(depth)
	w.b = append(w.b, c)
	if comma {
		w.b = append(w.b, ',')
	}
}

// quote writes s as a JSON string. A string of printable ASCII without a
// quote or backslash is written as it is, as encoding/json would; any
// other is left to encoding/json, so every escape is its own.
func (w *jsonWriter) quote(s string) {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e || c == '"' || c == '\\' {
			plain = false
			break
		}
	}
	if plain {
		w.b = append(append(append(w.b, '"'), s...), '"')
		return
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(s); err != nil && w.err == nil {
		w.err = err
	}
	w.b = append(w.b, bytes.TrimSuffix(buf.Bytes(), []byte("\n"))...)
}
