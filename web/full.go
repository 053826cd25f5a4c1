package web

import (
	"bytes"
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/secex/wizard/web/ui"
)

// fullNotice is the sentence above a form that could not be saved because
// the database could not grow.
const fullNotice = "Nothing was saved: the server is out of disk space. What you typed is still below, and nothing saved before is damaged; ask the wizard's administrator to free space on the server, then send the form again."

// serveFull answers a form the database had no room for with the page the
// form was on, every value as typed (passwords and files excepted) and a
// sentence saying what happened, with status 503. It reports whether it
// could: a request that is not a form post, or whose page cannot be
// rendered, gets the plain out-of-space page instead.
func (s *Server) serveFull(w http.ResponseWriter, r *http.Request) bool {
	if r.Method != http.MethodPost || r.PostForm == nil {
		return false
	}
	page := r.URL.RequestURI()
	if ref, err := url.Parse(r.Referer()); err == nil && ref.Host == r.Host && strings.HasPrefix(ref.Path, "/") {
		page = ref.RequestURI()
	}
	// A fresh context: the post's carries its route and session state,
	// which the page's own request must not inherit.
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	defer context.AfterFunc(r.Context(), cancel)()
	get, err := http.NewRequestWithContext(ctx, http.MethodGet, page, nil)
	if err != nil {
		return false
	}
	get.Host, get.RemoteAddr = r.Host, r.RemoteAddr
	get.Header = r.Header.Clone()
	get.Header.Del("Content-Type")
	bw := &bufferedWriter{header: http.Header{}}
	s.ServeHTTP(bw, get)
	if bw.status != 0 && bw.status != http.StatusOK || !strings.HasPrefix(bw.header.Get("Content-Type"), "text/html") {
		return false
	}
	var note bytes.Buffer
	if err := ui.Notice(fullNotice).Render(r.Context(), &note); err != nil {
		return false
	}
	body, found := refill(bw.buf.Bytes(), r.URL.RequestURI(), r.PostForm, note.Bytes())
	if !found {
		return false
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Retry-After", "60")
	w.WriteHeader(http.StatusServiceUnavailable)
	w.Write(body)
	return true
}
