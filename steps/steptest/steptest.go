// Package steptest holds what the tests of procedure packages share: loading
// a scenario (servers and answers) from testdata, golden comparison of the
// generated files in the style of go/printer's tests, the file rules every
// plain-text file must keep (ASCII, CRLF), and hostile-value checks.
//
// A scenario lives in testdata/<scenario>/answers.json:
//
//	{
//	  "project": "Contoso mail hardening",
//	  "topology": { "Facts": {…}, "Servers": [ {"Name": "EXBE01", …} ] },
//	  "answers": { "outlook-rpc-encryption": { "versions": "outlook-2002", … } }
//	}
//
// The topology and answers have exactly the JSON form of [steps.Topology]
// and [steps.Answers]. The files a step produces for the scenario are kept
// under testdata/<scenario>/want/<target>/<file> and compared byte for byte,
// CRLF included; run the tests with -update to rewrite them.
//
// The package imports testing and is meant for _test.go files only.
package steptest

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script/scripttest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/*/want")

// Product and Version are what golden files are generated with, so that a
// new release does not change every golden file.
const (
	Product = "Exchange Communications Wizard"
	Version = "0.0.0-test"
)

// Scenario is the JSON form of testdata/<scenario>/answers.json.
type Scenario struct {
	Project  string                   `json:"project"`
	Topology steps.Topology           `json:"topology"`
	Answers  map[string]steps.Answers `json:"answers"`
}

// Input builds the input a step sees for the scenario, hash included.
func (s Scenario) Input() steps.Input {
	return NewInput(s.Project, s.Topology, s.Answers)
}

// NewInput builds an input with the test product name and version and the
// answers hash computed as the web server computes it.
func NewInput(project string, t steps.Topology, answers map[string]steps.Answers) steps.Input {
	return steps.Input{
		Product: Product, Version: Version, Project: project, Revision: 1,
		Topology: t, Answers: answers, AnswersHash: steps.HashAnswers(t, answers),
	}
}

// Scenarios lists the scenario folders under testdata (those holding an
// answers.json), in name order. It fails tb if there is none.
func Scenarios(tb testing.TB) []string {
	tb.Helper()
	matches, err := filepath.Glob(filepath.Join("testdata", "*", "answers.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if len(matches) == 0 {
		tb.Fatal("no testdata/*/answers.json")
	}
	var dirs []string
	for _, m := range matches {
		dirs = append(dirs, filepath.Dir(m))
	}
	slices.Sort(dirs)
	return dirs
}

// Load reads dir/answers.json. Unknown fields are an error, so a typo in a
// scenario cannot silently drop an answer.
func Load(tb testing.TB, dir string) Scenario {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(dir, "answers.json"))
	if err != nil {
		tb.Fatal(err)
	}
	var s Scenario
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		tb.Fatalf("%s/answers.json: %v", dir, err)
	}
	return s
}

// WithChanges loads dir and applies changes to the answers of the
// procedures named (an empty value deletes the answer) and to each server.
func WithChanges(tb testing.TB, dir string, change map[string]steps.Answers, server func(*steps.Server)) steps.Input {
	tb.Helper()
	sc := Load(tb, dir)
	answers := map[string]steps.Answers{}
	for id, a := range sc.Answers {
		c := steps.Answers{}
		for k, v := range a {
			c[k] = v
		}
		for k, v := range change[id] {
			if v == "" {
				delete(c, k)
				continue
			}
			c[k] = v
		}
		answers[id] = c
	}
	topo := sc.Topology
	topo.Servers = slices.Clone(topo.Servers)
	for i := range topo.Servers {
		topo.Servers[i].ISA.ExternalAddrs = slices.Clone(topo.Servers[i].ISA.ExternalAddrs)
		if server != nil {
			server(&topo.Servers[i])
		}
	}
	return NewInput(sc.Project, topo, answers)
}

