package bundle_test

import (
	"archive/zip"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/bundle"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/runbook/runbooktest"
)

// plainHTML stands in for the templ printer, which lives in web/ui: steps
// must not import it. It prints the Markdown inside a pre element, with LF
// line endings, so the tests see the bundle make them CRLF.
func plainHTML(d *runbook.Doc) ([]byte, error) {
	md := strings.ReplaceAll(string(runbook.Markdown(d)), "\r\n", "\n")
	return []byte("<!DOCTYPE html>\n<title>" + d.Title + "</title>\n<pre>\n" + md + "</pre>\n"), nil
}

type fixture struct {
	sc   runbooktest.Scenario
	opts bundle.Options
	doc  *runbook.Doc
}

func newFixture(tb testing.TB, sc runbooktest.Scenario) fixture {
	tb.Helper()
	hs, err := bundle.FileHashes(sc.Output)
	if err != nil {
		tb.Fatal(err)
	}
	return fixture{sc: sc, doc: sc.Build(hs), opts: bundle.Options{Meta: sc.Meta, Ticket: sc.Ticket, HTML: plainHTML}}
}

func (f fixture) server(tb testing.TB, target string) []byte {
	tb.Helper()
	z, err := bundle.Server(f.opts, f.doc, f.sc.Output, target)
	if err != nil {
		tb.Fatal(err)
	}
	return z
}

func (f fixture) change(tb testing.TB) []byte {
	tb.Helper()
	z, err := bundle.Change(f.opts, f.doc, f.sc.Output)
	if err != nil {
		tb.Fatal(err)
	}
	return z
}

// unzip reads every entry of a ZIP, in the archive's order.
func unzip(tb testing.TB, z []byte) ([]*zip.File, map[string][]byte) {
	tb.Helper()
	zr, err := zip.NewReader(bytes.NewReader(z), int64(len(z)))
	if err != nil {
		tb.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			tb.Fatal(err)
		}
		b, err := io.ReadAll(rc)
		rc.Close()
		if err != nil {
			tb.Fatal(err)
		}
		files[f.Name] = b
	}
	return zr.File, files
}

func sum(b []byte) string {
	s := sha256.Sum256(b)
	return hex.EncodeToString(s[:])
}

// listing describes a ZIP's entries one a line: name, size, SHA-256,
// method, mode and time; the first line is the ZIP's own size and SHA-256,
// so that a change of compressor or ZIP layout shows as a difference too.
func listing(tb testing.TB, z []byte) []byte {
	entries, files := unzip(tb, z)
	var b bytes.Buffer
	fmt.Fprintf(&b, "zip %d %s\n", len(z), sum(z))
	for _, e := range entries {
		fmt.Fprintf(&b, "%s %d %s method=%d mode=%v modified=%s\n", e.Name, len(files[e.Name]), sum(files[e.Name]), e.Method, e.Mode(), e.Modified.UTC().Format(time.RFC3339))
	}
	return b.Bytes()
}

// TestGolden compares the reference bundles' listings and selected files
// with testdata, byte for byte.
func TestGolden(t *testing.T) {
	f := newFixture(t, runbooktest.Reference(t))
	dir := filepath.Join("testdata", "reference")
	z := f.server(t, "EXFE01")
	runbooktest.Golden(t, filepath.Join(dir, "EXFE01.list"), listing(t, z))
	_, files := unzip(t, z)
	for _, name := range []string{"README.txt", "manifest.json", "SHA256SUMS", "10-fixture-apply.cmd", "backout/fixture-backout.cmd", "runbook-EXFE01.md"} {
		runbooktest.Golden(t, filepath.Join(dir, "EXFE01", filepath.FromSlash(name)), files[name])
	}
	c := f.change(t)
	runbooktest.Golden(t, filepath.Join(dir, "change.list"), listing(t, c))
	_, files = unzip(t, c)
	for _, name := range []string{"README.txt", "manifest.json", "SHA256SUMS", "Outlook-clients/README.txt"} {
		runbooktest.Golden(t, filepath.Join(dir, "change", filepath.FromSlash(name)), files[name])
	}
}

