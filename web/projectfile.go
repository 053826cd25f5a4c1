package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/projectfile"
	"github.com/secex/wizard/store"
)

// ProjectFile returns the project as a project file: topology, answers,
// statuses, change ticket and deviations; never accounts.
func (s *Server) ProjectFile(ctx context.Context, projectID int64) (projectfile.Project, error) {
	p, err := s.st.Project(ctx, projectID)
	if err != nil {
		return projectfile.Project{}, err
	}
	ps, err := s.loadState(ctx, p)
	if err != nil {
		return projectfile.Project{}, err
	}
	out := projectfile.Project{Name: p.Name, Revision: p.Revision, UpdatedAt: p.UpdatedAt, Topology: ps.topology, Answers: ps.input.Answers}
	for _, st := range s.catalog {
		if ps.complete[st.ID] {
			out.Completed = append(out.Completed, st.ID)
		}
	}
	tk, err := s.st.Ticket(ctx, projectID)
	if err != nil {
		return projectfile.Project{}, err
	}
	if tk.Version > 0 {
		out.Ticket = &tk.Ticket
	}
	for _, a := range ps.acks {
		out.Deviations = append(out.Deviations, projectfile.Deviation{Key: a.Key, Reason: a.Reason, AcceptedBy: a.By, At: a.At})
	}
	sort.Slice(out.Deviations, func(i, j int) bool { return out.Deviations[i].Key < out.Deviations[j].Key })
	return out, nil
}

// Export writes the project file of a project.
func (s *Server) Export(ctx context.Context, projectID int64) ([]byte, error) {
	p, err := s.ProjectFile(ctx, projectID)
	if err != nil {
		return nil, err
	}
	return projectfile.Encode(p, s.catalog)
}

// Import reads a project file and creates a new project owned by owner.
// When the file has problems, nothing is created and every problem is
// returned.
func (s *Server) Import(ctx context.Context, owner int64, r io.Reader) (store.Project, steps.Problems, error) {
	pf, ps := projectfile.Decode(r, s.catalog)
	if len(ps) > 0 {
		return store.Project{}, ps, nil
	}
	im := store.Import{Name: pf.Name, Topology: pf.Topology, Answers: pf.Answers, Completed: pf.Completed, Ticket: pf.Ticket}
	for _, d := range pf.Deviations {
		im.Acks = append(im.Acks, store.Ack{Key: d.Key, Reason: d.Reason})
	}
	p, err := s.st.ImportProject(ctx, owner, im)
	return p, nil, err
}

func (s *Server) export(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	b, err := s.Export(r.Context(), rs.project.ID)
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": fmt.Sprintf("project-%d-r%d.json", rs.project.ID, rs.project.Revision)}))
	_, err = w.Write(b)
	return err
}

// maxUpload bounds an imported file; projectfile refuses larger files too.
const maxUpload = 8<<20 + 1<<16

func (s *Server) importProject(w http.ResponseWriter, r *http.Request) error {
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	f, _, err := r.FormFile("file")
	if err != nil {
		return s.renderProjectsWith(w, r, http.StatusUnprocessableEntity, "", steps.Problems{{Field: "file", Message: "Choose a project file to import"}})
	}
	defer f.Close()
	var buf bytes.Buffer
	if _, err := io.Copy(&buf, f); err != nil {
		return s.renderProjectsWith(w, r, http.StatusUnprocessableEntity, "", steps.Problems{{Field: "file", Message: "The file could not be read; it may be larger than 8 MB"}})
	}
	p, ps, err := s.Import(r.Context(), state(r).user.ID, &buf)
	if err != nil {
		return err
	}
	if len(ps) > 0 {
		var shown steps.Problems
		for _, pr := range ps {
			msg := pr.Message
			if pr.Field != "" {
				msg = pr.Field + ": " + msg
			}
			shown.Add("file", msg)
		}
		return s.renderProjectsWith(w, r, http.StatusUnprocessableEntity, "", shown)
	}
	s.setFlash(w, r, "Project “"+p.Name+"” imported. Nothing was imported from any other file.")
	return redirect(w, r, projectPath(p.ID))
}
