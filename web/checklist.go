package web

import (
	"archive/zip"
	"bytes"
	"fmt"
	"mime"
	"net/http"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/checklist"
	"github.com/secex/wizard/store"
)

// checklistsName is the file name of the archive holding every server's
// checklist.
func checklistsName(projectID int64) string {
	return fmt.Sprintf("stig-checklists-%d.zip", projectID)
}

// checklists builds the project's STIG checklists from the plan of its
// current revision and the as-executed record. Like every output, there
// are none while the runbook is withheld.
func (s *Server) checklists(r *http.Request) ([]checklist.File, error) {
	rs := state(r)
	rd, err := s.render(r)
	if err != nil || rd.Doc == nil {
		return nil, err
	}
	ps, err := s.loadState(r.Context(), *rs.project)
	if err != nil {
		return nil, err
	}
	execs, err := s.st.Executions(r.Context(), rs.project.ID)
	if err != nil {
		return nil, err
	}
	return buildChecklists(ps, rd.Out.Actions, execs)
}

// buildChecklists makes the checklists of ps's plan actions from execs,
// the project's marks, for callers that have read them already.
func buildChecklists(ps *projectState, actions []steps.Action, execs []store.Execution) ([]checklist.File, error) {
	in := checklist.Input{Project: ps.project.Name, ID: ps.project.ID, Revision: int(ps.project.Revision),
		Topology: ps.topology, Actions: actions, Marks: map[string][]checklist.Mark{}, Accepted: map[string]string{}}
	for _, e := range execs {
		m := checklist.Mark{Status: e.Status, Note: e.Note, Output: e.Output, By: e.By, At: e.At}
		for _, ev := range e.Evidence {
			m.Evidence = append(m.Evidence, fmt.Sprintf("%s (%d bytes, sha256 %s)", ev.Name, ev.Size, ev.SHA256))
		}
		in.Marks[e.Action] = append(in.Marks[e.Action], m)
	}
	for k, a := range ps.acks {
		in.Accepted[k] = a.Reason
	}
	return checklist.Build(in)
}

// checklistDownload serves one server's checklist, or all of them in one
// archive.
func (s *Server) checklistDownload(w http.ResponseWriter, r *http.Request) error {
	files, err := s.checklists(r)
	if err != nil {
		return err
	}
	name := r.PathValue("checklist")
	var body []byte
	ctype := "application/json"
	if name == checklistsName(state(r).project.ID) && len(files) > 0 {
		ctype = "application/zip"
		var buf bytes.Buffer
		zw := zip.NewWriter(&buf)
		for _, f := range files {
			fw, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Deflate, Modified: time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)})
			if err != nil {
				return err
			}
			if _, err := fw.Write(f.Body); err != nil {
				return err
			}
		}
		if err := zw.Close(); err != nil {
			return err
		}
		body = buf.Bytes()
	}
	for _, f := range files {
		if f.Name == name {
			body = f.Body
		}
	}
	if body == nil {
		return errNotFound
	}
	w.Header().Set("Content-Type", ctype)
	w.Header().Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	_, err = w.Write(body)
	return err
}
