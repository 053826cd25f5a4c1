package web

import (
	"bytes"
	"net/http"

	"github.com/a-h/templ"

	"github.com/secex/wizard/web/ui"
)

// page builds the layout's view model for r.
func (s *Server) page(r *http.Request, title string) ui.Page {
	rs := state(r)
	p := ui.Page{Title: title, Product: s.cfg.Product}
	if rs.user != nil {
		p.User = rs.user.Name
	}
	if rs.session != nil {
		p.CSRF, _ = rs.session.Values[keyCSRF].(string)
	}
	if rs.project != nil {
		p.Project = &ui.ProjectNav{ID: rs.project.ID, Name: rs.project.Name, Role: rs.role.String(), Path: projectPath(rs.project.ID)}
		p.Live = s.liveView(r)
	}
	return p
}

// formPage is page with a CSRF token guaranteed, for pages with forms.
func (s *Server) formPage(w http.ResponseWriter, r *http.Request, title string) ui.Page {
	s.csrfToken(w, r)
	p := s.page(r, title)
	p.Flash = s.takeFlash(w, r)
	return p
}

// render writes c with status. It renders into a buffer first so a
// failure half-way does not send half a page with a 200.
func render(w http.ResponseWriter, r *http.Request, status int, c templ.Component) error {
	var buf bytes.Buffer
	if err := c.Render(r.Context(), &buf); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, err := w.Write(buf.Bytes())
	return err
}

func renderMessage(w http.ResponseWriter, r *http.Request, p ui.Page, heading, text string) {
	ui.MessagePage(p, heading, text, ui.Link{Label: "Go to your projects", Href: "/"}).Render(r.Context(), w)
}

// redirect answers a successful POST with 303 See Other.
func redirect(w http.ResponseWriter, r *http.Request, to string) error {
	http.Redirect(w, r, to, http.StatusSeeOther)
	return nil
}
