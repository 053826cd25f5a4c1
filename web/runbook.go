package web

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"slices"
	"strings"

	"github.com/secex/wizard/assets"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/bundle"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/probe"
	"github.com/secex/wizard/web/ui"
)

// produce runs the catalogue over the project's completed procedures, once
// per revision: the sign-off, change-window and download pages all read
// the same plan.
func (s *Server) produce(ps *projectState) (steps.Output, error) {
	ps.mu.Lock()
	defer ps.mu.Unlock()
	if ps.output != nil {
		return *ps.output, nil
	}
	out, err := steps.Produce(s.catalog, ps.input, func(id string) bool { return ps.complete[id] })
	if err != nil {
		return out, err
	}
	ps.output = &out
	return out, nil
}

func fileHref(pid int64, f steps.File) string {
	return fmt.Sprintf("%s/files/%s/%s", projectPath(pid), url.PathEscape(f.Target), url.PathEscape(f.Name))
}

func (s *Server) runbook(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	rd, err := s.render(r)
	if err != nil {
		return err
	}
	s.remember(r)
	pp := projectPath(rs.project.ID)
	rb := ui.Runbook{Project: rs.project.Name, Revision: rs.project.Revision, AnswersHash: rd.Input.AnswersHash,
		Generated: rs.project.UpdatedAt.UTC().Format("2 Jan 2006 15:04 UTC"), Version: s.cfg.Version, Doc: rd.Doc}
	for _, st := range steps.OnPlatform(s.catalog, rd.Project.Topology.Facts.Platform) {
		if rd.Project.Complete(st.ID) {
			rb.Procedures = append(rb.Procedures, st.Title)
		} else if ok, _ := applies(st, rd.Project.Topology); ok {
			rb.Pending = append(rb.Pending, st.Title)
		}
	}
	for _, f := range rd.Withheld() {
		rb.Blocked = true
		fv := ui.FindingView{Key: f.Key(), Severity: f.Severity.String(), Message: f.Message}
		if len(f.Servers) > 0 {
			fv.Message = "Servers " + strings.Join(f.Servers, ", ") + ": " + f.Message
		}
		label := "Change the answers: " + s.stepTitle(f.Step)
		if f.Severity == steps.Warning {
			label = "Change the answers, or accept the warning with a reason: " + s.stepTitle(f.Step)
		}
		fv.Fix = []ui.Link{{Label: label, Href: pp + "/steps/" + url.PathEscape(f.Step) + "/check"}}
		rb.Findings = append(rb.Findings, fv)
	}
	if rd.Doc != nil {
		rb.Document = pp + "/runbook/document"
		if s.cfg.PDF != nil {
			rb.PDF = pp + "/runbook/pdf"
		}
		rb.Bundle = ui.FileLink{Name: bundle.FileName(rd.Opts.Ticket, ""), Href: pp + "/bundles/" + url.PathEscape(bundle.FileName(rd.Opts.Ticket, ""))}
		files := map[string][]ui.FileLink{}
		for _, f := range rd.Out.Files {
			sum := sha256.Sum256(f.Body)
			files[f.Target] = append(files[f.Target], ui.FileLink{Name: f.Name, Href: fileHref(rs.project.ID, f), Kind: string(f.Kind), SHA256: hex.EncodeToString(sum[:]), Size: len(f.Body)})
		}
		for _, t := range rd.Doc.Targets {
			name := bundle.FileName(rd.Opts.Ticket, t)
			rb.Targets = append(rb.Targets, ui.RunbookTarget{Name: t, Files: files[t],
				Bundle:   ui.FileLink{Name: name, Href: pp + "/bundles/" + url.PathEscape(name)},
				Document: pp + "/runbook/document?server=" + url.QueryEscape(t)})
		}
		if err := s.record(r, &rb); err != nil {
			return err
		}
	}
	p := s.page(r, "Runbook")
	p.Back = pp
	p.Styles = []string{"css/runbook.css"}
	return render(w, r, http.StatusOK, ui.RunbookPage(p, rb))
}

