package bundle

import (
	"archive/zip"
	"bytes"
	"errors"
	"fmt"
	"hash/crc32"
	"runtime"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/klauspost/compress/flate"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/script"
)

// Options are what every bundle of a rendering shares.
type Options struct {
	Meta   runbook.Meta // as the runbook was built with
	Ticket steps.Ticket // as the runbook was built with

	// HTML prints a runbook as a standalone HTML document with its style
	// sheet inside (web/ui.RunbookHTML in the wizard). It is passed in so
	// that the domain packages never write HTML. Change and All call it
	// from several goroutines at once.
	HTML func(*runbook.Doc) ([]byte, error)
}

// Epoch is the time entries carry when the project's last change time is
// unknown: the earliest a ZIP entry can record.
var Epoch = time.Date(1980, 1, 1, 0, 0, 0, 0, time.UTC)

// entry is one file of a bundle.
type entry struct {
	path      string
	body      []byte
	kind      string // a steps.FileKind, or one of the bundle's own kinds
	procedure string // the procedure that made it, for generated files
	sum       string // hex SHA-256 of body, once computed

	// The body compressed with Deflate, once computed: the change bundle
	// stores each server's entries exactly as the server's bundle does.
	deflated []byte
	crc      uint32
	size     int // len(body), kept when the body is let go (see release)
}

// release lets go of the body once it is compressed and hashed: the
// change bundle needs only the compressed bytes, and holding every
// server's runbooks until the end would add their size to the peak.
func (e *entry) release() {
	e.sha()
	e.size, e.body = len(e.body), nil
}

// length is the size of the body, released or not.
func (e *entry) length() int {
	if e.body == nil {
		return e.size
	}
	return len(e.body)
}

func (e *entry) sha() string {
	if e.sum == "" {
		if e.body == nil && e.size > 0 {
			panic("bundle: hash of a released entry")
		}
		e.sum = sha256Hex(e.body)
	}
	return e.sum
}

// The kinds of the bundle's own files, as manifest.json names them.
const (
	kindReadme    = "readme"
	kindRunbook   = "runbook"
	kindManifest  = "manifest"
	kindChecksums = "checksums"
)

// Server returns target's bundle as a ZIP file. doc is the runbook of the
// whole change (or target's part of it), built with the hashes FileHashes
// gives for out.
func Server(opts Options, doc *runbook.Doc, out steps.Output, target string) ([]byte, error) {
	if err := opts.check(doc); err != nil {
		return nil, err
	}
	byTarget, err := layout(out)
	if err != nil {
		return nil, err
	}
	entries, err := serverEntries(opts, newAbout(opts), doc, byTarget, target)
	if err != nil {
		return nil, err
	}
	return writeZip(newDeflater(), entries, opts.Meta.Generated)
}

// Change returns the bundle of the whole change as a ZIP file: the whole
// runbook, and one folder per target holding exactly that target's bundle.
// doc is the runbook of the whole change, built with the hashes FileHashes
// gives for out.
func Change(opts Options, doc *runbook.Doc, out steps.Output) ([]byte, error) {
	set, err := render(opts, doc, out, false)
	return set.Change, err
}

// Set is everything a rendering of the whole change gives: the change
// bundle, every target's bundle, and the whole runbook as the change bundle
// holds it.
type Set struct {
	Change   []byte
	Servers  map[string][]byte // by target
	Markdown []byte            // runbook.md
	HTML     []byte            // runbook.html
}

// All returns the change bundle and every target's bundle, by target, as
// Change and Server would, byte for byte; it makes each server's files
// once for both.
func All(opts Options, doc *runbook.Doc, out steps.Output) (Set, error) {
	return render(opts, doc, out, true)
}