// Golden compares files with dir/want/<target>/<name>, byte for byte, and
// reports missing and unexpected files. With -update it rewrites dir/want
// instead.
func Golden(tb testing.TB, dir string, files []steps.File) {
	tb.Helper()
	want := filepath.Join(dir, "want")
	if *update {
		if err := os.RemoveAll(want); err != nil {
			tb.Fatal(err)
		}
		for _, f := range files {
			p := filepath.Join(want, f.Target, f.Name)
			if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
				tb.Fatal(err)
			}
			if err := os.WriteFile(p, f.Body, 0o644); err != nil {
				tb.Fatal(err)
			}
		}
		return
	}
	seen := map[string]bool{}
	for _, f := range files {
		rel := filepath.Join(f.Target, f.Name)
		if seen[rel] {
			tb.Errorf("%s: produced twice", rel)
		}
		seen[rel] = true
		golden, err := os.ReadFile(filepath.Join(want, rel))
		if err != nil {
			tb.Errorf("%s: no golden file (run go test -update): %v", rel, err)
			continue
		}
		if !bytes.Equal(f.Body, golden) {
			tb.Errorf("%s differs from %s:\n%s", rel, filepath.Join(want, rel), firstDifference(golden, f.Body))
		}
	}
	err := filepath.WalkDir(want, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(want, p)
		if !seen[rel] {
			tb.Errorf("%s: golden file is no longer produced (run go test -update)", rel)
		}
		return nil
	})
	if err != nil && !os.IsNotExist(err) {
		tb.Error(err)
	}
}

// firstDifference shows the first line where got and want differ.
func firstDifference(want, got []byte) string {
	wl := strings.SplitAfter(string(want), "\n")
	gl := strings.SplitAfter(string(got), "\n")
	for i := 0; i < len(wl) || i < len(gl); i++ {
		var w, g string
		if i < len(wl) {
			w = wl[i]
		}
		if i < len(gl) {
			g = gl[i]
		}
		if w != g {
			return "line " + strconv.Itoa(i+1) + ":\n  want " + strconv.Quote(w) + "\n  got  " + strconv.Quote(g)
		}
	}
	return "(same lines, different bytes)"
}

// CheckPlainFile fails tb unless f is plain ASCII text with CRLF line
// endings throughout, no control characters other than tab, and a final
// line break: the rules for .cmd, .vbs, .inf and .txt files.
func CheckPlainFile(tb testing.TB, f steps.File) {
	tb.Helper()
	b := f.Body
	name := filepath.Join(f.Target, f.Name)
	if len(b) == 0 {
		tb.Errorf("%s: empty file", name)
		return
	}
	for i, c := range b {
		switch {
		case c == '\n':
			if i == 0 || b[i-1] != '\r' {
				tb.Errorf("%s: byte %d: line feed without a carriage return", name, i)
				return
			}
		case c == '\r':
			if i+1 >= len(b) || b[i+1] != '\n' {
				tb.Errorf("%s: byte %d: carriage return without a line feed", name, i)
				return
			}
		case c == '\t':
		case c < 0x20 || c >= 0x7f:
			tb.Errorf("%s: byte %d: 0x%02X is not printable ASCII", name, i, c)
			return
		}
	}
	if !bytes.HasSuffix(b, []byte("\r\n")) {
		tb.Errorf("%s: does not end with CRLF", name)
	}
}

