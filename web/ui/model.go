package ui

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/runbook"
)

// Page is what the layout needs around every page.
type Page struct {
	Title    string // the <title>, without the product name
	Product  string
	User     string // signed-in user's name; empty when signed out
	CSRF     string // per-session token for every form
	Project  *ProjectNav
	Back     string // back link target; empty for none
	Problems steps.Problems
	Flash    string   // one-line success message
	Notice   string   // one-sentence note on something sent that was not accepted
	Styles   []string // extra style sheets, by asset name
	Live     *Live    // presence panel and live updates on project pages; nil elsewhere
}

// ProjectNav is the project context shown in the header.
type ProjectNav struct {
	ID   int64
	Name string
	Role string
	Path string // /p/{id}
}

// Field describes one form control and its current state.
type Field struct {
	ID           string // id and name
	Label        string
	Hint         string
	Value        string
	Values       []string // for checkboxes
	Error        string
	Optional     bool
	Wide         bool
	Mono         bool // identifiers: monospace, no spellcheck
	Options      []steps.Choice
	Rows         int // for textareas
	IsHeading    bool
	Type         string // input type; "" is text
	Autocomplete string
}

// ProjectRow is one project on the list.
type ProjectRow struct {
	ID       int64
	Name     string
	Role     string
	Archived bool
	Revision int64
	Updated  string
}

// Task is one row of the task list.
type Task struct {
	Title  string
	Hint   string
	Href   string // empty when the task cannot be started
	Status string
	Tag    string // css modifier for the status
}

// TaskGroup is a section of the task list.
type TaskGroup struct {
	Title string
	Tasks []Task
	// Note, when set, is a link shown under the group's title.
	Note *Link
}

// SummaryRow is one row of a check-answers list.
type SummaryRow struct {
	Key    string
	Value  []string
	Change string // link to change it; empty for none
	By     string // who last changed it and when
}

// FindingView is a finding as shown to the administrator.
type FindingView struct {
	Key      string
	Severity string
	Message  string
	Fix      []Link
	Reason   string // recorded reason, for acknowledged warnings
	AckedBy  string
}

// Link is a labelled address.
type Link struct {
	Label, Href string
}

// ServerRow is one server in the inventory table.
type ServerRow struct {
	ID    int64
	Name  string
	FQDN  string
	Addrs string
	OS    string
	Roles string
	Href  string
}

// ServerEdit is the server form.
type ServerEdit struct {
	Action  string
	Version int64
	Form    steps.ServerForm
	Roles   []steps.Choice
	OSes    []steps.Choice
	IsNew   bool
	Delete  string // delete action; empty when new
}

// ServerList is the servers page's box for a pasted list of servers.
type ServerList struct {
	Action string
	Field  Field          // the box; its Error is not used
	Errors steps.Problems // the list's problems; a line's has the field list-line-N
}

// RunbookTarget is the downloads of one server or population.
type RunbookTarget struct {
	Name     string
	Files    []FileLink
	Bundle   FileLink // the target's ZIP
	Document string   // the target's printable runbook
}

// FileLink is a downloadable file with its hash.
type FileLink struct {
	Name   string
	Href   string
	Kind   string
	SHA256 string
	Size   int
}

// Runbook is the runbook page.
type Runbook struct {
	Project     string
	Revision    int64
	AnswersHash string
	Generated   string
	Version     string
	Procedures  []string
	Pending     []string // procedures not completed yet
	Notes       []string
	Findings    []FindingView
	Blocked     bool
	Targets     []RunbookTarget
	Doc         *runbook.Doc // nil when Blocked
	Document    string       // the whole change's printable runbook
	PDF         string       // the whole change's runbook as PDF; empty when the server has no printer
	Bundle      FileLink     // the whole change's ZIP
	Signoffs    []string     // recorded sign-offs, newest first
	Executed    []string     // recorded marks of plan steps, in plan order
	Closure     string       // how the change was closed, if it was
}

// MemberRow is one member of a project.
type MemberRow struct {
	Name, Role string
}

// CounterpartRow is one procedure of the guide and what stands for it on
// the current platform.
type CounterpartRow struct {
	Guide   string
	Current []Link
	Why     string
}
