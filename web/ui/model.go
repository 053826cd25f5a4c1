package ui

import "github.com/secex/wizard/steps"

// Page is what the layout needs around every page.
type Page struct {
	Title    string // the <title>, without the product name
	Product  string
	User     string // signed-in user's name; empty when signed out
	CSRF     string // per-session token for every form
	Project  *ProjectNav
	Back     string // back link target; empty for none
	Problems steps.Problems
	Flash    string // one-line success message
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

// RunbookStep is one numbered step of the runbook.
type RunbookStep struct {
	Number     int
	Target     string
	Procedure  string
	Phase      string
	Title      string
	Do         []string
	Script     string
	Expect     string
	Verify     string
	Backout    string
	Interrupts string
}

// RunbookTarget is the part of the plan for one server or population.
type RunbookTarget struct {
	Name  string
	Steps []RunbookStep
	Files []FileLink
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
	Servers     []ServerRow
}

// MemberRow is one member of a project.
type MemberRow struct {
	Name, Role string
}
