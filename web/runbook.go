package web

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/web/ui"
)

// produce runs the catalogue over the project's completed procedures.
func (s *Server) produce(ps *projectState) (steps.Output, error) {
	return steps.Produce(s.catalog, ps.input, func(id string) bool { return ps.complete[id] })
}

func fileHref(pid int64, f steps.File) string {
	return fmt.Sprintf("%s/files/%s/%s", projectPath(pid), url.PathEscape(f.Target), url.PathEscape(f.Name))
}

func (s *Server) runbook(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return err
	}
	out, err := s.produce(ps)
	if err != nil {
		return err
	}
	s.remember(r)
	rb := ui.Runbook{Project: rs.project.Name, Revision: rs.project.Revision, AnswersHash: ps.input.AnswersHash,
		Generated: s.now().Format("2 Jan 2006 15:04 UTC"), Version: s.cfg.Version, Blocked: out.Blocked()}
	for _, st := range s.catalog {
		if ps.complete[st.ID] {
			rb.Procedures = append(rb.Procedures, st.Title)
			rb.Notes = append(rb.Notes, st.Notes...)
		} else if ok, _ := applies(st, ps.topology); ok {
			rb.Pending = append(rb.Pending, st.Title)
		}
	}
	for _, f := range out.Findings {
		rb.Findings = append(rb.Findings, ui.FindingView{Key: f.Key(), Severity: f.Severity.String(), Message: f.Message})
	}
	for _, srv := range ps.topology.Servers {
		var addrs, roles []string
		for _, a := range srv.Addrs {
			addrs = append(addrs, a.String())
		}
		for _, ro := range srv.Roles {
			roles = append(roles, ro.Label())
		}
		rb.Servers = append(rb.Servers, ui.ServerRow{Name: string(srv.Name), FQDN: string(srv.FQDN), Addrs: strings.Join(addrs, ", "), Roles: strings.Join(roles, ", ")})
	}
	targets := map[string]*ui.RunbookTarget{}
	var order []string
	target := func(name string) *ui.RunbookTarget {
		t, ok := targets[name]
		if !ok {
			t = &ui.RunbookTarget{Name: name}
			targets[name] = t
			order = append(order, name)
		}
		return t
	}
	for i, a := range out.Actions {
		t := target(a.Target)
		interrupts := ""
		if a.Interrupts != "" {
			interrupts = fmt.Sprintf("%s, about %d minutes", a.Interrupts, a.Minutes)
		}
		t.Steps = append(t.Steps, ui.RunbookStep{Number: i + 1, Target: a.Target, Procedure: s.stepTitle(a.Step), Phase: a.Phase.String(),
			Title: a.Title, Do: a.Do, Script: a.Script, Expect: a.Expect, Verify: a.Verify, Backout: a.Backout, Interrupts: interrupts})
	}
	for _, f := range out.Files {
		sum := sha256.Sum256(f.Body)
		t := target(f.Target)
		t.Files = append(t.Files, ui.FileLink{Name: f.Name, Href: fileHref(rs.project.ID, f), Kind: string(f.Kind), SHA256: hex.EncodeToString(sum[:]), Size: len(f.Body)})
	}
	for _, name := range order {
		rb.Targets = append(rb.Targets, *targets[name])
	}
	p := s.page(r, "Runbook")
	p.Back = projectPath(rs.project.ID)
	return render(w, r, http.StatusOK, ui.RunbookPage(p, rb))
}

func applies(st *steps.Step, t steps.Topology) (bool, string) {
	if st.Applies == nil {
		return true, ""
	}
	return st.Applies(t)
}

// download serves one generated file, made afresh from the project's
// current answers; the same answers always give the same bytes.
func (s *Server) download(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
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
		case ".ps1", ".cmd", ".vbs", ".inf", ".txt", ".md", ".reg":
			ct = "text/plain; charset=utf-8"
		}
		if ct == "" {
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
