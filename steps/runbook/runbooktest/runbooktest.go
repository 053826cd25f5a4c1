// Package runbooktest holds the scenarios the tests of the runbook and the
// bundles share: a reference project with a complete change ticket and a
// deviation, and a generated project of 200 servers for benchmarks.
//
// The catalogue is the procedures that exist (Outlook RPC encryption,
// S/MIME, the Key Management Service) plus [Fixture], a test-only procedure
// with apply, verify and backout files, so that the numbered apply scripts
// and the backout folder are covered before a real procedure ships them.
//
// The package imports testing and is meant for _test.go files only.
package runbooktest

import (
	"bytes"
	_ "embed"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"runtime/metrics"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/kms"
	"github.com/secex/wizard/steps/rpcencrypt"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/smime"
	"github.com/secex/wizard/steps/steptest"
)

// Scenario is everything runbook.Build needs.
type Scenario struct {
	Meta       runbook.Meta
	Ticket     steps.Ticket
	Catalog    []*steps.Step
	Input      steps.Input
	Output     steps.Output
	Deviations []runbook.Deviation
}

// Build builds the whole change's runbook with files' hashes.
func (s Scenario) Build(files []runbook.FileHash) *runbook.Doc {
	return runbook.Build(s.Meta, s.Ticket, s.Catalog, s.Input, s.Output, s.Deviations, files)
}

// Catalog is the catalogue of the scenarios, in guide order, with the
// fixture last.
func Catalog() []*steps.Step {
	return []*steps.Step{rpcencrypt.Step, smime.Step, kms.Step, Fixture}
}

//go:embed contoso.json
var contosoJSON []byte

// Generated is the time of the scenarios' last change.
var Generated = time.Date(2026, 11, 27, 16, 45, 0, 0, time.UTC)

// Ticket is the reference change ticket.
func Ticket() steps.Ticket {
	return steps.Ticket{
		Number:        "CHG0012345",
		Title:         "Secure Exchange communications: Outlook encryption, S/MIME and KMS",
		Requester:     "Ruth Okafor (Messaging)",
		Implementers:  []string{"Dan Marsh", "Priya Natarajan"},
		Reviewer:      "Lena Vogel",
		Approvers:     []string{"Change advisory board"},
		CABReference:  "CAB-2026-48",
		WindowStart:   "2026-12-05T22:00",
		WindowEnd:     "2026-12-06T02:00",
		TimeZone:      "Europe/London",
		Risk:          "medium",
		RiskReason:    "Exchange Setup stops the services on EXBE02 while KMS is installed, and every Outlook user restarts Outlook once.\nBackout is simple: each step has a manual reverse.",
		AffectedUsers: "All 250 Outlook users restart Outlook once.\nMailboxes on EXBE02 are unavailable for about 30 minutes.",
		Communication: "Users are told on 2026-12-01 by e-mail and on the intranet.",
	}
}

// Reference is the reference scenario: the Contoso topology of the
// catalogue's tests with every procedure answered, the reference ticket and
// one accepted warning.
func Reference(tb testing.TB) Scenario {
	tb.Helper()
	var sc steptest.Scenario
	if err := json.Unmarshal(contosoJSON, &sc); err != nil {
		tb.Fatal(err)
	}
	sc.Answers[FixtureID] = steps.Answers{}
	in := sc.Input()
	return produce(tb, in, []runbook.Deviation{{
		Step: FixtureID, Key: FixtureID + "/" + codeSelfSigned,
		Message:    "The test certificate on EXFE01 is self-signed.",
		Reason:     "Lab only; replaced by a certificate from CA01 before go-live.",
		AcceptedBy: "Lena Vogel",
		At:         time.Date(2026, 11, 26, 9, 30, 0, 0, time.UTC),
	}})
}

// Big is a generated project of 200 servers (20 ISA Servers, 60 OWA
// front-ends, 100 back-ends, 19 gateways and a domain controller) with
// every procedure of the catalogue answered.
func Big(tb testing.TB) Scenario {
	tb.Helper()
	t := steptest.BigTopology(20, 60, 100, 19)
	answers := steptest.AnswerAll(Catalog(), t)
	in := steptest.NewInput("Benchmark", t, answers)
	return produce(tb, in, nil)
}

func produce(tb testing.TB, in steps.Input, devs []runbook.Deviation) Scenario {
	tb.Helper()
	out, err := steps.Produce(Catalog(), in, func(string) bool { return true })
	if err != nil {
		tb.Fatal(err)
	}
	if out.Blocked() {
		tb.Fatalf("the scenario is blocked: %+v", out.Findings)
	}
	return Scenario{
		Meta: runbook.Meta{Product: in.Product, Version: in.Version, Project: in.Project, Revision: 7,
			AnswersHash: in.AnswersHash, Generated: Generated},
		Ticket: Ticket(), Catalog: Catalog(), Input: in, Output: out, Deviations: devs,
	}
}

// FixtureID is the ID of Fixture.
const FixtureID = "test-fixture"

const codeSelfSigned = "self-signed"

// The fixture's file names.
const (
	FixtureApply   = "fixture-apply.cmd"
	FixtureApply2  = "fixture-restart.cmd"
	FixtureVerify  = "fixture-verify.cmd"
	FixtureBackout = "fixture-backout.cmd"
	FixtureGuide   = "fixture-notes.txt"
)

