package runbook

import (
	"cmp"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/secex/wizard/steps"
)

// The section IDs, in document order. Every document of a change has every
// section, so section numbers match between the whole change and each
// server's part.
const (
	SectionControl       = "document-control"
	SectionChange        = "change"
	SectionRisk          = "risk"
	SectionJustification = "justification"
	SectionPrerequisites = "prerequisites"
	SectionServers       = "servers"
	SectionPlan          = "plan"
	SectionVerification  = "verification"
	SectionBackout       = "backout"
	SectionDeviations    = "deviations"
	SectionSignOff       = "sign-off"
)

// source is what Build was given, kept so that ForServer prints a server's
// part from exactly the same values.
type source struct {
	meta    Meta
	ticket  steps.Ticket
	catalog []*steps.Step
	in      steps.Input
	out     steps.Output
	devs    []Deviation
	files   []FileHash

	targets  []string
	window   [][]string        // the change window's rows, worked out once
	platform string            // see platformOf, worked out once
	left     [][]string        // the procedures that do not apply and why, worked out once
	titles   map[string]string // procedure ID to title
	refs     map[fileKey]FileRef
	renamed  map[string][][2]string // per target, file names the bundle puts elsewhere, and where
	number   []int                  // plan step number of out.Actions[i]
	filesOf  map[string][]int       // per target, indexes into out.Files
}

type fileKey struct{ target, name string }

// Build makes the runbook of the whole change from the plan of a project.
//
// catalog is the catalogue the plan was produced from (for the procedures'
// titles, guide sections and rationale), in its order; in and out are the
// input and output of steps.Produce; devs is the deviations register; files
// are the hashes of the bundle's files (see package bundle), which the
// runbook prints beside the steps that run them and in its document control.
// Steps are numbered in the order of out.Actions, which Produce orders by
// phase and catalogue.
//
// Build keeps its arguments for [Doc.ForServer]; the caller must not change
// them afterwards.
func Build(meta Meta, ticket steps.Ticket, catalog []*steps.Step, in steps.Input, out steps.Output, devs []Deviation, files []FileHash) *Doc {
	catalog = steps.OnPlatform(catalog, in.Topology.Facts.Platform)
	s := &source{meta: meta, ticket: ticket, catalog: catalog, in: in, out: out, devs: devs,
		titles: map[string]string{}, refs: map[fileKey]FileRef{}}
	for _, st := range catalog {
		s.titles[st.ID] = st.Title
	}
	s.targets = targetsOf(in.Topology, out)
	s.window = windowRows(ticket)
	s.platform = platformOf(in.Topology)
	// Whether a procedure applies goes through the whole topology; every
	// server's runbook lists the same ones, so they are found once here
	// rather than once for each of hundreds of servers.
	for _, st := range catalog {
		if st.Applies == nil {
			continue
		}
		if ok, why := st.Applies(in.Topology); !ok {
			s.left = append(s.left, []string{st.Title, st.Section, why})
		}
	}
	rank := map[string]int{}
	for i, t := range s.targets {
		rank[t] = i
	}
	s.files = slices.Clone(files)
	slices.SortStableFunc(s.files, func(a, b FileHash) int {
		return cmp.Or(cmp.Compare(rankOf(rank, a.Target), rankOf(rank, b.Target)), cmp.Compare(a.Target, b.Target), cmp.Compare(a.Path, b.Path))
	})
	// A bundle may prefix a file's name with its run order ("10-") or put it
	// in a folder ("backout/"); the plan names files as the procedures do.
	for _, f := range s.files {
		ref := FileRef{Path: f.Path, SHA256: f.SHA256}
		base := path.Base(f.Path)
		if _, ok := s.refs[fileKey{f.Target, base}]; !ok {
			s.refs[fileKey{f.Target, base}] = ref
		}
		if name, ok := strings.CutPrefix(base, orderPrefix(base)); ok && name != base {
			if _, ok := s.refs[fileKey{f.Target, name}]; !ok {
				s.refs[fileKey{f.Target, name}] = ref
			}
		}
	}
	s.renamed = map[string][][2]string{}
	for _, f := range out.Files {
		if r, ok := s.refs[fileKey{f.Target, f.Name}]; ok && r.Path != f.Name {
			s.renamed[f.Target] = append(s.renamed[f.Target], [2]string{f.Name, r.Path})
		}
	}
	for i := range out.Actions {
		s.number = append(s.number, i+1)
	}
	s.filesOf = map[string][]int{}
	for i, f := range out.Files {
		s.filesOf[f.Target] = append(s.filesOf[f.Target], i)
	}
	return s.doc("")
}

