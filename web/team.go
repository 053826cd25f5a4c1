package web

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/ui"
)

// signedContent is what an approver signs: the answers, the plan and the
// hash of every generated file at one revision. Its JSON is stored with the
// sign-off, so the wizard can later show exactly what changed since.
type signedContent struct {
	Revision    int64                    `json:"revision"`
	AnswersHash string                   `json:"answersHash"`
	Answers     map[string]steps.Answers `json:"answers"`
	Plan        []signedStep             `json:"plan"`
	Files       []signedFile             `json:"files"`
	// Probes are the newest run of each plan step's probe: a run after a
	// sign-off shows in what changed since.
	Probes []signedProbe `json:"probes,omitempty"`
}

type signedProbe struct {
	Key    string `json:"key"`
	Target string `json:"target"`
	Title  string `json:"title"`
	Result string `json:"result"`
	By     string `json:"by"`
	At     string `json:"at"`
}

type signedStep struct {
	Key    string `json:"key"`
	Target string `json:"target"`
	Title  string `json:"title"`
	Script string `json:"script,omitempty"`
}

type signedFile struct {
	Target string `json:"target"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

func (s *Server) signed(ctx context.Context, ps *projectState, out steps.Output) (signedContent, error) {
	c := signedContent{Revision: ps.project.Revision, AnswersHash: ps.input.AnswersHash, Answers: ps.input.Answers}
	runs, err := s.st.ProbeRuns(ctx, ps.project.ID)
	if err != nil {
		return c, err
	}
	latest := map[string]store.ProbeRun{}
	for _, pr := range runs {
		latest[pr.Action] = pr
	}
	for _, a := range out.Actions {
		c.Plan = append(c.Plan, signedStep{Key: a.Key(), Target: a.Target, Title: a.Title, Script: a.Script})
		if pr, ok := latest[a.Key()]; ok {
			c.Probes = append(c.Probes, signedProbe{Key: a.Key(), Target: a.Target, Title: a.Title, Result: pr.Result, By: pr.By, At: pr.At.UTC().Format("2006-01-02 15:04 UTC")})
		}
	}
	for _, f := range out.Files {
		sum := sha256.Sum256(f.Body)
		c.Files = append(c.Files, signedFile{Target: f.Target, Name: f.Name, SHA256: hex.EncodeToString(sum[:])})
	}
	return c, nil
}

func (c signedContent) encode() (string, string) {
	b, _ := json.Marshal(c)
	sum := sha256.Sum256(b)
	return string(b), "sha256:" + hex.EncodeToString(sum[:])
}

// changesSince lists what differs between a signed state and now: answers
// by procedure, plan steps and files by server.
func changesSince(was, now signedContent, title func(string) string) []ui.ChangeGroup {
	var groups []ui.ChangeGroup
	var ans []string
	ids := map[string]bool{}
	for id := range was.Answers {
		ids[id] = true
	}
	for id := range now.Answers {
		ids[id] = true
	}
	sorted := make([]string, 0, len(ids))
	for id := range ids {
		sorted = append(sorted, id)
	}
	sort.Strings(sorted)
	for _, id := range sorted {
		qs := map[string]bool{}
		for q := range was.Answers[id] {
			qs[q] = true
		}
		for q := range now.Answers[id] {
			qs[q] = true
		}
		var qsorted []string
		for q := range qs {
			qsorted = append(qsorted, q)
		}
		sort.Strings(qsorted)
		for _, q := range qsorted {
			o, n := was.Answers[id][q], now.Answers[id][q]
			if o != n {
				ans = append(ans, fmt.Sprintf("%s, %s: “%s” → “%s”", title(id), q, strings.ReplaceAll(o, "\n", ", "), strings.ReplaceAll(n, "\n", ", ")))
			}
		}
	}
	if len(ans) > 0 {
		groups = append(groups, ui.ChangeGroup{Title: "Answers", Lines: ans})
	}
	byTarget := map[string][]string{}
	var targets []string
	add := func(t, line string) {
		if _, ok := byTarget[t]; !ok {
			targets = append(targets, t)
		}
		byTarget[t] = append(byTarget[t], line)
	}
	wasSteps := map[string]signedStep{}
	for _, st := range was.Plan {
		wasSteps[st.Key] = st
	}
	nowSteps := map[string]bool{}
	for _, st := range now.Plan {
		nowSteps[st.Key] = true
		o, ok := wasSteps[st.Key]
		switch {
		case !ok:
			add(st.Target, "New step: "+st.Title)
		case o.Title != st.Title || o.Script != st.Script:
			add(st.Target, "Changed step: "+o.Title+" → "+st.Title)
		}
	}
	for _, st := range was.Plan {
		if !nowSteps[st.Key] {
			add(st.Target, "Removed step: "+st.Title)
		}
	}
	wasProbes := map[string]signedProbe{}
	for _, p := range was.Probes {
		wasProbes[p.Key] = p
	}
	for _, p := range now.Probes {
		o, ok := wasProbes[p.Key]
		switch {
		case !ok:
			add(p.Target, fmt.Sprintf("Probe run: %s: %s by %s, %s", p.Title, probeWord(p.Result), p.By, p.At))
		case o.At != p.At || o.Result != p.Result:
			add(p.Target, fmt.Sprintf("Probe run again: %s: %s → %s by %s, %s", p.Title, probeWord(o.Result), probeWord(p.Result), p.By, p.At))
		}
	}
	wasFiles := map[string]string{}
	for _, f := range was.Files {
		wasFiles[f.Target+"/"+f.Name] = f.SHA256
	}
	nowFiles := map[string]bool{}
	for _, f := range now.Files {
		nowFiles[f.Target+"/"+f.Name] = true
		if h, ok := wasFiles[f.Target+"/"+f.Name]; !ok {
			add(f.Target, "New file: "+f.Name)
		} else if h != f.SHA256 {
			add(f.Target, "Changed file: "+f.Name)
		}
	}
	for _, f := range was.Files {
		if !nowFiles[f.Target+"/"+f.Name] {
			add(f.Target, "Removed file: "+f.Name)
		}
	}
	for _, t := range targets {
		groups = append(groups, ui.ChangeGroup{Title: t, Lines: byTarget[t]})
	}
	return groups
}

func (s *Server) signoffView(r *http.Request, ps *projectState, problems steps.Problems) (ui.SignoffView, error) {
	rs := state(r)
	out, err := s.produce(ps)
	if err != nil {
		return ui.SignoffView{}, err
	}
	now, err := s.signed(r.Context(), ps, out)
	if err != nil {
		return ui.SignoffView{}, err
	}
	_, digest := now.encode()
	v := ui.SignoffView{Revision: ps.project.Revision, Digest: digest,
		CanSign:  rs.role >= store.RoleApprover && !rs.project.Archived,
		Password: passwordField("password", "Your password", "Enter your password again to sign", problems.For("password"), "current-password")}
	rd, err := s.render(r)
	if err != nil {
		return ui.SignoffView{}, err
	}
	if n := len(rd.Withheld()); n == 1 {
		v.Blocked = "The project has a finding that blocks the runbook; fix it, or accept its warning with a reason (the runbook page names it), before signing off."
	} else if n > 1 {
		v.Blocked = fmt.Sprintf("The project has %d findings that block the runbook; fix each one, or accept its warning with a reason (the runbook page lists them), before signing off.", n)
	} else if len(out.Actions) == 0 {
		v.Blocked = "No procedure is completed yet, so there is nothing to sign off."
	}
	sos, err := s.st.Signoffs(r.Context(), ps.project.ID)
	if err != nil {
		return v, err
	}
	for _, so := range sos {
		v.Signoffs = append(v.Signoffs, ui.SignoffRow{By: so.By, At: so.At.UTC().Format("2006-01-02 15:04"), Digest: so.Digest, Revision: so.Revision, Current: so.Digest == digest})
	}
	if len(sos) > 0 {
		v.HasSignoffs = true
		v.UpToDate = sos[0].Digest == digest
		if !v.UpToDate {
			var was signedContent
			if err := json.Unmarshal([]byte(sos[0].Content), &was); err != nil {
				return v, err
			}
			v.Changes = changesSince(was, now, s.stepTitle)
		}
	}
	return v, nil
}

func (s *Server) signoff(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return err
	}
	v, err := s.signoffView(r, ps, nil)
	if err != nil {
		return err
	}
	s.remember(r)
	p := s.formPage(w, r, "Review and sign off")
	p.Back = projectPath(rs.project.ID)
	return render(w, r, http.StatusOK, ui.SignoffPage(p, v))
}

func (s *Server) signoffSubmit(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return err
	}
	var problems steps.Problems
	_, hash, err := s.st.UserByName(r.Context(), rs.user.Name)
	if err != nil {
		return err
	}
	out, err := s.produce(ps)
	if err != nil {
		return err
	}
	sc, err := s.signed(r.Context(), ps, out)
	if err != nil {
		return err
	}
	content, digest := sc.encode()
	switch {
	case !checkPassword(hash, r.PostFormValue("password")):
		s.log.Warn("authn_stepup_fail", "user", rs.user.Name)
		problems.Add("password", "The password is not right; enter the password you sign in with")
	case r.PostFormValue("digest") != digest:
		problems.Add("password", "The project changed while you were reviewing it; check the changes on this page and sign again")
	case out.Blocked() || len(out.Actions) == 0:
		problems.Add("password", "There is nothing that can be signed off yet")
	case s.withheld(r):
		problems.Add("password", "A warning was raised that nobody accepted; fix it or accept it with a reason (the runbook page lists it), then sign")
	}
	if len(problems) == 0 {
		_, err := s.st.SignOff(r.Context(), rs.user.ID, rs.project.ID, ps.project.Revision, content)
		if errors.Is(err, store.ErrConflict) {
			problems.Add("password", "The project changed while you were reviewing it; check the changes on this page and sign again")
		} else if err != nil {
			return err
		}
	}
	if len(problems) > 0 {
		v, err := s.signoffView(r, ps, problems)
		if err != nil {
			return err
		}
		p := s.formPage(w, r, "Review and sign off")
		p.Back = projectPath(rs.project.ID)
		p.Problems = problems
		return render(w, r, http.StatusUnprocessableEntity, ui.SignoffPage(p, v))
	}
	s.setFlash(w, r, fmt.Sprintf("You signed off revision %d.", ps.project.Revision))
	return redirect(w, r, projectPath(rs.project.ID)+"/signoff")
}

// maxEvidence is the largest evidence file accepted, and is documented in
// docs/usage.md: enough for logs and screenshots, small enough to keep the
// database easy to back up.
const maxEvidence = 2 << 20

func formID(key string) string {
	sum := sha256.Sum256([]byte(key))
	return "step-" + hex.EncodeToString(sum[:5])
}

func (s *Server) executeView(r *http.Request, ps *projectState, out steps.Output) (ui.ExecuteView, error) {
	rs := state(r)
	ctx := r.Context()
	execs, err := s.st.Executions(ctx, ps.project.ID)
	if err != nil {
		return ui.ExecuteView{}, err
	}
	assigned, err := s.st.Assignments(ctx, ps.project.ID)
	if err != nil {
		return ui.ExecuteView{}, err
	}
	ms, err := s.st.Members(ctx, ps.project.ID)
	if err != nil {
		return ui.ExecuteView{}, err
	}
	recs, err := s.st.Servers(ctx, ps.project.ID)
	if err != nil {
		return ui.ExecuteView{}, err
	}
	serverIDs := map[string]int64{}
	for _, rec := range recs {
		serverIDs[string(rec.Server.Name)] = rec.ID
	}
	v := ui.ExecuteView{CanEdit: rs.role >= store.RoleEditor && !rs.project.Archived, MaxUpload: "2 MB"}
	for _, m := range ms {
		v.Members = append(v.Members, ui.Link{Label: m.Name})
	}
	if s.withheld(r) {
		v.Blocked = "The project has findings that block the runbook (the runbook page lists them); the plan cannot be carried out until each is fixed, or its warning accepted with a reason."
	}
	marks := map[string][]store.Execution{}
	for _, e := range execs {
		marks[e.Action] = append(marks[e.Action], e)
	}
	runs, err := s.st.ProbeRuns(ctx, ps.project.ID)
	if err != nil {
		return ui.ExecuteView{}, err
	}
	probes := map[string][]ui.ProbeRunView{}
	for i := len(runs) - 1; i >= 0; i-- {
		probes[runs[i].Action] = append(probes[runs[i].Action], probeRunView(runs[i]))
	}
	idx := map[string]int{}
	for i, a := range out.Actions {
		ti, ok := idx[a.Target]
		if !ok {
			ti = len(v.Targets)
			idx[a.Target] = ti
			t := ui.ExecTarget{Name: a.Target}
			if id, ok := serverIDs[a.Target]; ok {
				t.History = fmt.Sprintf("%s/servers/%d/history", projectPath(ps.project.ID), id)
			}
			v.Targets = append(v.Targets, t)
		}
		st := ui.ExecStep{Key: a.Key(), Number: i + 1, Title: a.Title, Procedure: s.stepTitle(a.Step), Assigned: assigned[a.Key()], FormID: formID(a.Key())}
		for _, c := range a.Controls {
			st.Controls = append(st.Controls, c.String())
		}
		if a.Probe != nil {
			st.Probe = &ui.ExecProbe{Target: fmt.Sprintf("%s port %d (%s)", a.Probe.Host, a.Probe.Port, a.Probe.Name), Runs: probes[a.Key()]}
			if a.Probe.Kind == steps.ProbeCert {
				st.Probe.Target, st.Probe.File = "the certificate file for "+a.Probe.Name, true
			}
		}
		for _, e := range marks[a.Key()] {
			m := ui.ExecMark{Status: e.Status, Note: e.Note, Output: e.Output, By: e.By, At: e.At.UTC().Format("2006-01-02 15:04 UTC")}
			for _, ev := range e.Evidence {
				m.Evidence = append(m.Evidence, ui.Link{Label: fmt.Sprintf("%s (%d bytes, sha256 %s)", ev.Name, ev.Size, ev.SHA256[:12]),
					Href: fmt.Sprintf("%s/evidence/%d", projectPath(ps.project.ID), ev.ID)})
			}
			st.History = append(st.History, m)
			st.Status = e.Status
		}
		if st.Status == "" {
			v.Unmarked++
		}
		v.Targets[ti].Steps = append(v.Targets[ti].Steps, st)
	}
	c, err := s.st.LatestClosure(ctx, ps.project.ID)
	if err != nil {
		return v, err
	}
	if c.Outcome != "" {
		v.Closure = fmt.Sprintf("%s by %s, %s. %s", outcomeLabel(c.Outcome), c.By, c.At.UTC().Format("2006-01-02 15:04 UTC"), c.Note)
	}
	v.Outcome = ui.Field{ID: "outcome", Label: "How did the change end?", Options: []steps.Choice{
		{Value: "completed", Label: "Completed", Hint: "Every step is marked"},
		{Value: "partial", Label: "Partly completed"},
		{Value: "backed-out", Label: "Backed out"},
	}}
	v.Note = ui.Field{ID: "closure-note", Label: "Closure note", Rows: 3, Optional: true}
	if v.Blocked == "" {
		files, err := buildChecklists(ps, out.Actions, execs)
		if err != nil {
			return v, err
		}
		base := projectPath(ps.project.ID) + "/checklists/"
		if len(files) > 0 {
			v.Checklists = append(v.Checklists, ui.Link{Label: "Every server's checklist (" + checklistsName(ps.project.ID) + ")", Href: base + checklistsName(ps.project.ID)})
		}
		for _, f := range files {
			v.Checklists = append(v.Checklists, ui.Link{Label: f.Target + " (" + f.Name + ")", Href: base + f.Name})
		}
	}
	return v, nil
}

func outcomeLabel(o string) string {
	return map[string]string{"completed": "Completed", "partial": "Partly completed", "backed-out": "Backed out"}[o]
}

func (s *Server) execute(w http.ResponseWriter, r *http.Request) error {
	return s.renderExecute(w, r, http.StatusOK, nil)
}

func (s *Server) renderExecute(w http.ResponseWriter, r *http.Request, status int, problems steps.Problems) error {
	rs := state(r)
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return err
	}
	out, err := s.produce(ps)
	if err != nil {
		return err
	}
	v, err := s.executeView(r, ps, out)
	if err != nil {
		return err
	}
	v.Outcome.Error = problems.For("outcome")
	v.Note.Error = problems.For("closure-note")
	if status == http.StatusOK {
		s.remember(r)
	}
	p := s.formPage(w, r, "Change window")
	p.Back = projectPath(rs.project.ID)
	p.Problems = problems
	return render(w, r, status, ui.ExecutePage(p, v))
}

// planAction finds the current plan step with key.
func (s *Server) planAction(r *http.Request, key string) (steps.Output, bool, error) {
	ps, err := s.loadState(r.Context(), *state(r).project)
	if err != nil {
		return steps.Output{}, false, err
	}
	out, err := s.produce(ps)
	if err != nil {
		return out, false, err
	}
	return out, slices.ContainsFunc(out.Actions, func(a steps.Action) bool { return a.Key() == key }), nil
}

func (s *Server) executeSubmit(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	if err := r.ParseMultipartForm(maxEvidence + 1<<16); err != nil {
		return s.renderExecute(w, r, http.StatusUnprocessableEntity, steps.Problems{{Field: "main", Message: "The form could not be read; an evidence file must be 2 MB or less"}})
	}
	key := r.PostFormValue("action")
	_, ok, err := s.planAction(r, key)
	if err != nil {
		return err
	}
	if !ok {
		// Not a step of the current plan: a stale page or a forged form.
		return errBadRequest
	}
	id := formID(key)
	e := store.Execution{Action: key, Status: r.PostFormValue(id + "-status"),
		Note: strings.TrimSpace(r.PostFormValue(id + "-note")), Output: strings.TrimRight(r.PostFormValue(id+"-output"), " \r\n\t")}
	var problems steps.Problems
	switch e.Status {
	case "done":
	case "skipped":
		if e.Note == "" {
			problems.Add(id+"-note", "Enter why the step was skipped")
		}
	case "failed":
		if e.Note == "" {
			problems.Add(id+"-note", "Enter what happened when the step failed")
		}
	default:
		problems.Add(id+"-status", "Select whether the step was done, skipped or failed")
	}
	if msg := steps.CheckText("Note", e.Note, 4000, true); msg != "" {
		problems.Add(id+"-note", msg)
	}
	if len(e.Output) > 64<<10 {
		problems.Add(id+"-output", "Pasted output must be 64 KB or less; attach longer output as a file")
	} else if msg := steps.CheckText("Pasted output", e.Output, 64<<10, true); msg != "" {
		problems.Add(id+"-output", msg)
	}
	if f, hdr, err := r.FormFile(id + "-file"); err == nil {
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxEvidence+1))
		switch {
		case err != nil:
			problems.Add(id+"-file", "The file could not be read")
		case len(data) > maxEvidence:
			problems.Add(id+"-file", "The evidence file must be 2 MB or less")
		case len(data) > 0:
			ct := hdr.Header.Get("Content-Type")
			if _, _, err := mime.ParseMediaType(ct); err != nil || ct == "" {
				ct = "application/octet-stream"
			}
			name := strings.Map(func(r rune) rune {
				if r < 0x20 || r == '/' || r == '\\' || r == '"' {
					return '_'
				}
				return r
			}, hdr.Filename)
			e.Evidence = append(e.Evidence, store.Evidence{Name: name, ContentType: ct, Data: data})
		}
	}
	if len(problems) > 0 {
		return s.renderExecute(w, r, http.StatusUnprocessableEntity, problems)
	}
	if _, err := s.st.MarkStep(r.Context(), rs.user.ID, rs.project.ID, e); err != nil {
		return err
	}
	s.setFlash(w, r, "Step marked "+e.Status+".")
	return redirect(w, r, projectPath(rs.project.ID)+"/execute#"+id)
}

func (s *Server) assign(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	key := r.PostFormValue("action")
	_, ok, err := s.planAction(r, key)
	if err != nil {
		return err
	}
	if !ok {
		// Not a step of the current plan: a stale page or a forged form.
		return errBadRequest
	}
	var uid int64
	if name := r.PostFormValue("member"); name != "" {
		u, _, err := s.st.UserByName(r.Context(), name)
		if err != nil {
			return s.renderExecute(w, r, http.StatusUnprocessableEntity, steps.Problems{{Field: formID(key) + "-assign", Message: "Choose a member of the project"}})
		}
		uid = u.ID
	}
	if err := s.st.Assign(r.Context(), rs.user.ID, rs.project.ID, key, uid); errors.Is(err, store.ErrNotFound) {
		return s.renderExecute(w, r, http.StatusUnprocessableEntity, steps.Problems{{Field: formID(key) + "-assign", Message: "Choose a member of the project"}})
	} else if err != nil {
		return err
	}
	return redirect(w, r, projectPath(rs.project.ID)+"/execute#"+formID(key))
}

func (s *Server) closeChange(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	outcome := r.PostFormValue("outcome")
	note := strings.TrimSpace(r.PostFormValue("closure-note"))
	var problems steps.Problems
	switch outcome {
	case "completed":
		ps, err := s.loadState(r.Context(), *rs.project)
		if err != nil {
			return err
		}
		out, err := s.produce(ps)
		if err != nil {
			return err
		}
		v, err := s.executeView(r, ps, out)
		if err != nil {
			return err
		}
		if v.Unmarked > 0 {
			problems.Add("outcome", fmt.Sprintf("%d steps are not marked; mark them, or record the change as partly completed or backed out", v.Unmarked))
		}
		if len(out.Actions) == 0 {
			problems.Add("outcome", "The plan has no steps yet")
		}
	case "partial", "backed-out":
		if note == "" {
			problems.Add("closure-note", "Enter what was left undone or why the change was backed out")
		}
	default:
		problems.Add("outcome", "Select how the change ended")
	}
	if msg := steps.CheckText("Note", note, 4000, true); msg != "" {
		problems.Add("closure-note", msg)
	}
	if len(problems) > 0 {
		return s.renderExecute(w, r, http.StatusUnprocessableEntity, problems)
	}
	if err := s.st.CloseChange(r.Context(), rs.user.ID, rs.project.ID, store.Closure{Outcome: outcome, Note: note}); err != nil {
		return err
	}
	s.setFlash(w, r, "The change is recorded as "+strings.ToLower(outcomeLabel(outcome))+".")
	return redirect(w, r, projectPath(rs.project.ID)+"/execute")
}

func (s *Server) evidence(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("eid"), 10, 64)
	if err != nil {
		return errNotFound
	}
	ev, err := s.st.EvidenceFile(r.Context(), state(r).project.ID, id)
	if err != nil {
		return err
	}
	// Evidence is served as a download, never shown inline: an uploaded
	// HTML file must not run in the wizard's origin.
	w.Header().Set("Content-Type", "application/octet-stream")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": ev.Name}))
	w.Header().Set("X-Evidence-SHA256", ev.SHA256)
	_, err = w.Write(ev.Data)
	return err
}

// serverHistory shows every change and every mark that concerns one
// server.
func (s *Server) serverHistory(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	rec, err := s.findServer(r)
	if err != nil {
		return err
	}
	name := string(rec.Server.Name)
	es, err := s.st.Audit(r.Context(), rs.project.ID, 0)
	if err != nil {
		return err
	}
	f := historyFilter{server: name}
	var rows [][]string
	for _, e := range es {
		keep := f.keeps(e)
		if e.Entity == "plan step" && strings.HasSuffix(e.Key, "@"+name) {
			keep = true
		}
		if keep {
			rows = append(rows, []string{e.At.UTC().Format("2006-01-02 15:04:05"), e.User, e.Action + " " + e.Entity + " " + e.Key, e.Old, e.New})
		}
	}
	p := s.page(r, "History of "+name)
	p.Back = fmt.Sprintf("%s/servers/%d", projectPath(rs.project.ID), rec.ID)
	return render(w, r, http.StatusOK, ui.HistoryPage(p, nil, rows))
}

// withheld reports whether the request's project has a finding that keeps
// its runbook from being produced; an error rendering counts as one.
func (s *Server) withheld(r *http.Request) bool {
	rd, err := s.render(r)
	return err != nil || len(rd.Withheld()) > 0
}

func probeWord(r string) string {
	if r == "pass" {
		return "passed"
	}
	return "failed"
}