// TestDeterministic renders every bundle twice, from two builds of the
// runbook, and compares the bytes.
func TestDeterministic(t *testing.T) {
	sc := runbooktest.Reference(t)
	a, b := newFixture(t, sc), newFixture(t, sc)
	if !bytes.Equal(a.change(t), b.change(t)) {
		t.Error("two renders of the change bundle differ")
	}
	for _, target := range a.doc.Targets {
		if !bytes.Equal(a.server(t, target), b.server(t, target)) {
			t.Errorf("%s: two renders differ", target)
		}
	}
}

// TestSums checks SHA256SUMS and manifest.json of every bundle against the
// files, and the rules each file keeps.
func TestSums(t *testing.T) {
	f := newFixture(t, runbooktest.Reference(t))
	bundles := map[string][]byte{"change": f.change(t)}
	for _, target := range f.doc.Targets {
		bundles[target] = f.server(t, target)
	}
	for name, z := range bundles {
		entries, files := unzip(t, z)
		var names []string
		for _, e := range entries {
			names = append(names, e.Name)
		}
		if !slices.IsSorted(names) {
			t.Errorf("%s: entries not sorted: %v", name, names)
		}
		// Every folder has its own sums and manifest: the root's in a
		// server bundle, and one per folder plus the root's in the change
		// bundle.
		for _, e := range names {
			if filepath.Base(e) != "SHA256SUMS" {
				continue
			}
			folder := strings.TrimSuffix(e, "SHA256SUMS")
			checkSums(t, name+":"+e, folder, files)
			checkManifest(t, name+":"+folder+"manifest.json", folder, files)
		}
		for path, b := range files {
			checkEncoding(t, name+":"+path, path, b)
		}
	}
}

func checkSums(t *testing.T, where, folder string, files map[string][]byte) {
	t.Helper()
	listed := map[string]bool{}
	lines := strings.Split(strings.TrimSuffix(string(files[folder+"SHA256SUMS"]), "\r\n"), "\r\n")
	var paths []string
	for _, l := range lines {
		h, p, ok := strings.Cut(l, "  ")
		if !ok || len(h) != 64 {
			t.Errorf("%s: bad line %q", where, l)
			continue
		}
		paths = append(paths, p)
		b, ok := files[folder+p]
		if !ok {
			t.Errorf("%s: lists %s, which is not in the bundle", where, p)
			continue
		}
		if sum(b) != h {
			t.Errorf("%s: %s has %s, SHA256SUMS says %s", where, p, sum(b), h)
		}
		listed[folder+p] = true
	}
	if !slices.IsSorted(paths) {
		t.Errorf("%s: lines not sorted by path", where)
	}
	for p := range files {
		if strings.HasPrefix(p, folder) && p != folder+"SHA256SUMS" && !listed[p] {
			t.Errorf("%s: does not list %s", where, p)
		}
	}
}