func render(opts Options, doc *runbook.Doc, out steps.Output, withServers bool) (Set, error) {
	var set Set
	if err := opts.check(doc); err != nil {
		return set, err
	}
	if doc.Target != "" {
		return set, fmt.Errorf("bundle: the change bundle needs the whole change's runbook, not %s's part", doc.Target)
	}
	byTarget, err := layout(out)
	if err != nil {
		return set, err
	}
	hashAll(byTarget)
	if err := checkHashes(doc, byTarget, doc.Targets); err != nil {
		return set, err
	}
	folders := map[string]string{}
	for _, t := range doc.Targets {
		f := strings.ToLower(Folder(t))
		if other, ok := folders[f]; ok {
			return set, fmt.Errorf("bundle: %q and %q would share the folder %s", other, t, Folder(t))
		}
		folders[f] = t
	}

	// Each target's files are made and compressed on their own, so the
	// targets are spread over the processors, with the whole runbook, the
	// largest piece, first; the results are put together in the targets'
	// order, so the bytes do not depend on which finishes first.
	type result struct {
		entries []*entry
		zip     []byte
		err     error
	}
	results := make([]result, len(doc.Targets))
	var whole []*entry
	var wholeErr error
	next := make(chan int)
	about := newAbout(opts)
	// one makes item i with w: the whole runbook for -1, else the target's
	// bundle. A panic becomes the item's error: on a goroutine of its own
	// it would end the whole server.
	one := func(w *deflater, i int) (err error) {
		defer func() {
			if p := recover(); p != nil {
				err = fmt.Errorf("bundle: panic: %v\n%s", p, debug.Stack())
			}
		}()
		if i < 0 {
			if set.HTML, err = opts.html(doc); err != nil {
				return err
			}
			set.Markdown = runbook.Markdown(doc)
			whole = []*entry{
				{path: "runbook.md", body: set.Markdown, kind: kindRunbook},
				{path: "runbook.html", body: set.HTML, kind: kindRunbook},
			}
			for _, e := range whole {
				e.deflate(w)
			}
			return nil
		}
		r := &results[i]
		if r.entries, err = serverEntries(opts, about, doc, byTarget, doc.Targets[i]); err != nil {
			return err
		}
		for _, e := range r.entries {
			e.deflate(w)
		}
		if withServers {
			if r.zip, err = writeZip(w, r.entries, opts.Meta.Generated); err != nil {
				return err
			}
		}
		for _, e := range r.entries {
			e.release()
		}
		return nil
	}
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(doc.Targets)+1) {
		wg.Go(func() {
			w := newDeflater()
			for i := range next {
				err := one(w, i)
				switch {
				case err != nil && i < 0:
					wholeErr = err
				case err != nil:
					results[i].err = err
				}
				if err != nil {
					w = newDeflater() // it may have stopped half way
				}
			}
		})
	}
	next <- -1
	for i := range doc.Targets {
		next <- i
	}
	close(next)
	wg.Wait()
	if wholeErr != nil {
		return set, wholeErr
	}

	if withServers {
		set.Servers = map[string][]byte{}
	}
	var entries []*entry
	for i, t := range doc.Targets {
		r := results[i]
		if r.err != nil {
			return set, r.err
		}
		if withServers {
			set.Servers[t] = r.zip
		}
		for _, e := range r.entries {
			c := *e
			c.path = Folder(t) + "/" + e.path
			entries = append(entries, &c)
		}
	}
	entries = append(entries, whole...)
	entries = append(entries, &entry{path: "README.txt", body: changeReadme(opts, about, doc, byTarget), kind: kindReadme})
	entries, err = seal(opts, doc, "", entries)
	if err != nil {
		return set, err
	}
	set.Change, err = writeZip(newDeflater(), entries, opts.Meta.Generated)
	return set, err
}

// check refuses a runbook made from other values than the options: a
// bundle must never carry the runbook of another revision.
func (o Options) check(doc *runbook.Doc) error {
	if doc == nil {
		return errors.New("bundle: no runbook")
	}
	if o.HTML == nil {
		return errors.New("bundle: no HTML printer for the runbook")
	}
	m, d := o.Meta, doc.Meta
	if m.Product != d.Product || m.Version != d.Version || m.Project != d.Project || m.Revision != d.Revision ||
		m.AnswersHash != d.AnswersHash || !m.Generated.Equal(d.Generated) {
		return fmt.Errorf("bundle: the runbook is of revision %d (%s), the bundle of revision %d (%s)", d.Revision, d.AnswersHash, m.Revision, m.AnswersHash)
	}
	if !sameTicket(o.Ticket, doc.Ticket) {
		return errors.New("bundle: the runbook was built with another change ticket")
	}
	return nil
}

