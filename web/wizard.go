package web

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/ui"
)

// projectState is everything the wizard knows about a project at one
// moment: what the procedures check, plan and generate from.
type projectState struct {
	project  store.Project
	topology steps.Topology
	answers  map[string]map[string]store.Answer
	complete map[string]bool
	acks     map[string]store.Ack
	input    steps.Input

	// What is worked out from the state once and then shared: each
	// procedure's findings, and the runbook and bundles' inputs.
	mu       sync.Mutex
	findings map[string][]steps.Finding
	applies  map[string]string // each procedure's reason it does not apply, "" when it does
	rendered *Rendered
	output   *steps.Output
}

// loadState returns the project's state at its current revision. Every
// change to a project moves its revision, so a state loaded once serves
// every request until the next change: reading 200 servers and every
// answer again for each page would cost more than rendering it. The
// project, with its revision, is read from the database for every
// request, so a change made through another replica on a shared database
// is seen as soon as it is committed. The returned state is shared and
// must not be modified.
func (s *Server) loadState(ctx context.Context, p store.Project) (*projectState, error) {
	s.stateMu.Lock()
	cached, ok := s.states[p.ID]
	s.stateMu.Unlock()
	if ok && cached.project.Revision == p.Revision && cached.project.UpdatedAt.Equal(p.UpdatedAt) {
		return cached, nil
	}
	ps, err := s.readState(ctx, p)
	if err != nil {
		return nil, err
	}
	s.stateMu.Lock()
	if s.states == nil {
		s.states = map[int64]*projectState{}
	}
	s.states[p.ID] = ps
	s.stateMu.Unlock()
	return ps, nil
}