// record adds what the team recorded in the wizard: sign-offs, the marks
// of the change window and the closure. They are shown on the page only;
// the runbook files in the bundles are the plan as approved, the same
// bytes for the same revision.
func (s *Server) record(r *http.Request, rb *ui.Runbook) error {
	ctx := r.Context()
	pid := state(r).project.ID
	sos, err := s.st.Signoffs(ctx, pid)
	if err != nil {
		return err
	}
	for _, so := range sos {
		rb.Signoffs = append(rb.Signoffs, fmt.Sprintf("%s signed off revision %d on %s (%s)", so.By, so.Revision, so.At.UTC().Format("2 Jan 2006 15:04 UTC"), so.Digest))
	}
	execs, err := s.st.Executions(ctx, pid)
	if err != nil {
		return err
	}
	latest := map[string]string{}
	for _, e := range execs {
		line := fmt.Sprintf("%s by %s, %s", execWord(e.Status), e.By, e.At.UTC().Format("2 Jan 15:04 UTC"))
		if e.Note != "" {
			line += ": " + e.Note
		}
		latest[e.Action] = line
	}
	for _, st := range rb.Doc.Steps() {
		if v, ok := latest[st.Key]; ok {
			rb.Executed = append(rb.Executed, fmt.Sprintf("%d. %s (%s): %s", st.Number, st.Title, st.Target, v))
		}
	}
	c, err := s.st.LatestClosure(ctx, pid)
	if err != nil {
		return err
	}
	if c.Outcome != "" {
		rb.Closure = fmt.Sprintf("%s by %s, %s. %s", outcomeLabel(c.Outcome), c.By, c.At.UTC().Format("2 Jan 2006 15:04 UTC"), c.Note)
	}
	return nil
}

// runbookRecord gathers what the team recorded for the printed runbook's
// sign-off and closure section: sign-offs, each step's newest mark and the
// closure.
func (s *Server) runbookRecord(r *http.Request) (runbook.Record, error) {
	ctx := r.Context()
	pid := state(r).project.ID
	var rec runbook.Record
	sos, err := s.st.Signoffs(ctx, pid)
	if err != nil {
		return rec, err
	}
	for _, so := range sos {
		rec.Signoffs = append(rec.Signoffs, fmt.Sprintf("Signed off in the wizard by %s on %s: revision %d, %s.", so.By, so.At.UTC().Format("2 Jan 2006 15:04 UTC"), so.Revision, so.Digest))
	}
	execs, err := s.st.Executions(ctx, pid)
	if err != nil {
		return rec, err
	}
	for _, e := range execs {
		rec.Marks = append(rec.Marks, runbook.Mark{Key: e.Action, Status: execWord(e.Status), Note: e.Note, By: e.By, At: e.At})
	}
	runs, err := s.st.ProbeRuns(ctx, pid)
	if err != nil {
		return rec, err
	}
	for _, pr := range runs {
		rec.Probes = append(rec.Probes, probeMark(pr))
	}
	c, err := s.st.LatestClosure(ctx, pid)
	if err != nil {
		return rec, err
	}
	if c.Outcome != "" {
		rec.Outcome, rec.Note, rec.ClosedBy, rec.ClosedAt = outcomeLabel(c.Outcome), c.Note, c.By, c.At
	}
	return rec, nil
}

func execWord(s string) string {
	return map[string]string{"done": "Done", "skipped": "Skipped", "failed": "Failed"}[s]
}

func applies(st *steps.Step, t steps.Topology) (bool, string) {
	if st.Applies == nil {
		return true, ""
	}
	return st.Applies(t)
}

// runbookDocument serves the runbook as a standalone document for
// printing: the whole change, or one server's part with ?server=.
func (s *Server) runbookDocument(w http.ResponseWriter, r *http.Request) error {
	rd, err := s.render(r)
	if err != nil {
		return err
	}
	if rd.Doc == nil {
		return errNotFound
	}
	doc := rd.Doc
	if t := r.URL.Query().Get("server"); t != "" {
		if !slices.Contains(doc.Targets, t) {
			return errNotFound
		}
		doc = doc.ForServer(t)
	}
	rec, err := s.runbookRecord(r)
	if err != nil {
		return err
	}
	return render(w, r, http.StatusOK, ui.RunbookDocument(doc.WithRecord(rec), assets.Path("css/runbook.css")))
}