// CheckHostileProject generates files for in with each hostile project name
// in turn and compares them with the files for a plain name. The project
// name is free text that only the header carries, so each file must keep
// the same number of lines, differ at most in its one "Project:" header
// line, and stay plain ASCII with CRLF (see [CheckPlainFile]).
func CheckHostileProject(tb testing.TB, files func(steps.Input) ([]steps.File, error), in steps.Input) {
	tb.Helper()
	in.Project = "Plain project"
	base, err := files(in)
	if err != nil {
		tb.Fatal(err)
	}
	for _, h := range scripttest.Hostile() {
		if strings.TrimSpace(h) == "" {
			continue // a project always has a name
		}
		hin := in
		hin.Project = h
		got, err := files(hin)
		if err != nil {
			tb.Errorf("project %q: %v; the header must carry any project name", h, err)
			continue
		}
		if len(got) != len(base) {
			tb.Errorf("project %q: %d files, want %d", h, len(got), len(base))
			continue
		}
		for i, f := range got {
			CheckPlainFile(tb, f)
			bl := strings.Split(string(base[i].Body), "\r\n")
			gl := strings.Split(string(f.Body), "\r\n")
			if len(bl) != len(gl) {
				tb.Errorf("project %q: %s has %d lines, want %d: the name broke out of its header line", h, f.Name, len(gl), len(bl))
				continue
			}
			for j := range bl {
				if bl[j] != gl[j] && !strings.Contains(bl[j], "Project: Plain project") {
					tb.Errorf("project %q: %s line %d changed: %q", h, f.Name, j+1, gl[j])
				}
			}
		}
	}
}

// CheckHostileAnswers sets each answer of step in turn to each hostile value
// and generates the files. The answer must be refused (files returns an
// error), or the files must be exactly those of the original answers: a
// value that normalises to the same answer is harmless, and a question whose
// page is no longer asked is not used.
func CheckHostileAnswers(tb testing.TB, files func(steps.Input) ([]steps.File, error), in steps.Input, step string) {
	tb.Helper()
	base, err := files(in)
	if err != nil {
		tb.Fatal(err)
	}
	orig := in.Of(step)
	if len(orig) == 0 {
		tb.Fatalf("the scenario has no answers for %s", step)
	}
	var ids []string
	for id := range orig {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		for _, h := range scripttest.Hostile() {
			a := steps.Answers{}
			for k, v := range orig {
				a[k] = v
			}
			a[id] = h
			answers := map[string]steps.Answers{}
			for k, v := range in.Answers {
				answers[k] = v
			}
			answers[step] = a
			hin := in
			hin.Answers = answers
			got, err := files(hin)
			if err != nil {
				continue
			}
			if !sameFiles(base, got) {
				tb.Errorf("answer %s = %q was accepted and changed the files", id, h)
			}
		}
	}
}

// CheckHostileAnswersAsParsed sets each answer of st in turn to each hostile value.
// The files must then fail, or be exactly the files of the value as its
// question parses it (so a blank optional answer or a value with spaces
// around it behaves as what it normalises to, and nothing else reaches a
// script); either way each file passes checkFile. Unlike
// [CheckHostileAnswers], a value that parses to another answer may change
// the files.
func CheckHostileAnswersAsParsed(t testing.TB, st *steps.Step, in steps.Input, checkFile func(testing.TB, steps.File)) {
	t.Helper()
	with := func(id, v string) steps.Input {
		a := steps.Answers{}
		for k, x := range in.Of(st.ID) {
			a[k] = x
		}
		a[id] = v
		answers := map[string]steps.Answers{}
		for k, x := range in.Answers {
			answers[k] = x
		}
		answers[st.ID] = a
		out := in
		out.Answers = answers
		return out
	}
	var ids []string
	for id := range in.Of(st.ID) {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		q, _ := st.Question(id)
		for _, h := range scripttest.Hostile() {
			got, err := st.Files(with(id, h))
			if err != nil {
				continue
			}
			raw := []string{h}
			if q.Kind.Multiple() {
				raw = steps.Answers{id: h}.Values(id)
			}
			v, perr := q.Parse(raw, in.Topology)
			if perr != nil {
				t.Errorf("answer %s = %q does not parse (%v) but files were produced", id, h, perr)
				continue
			}
			want, err := st.Files(with(id, v))
			if err != nil || !sameFiles(got, want) {
				t.Errorf("answer %s = %q gives other files than its parsed form %q (%v)", id, h, v, err)
			}
			for _, f := range got {
				checkFile(t, f)
			}
		}
	}
}

func sameFiles(a, b []steps.File) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Target != b[i].Target || a[i].Name != b[i].Name || !bytes.Equal(a[i].Body, b[i].Body) {
			return false
		}
	}
	return true
}