func (s *Server) readState(ctx context.Context, p store.Project) (*projectState, error) {
	topo, err := s.st.Topology(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	answers, err := s.st.Answers(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	complete, err := s.st.CompletedSteps(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	acks, err := s.st.Acknowledgements(ctx, p.ID)
	if err != nil {
		return nil, err
	}
	plain := map[string]steps.Answers{}
	for step, qs := range answers {
		a := steps.Answers{}
		for q, v := range qs {
			a[q] = v.Value
		}
		plain[step] = a
	}
	ps := &projectState{project: p, topology: topo, answers: answers, complete: complete, acks: acks}
	ps.input = steps.Input{
		Product: s.cfg.Product, Version: s.cfg.Version, Project: p.Name, Revision: p.Revision,
		Topology: topo, Answers: plain, AnswersHash: steps.HashAnswers(topo, plain),
	}
	return ps, nil
}

func (s *Server) lookupStep(id string) (*steps.Step, error) {
	for _, st := range s.catalog {
		if st.ID == id {
			return st, nil
		}
	}
	return nil, errNotFound
}

func (s *Server) stepTitle(id string) string {
	if st, err := s.lookupStep(id); err == nil {
		return st.Title
	}
	return id
}

// blockedReason says why a procedure cannot be started yet, or "". A
// procedure opens as soon as the organisation is described, it applies to
// the servers, and every procedure it needs is completed; the procedures
// before it in the guide that it does not need do not hold it back.
func (s *Server) blockedReason(ps *projectState, st *steps.Step) string {
	if ps.project.Facts.ADDomain == "" {
		return "Describe the organisation first."
	}
	if why := ps.notApplying(st); why != "" {
		return why
	}
	if missing := s.incompletePrerequisites(ps, st); len(missing) > 0 {
		titles := make([]string, len(missing))
		for i, m := range missing {
			titles[i] = "“" + m.Title + "”"
		}
		return "Cannot start yet: needs " + andList(titles) + "."
	}
	return ""
}

// notApplying returns why st does not apply to the project's servers, or
// "" when it does. Every page asks this of every procedure, and the answer
// goes through the whole topology, so it is worked out once per revision.
func (ps *projectState) notApplying(st *steps.Step) string {
	if st.Applies == nil {
		return ""
	}
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if why, ok := ps.applies[st.ID]; ok {
		return why
	}
	why := ""
	if ok, reason := st.Applies(ps.topology); !ok {
		why = reason
	}
	if ps.applies == nil {
		ps.applies = map[string]string{}
	}
	ps.applies[st.ID] = why
	return why
}

// prerequisites returns every procedure st needs, directly or through the
// procedures it needs, in catalogue order. A procedure reads the answers
// of what it needs, and those read theirs, so each of them must be
// complete.
func (s *Server) prerequisites(st *steps.Step) []*steps.Step {
	need := map[string]bool{}
	var walk func(*steps.Step)
	walk = func(x *steps.Step) {
		for _, id := range x.Requires {
			if need[id] {
				continue
			}
			need[id] = true
			if req, err := s.lookupStep(id); err == nil {
				walk(req)
			}
		}
	}
	walk(st)
	var out []*steps.Step
	for _, c := range s.catalog {
		if need[c.ID] {
			out = append(out, c)
			delete(need, c.ID)
		}
	}
	// A requirement missing from the catalogue can never be completed;
	// name it rather than let the procedure open without it.
	for _, id := range slices.Sorted(maps.Keys(need)) {
		out = append(out, &steps.Step{ID: id, Title: id})
	}
	return out
}

// incompletePrerequisites returns the procedures st needs that are not
// completed yet, in catalogue order.
func (s *Server) incompletePrerequisites(ps *projectState, st *steps.Step) []*steps.Step {
	var out []*steps.Step
	for _, req := range s.prerequisites(st) {
		if !ps.complete[req.ID] {
			out = append(out, req)
		}
	}
	return out
}

// andList joins items as "a", "a and b" or "a, b and c".
func andList(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

// findings runs st's cross-checks on the whole project.
func findings(ps *projectState, st *steps.Step) []steps.Finding {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if fs, ok := ps.findings[st.ID]; ok {
		return fs
	}
	fs := st.Findings(ps.input)
	for i := range fs {
		fs[i].Step = st.ID
	}
	if ps.findings == nil {
		ps.findings = map[string][]steps.Finding{}
	}
	ps.findings[st.ID] = fs
	return fs
}

func hasError(fs []steps.Finding) bool {
	return slices.ContainsFunc(fs, func(f steps.Finding) bool { return f.Severity == steps.Error })
}

// stepStatus gives the task-list status of st and its css tag.
func (s *Server) stepStatus(ps *projectState, st *steps.Step) (status, tag, hint string) {
	if why := s.blockedReason(ps, st); why != "" {
		return "Cannot start yet", "blocked", why
	}
	a := ps.input.Of(st.ID)
	_, pending := st.Unanswered(a)
	if !pending && hasError(findings(ps, st)) {
		return "There is a problem", "problem", "The answers conflict with each other or with the servers; open the task to see what to change."
	}
	switch {
	case ps.complete[st.ID]:
		return "Completed", "done", ""
	case len(a) == 0:
		return "Not yet started", "todo", st.Summary
	}
	return "In progress", "progress", st.Summary
}

func (s *Server) taskList(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return err
	}
	s.remember(r)
	pp := projectPath(rs.project.ID)
	prep := ui.TaskGroup{Title: "Describe the environment"}
	if ps.project.Facts.ADDomain == "" {
		prep.Tasks = append(prep.Tasks, ui.Task{Title: "Describe the organisation", Hint: "Domains, the OWA address, MX host, POP3 and IMAP4", Href: pp + "/facts", Status: "Not yet started", Tag: "todo"})
	} else {
		prep.Tasks = append(prep.Tasks, ui.Task{Title: "Describe the organisation", Href: pp + "/facts", Status: "Completed", Tag: "done"})
	}
	if n := len(ps.topology.Servers); n == 0 {
		prep.Tasks = append(prep.Tasks, ui.Task{Title: "Add the servers", Hint: "Name, FQDN, addresses, operating system and roles of each server", Href: pp + "/servers", Status: "Not yet started", Tag: "todo"})
	} else {
		prep.Tasks = append(prep.Tasks, ui.Task{Title: "Add the servers", Hint: fmt.Sprintf("%d servers described", n), Href: pp + "/servers", Status: "Completed", Tag: "done"})
	}
	procs := ui.TaskGroup{Title: "Work through the guide"}
	if ps.input.Topology.Facts.Platform == steps.PlatformCurrent {
		procs.Title = "Work through the procedures for the current platform"
		procs.Note = &ui.Link{Label: "What each procedure of the guide becomes on this platform", Href: pp + "/counterparts"}
	}
	anyComplete := false
	for _, st := range steps.OnPlatform(s.catalog, ps.input.Topology.Facts.Platform) {
		status, tag, hint := s.stepStatus(ps, st)
		t := ui.Task{Title: st.Title, Hint: hint, Status: status, Tag: tag}
		if tag != "blocked" {
			t.Href = pp + "/steps/" + st.ID
		}
		if tag == "done" {
			anyComplete = true
		}
		procs.Tasks = append(procs.Tasks, t)
	}
	out := ui.TaskGroup{Title: "Produce the change"}
	tk, err := s.st.Ticket(r.Context(), rs.project.ID)
	if err != nil {
		return err
	}
	if tk.Version == 0 {
		out.Tasks = append(out.Tasks, ui.Task{Title: "Fill in the change ticket", Hint: "Change number, people, window, risk", Href: pp + "/ticket", Status: "Not yet started", Tag: "todo"})
	} else {
		out.Tasks = append(out.Tasks, ui.Task{Title: "Fill in the change ticket", Hint: tk.Ticket.Number, Href: pp + "/ticket", Status: "Completed", Tag: "done"})
	}
	if anyComplete {
		out.Tasks = append(out.Tasks, ui.Task{Title: "Read the runbook and download the files", Href: pp + "/runbook", Status: "Ready", Tag: "todo"})
	} else {
		out.Tasks = append(out.Tasks, ui.Task{Title: "Read the runbook and download the files", Hint: "Complete at least one procedure first", Status: "Cannot start yet", Tag: "blocked"})
	}
	if anyComplete {
		out.Tasks = append(out.Tasks,
			ui.Task{Title: "Review and sign off", Hint: "An approver signs off the current revision", Href: pp + "/signoff", Status: "Optional", Tag: "done"},
			ui.Task{Title: "Record what was done in the change window", Hint: "Mark each step done, skipped or failed", Href: pp + "/execute", Status: "Optional", Tag: "done"})
	}
	if rs.role >= store.RoleOwner {
		out.Tasks = append(out.Tasks, ui.Task{Title: "Project settings", Hint: "Rename or archive the project", Href: pp + "/settings", Status: "Optional", Tag: "done"})
	}
	p := s.formPage(w, r, "Task list")
	return render(w, r, http.StatusOK, ui.TaskListPage(p, []ui.TaskGroup{prep, procs, out}, rs.project.Archived))
}

// stepStart sends the user to the first unanswered page of the step, or
// to its check-answers page when everything is answered.
func (s *Server) stepStart(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	st, err := s.lookupStep(r.PathValue("step"))
	if err != nil {
		return err
	}
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return err
	}
	base := projectPath(rs.project.ID) + "/steps/" + st.ID
	if why := s.blockedReason(ps, st); why != "" {
		p := s.page(r, st.Title)
		p.Back = projectPath(rs.project.ID)
		return render(w, r, http.StatusOK, ui.MessagePage(p, "You cannot start this yet", why, ui.Link{Label: "Return to the task list", Href: projectPath(rs.project.ID)}))
	}
	if pg, ok := st.Unanswered(ps.input.Of(st.ID)); ok {
		return redirect(w, r, base+"/"+pg.ID)
	}
	return redirect(w, r, base+"/check")
}

// pageNeighbours gives the asked pages before and after pg.
func pageNeighbours(st *steps.Step, a steps.Answers, pg string) (prev, next string, index, total int) {
	asked := st.AskedPages(a)
	for i, p := range asked {
		if p.ID == pg {
			if i > 0 {
				prev = asked[i-1].ID
			}
			if i+1 < len(asked) {
				next = asked[i+1].ID
			}
			return prev, next, i + 1, len(asked)
		}
	}
	return "", "", 0, len(asked)
}

func controlFor(k steps.Kind) string {
	switch k {
	case steps.KindChoice, steps.KindYesNo, steps.KindServer:
		return "radios"
	case steps.KindChoices, steps.KindServers:
		return "checkboxes"
	case steps.KindPrefixes, steps.KindList:
		return "textarea"
	}
	return "text"
}

// questionView builds the view of pg. typed holds what the user sent (nil
// when showing saved answers); problems are shown beside their fields.
func (s *Server) questionView(r *http.Request, ps *projectState, st *steps.Step, pg steps.Page, typed map[string][]string, problems steps.Problems, versions map[string]int64) ui.QuestionPage {
	rs := state(r)
	base := projectPath(rs.project.ID) + "/steps/" + st.ID
	a := ps.input.Of(st.ID)
	_, _, index, total := pageNeighbours(st, a, pg.ID)
	q := ui.QuestionPage{Procedure: st.Title, Heading: pg.Title, Intro: pg.Intro, Action: base + "/" + pg.ID,
		ReadOnly: rs.role < store.RoleEditor || rs.project.Archived}
	if ret := r.URL.Query().Get("return"); ret == "check" {
		q.Action += "?return=check"
	}
	if index > 0 {
		q.Position = fmt.Sprintf("Page %d of %d", index, total)
	}
	single := len(pg.Questions) == 1 && pg.Title == ""
	for _, qu := range pg.Questions {
		f := ui.Field{ID: qu.ID, Label: qu.Label, Hint: qu.Hint, Optional: qu.Optional, Options: qu.Options(ps.topology),
			Error: problems.For(qu.ID), IsHeading: single, Mono: isIdentifier(qu.Kind), Wide: qu.Kind == steps.KindPrefixes || qu.Kind == steps.KindList || qu.Kind == steps.KindCAConfig}
		if typed != nil {
			vals := typed[qu.ID]
			f.Values = vals
			f.Value = strings.Join(vals, "\n")
		} else if saved, ok := ps.answers[st.ID][qu.ID]; ok {
			f.Value = saved.Value
			f.Values = a.Values(qu.ID)
		} else {
			f.Value = qu.DefaultFor(ps.topology, a)
			f.Values = strings.Split(f.Value, "\n")
		}
		v, ok := versions[qu.ID]
		if !ok {
			v = ps.answers[st.ID][qu.ID].Version
		}
		q.Versions = append(q.Versions, ui.KeyVersion{Key: qu.ID, Version: v})
		q.Fields = append(q.Fields, ui.QuestionField{Field: f, Control: controlFor(qu.Kind)})
	}
	return q
}

func isIdentifier(k steps.Kind) bool {
	switch k {
	case steps.KindFQDN, steps.KindIPv4, steps.KindPrefixes, steps.KindObjectName, steps.KindCAConfig:
		return true
	}
	return false
}

func (s *Server) stepPage(r *http.Request) (*projectState, *steps.Step, steps.Page, error) {
	rs := state(r)
	st, err := s.lookupStep(r.PathValue("step"))
	if err != nil {
		return nil, nil, steps.Page{}, err
	}
	pg, ok := st.Page(r.PathValue("page"))
	if !ok {
		return nil, nil, steps.Page{}, errNotFound
	}
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return nil, nil, steps.Page{}, err
	}
	return ps, st, pg, nil
}

func (s *Server) backFor(r *http.Request, ps *projectState, st *steps.Step, pg string) string {
	base := projectPath(state(r).project.ID) + "/steps/" + st.ID
	if r.URL.Query().Get("return") == "check" {
		return base + "/check"
	}
	prev, _, _, _ := pageNeighbours(st, ps.input.Of(st.ID), pg)
	if prev == "" {
		return projectPath(state(r).project.ID)
	}
	return base + "/" + prev
}

func (s *Server) questionForm(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	ps, st, pg, err := s.stepPage(r)
	if err != nil {
		return err
	}
	if why := s.blockedReason(ps, st); why != "" {
		return redirect(w, r, projectPath(rs.project.ID)+"/steps/"+st.ID)
	}
	if !pg.Asked(ps.input.Of(st.ID)) {
		// An earlier answer made this page irrelevant.
		return redirect(w, r, projectPath(rs.project.ID)+"/steps/"+st.ID)
	}
	s.remember(r)
	p := s.formPage(w, r, pg.Heading())
	if p.Title == "" {
		p.Title = st.Title
	}
	p.Back = s.backFor(r, ps, st, pg.ID)
	return render(w, r, http.StatusOK, ui.QuestionView(p, s.questionView(r, ps, st, pg, nil, nil, nil)))
}

func (s *Server) questionSubmit(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	ps, st, pg, err := s.stepPage(r)
	if err != nil {
		return err
	}
	if why := s.blockedReason(ps, st); why != "" {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	typed := map[string][]string{}
	versions := map[string]int64{}
	var problems steps.Problems
	var changes []store.AnswerChange
	for _, q := range pg.Questions {
		raw := r.PostForm[q.ID]
		typed[q.ID] = raw
		v, _ := strconv.ParseInt(r.PostForm.Get("version."+q.ID), 10, 64)
		versions[q.ID] = v
		val, err := q.Parse(raw, ps.topology)
		if err != nil {
			problems.Add(q.ID, err.Error())
			continue
		}
		changes = append(changes, store.AnswerChange{Question: q.ID, Value: val, Version: v})
	}
	p := s.formPage(w, r, pg.Heading())
	if p.Title == "" {
		p.Title = st.Title
	}
	p.Back = s.backFor(r, ps, st, pg.ID)
	if len(problems) > 0 {
		p.Problems = problems
		return render(w, r, http.StatusUnprocessableEntity, ui.QuestionView(p, s.questionView(r, ps, st, pg, typed, problems, versions)))
	}
	err = s.st.SaveAnswers(r.Context(), rs.user.ID, rs.project.ID, st.ID, changes)
	var conflict *store.ConflictError
	if errors.As(err, &conflict) {
		// Show the user's own answer with what the other member saved, and
		// take the current versions: sending the page again is then a
		// deliberate choice to replace their answer.
		for _, c := range conflict.Conflicts {
			q, _ := st.Question(c.Question)
			theirs := displayAnswer(q, ps.topology, steps.Answers{c.Question: c.Theirs.Value}.Values(c.Question))
			problems.Add(c.Question, fmt.Sprintf("%s changed this answer to “%s” at %s, after you opened this page. Your answer is shown below: select Continue to replace theirs with yours, or change it.",
				c.Theirs.UpdatedBy, strings.Join(theirs, ", "), c.Theirs.UpdatedAt.UTC().Format("15:04 UTC on 2 Jan 2006")))
			versions[c.Question] = c.Theirs.Version
		}
		p.Problems = problems
		return render(w, r, http.StatusConflict, ui.QuestionView(p, s.questionView(r, ps, st, pg, typed, problems, versions)))
	}
	if err != nil {
		return err
	}
	// Decide where to go with the answers as they are now.
	a := maps.Clone(ps.input.Of(st.ID))
	for _, c := range changes {
		a[c.Question] = c.Value
	}
	// From a Change link, return to the check page once nothing required
	// is left; otherwise go on to the next page asked, optional ones
	// included, so every question is seen on the way through.
	base := projectPath(rs.project.ID) + "/steps/" + st.ID
	if r.URL.Query().Get("return") == "check" {
		if next, ok := st.Unanswered(a); ok {
			return redirect(w, r, base+"/"+next.ID)
		}
		return redirect(w, r, base+"/check")
	}
	if _, next, _, _ := pageNeighbours(st, a, pg.ID); next != "" {
		return redirect(w, r, base+"/"+next)
	}
	return redirect(w, r, base+"/check")
}

// displayAnswer turns stored values into what the administrator reads.
func displayAnswer(q steps.Question, t steps.Topology, vals []string) []string {
	opts := q.Options(t)
	var out []string
	for _, v := range vals {
		label := v
		for _, o := range opts {
			if o.Value == v {
				label = o.Label
				if q.Kind == steps.KindServer || q.Kind == steps.KindServers {
					label = o.Label + " (" + o.Hint + ")"
				}
			}
		}
		out = append(out, label)
	}
	return out
}

func completeField(v, errMsg string) ui.Field {
	return ui.Field{ID: "complete", Label: "Have you completed this section?", Value: v, Error: errMsg,
		Options: []steps.Choice{{Value: "yes", Label: "Yes, I’ve completed this section"}, {Value: "no", Label: "No, I’ll come back later"}}}
}

func (s *Server) checkView(r *http.Request, ps *projectState, st *steps.Step, problems steps.Problems, typedComplete string, typedReasons map[string]string) ui.CheckPage {
	rs := state(r)
	base := projectPath(rs.project.ID) + "/steps/" + st.ID
	a := ps.input.Of(st.ID)
	c := ui.CheckPage{Procedure: st.Title, Section: st.Section, Rationale: st.Rationale, Notes: st.Notes, Action: base + "/check",
		CanEdit: rs.role >= store.RoleEditor && !rs.project.Archived}
	for _, pg := range st.AskedPages(a) {
		for _, q := range pg.Questions {
			row := ui.SummaryRow{Key: q.Label, Change: base + "/" + pg.ID + "?return=check"}
			if saved, ok := ps.answers[st.ID][q.ID]; ok {
				row.Value = displayAnswer(q, ps.topology, a.Values(q.ID))
				row.By = fmt.Sprintf("Last changed by %s, %s", saved.UpdatedBy, saved.UpdatedAt.UTC().Format("2 Jan 2006 15:04 UTC"))
			}
			c.Rows = append(c.Rows, row)
		}
	}
	if pg, ok := st.Unanswered(a); ok {
		c.Pending = base + "/" + pg.ID
	}
	// Findings about a server's own facts link to its page.
	serverIDs := map[string]int64{}
	if recs, err := s.st.Servers(r.Context(), rs.project.ID); err == nil {
		for _, rec := range recs {
			serverIDs[string(rec.Server.Name)] = rec.ID
		}
	}
	for _, f := range findings(ps, st) {
		fv := ui.FindingView{Key: f.Key(), Severity: f.Severity.String(), Message: f.Message}
		for _, id := range f.Fix {
			for _, pg := range st.Pages {
				for _, q := range pg.Questions {
					if q.ID == id {
						fv.Fix = append(fv.Fix, ui.Link{Label: "Change: " + q.Label, Href: base + "/" + pg.ID + "?return=check"})
					}
				}
			}
		}
		for _, name := range f.Servers {
			if id, ok := serverIDs[name]; ok {
				fv.Fix = append(fv.Fix, ui.Link{Label: "Change server " + name, Href: fmt.Sprintf("%s/servers/%d", projectPath(rs.project.ID), id)})
			}
		}
		if ack, ok := ps.acks[f.Key()]; ok && f.Severity == steps.Warning {
			fv.Reason, fv.AckedBy = ack.Reason, ack.By
		}
		if t, ok := typedReasons[f.Key()]; ok {
			fv.Reason = t
		}
		c.Findings = append(c.Findings, fv)
	}
	if hasError(findings(ps, st)) {
		c.Blocked = "This procedure cannot be completed while there is an error: change the answers it names."
	}
	v := typedComplete
	if v == "" && ps.complete[st.ID] {
		v = "yes"
	}
	c.Complete = completeField(v, problems.For("complete"))
	return c
}

func (s *Server) checkForm(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	st, err := s.lookupStep(r.PathValue("step"))
	if err != nil {
		return err
	}
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return err
	}
	if why := s.blockedReason(ps, st); why != "" {
		return redirect(w, r, projectPath(rs.project.ID)+"/steps/"+st.ID)
	}
	s.remember(r)
	p := s.formPage(w, r, "Check your answers: "+st.Title)
	p.Back = projectPath(rs.project.ID)
	return render(w, r, http.StatusOK, ui.CheckView(p, s.checkView(r, ps, st, nil, "", nil)))
}

func (s *Server) checkSubmit(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	st, err := s.lookupStep(r.PathValue("step"))
	if err != nil {
		return err
	}
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return err
	}
	if why := s.blockedReason(ps, st); why != "" {
		return errForbidden
	}
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	complete := r.PostForm.Get("complete")
	var problems steps.Problems
	if complete != "yes" && complete != "no" {
		problems.Add("complete", "Select whether you’ve completed this section")
	}
	if _, pending := st.Unanswered(ps.input.Of(st.ID)); pending && complete == "yes" {
		problems.Add("complete", "Answer every question before completing this section")
	}
	fs := findings(ps, st)
	if hasError(fs) && complete == "yes" {
		problems.Add("complete", "Fix the errors shown above before completing this section")
	}
	// Reasons typed for warnings, by finding key.
	reasons := map[string]string{}
	for i, f := range fs {
		if f.Severity != steps.Warning {
			continue
		}
		key := r.PostForm.Get(fmt.Sprintf("ack-key-%d", i))
		if key != f.Key() {
			continue
		}
		reason := strings.Join(strings.Fields(r.PostForm.Get(fmt.Sprintf("ack-%d", i))), " ")
		reasons[f.Key()] = reason
		_, acked := ps.acks[f.Key()]
		if reason == "" && !acked && complete == "yes" {
			problems.Add(fmt.Sprintf("ack-%d", i), "Enter why this warning is acceptable here, or change the answers it names")
		}
		if msg := steps.CheckText("Reason", reason, 1000, false); msg != "" {
			problems.Add(fmt.Sprintf("ack-%d", i), msg)
		}
	}
	if len(problems) > 0 {
		p := s.formPage(w, r, "Check your answers: "+st.Title)
		p.Back = projectPath(rs.project.ID)
		p.Problems = problems
		return render(w, r, http.StatusUnprocessableEntity, ui.CheckView(p, s.checkView(r, ps, st, problems, complete, reasons)))
	}
	for key, reason := range reasons {
		if reason == "" || reason == ps.acks[key].Reason {
			continue
		}
		if err := s.st.Acknowledge(r.Context(), rs.user.ID, rs.project.ID, key, reason); err != nil {
			return err
		}
	}
	if err := s.st.SetStepComplete(r.Context(), rs.user.ID, rs.project.ID, st.ID, complete == "yes"); err != nil {
		return err
	}
	if complete == "yes" {
		s.setFlash(w, r, "“"+st.Title+"” is completed.")
	} else {
		s.setFlash(w, r, "Your answers to “"+st.Title+"” are saved. Come back to complete it.")
	}
	return redirect(w, r, projectPath(rs.project.ID))
}
