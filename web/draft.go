package web

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"

	"github.com/secex/wizard/web/ui"
)

// A form sent with a CSRF token that no longer matches the session (the
// page was opened before the user last signed in, or the session ended
// while the page was open) is never carried out. Instead what it held is
// kept in the session as a draft, and the browser is sent back to the page
// the form was on (after signing in again, when that is needed). There the
// form is shown again with every value as typed and one sentence saying
// what happened and what to do; the user then sends it deliberately. A
// draft is used once.

// keyDraft is the session value holding the draft, as JSON.
const keyDraft = "draft"

// maxDraft bounds what a draft keeps, so a session stays small; a form
// with more than this (only a project file could be) is not kept.
const maxDraft = 512 << 10

// Why a form was not accepted.
const (
	draftStale     = "stale"      // signed in, but the page is older than the sign-in
	draftSignedOut = "signed-out" // the session had ended; sign in again first
	draftPublic    = "public"     // a sign-in or setup page left open too long
)

// draft is a form that was sent but not carried out.
type draft struct {
	Kind   string     `json:"kind"`
	Page   string     `json:"page"`   // the page the form was on (path and query)
	Action string     `json:"action"` // where it was posted (path and query)
	Values url.Values `json:"values"` // without CSRF fields and passwords
	User   int64      `json:"user"`   // whose it is; 0 when unknown
	Secret bool       `json:"secret"` // a password was typed, and not kept
	File   bool       `json:"file"`   // a file was chosen, and not kept
}

// keepDraft keeps the form of r, refused for its token, and answers with
// where the user goes next.
func (s *Server) keepDraft(w http.ResponseWriter, r *http.Request) {
	rs := state(r)
	page := s.formOrigin(r)
	switch {
	case r.URL.Path == "/logout" && rs.user == nil:
		// Already signed out: that is what the form asked for.
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return
	case (r.URL.Path == "/login" || r.URL.Path == "/setup") && rs.user != nil:
		// Signed in already, in another tab.
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	d := draft{Page: page, Action: r.URL.RequestURI(), Values: url.Values{}}
	for k, vs := range r.PostForm {
		switch {
		case k == "csrf_token" || k == "csrf_page":
		case keepOut(k):
			if strings.Join(vs, "") != "" {
				d.Secret = true
			}
		default:
			d.Values[k] = vs
		}
	}
	if r.MultipartForm != nil {
		for _, fs := range r.MultipartForm.File {
			if len(fs) > 0 && fs[0].Filename != "" {
				d.File = true
			}
		}
	}
	switch {
	case rs.user != nil:
		d.Kind, d.User = draftStale, rs.user.ID
	case r.URL.Path == "/login" || r.URL.Path == "/setup":
		d.Kind = draftPublic
	default:
		d.Kind, d.User = draftSignedOut, rs.expiredUser
	}
	b, err := json.Marshal(d)
	if err == nil && len(b) <= maxDraft && rs.session != nil {
		rs.session.Values[keyDraft] = string(b)
		if err := s.sessions.Save(r, w, rs.session); err != nil {
			s.log.Warn("saving session", "err", err)
		}
	}
	to := page
	if d.Kind == draftSignedOut {
		to = "/login?next=" + url.QueryEscape(page)
	}
	http.Redirect(w, r, to, http.StatusSeeOther)
}

// formOrigin is the page the form of r was on: the csrf_page it carries
// when that is one of the wizard's pages, else the address it was posted
// to when that is a page, else the list of projects.
func (s *Server) formOrigin(r *http.Request) string {
	for _, p := range []string{r.PostFormValue("csrf_page"), r.URL.RequestURI()} {
		if len(p) < 2000 && safeNext(p) != "" && s.isPage(p) {
			return p
		}
	}
	return "/"
}

// pendingDraft returns the session's draft, if any.
func pendingDraft(r *http.Request) (draft, bool) {
	rs := state(r)
	if rs.session == nil {
		return draft{}, false
	}
	s, ok := rs.session.Values[keyDraft].(string)
	if !ok {
		return draft{}, false
	}
	var d draft
	if err := json.Unmarshal([]byte(s), &d); err != nil {
		return draft{}, false
	}
	return d, true
}

// signInNotice is the sentence the sign-in page shows while a form waits
// for the user to sign in again, or "".
func signInNotice(r *http.Request) string {
	if d, ok := pendingDraft(r); ok && d.Kind == draftSignedOut {
		return "You had been signed out, so the form you sent was not saved: sign in again and it comes back with everything you typed."
	}
	return ""
}

// notice is the sentence shown above a form put back from d.
func (d draft) notice() string {
	var what string
	switch d.Kind {
	case draftStale:
		what = "Nothing was saved, because this page was opened before you last signed in"
	case draftSignedOut:
		what = "Nothing was saved, because you had been signed out"
	default:
		what = "Nothing was sent, because this page had been open too long"
	}
	todo := "check what you typed below"
	switch {
	case d.Secret && d.File:
		todo += ", type the password and choose the file again"
	case d.Secret:
		todo += ", type the password again"
	case d.File:
		todo += ", choose the file again"
	}
	return what + ": " + todo + " and send it again."
}

// restoreDraft puts a kept form back on its page: on a GET of the draft's
// page by the user it belongs to, the page is rendered as usual and the
// form is then filled in with the draft's values. The draft is dropped once
// used, or when someone else has signed in.
func (s *Server) restoreDraft(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs := state(r)
		d, ok := pendingDraft(r)
		if !ok || r.Method != http.MethodGet || d.Page != r.URL.RequestURI() {
			next.ServeHTTP(w, r)
			return
		}
		switch {
		case d.Kind == draftPublic && rs.user == nil:
		case d.Kind != draftPublic && rs.user != nil && (d.User == 0 || d.User == rs.user.ID):
		case d.Kind != draftPublic && rs.user != nil:
			// Someone else signed in on this browser: the draft is not theirs.
			s.dropDraft(w, r)
			next.ServeHTTP(w, r)
			return
		default:
			next.ServeHTTP(w, r)
			return
		}
		bw := &bufferedWriter{header: w.Header()}
		next.ServeHTTP(bw, r)
		body := bw.buf.Bytes()
		if bw.status == 0 {
			bw.status = http.StatusOK
		}
		if bw.status == http.StatusOK && strings.HasPrefix(w.Header().Get("Content-Type"), "text/html") {
			var note bytes.Buffer
			if err := ui.Notice(d.notice()).Render(r.Context(), &note); err == nil {
				if page, found := refill(body, d.Action, d.Values, note.Bytes()); found {
					body = page
					s.dropDraft(w, r)
				}
			}
		}
		w.WriteHeader(bw.status)
		w.Write(body)
	})
}

func (s *Server) dropDraft(w http.ResponseWriter, r *http.Request) {
	rs := state(r)
	delete(rs.session.Values, keyDraft)
	if err := s.sessions.Save(r, w, rs.session); err != nil {
		s.log.Warn("saving session", "err", err)
	}
}

// bufferedWriter holds a response until it is complete.
type bufferedWriter struct {
	header http.Header
	status int
	buf    bytes.Buffer
}

func (b *bufferedWriter) Header() http.Header { return b.header }

func (b *bufferedWriter) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

func (b *bufferedWriter) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.buf.Write(p)
}
