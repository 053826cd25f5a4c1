package web

import (
	"fmt"
	"net/http"

	"github.com/secex/wizard/assets"
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/bundle"
	"github.com/secex/wizard/steps/projectfile"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/web/ui"
)

// Rendered is everything one project revision produces: the checked plan
// and files, the runbook document, and what the bundles are made with.
type Rendered struct {
	Project projectfile.Project
	Input   steps.Input
	Out     steps.Output
	Doc     *runbook.Doc // nil when a finding withholds output
	Opts    bundle.Options

	// Findings are the output's findings with their paths in the project
	// file and the deviation accepting each warning.
	Findings []projectfile.Finding
}

// Withheld lists what keeps the runbook and bundles from being produced:
// every error, and every warning nobody accepted with a reason. A change
// board signs what the runbook says; a warning that passed silently would
// be a risk it never saw.
func (r *Rendered) Withheld() []projectfile.Finding {
	var fs []projectfile.Finding
	for _, f := range r.Findings {
		if f.Severity == steps.Error || f.Accepted == nil {
			fs = append(fs, f)
		}
	}
	return fs
}

// Render produces the runbook and bundles of p. The web's downloads and
// wizard render both call it with a project file's content, so a project
// exported from the web renders to the same bytes on the command line.
func Render(catalog []*steps.Step, product, version string, p projectfile.Project) (*Rendered, error) {
	in := steps.Input{Product: product, Version: version, Project: p.Name, Revision: p.Revision,
		Topology: p.Topology, Answers: p.Answers, AnswersHash: steps.HashAnswers(p.Topology, p.Answers)}
	out, err := steps.Produce(catalog, in, p.Complete)
	if err != nil {
		return nil, err
	}
	r := &Rendered{Project: p, Input: in, Out: out, Findings: projectfile.Findings(p, out)}
	if len(r.Withheld()) > 0 {
		return r, nil
	}
	hashes, err := bundle.FileHashes(out)
	if err != nil {
		return nil, err
	}
	meta := runbook.Meta{Product: product, Version: version, Project: p.Name, Revision: p.Revision,
		AnswersHash: in.AnswersHash, Generated: p.UpdatedAt.UTC()}
	var ticket steps.Ticket
	if p.Ticket != nil {
		ticket = *p.Ticket
	}
	// A deviation is an accepted warning the checks still raise; a reason
	// given for a warning that has since gone away is history, not a
	// deviation of this revision.
	var devs []runbook.Deviation
	for _, f := range r.Findings {
		if d := f.Accepted; d != nil {
			devs = append(devs, runbook.Deviation{Step: f.Step, Key: d.Key, Message: f.Message, Reason: d.Reason, AcceptedBy: d.AcceptedBy, At: d.At})
		}
	}
	r.Doc = runbook.Build(meta, ticket, catalog, in, out, devs, hashes)
	css, err := assets.Read("css/runbook.css")
	if err != nil {
		return nil, fmt.Errorf("runbook style sheet: %w", err)
	}
	r.Opts = bundle.Options{Meta: meta, Ticket: ticket, HTML: func(d *runbook.Doc) ([]byte, error) { return ui.RunbookHTML(d, string(css)) }}
	return r, nil
}

// Files returns every file wizard render writes: the whole change's
// runbook as runbook.md and runbook.html, the change bundle, and each
// target's bundle, by the file names the web downloads them under.
func (r *Rendered) Files() (map[string][]byte, error) {
	set, err := bundle.All(r.Opts, r.Doc, r.Out)
	if err != nil {
		return nil, err
	}
	files := map[string][]byte{
		"runbook.md":                       set.Markdown,
		"runbook.html":                     set.HTML,
		bundle.FileName(r.Opts.Ticket, ""): set.Change,
	}
	for t, b := range set.Servers {
		files[bundle.FileName(r.Opts.Ticket, t)] = b
	}
	return files, nil
}

// render produces the current revision of the request's project, once
// per revision.
func (s *Server) render(r *http.Request) (*Rendered, error) {
	ps, err := s.loadState(r.Context(), *state(r).project)
	if err != nil {
		return nil, err
	}
	ps.mu.Lock()
	rd := ps.rendered
	ps.mu.Unlock()
	if rd != nil {
		return rd, nil
	}
	p, err := s.ProjectFile(r.Context(), state(r).project.ID)
	if err != nil {
		return nil, err
	}
	if rd, err = Render(s.catalog, s.cfg.Product, s.cfg.Version, p); err != nil {
		return nil, err
	}
	ps.mu.Lock()
	ps.rendered = rd
	ps.mu.Unlock()
	return rd, nil
}