// prose returns a sentence of a procedure about target with each file name
// it mentions written as the file's path in the bundle ("run
// fixture-apply.cmd" becomes "run 10-fixture-apply.cmd"), so that what the
// operator reads is what the folder holds.
func (s *source) prose(target, text string) string {
	for _, r := range s.renamed[target] {
		text = replaceName(text, r[0], r[1])
	}
	return text
}

// replaceName replaces each mention of the file name in text that stands
// alone: not part of a longer name.
func replaceName(text, name, with string) string {
	inName := func(c byte) bool {
		return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '/' || c == '\\'
	}
	var b strings.Builder
	rest := text
	for {
		i := strings.Index(rest, name)
		if i < 0 {
			break
		}
		end := i + len(name)
		// PowerShell's ".\name" runs name from the current folder: the
		// name stands alone after it.
		dotSlash := i >= 2 && rest[i-2:i] == `.\` && (i == 2 || !inName(rest[i-3]))
		before := i == 0 || dotSlash || !inName(rest[i-1]) && rest[i-1] != '.'
		after := end == len(rest) || !inName(rest[end]) && !(rest[end] == '.' && end+1 < len(rest) && inName(rest[end+1]))
		b.WriteString(rest[:i])
		if before && after {
			b.WriteString(with)
		} else {
			b.WriteString(name)
		}
		rest = rest[end:]
	}
	if b.Len() == 0 {
		return text
	}
	b.WriteString(rest)
	return b.String()
}

// orderPrefix returns the run-order prefix of a bundle file name, such as
// "10-", or "".
func orderPrefix(name string) string {
	i := 0
	for i < len(name) && name[i] >= '0' && name[i] <= '9' {
		i++
	}
	if i == 0 || i >= len(name) || name[i] != '-' {
		return ""
	}
	return name[:i+1]
}

func rankOf(rank map[string]int, t string) int {
	if r, ok := rank[t]; ok {
		return r
	}
	return len(rank)
}

// ForServer returns target's part of the change: its steps, checks, backout
// and files, numbered as in the whole plan, with the same front matter and
// sign-off. A target without work gets a document that says so.
func (d *Doc) ForServer(target string) *Doc {
	if d == nil || d.src == nil {
		return nil
	}
	return d.src.doc(target)
}

// targetsOf lists the targets with work: servers in inventory order, then
// targets the topology does not know (sorted), then the client population.
func targetsOf(t steps.Topology, out steps.Output) []string {
	has := map[string]bool{}
	for _, a := range out.Actions {
		has[a.Target] = true
	}
	for _, f := range out.Files {
		has[f.Target] = true
	}
	var ts []string
	for _, srv := range t.Servers {
		if n := string(srv.Name); has[n] {
			ts = append(ts, n)
			delete(has, n)
		}
	}
	clients := has[steps.TargetClients]
	delete(has, steps.TargetClients)
	var rest []string
	for n := range has {
		rest = append(rest, n)
	}
	slices.Sort(rest)
	ts = append(ts, rest...)
	if clients {
		ts = append(ts, steps.TargetClients)
	}
	return ts
}

// view is the part of the source one document shows.
type view struct {
	*source
	target  string
	actions []int // indexes into out.Actions
}

func (v view) mine(target string) bool { return v.target == "" || v.target == target }

func (s *source) doc(target string) *Doc {
	v := view{source: s, target: target}
	for i, a := range s.out.Actions {
		if v.mine(a.Target) {
			v.actions = append(v.actions, i)
		}
	}
	d := &Doc{Meta: s.meta, Ticket: s.ticket, Target: target, Targets: slices.Clone(s.targets), src: s}
	d.Title = docTitle(s.ticket, s.meta)
	d.Scope = "Whole change"
	if target != "" {
		d.Scope = target
	}
	for _, f := range s.files {
		if v.mine(f.Target) {
			d.Files = append(d.Files, f)
		}
	}
	for _, st := range v.included() {
		d.Procedures = append(d.Procedures, Procedure{ID: st.ID, Title: st.Title, Section: st.Section})
	}
	for _, sec := range []Section{
		v.control(d.Files), v.change(), v.risk(), v.justification(), v.prerequisites(),
		v.servers(), v.plan(), v.verification(), v.backout(), v.deviations(), v.signOff(),
	} {
		sec.Number = len(d.Sections) + 1
		d.Sections = append(d.Sections, sec)
	}
	return d
}

func docTitle(t steps.Ticket, m Meta) string {
	switch {
	case t.Number != "" && t.Title != "":
		return t.Number + ": " + t.Title
	case t.Number != "":
		return t.Number
	case t.Title != "":
		return t.Title
	}
	return "Change runbook: " + m.Project
}

// sectionNumber returns the number of the section id, for cross-references.
func sectionNumber(id string) int {
	for i, s := range []string{SectionControl, SectionChange, SectionRisk, SectionJustification, SectionPrerequisites,
		SectionServers, SectionPlan, SectionVerification, SectionBackout, SectionDeviations, SectionSignOff} {
		if s == id {
			return i + 1
		}
	}
	panic("runbook: no section " + id)
}

func sectionRef(id string) string { return "section " + strconv.Itoa(sectionNumber(id)) }

// TimeLayout is how the runbook prints instants: in UTC, to the minute.
const TimeLayout = "2006-01-02 15:04 UTC"

func formatTime(t time.Time) string {
	if t.IsZero() {
		return "not recorded"
	}
	return t.UTC().Format(TimeLayout)
}

func orNone(s, none string) string {
	if strings.TrimSpace(s) == "" {
		return none
	}
	return s
}

func (v view) control(files []FileHash) Section {
	m := v.meta
	doc := "The whole change"
	if v.target != "" {
		doc = v.target + "'s part of the change. Step numbers are those of the whole change."
	}
	product := strings.TrimSpace(m.Product + " " + m.Version)
	sec := Section{ID: SectionControl, Title: "Document control", Blocks: []Block{
		&Table{Caption: "Document control", RowHeader: true,
			Columns: []Column{{Label: "Item"}, {Label: "Value"}},
			Rows: [][]string{
				{"Document", doc},
				{"Change number", orNone(v.ticket.Number, "not set")},
				{"Produced by (content version)", orNone(product, "not recorded")},
				{"Project", orNone(m.Project, "not recorded")},
				{"Platform", v.platform},
				{"Project revision", strconv.FormatInt(m.Revision, 10)},
				{"Answers hash", orNone(m.AnswersHash, "not recorded")},
				{"Generated from the project as of", formatTime(m.Generated)},
				{"Plan", v.planSize()},
			}},
		&Para{Label: "Uncontrolled when printed", Text: "before acting on a printed copy, check that its project revision and answers hash match the project's."},
		&Heading{Text: "Files and their SHA-256", ID: "files"},
	}}
	if len(files) == 0 {
		sec.Blocks = append(sec.Blocks, &Para{Text: "There are no files: every step is done by hand."})
		return sec
	}
	sec.Blocks = append(sec.Blocks, &Para{Text: "Check each file before it is run: its SHA-256 must match this list. The bundle's README.txt says how."})
	t := &Table{Caption: "Files and their SHA-256", Columns: []Column{{Label: "Server"}, {Label: "File", Code: true}, {Label: "SHA-256", Code: true}}}
	for _, f := range files {
		t.Rows = append(t.Rows, []string{f.Target, f.Path, orNone(f.SHA256, "not computed")})
	}
	sec.Blocks = append(sec.Blocks, t)
	return sec
}

// platformOf names the project's platform and the versions its servers
// run, each with how many servers run it.
func platformOf(t steps.Topology) string {
	var names []string
	count := map[string]int{}
	for _, srv := range t.Servers {
		for _, n := range []string{srv.OS.Label(), srv.Exchange.Label()} {
			if n == "" {
				continue
			}
			if count[n] == 0 {
				names = append(names, n)
			}
			count[n]++
		}
	}
	s := t.Facts.Platform.Label()
	if len(names) == 0 {
		return s
	}
	for i, n := range names {
		names[i] = fmt.Sprintf("%s (%d)", n, count[n])
	}
	return s + ". Servers run " + strings.Join(names, ", ") + "."
}

func (v view) planSize() string {
	total := len(v.out.Actions)
	if v.target == "" {
		servers, clients := 0, false
		for _, t := range v.targets {
			if t == steps.TargetClients {
				clients = true
			} else {
				servers++
			}
		}
		s := fmt.Sprintf("%s on %s", plural(total, "step", "steps"), plural(servers, "server", "servers"))
		if clients {
			s += " and the Outlook clients"
		}
		return s
	}
	return fmt.Sprintf("%s of the whole change's %d", plural(len(v.actions), "step", "steps"), total)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return strconv.Itoa(n) + " " + many
}

func (v view) change() Section {
	t := v.ticket
	approvers := strings.Join(t.Approvers, ", ")
	rows := [][]string{
		{"Change number", orNone(t.Number, "not set")},
		{"Title", orNone(t.Title, "not set")},
		{"Requester", orNone(t.Requester, "not set")},
		{"Implementers", orNone(strings.Join(t.Implementers, ", "), "not set")},
		{"Peer reviewer", orNone(t.Reviewer, "not set")},
		{"Approvers", orNone(approvers, "see the CAB reference")},
		{"CAB reference", orNone(t.CABReference, "none")},
	}
	rows = append(rows, v.window...)
	sec := Section{ID: SectionChange, Title: "The change", Blocks: []Block{
		&Table{Caption: "Change ticket", RowHeader: true, Columns: []Column{{Label: "Field"}, {Label: "Value"}}, Rows: rows},
	}}
	if comm := paragraphs(t.Communication); len(comm) > 0 {
		sec.Blocks = append(sec.Blocks, &Heading{Text: "Communication"})
		sec.Blocks = append(sec.Blocks, comm...)
	}
	return sec
}

// windowRows prints the change window in its own zone, with the offset
// from UTC so that a reader elsewhere can convert it.
func windowRows(t steps.Ticket) [][]string {
	start, end, err := t.Window()
	if err != nil {
		return [][]string{
			{"Window start", orNone(t.WindowStart, "not set")},
			{"Window end", orNone(t.WindowEnd, "not set")},
			{"Time zone", orNone(t.TimeZone, "not set")},
		}
	}
	at := func(x time.Time) string {
		return x.Format("Mon 2006-01-02 15:04") + " (UTC" + x.Format("-07:00") + ")"
	}
	return [][]string{
		{"Window start", at(start)},
		{"Window end", at(end)},
		{"Time zone", t.TimeZone},
		{"Window length", duration(int(end.Sub(start).Minutes()))},
	}
}

func duration(minutes int) string {
	h, m := minutes/60, minutes%60
	switch {
	case h == 0:
		return plural(m, "minute", "minutes")
	case m == 0:
		return plural(h, "hour", "hours")
	}
	return plural(h, "hour", "hours") + " " + plural(m, "minute", "minutes")
}

// paragraphs splits free text typed into a form into paragraphs, one per
// non-blank line.
func paragraphs(s string) []Block {
	var out []Block
	for _, l := range strings.Split(strings.ReplaceAll(s, "\r\n", "\n"), "\n") {
		if l = strings.TrimSpace(l); l != "" {
			out = append(out, &Para{Text: l})
		}
	}
	return out
}

// Service returns the service an action's Interrupts names: the text before
// any parenthesised detail, so "Outlook (mailboxes on EXBE02)" and
// "Outlook" count as one service.
func Service(interrupts string) string {
	s, _, _ := strings.Cut(interrupts, "(")
	return strings.TrimSpace(s)
}

func (v view) risk() Section {
	t := v.ticket
	sec := Section{ID: SectionRisk, Title: "Risk and impact"}
	add := func(b ...Block) { sec.Blocks = append(sec.Blocks, b...) }
	risk := "not set"
	for _, c := range steps.TicketRisks {
		if c.Value == t.Risk {
			risk = c.Label
		}
	}
	add(&Para{Label: "Risk", Text: risk})
	add(paragraphs(t.RiskReason)...)
	var servers []string
	clients := false
	for _, tg := range v.targets {
		if !v.mine(tg) {
			continue
		}
		if tg == steps.TargetClients {
			clients = true
		} else {
			servers = append(servers, tg)
		}
	}
	affected := orNone(strings.Join(servers, ", "), "none")
	if clients {
		affected += "; and the Outlook clients"
	}
	add(&Para{Label: "Servers changed", Text: affected})
	add(&Para{Label: "Users affected", Text: orNone(firstLine(t.AffectedUsers), "not set")})
	add(paragraphs(restLines(t.AffectedUsers))...)

	type service struct {
		name    string
		steps   []int
		minutes int
		longest int
	}
	var services []*service
	byName := map[string]*service{}
	table := &Table{Caption: "Service interruptions", Columns: []Column{
		{Label: "Service"}, {Label: "Step"}, {Label: "Server"}, {Label: "Interruption"}, {Label: "Expected length"}, {Label: "Planned start", Write: true},
	}}
	for _, i := range v.actions {
		a := v.out.Actions[i]
		if a.Interrupts == "" {
			continue
		}
		name := Service(a.Interrupts)
		sv := byName[name]
		if sv == nil {
			sv = &service{name: name}
			byName[name] = sv
			services = append(services, sv)
		}
		sv.steps = append(sv.steps, v.number[i])
		sv.minutes += a.Minutes
		sv.longest = max(sv.longest, a.Minutes)
		table.Rows = append(table.Rows, []string{name, strconv.Itoa(v.number[i]), a.Target, a.Interrupts, length(a.Minutes), ""})
	}
	if len(services) == 0 {
		add(&Para{Label: "Services touched", Text: "none: no step interrupts a service."})
		return sec
	}
	var names []string
	for _, sv := range services {
		names = append(names, sv.name)
	}
	add(&Para{Label: "Services touched", Text: strings.Join(names, ", ")})
	add(&Heading{Text: "Service interruptions", ID: "interruptions"})
	add(&Para{Text: "Each step below interrupts a service for about the time shown. Write in the planned start of each within the change window before the change is approved."})
	add(table)
	var totals []string
	for _, sv := range services {
		word := "step"
		if len(sv.steps) > 1 {
			word = "steps"
		}
		s := fmt.Sprintf("%s: %s %s, about %s in all", sv.name, word, joinInts(sv.steps), duration(sv.minutes))
		if len(sv.steps) > 1 {
			s += "; the longest " + duration(sv.longest)
		}
		totals = append(totals, s+".")
	}
	add(&List{Items: totals})
	return sec
}

func length(minutes int) string {
	if minutes <= 0 {
		return "not given"
	}
	return "about " + duration(minutes)
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\n")
	return strings.TrimSpace(l)
}

func restLines(s string) string {
	_, rest, _ := strings.Cut(strings.TrimSpace(strings.ReplaceAll(s, "\r\n", "\n")), "\n")
	return rest
}

// joinInts prints step numbers as "3, 5 and 7".
func joinInts(ns []int) string {
	var ss []string
	for _, n := range ns {
		ss = append(ss, strconv.Itoa(n))
	}
	if len(ss) <= 1 {
		return strings.Join(ss, "")
	}
	return strings.Join(ss[:len(ss)-1], ", ") + " and " + ss[len(ss)-1]
}

// included lists the procedures of the catalogue with work in this view, in
// catalogue order.
func (v view) included() []*steps.Step {
	used := map[string]bool{}
	for _, i := range v.actions {
		used[v.out.Actions[i].Step] = true
	}
	for _, t := range v.targets {
		if v.mine(t) {
			for _, i := range v.filesOf[t] {
				used[v.out.Files[i].Step] = true
			}
		}
	}
	var out []*steps.Step
	for _, st := range v.catalog {
		if used[st.ID] {
			out = append(out, st)
		}
	}
	return out
}

func (v view) justification() Section {
	sec := Section{ID: SectionJustification, Title: "Justification"}
	inc := v.included()
	if len(inc) == 0 {
		sec.Blocks = append(sec.Blocks, &Para{Text: "No procedure of the guide has work here."})
		return sec
	}
	sec.Blocks = append(sec.Blocks, &Para{Text: "The change carries out these procedures of the guide \"Securing Exchange Communications\". Why each matters:"})
	for _, st := range inc {
		sec.Blocks = append(sec.Blocks, &Heading{Text: st.Title, ID: "why-" + st.ID})
		if st.Section != "" {
			sec.Blocks = append(sec.Blocks, &Para{Label: "Guide", Text: st.Section})
		}
		for _, r := range st.Rationale {
			sec.Blocks = append(sec.Blocks, &Para{Text: r})
		}
		if len(st.Notes) > 0 {
			sec.Blocks = append(sec.Blocks, &Para{Label: "Points to know"})
			sec.Blocks = append(sec.Blocks, &List{Items: slices.Clone(st.Notes)})
		}
	}
	return sec
}

func (v view) prerequisites() Section {
	sec := Section{ID: SectionPrerequisites, Title: "Prerequisites"}
	sec.Blocks = append(sec.Blocks, &Para{Text: "Every box must be ticked before the window opens. If one cannot be, the change does not start."})
	var items []string
	for _, i := range v.actions {
		a := v.out.Actions[i]
		if a.Phase == steps.PhasePrerequisites {
			items = append(items, fmt.Sprintf("Step %d on %s is done: %s.", v.number[i], a.Target, strings.TrimSuffix(v.prose(a.Target, a.Title), ".")))
		}
	}
	var servers []string
	for _, t := range v.targets {
		if t != steps.TargetClients && v.mine(t) {
			servers = append(servers, t)
		}
	}
	if len(servers) > 0 {
		list := strings.Join(servers, ", ")
		items = append(items,
			"A full backup of each server changed ("+list+") is taken and its log checked: system state, and the Exchange databases on Exchange servers.",
			"Someone can log on at the console of each server changed ("+list+") for the whole window, in person or through a remote console that does not depend on the server's own network connection, in case an IPSec rule locks the network out.",
		)
	}
	items = append(items,
		"Every certificate the plan installs or relies on is issued and at hand, and its certification authority is reachable.",
		"The hashes of the files are checked against "+sectionRef(SectionControl)+" and the files unblocked, as the bundle's README.txt describes.",
		"The change is approved ("+sectionRef(SectionSignOff)+") and the people affected are told.",
	)
	sec.Blocks = append(sec.Blocks, &Checklist{Items: items})
	return sec
}

func (v view) servers() Section {
	sec := Section{ID: SectionServers, Title: "Servers"}
	byTarget := map[string][]int{}
	for _, i := range v.actions {
		a := v.out.Actions[i]
		byTarget[a.Target] = append(byTarget[a.Target], v.number[i])
	}
	t := &Table{Caption: "Servers", RowHeader: true, Columns: []Column{
		{Label: "Server"}, {Label: "FQDN", Code: true}, {Label: "Addresses", Code: true}, {Label: "Operating system"}, {Label: "Roles"}, {Label: "Steps"},
	}}
	for _, srv := range v.in.Topology.Servers {
		name := string(srv.Name)
		if !v.mine(name) {
			continue
		}
		var addrs, roles []string
		for _, a := range srv.Addrs {
			addrs = append(addrs, a.String())
		}
		for _, r := range srv.Roles {
			roles = append(roles, r.Label())
		}
		os := srv.OS.Label()
		if ex := srv.Exchange.Label(); ex != "" {
			os += "; " + ex
		}
		t.Rows = append(t.Rows, []string{name, string(srv.FQDN), strings.Join(addrs, ", "), os, strings.Join(roles, ", "), orNone(ranges(byTarget[name]), "none")})
	}
	if len(t.Rows) > 0 {
		sec.Blocks = append(sec.Blocks, t)
	}
	if c := byTarget[steps.TargetClients]; len(c) > 0 {
		sec.Blocks = append(sec.Blocks, &Para{Label: steps.TargetClients, Text: "the users' computers running Outlook; steps " + ranges(c) + "."})
	}
	if len(sec.Blocks) == 0 {
		sec.Blocks = append(sec.Blocks, &Para{Text: "No server of the inventory is named " + v.target + "."})
	}
	// Hops: when the topology describes the connections between servers
	// (protocol, port and the protection each gets after the change), their
	// table goes here, after the servers.
	sec.Blocks = append(sec.Blocks, hops(v)...)
	return sec
}

// hops returns the hop table of the topology. The topology does not
// describe hops yet, so there is nothing to print.
func hops(view) []Block { return nil }

// ranges prints step numbers compactly: "1, 4, 7-9".
func ranges(ns []int) string {
	var parts []string
	for i := 0; i < len(ns); {
		j := i
		for j+1 < len(ns) && ns[j+1] == ns[j]+1 {
			j++
		}
		switch {
		case j == i:
			parts = append(parts, strconv.Itoa(ns[i]))
		case j == i+1:
			parts = append(parts, strconv.Itoa(ns[i]), strconv.Itoa(ns[j]))
		default:
			parts = append(parts, strconv.Itoa(ns[i])+"-"+strconv.Itoa(ns[j]))
		}
		i = j + 1
	}
	return strings.Join(parts, ", ")
}

func (v view) ref(target, name string) *FileRef {
	if name == "" {
		return nil
	}
	if r, ok := v.refs[fileKey{target, name}]; ok {
		return &r
	}
	return &FileRef{Path: name}
}

func (v view) plan() Section {
	sec := Section{ID: SectionPlan, Title: "Plan"}
	add := func(b ...Block) { sec.Blocks = append(sec.Blocks, b...) }
	if len(v.actions) == 0 {
		add(&Para{Text: "There is no step to do here."})
		return sec
	}
	add(&Para{Text: "Do the steps in order. Tick each box when the expected result is seen, and write in the time and your initials. If a result differs, stop and follow the backout plan (" + sectionRef(SectionBackout) + ")."})
	if v.target != "" {
		add(&Para{Text: "Step numbers are those of the whole change: the steps missing here are done on other servers. Before each step, make sure every earlier step of the whole-change runbook is done."})
	}
	phase := steps.Phase(0)
	for _, i := range v.actions {
		a := v.out.Actions[i]
		if a.Phase != phase {
			phase = a.Phase
			add(&Heading{Text: "Phase: " + phase.String(), ID: "phase-" + strconv.Itoa(int(phase))})
		}
		var do []string
		for _, d := range a.Do {
			do = append(do, v.prose(a.Target, d))
		}
		var rules []string
		for _, c := range a.Controls {
			r := c.String()
			if c.Server != "" && c.Server != a.Target {
				r += " for " + c.Server
			}
			rules = append(rules, r)
		}
		add(&Step{
			Number: v.number[i], Key: a.Key(), Phase: a.Phase.String(), Target: a.Target,
			Procedure: v.titleOf(a.Step), Title: v.prose(a.Target, a.Title), Do: do, Script: v.ref(a.Target, a.Script),
			Interrupts: a.Interrupts, Minutes: a.Minutes, Expect: v.prose(a.Target, a.Expect), Rules: rules,
		})
	}
	return sec
}

func (v view) titleOf(id string) string {
	if t, ok := v.titles[id]; ok {
		return t
	}
	return id
}

func (v view) verification() Section {
	sec := Section{ID: SectionVerification, Title: "Verification plan"}
	add := func(b ...Block) { sec.Blocks = append(sec.Blocks, b...) }
	add(&Para{Text: "Check each result independently of the step that made it, on the server named or from outside it as the check says. Tick Pass or Fail; a Fail is a trigger for the backout plan (" + sectionRef(SectionBackout) + ")."})
	n := 0
	for _, t := range v.targets {
		if !v.mine(t) {
			continue
		}
		first := true
		for _, i := range v.actions {
			a := v.out.Actions[i]
			if a.Target != t || a.Verify == "" {
				continue
			}
			if first {
				add(&Heading{Text: t, ID: "verify-" + slug(t)})
				first = false
			}
			add(&Check{Step: v.number[i], Key: a.Key(), Target: a.Target, Title: v.prose(a.Target, a.Title), Verify: v.prose(a.Target, a.Verify)})
			n++
		}
	}
	if n == 0 {
		add(&Para{Text: "There is nothing to check here."})
	}
	return sec
}

func (v view) backout() Section {
	sec := Section{ID: SectionBackout, Title: "Backout plan"}
	add := func(b ...Block) { sec.Blocks = append(sec.Blocks, b...) }
	var services []string
	for _, i := range v.actions {
		if s := Service(v.out.Actions[i].Interrupts); s != "" && !slices.Contains(services, s) {
			services = append(services, s)
		}
	}
	triggers := []string{
		"A step's expected result is not seen and the cause cannot be found and fixed within the window.",
		"A check of the verification plan (" + sectionRef(SectionVerification) + ") fails.",
	}
	if len(services) > 0 {
		triggers = append(triggers, "A service the change touches ("+strings.Join(services, ", ")+") stays unavailable longer than its planned interruption ("+sectionRef(SectionRisk)+").")
	}
	triggers = append(triggers, "The work is not finished by the go/no-go time written in below, which leaves enough of the window to back out.")
	add(&Para{Label: "Triggers", Text: "back out when any of these happens."}, &List{Items: triggers})
	add(&WriteIn{Labels: []string{"Go/no-go time", "Who decides to back out (the implementer, with the approver or change manager on call)"}})
	add(&Para{Text: "Undo the steps done so far, in this order: the reverse of the plan. Skip the steps that were not done."})

	bt := &Table{Caption: "Backout files", Columns: []Column{{Label: "Server"}, {Label: "File", Code: true}, {Label: "SHA-256", Code: true}, {Label: "Procedure"}}}
	for _, t := range v.targets {
		if !v.mine(t) {
			continue
		}
		for _, fi := range v.filesOf[t] {
			if f := v.out.Files[fi]; f.Kind == steps.FileBackout {
				r := v.ref(t, f.Name)
				bt.Rows = append(bt.Rows, []string{t, r.Path, orNone(r.SHA256, "not computed"), v.titleOf(f.Step)})
			}
		}
	}
	if len(bt.Rows) > 0 {
		add(&Heading{Text: "Backout files", ID: "backout-files"}, bt)
	}
	if len(v.actions) > 0 {
		add(&Heading{Text: "Steps to undo", ID: "undo"})
	}
	for k := len(v.actions) - 1; k >= 0; k-- {
		i := v.actions[k]
		a := v.out.Actions[i]
		b := &Backout{Step: v.number[i], Key: a.Key(), Target: a.Target, Title: v.prose(a.Target, a.Title), Undo: v.prose(a.Target, a.Backout)}
		for _, fi := range v.filesOf[a.Target] {
			if f := v.out.Files[fi]; f.Step == a.Step && f.Kind == steps.FileBackout && a.Backout != "" && strings.Contains(a.Backout, f.Name) {
				b.Scripts = append(b.Scripts, *v.ref(f.Target, f.Name))
			}
		}
		add(b)
	}
	return sec
}

// deviations is every place the change departs from the guide's printed
// text: the guide's errors the plan corrects, the warnings the team
// accepted, and the guide's procedures that do not apply. A reviewer
// holding the guide must find each difference here, not by reading the
// scripts.
func (v view) deviations() Section {
	sec := Section{ID: SectionDeviations, Title: "Deviations"}
	concerns := func(servers []string) bool {
		return v.target == "" || len(servers) == 0 || slices.Contains(servers, v.target)
	}
	corr := &Table{Caption: "Corrections of the guide", Columns: []Column{
		{Label: "Procedure"}, {Label: "Servers"}, {Label: "The guide says"}, {Label: "The plan does instead"}, {Label: "Why"},
	}}
	for _, c := range v.out.Corrections {
		if concerns(c.Servers) {
			corr.Rows = append(corr.Rows, []string{v.titleOf(c.Step), orNone(strings.Join(c.Servers, ", "), "all"), c.Guide, c.Plan, c.Why})
		}
	}
	// An accepted warning concerns the servers of its finding; one that
	// names no server concerns the whole change.
	servers := map[string][]string{}
	for _, f := range v.out.Findings {
		servers[f.Key()] = append(servers[f.Key()], f.Servers...)
	}
	accepted := &Table{Caption: "Accepted warnings", Columns: []Column{
		{Label: "Procedure"}, {Label: "Warning"}, {Label: "Reason"}, {Label: "Accepted by"}, {Label: "Accepted on"},
	}}
	for _, d := range v.devs {
		if concerns(servers[d.Key]) {
			accepted.Rows = append(accepted.Rows, []string{v.titleOf(d.Step), orNone(d.Message, d.Key), d.Reason, d.AcceptedBy, formatTime(d.At)})
		}
	}
	left := &Table{Caption: "Procedures of the guide that do not apply", Columns: []Column{
		{Label: "Procedure"}, {Label: "Section of the guide"}, {Label: "Why it does not apply"},
	}}
	for _, row := range v.left {
		left.Rows = append(left.Rows, slices.Clone(row))
	}
	if len(corr.Rows)+len(accepted.Rows)+len(left.Rows) == 0 {
		sec.Blocks = append(sec.Blocks, &Para{Text: "None: the plan follows the guide's text throughout, no warning was accepted, and every procedure of the guide applies."})
		return sec
	}
	sec.Blocks = append(sec.Blocks, &Para{Text: "Every place this change departs from the guide: where the plan corrects the guide's text, the warnings the team accepted and why, and the guide's procedures left out."})
	for i, t := range []*Table{corr, accepted, left} {
		sec.Blocks = append(sec.Blocks, &Heading{Text: t.Caption, ID: [...]string{"corrections", "accepted-warnings", "not-applicable"}[i]})
		if len(t.Rows) == 0 {
			sec.Blocks = append(sec.Blocks, &Para{Text: "None."})
		} else {
			sec.Blocks = append(sec.Blocks, t)
		}
	}
	return sec
}

func (v view) signOff() Section {
	t := v.ticket
	var signers []Signer
	for _, n := range t.Implementers {
		signers = append(signers, Signer{Role: "Implementer", Name: n})
	}
	if len(t.Implementers) == 0 {
		signers = append(signers, Signer{Role: "Implementer"})
	}
	signers = append(signers, Signer{Role: "Peer reviewer", Name: t.Reviewer})
	for _, n := range t.Approvers {
		signers = append(signers, Signer{Role: "Approver", Name: n})
	}
	if len(t.Approvers) == 0 {
		role := "Approver (change advisory board)"
		if t.CABReference != "" {
			role = "Approver (CAB " + t.CABReference + ")"
		}
		signers = append(signers, Signer{Role: role})
	}
	return Section{ID: SectionSignOff, Title: "Sign-off and closure", Blocks: []Block{
		&Para{Text: "By signing, the implementer confirms the plan was followed as written, the reviewer that the plan fits the servers, and the approver that the change may go ahead in the window."},
		&SignOff{Signers: signers},
		&Heading{Text: "Closure record", ID: "closure"},
		&Para{Text: "Filled in when the window closes. Tick one outcome."},
		&Closure{
			Outcomes: []string{"Completed: every step done and every check passed", "Partly completed: some steps not done (numbers below)", "Backed out"},
			Lines:    []string{"Steps not done, failed or undone", "Notes", "Closed by", "Date and time"},
		},
	}}
}

// slug turns a target name into an anchor fragment.
func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimSuffix(b.String(), "-")
}
