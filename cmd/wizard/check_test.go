package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// weakExample is the documented example with the S/MIME procedure's
// algorithm answer changed to one its cross-check warns about; with
// accept, the file also accepts the warning in deviations.
func weakExample(t *testing.T, accept bool) string {
	t.Helper()
	doc, err := os.ReadFile("../../docs/examples/small.json")
	if err != nil {
		t.Fatal(err)
	}
	s := strings.Replace(string(doc), `"algorithm": "3des"`, `"algorithm": "rc2-40"`, 1)
	if s == string(doc) {
		t.Fatal("the example has no 3des answer")
	}
	if accept {
		s = strings.Replace(s, `"completed": [`, `"deviations": [{"key": "smime/weak-default-algorithm", "reason": "The partner bank reads RC2 only", "acceptedBy": "ann", "at": "2026-11-21T09:00:00Z"}],
  "completed": [`, 1)
	}
	file := filepath.Join(t.TempDir(), "project.json")
	if err := os.WriteFile(file, []byte(s), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func status(err error) int {
	var e exitError
	switch {
	case err == nil:
		return 0
	case errors.As(err, &e):
		return e.status
	}
	return -1
}

func TestCheckExitStatusAndReport(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"schemaVersion": 1, "project": "x", "updatedAt": "soon"}`), 0o600)
	tests := []struct {
		name, file string
		status     int
		want       []string
	}{
		{"clean", "../../docs/examples/small.json", 0, []string{"renders: no error, 0 accepted warnings"}},
		{"unaccepted warning", weakExample(t, false), 1, []string{"answers.smime: warning smime/weak-default-algorithm", "to fix: Change answers.smime.algorithm, or accept it", "1 warning not accepted"}},
		{"accepted warning", weakExample(t, true), 0, []string{"accepted warning smime/weak-default-algorithm", "reason: The partner bank reads RC2 only (accepted by ann)", "1 accepted warning."}},
		{"unusable", bad, 2, []string{"bad.json: updatedAt: error", "not a usable project file"}},
		{"missing", filepath.Join(t.TempDir(), "none.json"), 2, []string{"could not be opened"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"check", tt.file}, env(nil), &stdout, &stderr)
			if got := status(err); got != tt.status {
				t.Errorf("status %d (%v), want %d\n%s", got, err, tt.status, stdout.String())
			}
			for _, w := range tt.want {
				if !strings.Contains(stdout.String(), w) {
					t.Errorf("report lacks %q:\n%s", w, stdout.String())
				}
			}
		})
	}
}

func TestCheckJSON(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"check", "-json", weakExample(t, false)}, env(nil), &stdout, &stderr)
	if status(err) != 1 {
		t.Fatalf("status of %v", err)
	}
	var rep checkReport
	if err := json.Unmarshal(stdout.Bytes(), &rep); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, stdout.String())
	}
	if !rep.Usable || len(rep.Findings) != 1 {
		t.Fatalf("report %+v", rep)
	}
	f := rep.Findings[0]
	if f.Severity != "warning" || f.Key != "smime/weak-default-algorithm" || f.Path != "answers.smime" ||
		len(f.Fields) != 1 || f.Fields[0] != "answers.smime.algorithm" || f.Accepted != nil || !strings.Contains(f.Fix, "deviations") {
		t.Errorf("finding %+v", f)
	}
}

// TestWarningsGateRenderAndImport: render and import refuse a file whose
// warning is not accepted, naming the finding; once accepted, render
// writes the bundles and the runbook's deviations section lists it with
// its reason, who accepted it and when.
func TestWarningsGateRenderAndImport(t *testing.T) {
	ctx := context.Background()
	out := filepath.Join(t.TempDir(), "out")
	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"render", "-out", out, weakExample(t, false)}, env(nil), &stdout, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "smime/weak-default-algorithm") {
		t.Errorf("render of an unaccepted warning: %v\n%s", err, stderr.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("render of a refused file made %s", out)
	}

	si := newSignedIn(t)
	u, _, _ := si.st.UserByName(ctx, "ann")
	for accept, want := range map[bool]int{false: 1, true: 0} {
		f, _ := os.Open(weakExample(t, accept))
		_, problems, err := si.h.Import(ctx, u.ID, f)
		f.Close()
		if err != nil || len(problems) != want || (want == 1 && !strings.Contains(problems[0].Message, "smime/weak-default-algorithm")) {
			t.Errorf("import (accepted %v): %v %v", accept, problems, err)
		}
	}

	stderr.Reset()
	if err := run(ctx, []string{"render", "-out", out, weakExample(t, true)}, env(nil), &stdout, &stderr); err != nil {
		t.Fatalf("render of an accepted warning: %v\n%s", err, stderr.String())
	}
	md, err := os.ReadFile(filepath.Join(out, "runbook.md"))
	if err != nil {
		t.Fatal(err)
	}
	dev := string(md[strings.Index(string(md), "Deviations"):])
	for _, w := range []string{"The partner bank reads RC2 only", "ann", "2026"} {
		if !strings.Contains(dev, w) {
			t.Errorf("deviations section lacks %q", w)
		}
	}
}