func sameTicket(a, b steps.Ticket) bool {
	return slices.Equal(a.Implementers, b.Implementers) && slices.Equal(a.Approvers, b.Approvers) &&
		a.Number == b.Number && a.Title == b.Title && a.Requester == b.Requester && a.Reviewer == b.Reviewer &&
		a.CABReference == b.CABReference && a.WindowStart == b.WindowStart && a.WindowEnd == b.WindowEnd &&
		a.TimeZone == b.TimeZone && a.Risk == b.Risk && a.RiskReason == b.RiskReason &&
		a.AffectedUsers == b.AffectedUsers && a.Communication == b.Communication
}

// html prints doc with the injected printer, with CRLF line endings like
// every text file of a bundle.
func (o Options) html(doc *runbook.Doc) ([]byte, error) {
	b, err := o.HTML(doc)
	if err != nil {
		return nil, fmt.Errorf("bundle: printing the runbook as HTML: %w", err)
	}
	if !bareLineEnd(b) {
		return b, nil
	}
	return []byte(script.LineEndingsCRLF(string(b))), nil
}

// bareLineEnd reports whether b has a line ending other than CRLF: a LF
// without a CR before it, or a CR without a LF after it (then there are
// more CRs than LFs preceded by one).
func bareLineEnd(b []byte) bool {
	lf := 0
	for i := 0; ; i++ {
		j := bytes.IndexByte(b[i:], '\n')
		if j < 0 {
			break
		}
		i += j
		if i == 0 || b[i-1] != '\r' {
			return true
		}
		lf++
	}
	return bytes.Count(b, []byte{'\r'}) != lf
}

// checkHashes makes sure the runbook prints, for each of targets, exactly
// the files the bundle holds with their hashes.
func checkHashes(doc *runbook.Doc, byTarget map[string][]*placed, targets []string) error {
	printed := map[[2]string]string{}
	for _, f := range doc.Files {
		printed[[2]string{f.Target, f.Path}] = f.SHA256
	}
	for _, t := range targets {
		for _, p := range byTarget[t] {
			sum, ok := printed[[2]string{t, p.path}]
			switch {
			case !ok:
				return fmt.Errorf("bundle: the runbook does not list %s/%s; build it with bundle.FileHashes", t, p.path)
			case sum != p.sha():
				return fmt.Errorf("bundle: the runbook gives %s/%s the SHA-256 %s, the file has %s", t, p.path, sum, p.sha())
			}
			delete(printed, [2]string{t, p.path})
		}
	}
	for k := range printed {
		if slices.Contains(targets, k[0]) {
			return fmt.Errorf("bundle: the runbook lists %s/%s, which is not generated", k[0], k[1])
		}
	}
	return nil
}

// serverEntries returns the files of target's bundle, at their paths in it.
func serverEntries(opts Options, about string, doc *runbook.Doc, byTarget map[string][]*placed, target string) ([]*entry, error) {
	if !slices.Contains(doc.Targets, target) {
		return nil, fmt.Errorf("bundle: the change has no work on %q", target)
	}
	sd := doc
	switch doc.Target {
	case target:
	case "":
		sd = doc.ForServer(target)
	default:
		return nil, fmt.Errorf("bundle: the runbook is %s's, not %s's", doc.Target, target)
	}
	if err := checkHashes(sd, byTarget, []string{target}); err != nil {
		return nil, err
	}
	var entries []*entry
	for _, p := range byTarget[target] {
		entries = append(entries, &entry{path: p.path, body: p.body(), kind: string(p.file.Kind), procedure: p.file.Step, sum: p.sha()})
	}
	html, err := opts.html(sd)
	if err != nil {
		return nil, err
	}
	name := "runbook-" + Folder(target)
	entries = append(entries,
		&entry{path: name + ".md", body: runbook.Markdown(sd), kind: kindRunbook},
		&entry{path: name + ".html", body: html, kind: kindRunbook},
		&entry{path: "README.txt", body: serverReadme(opts, about, sd, byTarget[target], name), kind: kindReadme},
	)
	return seal(opts, sd, target, entries)
}

