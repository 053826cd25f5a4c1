package steps

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
)

// Step is one procedure of the guide. Like an analyzer in
// golang.org/x/tools/go/analysis it is a plain value in its own package:
// what it asks, how the answers are checked against each other and against
// the servers, and what work it plans on which server. A Step never prints
// HTML and never touches storage.
type Step struct {
	ID        string   // stable slug; appears in addresses, the database and project files
	Title     string   // as the task list shows it
	Section   string   // the part of the guide it implements
	Summary   string   // one sentence for the task list
	Rationale []string // why the procedure matters, in paragraphs
	Notes     []string // points the runbook must carry (limits of the protection, legal notes)
	Requires  []string // IDs of steps that must be completed first

	// Platform is the platform the procedure plans for; a project shows
	// and produces only its own platform's procedures.
	Platform Platform

	// Applies reports whether the procedure concerns this organisation, and
	// if not, why; nil means it always applies.
	Applies func(Topology) (bool, string)

	Pages []Page

	// Upgrade, when set, rewrites answers saved by an earlier version of
	// the procedure into today's questions, for project files written
	// before a question changed (the database is converted by a
	// migration). It returns a new map and leaves its argument alone.
	Upgrade func(Answers) Answers

	// Check finds what is wrong across the answers and servers. Errors block
	// every output; warnings are shown and need a recorded reason.
	Check func(Input) []Finding

	// Plan lists the work this procedure needs, per server or population.
	Plan func(Input) []Action

	// Files generates the downloadable files the plan refers to.
	Files func(Input) ([]File, error)

	// Corrections lists where the plan departs from the guide's printed
	// text because the guide is wrong, given the answers. A change board
	// reads them in the runbook's deviations section: a reviewer holding
	// the guide must never find a silent difference.
	Corrections func(Input) []Correction
}

// Correction is one place where the plan does something other than the
// guide's printed text, because the text is wrong.
type Correction struct {
	Step    string
	Guide   string // what the guide says, in our words
	Plan    string // what the plan does instead
	Why     string // why the guide's text would not work as intended
	Servers []string
}

// Question finds a question of s by ID.
func (s *Step) Question(id string) (Question, bool) {
	for _, p := range s.Pages {
		for _, q := range p.Questions {
			if q.ID == id {
				return q, true
			}
		}
	}
	return Question{}, false
}

// Page finds a page of s by ID.
func (s *Step) Page(id string) (Page, bool) {
	for _, p := range s.Pages {
		if p.ID == id {
			return p, true
		}
	}
	return Page{}, false
}

// AskedPages lists the pages asked given the answers.
func (s *Step) AskedPages(a Answers) []Page {
	var out []Page
	for _, p := range s.Pages {
		if p.Asked(a) {
			out = append(out, p)
		}
	}
	return out
}

// Unanswered returns the first asked page with a required question that
// has no answer, or false when every asked question is answered.
func (s *Step) Unanswered(a Answers) (Page, bool) {
	for _, p := range s.AskedPages(a) {
		for _, q := range p.Questions {
			if _, ok := a[q.ID]; !ok && !q.Optional {
				return p, true
			}
		}
	}
	return Page{}, false
}

// Input is everything a procedure sees when it checks, plans or generates.
type Input struct {
	Product     string // product name for file headers
	Version     string // product version for file headers
	Project     string // project name
	Revision    int64  // project revision the output is made from
	Topology    Topology
	Answers     map[string]Answers // by step ID
	AnswersHash string             // see HashAnswers
}

// Of returns the answers of step id (never nil).
func (in Input) Of(id string) Answers {
	if a := in.Answers[id]; a != nil {
		return a
	}
	return Answers{}
}

