package web

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/probe"
	"github.com/secex/wizard/web/ui"
)

// probesPerMinute is how many probes a project's members may run in a
// minute: enough to re-run after a fix, too few to turn the wizard into a
// scanner.
const probesPerMinute = 4

// probeSubmit runs the probe of one plan step. The host, port and names
// all come from the plan, never from the form, so a member can only probe
// what the project's topology names; the run is kept, audited and shown
// to the team.
func (s *Server) probeSubmit(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	if err := r.ParseMultipartForm(160 << 10); err != nil && err != http.ErrNotMultipart {
		return s.renderExecute(w, r, http.StatusUnprocessableEntity, steps.Problems{{Field: "main", Message: "The form could not be read; each certificate file must be 64 KB or less"}})
	}
	key := r.PostFormValue("action")
	a, ok, err := s.planProbe(r, key)
	if err != nil {
		return err
	}
	if !ok {
		return errBadRequest
	}
	if s.cfg.Probes == nil && a.Probe.Kind != steps.ProbeCert {
		return s.renderExecute(w, r, http.StatusServiceUnavailable, steps.Problems{{Field: "main", Message: "This wizard is not set up to run probes; run wizard probe on the command line instead"}})
	}
	id := formID(key)
	var roots *x509.CertPool
	if f, _, err := r.FormFile(id + "-ca"); err == nil {
		data, _ := io.ReadAll(io.LimitReader(f, 64<<10))
		f.Close()
		if len(data) > 0 {
			cs, err := probe.ParseCertificates(data)
			if err != nil {
				return s.renderExecute(w, r, http.StatusUnprocessableEntity, steps.Problems{{Field: id + "-ca", Message: "CA certificate: " + err.Error()}})
			}
			roots = x509.NewCertPool()
			for _, c := range cs {
				roots.AddCert(c)
			}
		}
	}
	var certFile []byte
	if a.Probe.Kind == steps.ProbeCert {
		f, _, err := r.FormFile(id + "-cert")
		if err == nil {
			certFile, err = io.ReadAll(io.LimitReader(f, 64<<10))
			f.Close()
		}
		if err != nil || len(certFile) == 0 {
			return s.renderExecute(w, r, http.StatusUnprocessableEntity, steps.Problems{{Field: id + "-cert", Message: "Certificate file to check: choose the issued certificate's file (.cer, .crt or .pem), then press Run check"}})
		}
		if _, err := probe.ParseCertificates(certFile); err != nil {
			return s.renderExecute(w, r, http.StatusUnprocessableEntity, steps.Problems{{Field: id + "-cert", Message: "Certificate file to check: " + err.Error()}})
		}
	}
	n, err := s.st.ProbeRunsSince(r.Context(), rs.project.ID, s.now().Add(-time.Minute))
	if err != nil {
		return err
	}
	if n >= probesPerMinute {
		return s.renderExecute(w, r, http.StatusTooManyRequests, steps.Problems{{Field: "main", Message: fmt.Sprintf("This project's members have run %d probes in the last minute, the most allowed; wait a minute and run it again", n)}})
	}
	var from, until time.Time
	if tk, err := s.st.Ticket(r.Context(), rs.project.ID); err == nil && tk.Version > 0 {
		from, until, _ = tk.Ticket.Window()
	}
	// The probe outlives a closed browser tab: its run is kept either way.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), 45*time.Second)
	defer cancel()
	var rep probe.Report
	if certFile != nil {
		rep = probe.CheckFile(*a.Probe, certFile, roots, from, until, s.now())
	} else {
		rep = s.cfg.Probes.Run(ctx, *a.Probe, roots, from, until)
	}
	body, err := json.Marshal(rep)
	if err != nil {
		return err
	}
	result := "pass"
	if rep.Failed() {
		result = "fail"
	}
	if _, err := s.st.RecordProbe(r.Context(), rs.user.ID, rs.project.ID, key, result, body); err != nil {
		return err
	}
	s.log.Info("probe", "project", rs.project.ID, "action", key, "target", rep.Target, "result", result)
	msg := "The probe passed every check."
	if result == "fail" {
		msg = "The probe found a problem; the failed checks are listed with the step."
	}
	s.setFlash(w, r, msg)
	return redirect(w, r, projectPath(rs.project.ID)+"/execute#"+id)
}

// planProbe finds the current plan step with key that carries a probe.
func (s *Server) planProbe(r *http.Request, key string) (steps.Action, bool, error) {
	rd, err := s.render(r)
	if err != nil {
		return steps.Action{}, false, err
	}
	if rd.Doc == nil {
		return steps.Action{}, false, nil
	}
	for _, a := range rd.Out.Actions {
		if a.Key() == key && a.Probe != nil {
			return a, true, nil
		}
	}
	return steps.Action{}, false, nil
}

func probeRunView(pr store.ProbeRun) ui.ProbeRunView {
	v := ui.ProbeRunView{Result: pr.Result, By: pr.By, At: pr.At.UTC().Format("2006-01-02 15:04 UTC")}
	var rep probe.Report
	if json.Unmarshal([]byte(pr.Report), &rep) == nil {
		for _, c := range rep.Checks {
			v.Checks = append(v.Checks, ui.ProbeCheckView{ID: c.ID, Expected: c.Expected, Observed: c.Observed, Result: string(c.Result), Reason: c.Reason})
		}
	}
	return v
}
