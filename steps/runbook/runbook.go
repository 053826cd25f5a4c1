package runbook

import (
	"time"

	"github.com/secex/wizard/steps"
)

// Meta identifies what a runbook was made from. It is printed in the
// document control section, in every bundle's manifest and in the file
// headers, so that a sheet of paper, a ZIP and the project can be matched.
type Meta struct {
	Product     string // product name
	Version     string // product version: the content version of the procedures
	Project     string // project name
	Revision    int64  // project revision, a counter that moves with every change
	AnswersHash string // see steps.HashAnswers

	// Generated is the time of the project's last change, never the time of
	// rendering, so the same revision always gives the same bytes.
	Generated time.Time
}

// Deviation is a recorded departure from the guide: a warning finding the
// team accepted, or a choice that differs from what the guide recommends.
type Deviation struct {
	Step       string // procedure ID
	Key        string // the finding's key (steps.Finding.Key) or the choice's question
	Message    string // what differs, as the finding or the choice says it
	Reason     string // why the team accepted it
	AcceptedBy string // who accepted it
	At         time.Time
}

// FileHash is the SHA-256 of one file of a bundle, as the runbook prints it.
type FileHash struct {
	Target string // the server (or TargetClients) whose folder holds the file
	Path   string // the path inside that folder, with forward slashes
	SHA256 string // lower-case hex
}

// Doc is a runbook: the whole change, or one server's part of it.
type Doc struct {
	Meta   Meta
	Ticket steps.Ticket

	// Target is the server this document is for; "" for the whole change.
	Target string

	Title string // document title: the change number and title
	Scope string // "Whole change", or the server's name

	// Targets lists the servers (and the client population) with work in
	// the whole plan, in inventory order with the clients last. It is the
	// same for a whole-change and a per-server document.
	Targets []string

	// Files are the file hashes this document prints: every file of the
	// change, or the server's own.
	Files []FileHash

	// Procedures are the procedures with work in this document, in
	// catalogue order.
	Procedures []Procedure

	Sections []Section

	src *source // what Build was given, for ForServer
}

// RunningHead is the text of the running page header: the change number and
// title.
func (d *Doc) RunningHead() string { return d.Title }

// ScopeHead is the text for the right of the running header: the server,
// or "Whole change".
func (d *Doc) ScopeHead() string { return d.Scope }

// Procedure names a procedure of the guide the document carries out.
type Procedure struct {
	ID      string
	Title   string
	Section string // the part of the guide it implements
}

// Section is one numbered part of the document.
type Section struct {
	ID     string // stable anchor, such as "plan" or "backout"
	Number int    // 1-based; the same in every document of a change
	Title  string
	Blocks []Block
}

// Block is one element of a section: a *Heading, *Para, *List, *Table,
// *Checklist, *Step, *Check, *Backout, *WriteIn, *SignOff or *Closure.
type Block interface{ block() }

// Heading is a sub-heading inside a section.
type Heading struct {
	Text string
	ID   string // stable anchor, may be empty
}

// Para is a paragraph. A non-empty Label is printed as a bold lead-in.
type Para struct {
	Label string
	Text  string
}

// List is a bulleted or numbered list of sentences.
type List struct {
	Ordered bool
	Items   []string
}

// Column is one column of a Table.
type Column struct {
	Label string
	Code  bool // values are identifiers (hashes, file names): printed in a fixed-width font
	Write bool // left blank, to be written in by hand
}

// Table is a table with a caption and a header row. With RowHeader set the
// first cell of each row heads that row.
type Table struct {
	Caption   string
	Columns   []Column
	Rows      [][]string
	RowHeader bool
}

// Checklist is a list of conditions, each with a box to tick.
type Checklist struct {
	Items []string
}

// FileRef names a file of the bundle and its hash.
type FileRef struct {
	Path   string // path inside the server's folder
	SHA256 string // "" when the runbook was built without file hashes
}

// Step is one numbered step of the plan: done on one server, with a box to
// tick, and the time and initials written in.
type Step struct {
	Number     int    // in the whole plan
	Key        string // steps.Action.Key: stable, for the as-executed record
	Phase      string
	Target     string
	Procedure  string // title of the procedure
	Title      string
	Do         []string // the instructions, in order
	Script     *FileRef // the file to run, if any
	Interrupts string   // the service interrupted, if any
	Minutes    int      // length of the interruption
	Expect     string   // the expected result
	// Rules are the benchmark rules the step answers (or, for an accepted
	// deviation, says it does not), as steps.ControlRef prints them: the
	// change board sees which STIG findings the change settles.
	Rules []string
}

// Check is one check of the verification plan, for the plan step it
// follows, with pass and fail boxes.
type Check struct {
	Step   int // number of the plan step checked
	Key    string
	Target string
	Title  string // title of the plan step checked
	Verify string // how to check, and what is seen when it passes
}

// Backout is how to undo one plan step. The backout plan lists them in
// reverse order of the plan.
type Backout struct {
	Step    int // number of the plan step undone
	Key     string
	Target  string
	Title   string    // title of the plan step undone
	Undo    string    // how to undo it; "" when the procedure gives nothing
	Scripts []FileRef // backout files that undo it
}

// Signer is one row of the sign-off table; Name may be empty, to be
// written in.
type Signer struct {
	Role string
	Name string
}

// SignOff is the sign-off table: role, name, signature and date.
type SignOff struct {
	Signers []Signer
}

// WriteIn is a set of labelled blanks, each written in by hand.
type WriteIn struct {
	Labels []string
}

// Closure is the closure record, filled in by hand after the window: one
// outcome ticked, and the write-in lines.
type Closure struct {
	Outcomes []string
	Lines    []string
}

func (*Heading) block()   {}
func (*Para) block()      {}
func (*List) block()      {}
func (*Table) block()     {}
func (*Checklist) block() {}
func (*Step) block()      {}
func (*Check) block()     {}
func (*Backout) block()   {}
func (*WriteIn) block()   {}
func (*SignOff) block()   {}
func (*Closure) block()   {}

// Section returns the section with the given ID (one of the Section*
// constants), or nil.
func (d *Doc) Section(id string) *Section {
	for i := range d.Sections {
		if d.Sections[i].ID == id {
			return &d.Sections[i]
		}
	}
	return nil
}

// Steps returns the document's plan steps, in order.
func (d *Doc) Steps() []*Step {
	var out []*Step
	if s := d.Section(SectionPlan); s != nil {
		for _, b := range s.Blocks {
			if st, ok := b.(*Step); ok {
				out = append(out, st)
			}
		}
	}
	return out
}