// Fixture is a test-only procedure: on every OWA front-end it runs two apply
// scripts, a verify script and has a backout script and a guide, and it
// always warns about the first front-end.
var Fixture = &steps.Step{
	ID:        FixtureID,
	Title:     "Test fixture with scripts",
	Section:   "None: a fixture for tests",
	Summary:   "Exercises apply, verify and backout files.",
	Rationale: []string{"Tests need a procedure that ships apply and backout files."},
	Notes:     []string{"Not a procedure of the guide."},
	Check: func(in steps.Input) []steps.Finding {
		fes := in.Topology.WithRole(steps.RoleFrontEnd)
		if len(fes) == 0 {
			return nil
		}
		return []steps.Finding{{Code: codeSelfSigned, Severity: steps.Warning,
			Message: "The test certificate is self-signed.", Servers: []string{string(fes[0].Name)}}}
	},
	Corrections: func(in steps.Input) []steps.Correction {
		var names []string
		for _, s := range in.Topology.WithRole(steps.RoleFrontEnd) {
			names = append(names, string(s.Name))
		}
		if len(names) == 0 {
			return nil
		}
		return []steps.Correction{{Guide: "Restart the fixture before applying it.", Plan: "Applies the fixture, then restarts it.",
			Why: "A restart before the change has nothing to pick up.", Servers: names}}
	},
	Plan: func(in steps.Input) []steps.Action {
		var as []steps.Action
		for _, s := range in.Topology.WithRole(steps.RoleFrontEnd) {
			n := string(s.Name)
			as = append(as,
				steps.Action{ID: "apply-" + n, Phase: steps.PhaseFrontEndCert, Target: n,
					Title: "Apply the fixture on " + n, Do: []string{"Run " + FixtureApply + " on " + string(s.FQDN) + "."},
					Script: FixtureApply, Expect: "It prints DONE.", Verify: "Run " + FixtureVerify + ": it prints PASS.",
					Backout: "Run " + FixtureBackout + ".", Interrupts: "OWA (the site restarts)", Minutes: 5},
				steps.Action{ID: "restart-" + n, Phase: steps.PhaseFrontEndCert, Target: n,
					Title: "Restart the fixture on " + n, Script: FixtureApply2, Expect: "It prints RESTARTED.",
					Backout: "Nothing to undo.", Interrupts: "OWA", Minutes: 2},
			)
		}
		return as
	},
	Files: func(in steps.Input) ([]steps.File, error) {
		var fs []steps.File
		for _, s := range in.Topology.WithRole(steps.RoleFrontEnd) {
			n := string(s.Name)
			body := func(what string) []byte {
				return []byte(fmt.Sprintf("@echo off\r\nrem %s for %s (answers %s)\r\necho %s\r\n", what, n, in.AnswersHash, what))
			}
			fs = append(fs,
				steps.File{Target: n, Name: FixtureGuide, Kind: steps.FileGuide, Body: []byte("Notes for " + n + "\r\n")},
				steps.File{Target: n, Name: FixtureVerify, Kind: steps.FileVerify, Body: body("PASS")},
				steps.File{Target: n, Name: FixtureApply2, Kind: steps.FileApply, Body: body("RESTARTED")},
				steps.File{Target: n, Name: FixtureBackout, Kind: steps.FileBackout, Body: body("UNDONE")},
				steps.File{Target: n, Name: FixtureApply, Kind: steps.FileApply, Body: body("DONE")},
			)
		}
		return fs, nil
	},
}

// Updating reports whether the tests run with -update, the flag package
// steptest defines for rewriting golden files.
func Updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// Golden compares got with the file at path byte for byte, CRLF included,
// and shows the first line that differs. With -update it writes the file
// instead.
func Golden(tb testing.TB, path string, got []byte) {
	tb.Helper()
	if Updating() {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			tb.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			tb.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		tb.Fatalf("%s: %v (run go test -update)", path, err)
	}
	if !bytes.Equal(got, want) {
		tb.Errorf("%s differs (run go test -update to accept):\n%s", path, firstDifference(want, got))
	}
}

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
			return fmt.Sprintf("line %d:\n  want %q\n  got  %q", i+1, w, g)
		}
	}
	return "(same lines, different bytes)"
}

// PeakHeap runs f once and returns the most heap memory held by live and
// not yet collected objects while it ran, above what was held before: a
// goroutine samples runtime/metrics (which does not stop the world) every
// 50 microseconds. It is a benchmark's measure of peak memory.
func PeakHeap(f func()) uint64 {
	runtime.GC()
	sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
	read := func() uint64 {
		metrics.Read(sample)
		return sample[0].Value.Uint64()
	}
	base := read()
	var peak atomic.Uint64
	done := make(chan struct{})
	stopped := make(chan struct{})
	go func() {
		defer close(stopped)
		t := time.NewTicker(50 * time.Microsecond)
		defer t.Stop()
		for {
			if v := read(); v > peak.Load() {
				peak.Store(v)
			}
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	f()
	if v := read(); v > peak.Load() {
		peak.Store(v)
	}
	close(done)
	<-stopped
	if p := peak.Load(); p > base {
		return p - base
	}
	return 0
}