func checkManifest(t *testing.T, where, folder string, files map[string][]byte) {
	t.Helper()
	b := files[folder+"manifest.json"]
	var m struct {
		AnswersHash string
		Revision    int64
		Files       []struct {
			Path, SHA256 string
			Size         int
		}
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	if m.AnswersHash == "" || m.Revision != 7 {
		t.Errorf("%s: answers hash %q, revision %d", where, m.AnswersHash, m.Revision)
	}
	listed := map[string]bool{}
	for _, f := range m.Files {
		got, ok := files[folder+f.Path]
		if !ok || sum(got) != f.SHA256 || len(got) != f.Size {
			t.Errorf("%s: %s: %s %d bytes, the file %s %d bytes (present %v)", where, f.Path, f.SHA256, f.Size, sum(got), len(got), ok)
		}
		listed[folder+f.Path] = true
	}
	for p := range files {
		if strings.HasPrefix(p, folder) && p != folder+"manifest.json" && p != folder+"SHA256SUMS" && !listed[p] {
			t.Errorf("%s: does not list %s", where, p)
		}
	}
	// Keys are sorted: the manifest is what encoding/json writes for a
	// map (which sorts keys) of the same content.
	var any map[string]any
	if err := json.Unmarshal(b, &any); err != nil {
		t.Fatal(err)
	}
	var again bytes.Buffer
	enc := json.NewEncoder(&again)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(any); err != nil {
		t.Fatal(err)
	}
	if strings.ReplaceAll(again.String(), "\n", "\r\n") != string(b) {
		t.Errorf("%s: keys are not sorted, or the layout differs from encoding/json's", where)
	}
}

// checkEncoding checks the bundle's own text files: README.txt is UTF-8
// with a BOM, the others have none; all have CRLF line endings only.
func checkEncoding(t *testing.T, where, path string, b []byte) {
	t.Helper()
	base := filepath.Base(path)
	own := base == "README.txt" || base == "manifest.json" || base == "SHA256SUMS" || strings.HasPrefix(base, "runbook")
	if !own {
		return
	}
	bom := bytes.HasPrefix(b, []byte("\xef\xbb\xbf"))
	if want := base == "README.txt"; bom != want {
		t.Errorf("%s: BOM %v, want %v", where, bom, want)
	}
	rest := bytes.ReplaceAll(b, []byte("\r\n"), nil)
	if bytes.ContainsAny(rest, "\r\n") {
		t.Errorf("%s: a line ending other than CRLF", where)
	}
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		t.Errorf("%s: no final CRLF", where)
	}
}

// TestChangeHoldsServerBundles checks that each folder of the change bundle
// holds exactly that server's bundle.
func TestChangeHoldsServerBundles(t *testing.T) {
	f := newFixture(t, runbooktest.Reference(t))
	_, change := unzip(t, f.change(t))
	n := 0
	for _, target := range f.doc.Targets {
		_, files := unzip(t, f.server(t, target))
		for p, b := range files {
			n++
			if got, ok := change[bundle.Folder(target)+"/"+p]; !ok || !bytes.Equal(got, b) {
				t.Errorf("%s: %s differs in the change bundle (present %v)", target, p, ok)
			}
		}
	}
	if own := len(change) - n; own != 5 {
		t.Errorf("the change bundle has %d files of its own, want README, runbooks, manifest and sums", own)
	}
}

// TestZipEntries checks each entry's fixed time, mode and method, and the
// epoch used when the project's last change time is unknown.
func TestZipEntries(t *testing.T) {
	f := newFixture(t, runbooktest.Reference(t))
	entries, _ := unzip(t, f.server(t, "EXFE01"))
	for _, e := range entries {
		if !e.Modified.Equal(runbooktest.Generated) || e.Mode() != 0o644 || e.Method != zip.Deflate {
			t.Errorf("%s: modified %v, mode %v, method %d", e.Name, e.Modified, e.Mode(), e.Method)
		}
	}
	sc := runbooktest.Reference(t)
	sc.Meta.Generated = time.Time{}
	g := newFixture(t, sc)
	entries, _ = unzip(t, g.server(t, "EXFE01"))
	if !entries[0].Modified.Equal(bundle.Epoch) {
		t.Errorf("without a change time, entries carry %v, want %v", entries[0].Modified, bundle.Epoch)
	}
}