// HashAnswers is the SHA-256 of the topology and every answer, in a
// canonical JSON form. It is printed on every generated file and the
// runbook, so a printed page can be matched to the bundle and to the state
// of the project it came from.
func HashAnswers(t Topology, answers map[string]Answers) string {
	b, err := json.Marshal(struct {
		Topology Topology
		Answers  map[string]Answers
	}{t, answers})
	if err != nil {
		// Only plain strings, numbers and addresses are marshalled.
		panic(fmt.Sprintf("steps: hashing answers: %v", err))
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Severity says whether a finding blocks output.
type Severity int

// The severities.
const (
	Warning Severity = iota + 1 // shown; needs a recorded reason to go on
	Error                       // blocks every output until fixed
)

func (s Severity) String() string {
	if s == Error {
		return "error"
	}
	return "warning"
}

// Finding is one problem found across answers and servers.
type Finding struct {
	Step     string
	Code     string // stable within the step; with Step it identifies an acknowledgement
	Severity Severity
	Message  string   // written for the administrator: what is wrong and what to change
	Fix      []string // IDs of the questions (of Step) that change it
	Servers  []string // servers concerned
}

// Key identifies the finding for acknowledgements.
func (f Finding) Key() string { return f.Step + "/" + f.Code }

// Phase orders work across servers (procedures.md, "Cross-server order of
// work").
type Phase int

// The phases of the default plan.
const (
	PhasePrerequisites Phase = iota + 1
	PhaseFrontEndCert
	PhaseISA
	PhaseIPSec
	PhaseSMTP
	PhaseClients

	// The current platform's phases; Rank places each beside the guide's
	// phase it stands for.
	PhaseCertificates
	PhasePublishing
	PhaseTransport
)

func (p Phase) String() string {
	return [...]string{"", "Prerequisites", "Front-end certificates", "ISA Server publishing", "IPSec", "SMTP", "Clients",
		"Certificates", "Publishing", "Server-to-server protection"}[p]
}

// Rank is the phase's place in the order of work.
func (p Phase) Rank() int {
	switch p {
	case PhaseCertificates:
		return int(PhaseFrontEndCert)
	case PhasePublishing:
		return int(PhaseISA)
	case PhaseTransport:
		return int(PhaseIPSec)
	}
	return int(p)
}

// TargetClients is the plan target for the Outlook client population, which
// is not a server.
const TargetClients = "Outlook clients"

// Action is one step of the plan: something done on one server (or the
// client population), by hand or by running a generated file.
type Action struct {
	ID         string // unique within the step
	Step       string
	Phase      Phase
	Target     string   // server NetBIOS name, or TargetClients
	Title      string   // what is done, as a short imperative
	Do         []string // the instructions, in order: console paths or the script to run
	Script     string   // file name of the generated file to run, if any
	Expect     string   // what the operator sees when it worked
	Verify     string   // how to check it independently
	Backout    string   // how to undo it
	Interrupts string   // service interrupted, if any ("OWA", "Outlook", "Inbound mail")
	Minutes    int      // expected length of the interruption

	// Probe, when set, is an outside-in test of what the action changed
	// that the wizard can run itself; Verify still says how to check by
	// hand.
	Probe *Probe

	// Controls are the benchmark rules the action brings its target into
	// line with (or, for a deviation, leaves out of line on purpose). The
	// action's mark in the as-executed record is the evidence a checklist
	// export reports for them.
	Controls []ControlRef
}

// ProbeKind says what a probe connects to.
type ProbeKind string

// The kinds of probe.
const (
	ProbeTLS  ProbeKind = "tls"  // a TLS endpoint, and the OWA path behind it
	ProbeSMTP ProbeKind = "smtp" // an SMTP server
	// ProbeCert checks a certificate file the team gives (the issued
	// certificate, before it is installed) against Name; it connects to
	// nothing, and Host and Port are empty.
	ProbeCert ProbeKind = "cert"
)

// Probe is what the plan expects an endpoint to show from outside. Every
// value comes from the project's topology and answers, so a probe only
// ever reaches a host the project names.
type Probe struct {
	Kind ProbeKind
	Host string // the address (or name) connected to
	Port uint16
	Name string // the name the certificate must carry, sent as SNI

	Path string // TLS: the OWA path that must ask for Basic authentication
	// FormsSignIn, for the current platform, makes the OWA path's check
	// expect Outlook on the web's sign-in page (a redirect to
	// /owa/auth/logon.aspx on the same host over HTTPS) instead of a
	// Basic challenge.
	FormsSignIn bool
	HTTPPort    uint16 // TLS: plain-HTTP port that must refuse or redirect to HTTPS; 0 skips

	STARTTLS        bool   // SMTP: STARTTLS must be offered
	OutsideFrom     string // SMTP: sender and recipient of the open-relay attempt
	OutsideTo       string
	LongHELORefused bool // SMTP: the Message Screener refuses over-long commands
}

// Key identifies the action across the whole plan: the as-executed record,
// assignments and sign-off comparisons refer to actions by it.
func (a Action) Key() string { return a.Step + "/" + a.ID + "@" + a.Target }

// FileKind says what a generated file is for.
type FileKind string

// The kinds of generated file.
const (
	FileApply   FileKind = "apply"
	FileVerify  FileKind = "verify"
	FileBackout FileKind = "backout"
	FileGuide   FileKind = "guide" // instructions for people, not a script
	FileHelper  FileKind = "helper"
)

// File is one generated, downloadable file.
type File struct {
	Target string // server NetBIOS name or TargetClients
	Name   string // file name inside the target's folder
	Kind   FileKind
	Step   string
	Body   []byte
}

// Output is what the catalogue produces for a project.
type Output struct {
	Findings    []Finding
	Actions     []Action
	Files       []File
	Corrections []Correction
}

// Blocked reports whether an error finding stops output.
func (o Output) Blocked() bool {
	return slices.ContainsFunc(o.Findings, func(f Finding) bool { return f.Severity == Error })
}

// Produce runs every applicable step of catalog whose answers are complete:
// findings first, and only when no error is found, the plan and the files.
// The plan is ordered by phase and then by catalogue order, so the runbook,
// the bundles and the as-executed record all read the same order.
func Produce(catalog []*Step, in Input, complete func(stepID string) bool) (Output, error) {
	var out Output
	var ready []*Step
	for _, s := range catalog {
		if s.Platform != in.Topology.Facts.Platform {
			continue
		}
		if s.Applies != nil {
			if ok, _ := s.Applies(in.Topology); !ok {
				continue
			}
		}
		if complete(s.ID) {
			ready = append(ready, s)
		}
	}
	// The procedures only read the input, so they run side by side: a
	// large organisation's plan is ready in the time its slowest procedure
	// takes. Results are put together in catalogue order, so the output
	// does not depend on which finishes first.
	type result struct {
		findings    []Finding
		actions     []Action
		files       []File
		corrections []Correction
	}
	results, err := Concurrently(len(ready), func(i int) (result, error) {
		var r result
		r.findings = ready[i].Findings(in)
		return r, nil
	})
	if err != nil {
		return out, err
	}
	for i, s := range ready {
		for _, f := range results[i].findings {
			f.Step = s.ID
			out.Findings = append(out.Findings, f)
		}
	}
	if out.Blocked() {
		return out, nil
	}
	results, err = Concurrently(len(ready), func(i int) (result, error) {
		var r result
		var err error
		s := ready[i]
		if s.Plan != nil {
			r.actions = s.Plan(in)
		}
		if s.Files != nil {
			if r.files, err = s.Files(in); err != nil {
				err = fmt.Errorf("%s: %w", s.ID, err)
			}
		}
		if s.Corrections != nil {
			r.corrections = s.Corrections(in)
		}
		return r, err
	})
	if err != nil {
		return out, err
	}
	for i, s := range ready {
		r := results[i]
		for _, a := range r.actions {
			a.Step = s.ID
			out.Actions = append(out.Actions, a)
		}
		for _, f := range r.files {
			f.Step = s.ID
			out.Files = append(out.Files, f)
		}
		for _, c := range r.corrections {
			c.Step = s.ID
			out.Corrections = append(out.Corrections, c)
		}
	}
	slices.SortStableFunc(out.Actions, func(a, b Action) int { return a.Phase.Rank() - b.Phase.Rank() })
	seen := map[string]bool{}
	for _, a := range out.Actions {
		if seen[a.Key()] {
			return out, fmt.Errorf("%s: two plan steps share the key %s", a.Step, a.Key())
		}
		seen[a.Key()] = true
	}
	slices.SortStableFunc(out.Files, func(a, b File) int {
		if a.Target != b.Target {
			if a.Target < b.Target {
				return -1
			}
			return 1
		}
		return 0
	})
	return out, nil
}

// Concurrently calls f for 0 to n-1 on the available processors and
// returns the results in order, so that they do not depend on which call
// finishes first. The error is the first in order; every call is made
// even when one fails. f must only read what it shares with other calls.
//
// A call that panics gives an error with the panic and its stack instead:
// on a goroutine of its own a panic would end the whole server, where on
// the request's goroutine it ends only that request.
func Concurrently[T any](n int, f func(i int) (T, error)) ([]T, error) {
	results := make([]T, n)
	errs := make([]error, n)
	call := func(i int) {
		defer func() {
			if r := recover(); r != nil {
				errs[i] = fmt.Errorf("panic: %v\n%s", r, debug.Stack())
			}
		}()
		results[i], errs[i] = f(i)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), n) {
		wg.Go(func() {
			for i := range next {
				call(i)
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			return results, err
		}
	}
	return results, nil
}

// ErrNoAnswers is what LoadAnswers returns for a procedure nobody has
// answered: there is nothing to generate from it.
var ErrNoAnswers = errors.New("the procedure has no answers")

// LoadAnswers parses the saved answers of the procedure id again for
// generation (see Reparse). An answer that no longer parses, or an asked,
// required question left unanswered, is an error: nothing is generated
// from a value that was not parsed. Which pages are asked is decided by
// the saved answers, as the web decides it.
func LoadAnswers(id string, pages []Page, in Input) (Answers, error) {
	saved := in.Of(id)
	if len(saved) == 0 {
		return nil, ErrNoAnswers
	}
	a, bad := Reparse(id, pages, in)
	if len(bad) > 0 {
		return nil, errors.New(bad[0].Message)
	}
	for _, p := range pages {
		if !p.Asked(saved) {
			continue
		}
		for _, q := range p.Questions {
			if _, answered := a[q.ID]; !answered && !q.Optional {
				return nil, fmt.Errorf("the question %q is not answered", q.Label)
			}
		}
	}
	return a, nil
}

// CodeAnswerInvalid is the finding code Reparse gives a saved answer that
// no longer parses.
const CodeAnswerInvalid = "answer-invalid"

// Findings is what the engine reports of s for in: the procedure's own
// Check, and an error finding for each saved answer that no longer parses
// (see Reparse) and that Check does not already name. A corrupt or
// outdated saved answer then shows as a finding to fix on the question's
// page, instead of stopping the scripts' generation later with an error.
func (s *Step) Findings(in Input) []Finding {
	var fs []Finding
	if s.Check != nil {
		fs = s.Check(in)
	}
	_, bad := Reparse(s.ID, s.Pages, in)
	for _, b := range bad {
		named := slices.ContainsFunc(fs, func(f Finding) bool { return slices.Contains(f.Fix, b.Fix[0]) })
		if !named {
			fs = append(fs, b)
		}
	}
	return fs
}

// Reparse parses every saved answer of an asked page of the procedure id
// again, with its question's parser and against today's servers: an answer
// naming a server that was since removed, or given before a rule was
// tightened, must not reach a script. It returns the answers that parse and
// an error finding for each that no longer does; unanswered questions are
// absent.
func Reparse(id string, pages []Page, in Input) (Answers, []Finding) {
	a := in.Of(id)
	ok := Answers{}
	var bad []Finding
	for _, p := range pages {
		if !p.Asked(a) {
			continue
		}
		for _, q := range p.Questions {
			raw, answered := a[q.ID]
			if !answered {
				continue
			}
			vals := []string{raw}
			if q.Kind.Multiple() {
				vals = a.Values(q.ID)
			}
			v, err := q.Parse(vals, in.Topology)
			if err != nil {
				bad = append(bad, Finding{
					Code:     CodeAnswerInvalid,
					Severity: Error,
					Message:  fmt.Sprintf("The saved answer to %q no longer fits: %v. Answer the question again.", q.Label, err),
					Fix:      []string{q.ID},
				})
				continue
			}
			ok[q.ID] = v
		}
	}
	return ok, bad
}
