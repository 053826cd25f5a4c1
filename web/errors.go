package web

import (
	"errors"
	"net/http"

	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/ui"
)

// handlerFunc is the shape of every handler: it writes a response or
// returns an error for serveError to turn into a page.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// Errors a handler returns for the common refusals.
var (
	errNotFound   = errors.New("not found")
	errForbidden  = errors.New("forbidden")
	errBadRequest = errors.New("bad request")
)

func (s *Server) handle(h handlerFunc) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.serveError(w, r, err)
		}
	}
}

// serveError maps an error to a status and a page. Only unexpected errors
// are logged; their details never reach the browser.
func (s *Server) serveError(w http.ResponseWriter, r *http.Request, err error) {
	status, heading, text := http.StatusInternalServerError, "Sorry, something went wrong", "The wizard could not finish this request. Nothing you entered before this page was lost; try again, and if it keeps happening tell your administrator the time it happened."
	switch {
	case errors.Is(err, errNotFound), errors.Is(err, store.ErrNotFound):
		status, heading, text = http.StatusNotFound, "Page not found", "There is nothing at this address, or you do not have access to it. If you typed the address, check it is correct."
	case errors.Is(err, errForbidden):
		status, heading, text = http.StatusForbidden, "You cannot do this", "Your role in this project does not allow this action. A project owner can change your role."
	case errors.Is(err, errBadRequest):
		status, heading, text = http.StatusBadRequest, "The request could not be read", "The form sent was incomplete. Go back, reload the page and try again."
	case errors.Is(err, store.ErrFull):
		s.log.Error("database out of space", "method", r.Method, "path", r.URL.Path, "err", err)
		if s.serveFull(w, r) {
			return
		}
		status, heading, text = http.StatusServiceUnavailable, "The server is out of disk space", "Nothing was saved, and nothing saved before is damaged. Ask the wizard's administrator to free space on the server, then try again; no restart is needed."
	case errors.Is(err, store.ErrConflict):
		status, heading, text = http.StatusConflict, "Someone else changed this first", "Another member saved a change to the same thing after you opened the page. Go back and reload the page to see their change, then make yours again."
	default:
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	}
	p := s.page(r, heading)
	w.WriteHeader(status)
	ui.MessagePage(p, heading, text, ui.Link{Label: "Go to your projects", Href: "/"}).Render(r.Context(), w)
}