// TestApplyOrder checks that apply scripts are numbered in the order the
// plan runs them, not the order the procedure lists them.
func TestApplyOrder(t *testing.T) {
	f := newFixture(t, runbooktest.Reference(t))
	hs, err := bundle.FileHashes(f.sc.Output)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, h := range hs {
		if h.Target == "EXFE01" {
			got[filepath.Base(h.Path)] = h.Path
		}
	}
	for name, want := range map[string]string{
		runbooktest.FixtureApply:   "10-" + runbooktest.FixtureApply,
		runbooktest.FixtureApply2:  "20-" + runbooktest.FixtureApply2,
		runbooktest.FixtureBackout: "backout/" + runbooktest.FixtureBackout,
		runbooktest.FixtureGuide:   "docs/" + runbooktest.FixtureGuide,
		runbooktest.FixtureVerify:  runbooktest.FixtureVerify,
	} {
		found := false
		for _, p := range got {
			if p == want {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: want it at %s; paths %v", name, want, got)
		}
	}
}

// TestRefuses checks that a bundle is never made with a runbook that does
// not print its files' hashes, or that comes from another revision.
func TestRefuses(t *testing.T) {
	f := newFixture(t, runbooktest.Reference(t))
	noHashes := f.sc.Build(nil)
	if _, err := bundle.Server(f.opts, noHashes, f.sc.Output, "EXFE01"); err == nil {
		t.Error("a runbook without hashes was accepted")
	}
	if _, err := bundle.Change(f.opts, noHashes, f.sc.Output); err == nil {
		t.Error("a runbook without hashes was accepted for the change")
	}
	tampered := f.sc.Output
	tampered.Files = slices.Clone(tampered.Files)
	for i := range tampered.Files {
		if tampered.Files[i].Target == "EXFE01" && tampered.Files[i].Kind == steps.FileApply {
			tampered.Files[i].Body = append(slices.Clone(tampered.Files[i].Body), "echo extra\r\n"...)
		}
	}
	if _, err := bundle.Server(f.opts, f.doc, tampered, "EXFE01"); err == nil {
		t.Error("files that differ from the runbook's hashes were accepted")
	}
	other := f.opts
	other.Meta.Revision++
	if _, err := bundle.Server(other, f.doc, f.sc.Output, "EXFE01"); err == nil {
		t.Error("a runbook of another revision was accepted")
	}
	if _, err := bundle.Change(f.opts, f.doc.ForServer("EXFE01"), f.sc.Output); err == nil {
		t.Error("a server's runbook was accepted for the change bundle")
	}
	if _, err := bundle.Server(f.opts, f.doc, f.sc.Output, "DC01"); err == nil {
		t.Error("a bundle was made for a server without work")
	}
	noHTML := f.opts
	noHTML.HTML = nil
	if _, err := bundle.Server(noHTML, f.doc, f.sc.Output, "EXFE01"); err == nil {
		t.Error("a bundle was made without an HTML printer")
	}
}

// TestFileNames checks that a generated file whose name could leave its
// folder or clash on Windows is refused.
func TestFileNames(t *testing.T) {
	for _, name := range []string{"../evil.cmd", `..\evil.cmd`, "a/b.cmd", ".hidden", "CON.txt", "nul", "a b.cmd", "é.txt", "", "README.txt", "runbook-X.md"} {
		out := steps.Output{Files: []steps.File{{Target: "S1", Name: name, Kind: steps.FileVerify, Body: []byte("x")}}}
		if _, err := bundle.FileHashes(out); err == nil {
			t.Errorf("file name %q accepted", name)
		}
	}
	out := steps.Output{Files: []steps.File{
		{Target: "S1", Name: "a.cmd", Kind: steps.FileVerify, Body: []byte("x")},
		{Target: "S1", Name: "A.cmd", Kind: steps.FileHelper, Body: []byte("y")},
	}}
	if _, err := bundle.FileHashes(out); err == nil {
		t.Error("two names differing only in case accepted")
	}
}

func TestFolderAndFileName(t *testing.T) {
	if got := bundle.Folder(steps.TargetClients); got != "Outlook-clients" {
		t.Errorf("Folder(%q) = %q", steps.TargetClients, got)
	}
	tk := steps.Ticket{Number: "CHG 00/12"}
	if got := bundle.FileName(tk, "EXBE02"); got != "CHG-00-12_EXBE02.zip" {
		t.Errorf("FileName = %q", got)
	}
	if got := bundle.FileName(tk, ""); got != "CHG-00-12_change.zip" {
		t.Errorf("FileName = %q", got)
	}
	if got := bundle.FileName(steps.Ticket{}, ""); got != "change.zip" {
		t.Errorf("FileName = %q", got)
	}
}

// TestAll checks that All gives the same bytes as Change and Server.
func TestAll(t *testing.T) {
	f := newFixture(t, runbooktest.Reference(t))
	set, err := bundle.All(f.opts, f.doc, f.sc.Output)
	if err != nil {
		t.Fatal(err)
	}
	change := f.change(t)
	if !bytes.Equal(set.Change, change) {
		t.Error("All's change bundle differs from Change's")
	}
	_, inChange := unzip(t, change)
	if !bytes.Equal(set.Markdown, inChange["runbook.md"]) || !bytes.Equal(set.HTML, inChange["runbook.html"]) {
		t.Error("All's runbook.md or runbook.html differs from the change bundle's")
	}
	if len(set.Servers) != len(f.doc.Targets) {
		t.Errorf("All made %d server bundles, want %d", len(set.Servers), len(f.doc.Targets))
	}
	for _, target := range f.doc.Targets {
		if !bytes.Equal(set.Servers[target], f.server(t, target)) {
			t.Errorf("%s: All's bundle differs from Server's", target)
		}
	}
}

// TestPanicIsAnError checks that a printer that panics on one server's
// runbook makes All and Change fail with the panic, rather than ending the
// program from a worker goroutine.
func TestPanicIsAnError(t *testing.T) {
	f := newFixture(t, runbooktest.Reference(t))
	for _, target := range []string{"EXFE01", ""} {
		opts := f.opts
		opts.HTML = func(d *runbook.Doc) ([]byte, error) {
			if d.Target == target {
				panic("the printer broke")
			}
			return plainHTML(d)
		}
		if _, err := bundle.All(opts, f.doc, f.sc.Output); err == nil || !strings.Contains(err.Error(), "panic: the printer broke") {
			t.Errorf("All with a printer that panics on %q: %v", target, err)
		}
		if _, err := bundle.Change(opts, f.doc, f.sc.Output); err == nil || !strings.Contains(err.Error(), "panic: the printer broke") {
			t.Errorf("Change with a printer that panics on %q: %v", target, err)
		}
	}
}

// TestApplyNamesNumbered checks that a file naming an apply script by the
// name its procedure gave it names it with its number in the bundle: in
// usage lines, after "echo.", and for another server's script where the
// text says it runs there; a longer name or a path is left alone.
func TestApplyNamesNumbered(t *testing.T) {
	body := "rem Usage: cscript //nologo relay-apply.vbs\r\n" +
		"echo.relay-apply.vbs saved the lists.\r\n" +
		"rem Run relay-apply.vbs.\r\n" +
		"rem Not these: relay-apply.vbs.log old-relay-apply.vbs C:\\x\\relay-apply.vbs\r\n" +
		"rem Then run other-apply.cmd on S2, but not other-apply.cmd here.\r\n"
	out := steps.Output{
		Actions: []steps.Action{{Target: "S1", Script: "relay-apply.vbs"}, {Target: "S2", Script: "other-apply.cmd"}},
		Files: []steps.File{
			{Target: "S1", Name: "relay-apply.vbs", Kind: steps.FileApply, Body: []byte(body)},
			{Target: "S2", Name: "other-apply.cmd", Kind: steps.FileApply, Body: []byte("@echo off\r\n")},
		},
	}
	hs, err := bundle.FileHashes(out)
	if err != nil {
		t.Fatal(err)
	}
	want := "rem Usage: cscript //nologo 10-relay-apply.vbs\r\n" +
		"echo.10-relay-apply.vbs saved the lists.\r\n" +
		"rem Run 10-relay-apply.vbs.\r\n" +
		"rem Not these: relay-apply.vbs.log old-relay-apply.vbs C:\\x\\relay-apply.vbs\r\n" +
		"rem Then run 10-other-apply.cmd on S2, but not other-apply.cmd here.\r\n"
	for _, h := range hs {
		if h.Path == "10-relay-apply.vbs" && h.SHA256 != sum([]byte(want)) {
			t.Errorf("the packed file's hash is not that of\n%s", want)
		}
	}
	if string(out.Files[0].Body) != body {
		t.Error("the procedure's file was changed in place")
	}
}