// runbookPDF prints the runbook (or one server's part, with ?server=) to
// PDF on the server, when a printer is configured.
func (s *Server) runbookPDF(w http.ResponseWriter, r *http.Request) error {
	if s.cfg.PDF == nil {
		return errNotFound
	}
	rd, err := s.render(r)
	if err != nil {
		return err
	}
	if rd.Doc == nil {
		return errNotFound
	}
	doc, name := rd.Doc, "runbook"
	if t := r.URL.Query().Get("server"); t != "" {
		if !slices.Contains(doc.Targets, t) {
			return errNotFound
		}
		doc, name = doc.ForServer(t), "runbook-"+bundle.Folder(t)
	}
	rec, err := s.runbookRecord(r)
	if err != nil {
		return err
	}
	html, err := rd.Opts.HTML(doc.WithRecord(rec))
	if err != nil {
		return err
	}
	pdf, err := s.cfg.PDF.Print(r.Context(), html)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name + ".pdf"}))
	_, err = w.Write(pdf)
	return err
}

// bundleDownload serves the whole change's bundle or one target's.
func (s *Server) bundleDownload(w http.ResponseWriter, r *http.Request) error {
	rd, err := s.render(r)
	if err != nil {
		return err
	}
	if rd.Doc == nil {
		return errNotFound
	}
	name := r.PathValue("file")
	var b []byte
	if name == bundle.FileName(rd.Opts.Ticket, "") {
		b, err = bundle.Change(rd.Opts, rd.Doc, rd.Out)
	} else {
		for _, t := range rd.Doc.Targets {
			if name == bundle.FileName(rd.Opts.Ticket, t) {
				b, err = bundle.Server(rd.Opts, rd.Doc.ForServer(t), rd.Out, t)
				break
			}
		}
		if b == nil && err == nil {
			return errNotFound
		}
	}
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	sum := sha256.Sum256(b)
	w.Header().Set("X-Bundle-SHA256", hex.EncodeToString(sum[:]))
	_, err = w.Write(b)
	return err
}

// download serves one generated file, made afresh from the project's
// current answers; the same answers always give the same bytes.
func (s *Server) download(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	// A file is produced only when the runbook is: no script leaves the
	// wizard while a finding is unresolved.
	if rd, err := s.render(r); err != nil {
		return err
	} else if rd.Doc == nil {
		return errNotFound
	}
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return err
	}
	out, err := s.produce(ps)
	if err != nil {
		return err
	}
	target, name := r.PathValue("target"), r.PathValue("name")
	for _, f := range out.Files {
		if f.Target != target || f.Name != name {
			continue
		}
		ct := mime.TypeByExtension(path.Ext(f.Name))
		switch path.Ext(f.Name) {
		case ".ps1", ".cmd", ".vbs", ".inf", ".txt", ".md", ".reg", ".netsh":
			ct = "text/plain; charset=utf-8"
		}
		if ct == "" || strings.HasPrefix(ct, "text/html") {
			ct = "application/octet-stream"
		}
		w.Header().Set("Content-Type", ct)
		w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": f.Name}))
		w.Header().Set("X-Answers-Hash", ps.input.AnswersHash)
		_, err := w.Write(f.Body)
		return err
	}
	return errNotFound
}

// probeMark is a kept probe run as the printed record shows it: its
// result and each failed check with its reason.
func probeMark(pr store.ProbeRun) runbook.Probe {
	m := runbook.Probe{Key: pr.Action, Result: map[string]string{"pass": "Pass", "fail": "Fail"}[pr.Result], By: pr.By, At: pr.At}
	var rep probe.Report
	if json.Unmarshal([]byte(pr.Report), &rep) == nil {
		for _, c := range rep.Checks {
			if c.Result == probe.Fail {
				m.Failed = append(m.Failed, c.ID+": "+c.Reason)
			}
		}
	}
	return m
}