// seal adds manifest.json, listing every entry, and SHA256SUMS, covering
// every entry and the manifest.
func seal(opts Options, doc *runbook.Doc, target string, entries []*entry) ([]*entry, error) {
	byPath := func(a, b *entry) int { return strings.Compare(a.path, b.path) }
	slices.SortFunc(entries, byPath)
	for i := 1; i < len(entries); i++ {
		if strings.EqualFold(entries[i].path, entries[i-1].path) {
			return nil, fmt.Errorf("bundle: two files at %s", entries[i].path)
		}
	}
	m, err := manifestJSON(opts, doc, target, entries)
	if err != nil {
		return nil, err
	}
	entries = append(entries, &entry{path: "manifest.json", body: m, kind: kindManifest})
	slices.SortFunc(entries, byPath)
	var sums strings.Builder
	sums.Grow(len(entries) * 100)
	for _, e := range entries {
		sums.WriteString(e.sha())
		sums.WriteString("  ")
		sums.WriteString(e.path)
		sums.WriteString("\r\n")
	}
	return append(entries, &entry{path: "SHA256SUMS", body: []byte(sums.String()), kind: kindChecksums}), nil
}

// newDeflater returns a Deflate compressor, to be reused for many entries:
// one holds hundreds of kilobytes of tables. The fastest level of
// klauspost/compress is used: on the bundles' text it compresses several
// times faster than the standard library's fastest level, to about the same
// size, and every download compresses a server's files afresh. The
// compressor and its level are part of the output: changing either changes
// every bundle's bytes, which the golden files catch.
func newDeflater() *deflater {
	w, _ := flate.NewWriter(nil, flate.BestSpeed)
	return &deflater{w: w}
}

// deflater is a compressor and its scratch buffer, used by one goroutine.
type deflater struct {
	w   *flate.Writer
	buf bytes.Buffer
}

// deflate compresses the entry's body once, with d; the same bytes always
// give the same compressed bytes.
func (e *entry) deflate(d *deflater) {
	if e.deflated != nil {
		return
	}
	d.buf.Reset()
	d.w.Reset(&d.buf)
	d.w.Write(e.body) // writes to a bytes.Buffer do not fail
	d.w.Close()
	e.deflated, e.crc = bytes.Clone(d.buf.Bytes()), crc32.ChecksumIEEE(e.body)
}

// writeZip packs entries in name order, each with the same time and mode,
// compressed with Deflate.
func writeZip(w *deflater, entries []*entry, modified time.Time) ([]byte, error) {
	if modified.IsZero() || modified.Before(Epoch) {
		modified = Epoch
	}
	modified = modified.UTC().Truncate(time.Second)
	entries = slices.Clone(entries)
	slices.SortFunc(entries, func(a, b *entry) int { return strings.Compare(a.path, b.path) })
	size := 22
	for _, e := range entries {
		e.deflate(w)
		size += len(e.deflated) + 2*len(e.path) + 120
	}
	// CreateRaw stores a header as given, so it is filled in here as
	// CreateHeader would: the MS-DOS time, the extended timestamp that
	// carries the same time in UTC, and version 2.0 (Deflate).
	date, clock := uint16(modified.Day()+int(modified.Month())<<5+(modified.Year()-1980)<<9),
		uint16(modified.Second()/2+modified.Minute()<<5+modified.Hour()<<11)
	mt := uint32(modified.Unix())
	extTime := []byte{0x55, 0x54, 5, 0, 1, byte(mt), byte(mt >> 8), byte(mt >> 16), byte(mt >> 24)}
	var buf bytes.Buffer
	buf.Grow(size)
	zw := zip.NewWriter(&buf)
	for _, e := range entries {
		h := &zip.FileHeader{
			//lint:ignore SA1019 CreateRaw writes the MS-DOS time fields as given, so they are filled in here
			Name: e.path, Method: zip.Deflate, Modified: modified, ModifiedDate: date, ModifiedTime: clock,
			Extra: extTime, CRC32: e.crc, CompressedSize64: uint64(len(e.deflated)), UncompressedSize64: uint64(e.length()),
		}
		h.SetMode(0o644)
		h.CreatorVersion |= 20
		h.ReaderVersion = 20
		w, err := zw.CreateRaw(h)
		if err != nil {
			return nil, err
		}
		if _, err := w.Write(e.deflated); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}
