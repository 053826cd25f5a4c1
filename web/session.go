package web

import (
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/gorilla/sessions"

	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/ui"
)

// sessionStore keeps sessions on the server, in SQLite, behind the
// gorilla/sessions Store interface. The cookie holds only a random token;
// the database holds only its SHA-256. So a stolen database cannot be
// replayed as cookies, and signing out or expiry ends a session at once,
// which a cookie-only session cannot do.
type sessionStore struct {
	st       *store.Store
	secure   bool
	idle     time.Duration
	absolute time.Duration
	now      func() time.Time
}

var _ sessions.Store = (*sessionStore)(nil)

// Keys of session values.
const (
	keyUser    = "uid"
	keyCSRF    = "csrf"
	keyCreated = "created"
	keyFlash   = "flash"
	// keyPrivileges holds store.Privileges as of the session's last
	// token: a change of role or of the administrator flag gives the
	// session a new token (see withSession).
	keyPrivileges = "privileges"
)

// cookieName is the session cookie's name. Under TLS the __Host- prefix
// makes browsers refuse the cookie unless it is Secure, host-only and for
// the whole site, so a sibling subdomain cannot plant one.
func (ss *sessionStore) cookieName() string {
	if ss.secure {
		return "__Host-wizard"
	}
	return "wizard"
}

// Get returns the request's session, cached for the request.
func (ss *sessionStore) Get(r *http.Request, name string) (*sessions.Session, error) {
	return sessions.GetRegistry(r).Get(ss, name)
}

// New loads the session named by the request's cookie, or starts a fresh
// anonymous one when there is none or it has expired. It never returns nil.
func (ss *sessionStore) New(r *http.Request, name string) (*sessions.Session, error) {
	s := sessions.NewSession(ss, name)
	s.Options = ss.options()
	s.IsNew = true
	c, err := r.Cookie(name)
	if err != nil || c.Value == "" {
		return s, nil
	}
	rec, err := ss.st.LoadSession(r.Context(), hashToken(c.Value))
	if errors.Is(err, store.ErrNotFound) {
		return s, nil
	}
	if err != nil {
		return s, err
	}
	now := ss.now()
	if ss.expired(rec, now) {
		ss.st.DeleteSession(r.Context(), rec.TokenHash)
		state(r).expiredUser = rec.UserID
		return s, nil
	}
	var vals map[string]any
	if err := json.Unmarshal(rec.Data, &vals); err != nil {
		return s, nil
	}
	for k, v := range vals {
		s.Values[k] = v
	}
	if rec.UserID != 0 {
		s.Values[keyUser] = rec.UserID
	}
	s.Values[keyCreated] = rec.CreatedAt.Unix()
	s.ID = c.Value
	s.IsNew = false
	// Slide the idle window without a write on every request: the single
	// writer stays free for answers.
	if now.Sub(rec.LastSeen) > time.Minute {
		rec.LastSeen, rec.Expires = now, ss.expiry(rec.CreatedAt, now)
		if err := ss.st.SaveSession(r.Context(), rec); err != nil {
			return s, err
		}
	}
	return s, nil
}

// Save writes the session and sets its cookie; a negative MaxAge deletes it.
func (ss *sessionStore) Save(r *http.Request, w http.ResponseWriter, s *sessions.Session) error {
	name := ss.cookieName()
	if s.Options != nil && s.Options.MaxAge < 0 {
		if s.ID != "" {
			if err := ss.st.DeleteSession(r.Context(), hashToken(s.ID)); err != nil {
				return err
			}
		}
		http.SetCookie(w, ss.cookie(name, "", -1))
		return nil
	}
	now := ss.now()
	if s.ID == "" {
		s.ID = randomToken()
		s.Values[keyCreated] = now.Unix()
	}
	created := now
	if c, ok := s.Values[keyCreated].(int64); ok {
		created = time.Unix(c, 0).UTC()
	}
	var uid int64
	if v, ok := s.Values[keyUser].(int64); ok {
		uid = v
	}
	vals := map[string]any{}
	for k, v := range s.Values {
		if k, ok := k.(string); ok && k != keyUser && k != keyCreated {
			vals[k] = v
		}
	}
	data, err := json.Marshal(vals)
	if err != nil {
		return err
	}
	expires := ss.expiry(created, now)
	if err := ss.st.SaveSession(r.Context(), store.Session{
		TokenHash: hashToken(s.ID), UserID: uid, Data: data,
		CreatedAt: created, LastSeen: now, Expires: expires,
	}); err != nil {
		return err
	}
	http.SetCookie(w, ss.cookie(name, s.ID, 0))
	return nil
}

// Rotate gives the session a new token and deletes the old one: called at
// sign-in so a token planted before sign-in (session fixation) is worthless
// after it.
func (ss *sessionStore) Rotate(r *http.Request, w http.ResponseWriter, s *sessions.Session) error {
	if s.ID != "" {
		if err := ss.st.DeleteSession(r.Context(), hashToken(s.ID)); err != nil {
			return err
		}
	}
	s.ID = ""
	s.Values[keyCSRF] = randomToken()
	return ss.Save(r, w, s)
}

// expired reports whether rec has been idle too long or has reached the
// absolute limit at now.
func (ss *sessionStore) expired(rec store.Session, now time.Time) bool {
	return !now.Before(rec.LastSeen.Add(ss.idle)) || !now.Before(rec.CreatedAt.Add(ss.absolute))
}

// expiry is when a session created at created and last used at lastSeen
// ends: after the idle time, and never later than the absolute limit.
func (ss *sessionStore) expiry(created, lastSeen time.Time) time.Time {
	e := lastSeen.Add(ss.idle)
	if abs := created.Add(ss.absolute); abs.Before(e) {
		return abs
	}
	return e
}

func (ss *sessionStore) options() *sessions.Options {
	return &sessions.Options{Path: "/", HttpOnly: true, Secure: ss.secure, SameSite: http.SameSiteLaxMode}
}

func (ss *sessionStore) cookie(name, value string, maxAge int) *http.Cookie {
	return &http.Cookie{Name: name, Value: value, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: ss.secure, SameSite: http.SameSiteLaxMode}
}

// reqState is what the session middleware learns about a request.
type reqState struct {
	session *sessions.Session
	user    *store.User
	nonce   string
	project *store.Project // set for routes under /p/{pid}
	role    store.Role

	liveSince int64 // newest live event id when a project page was requested; see liveRequest

	// expiredUser is the user of the session the request's cookie named
	// when that session had just expired; see keepDraft.
	expiredUser int64
}

type ctxKey struct{}

func state(r *http.Request) *reqState {
	if st, ok := r.Context().Value(ctxKey{}).(*reqState); ok {
		return st
	}
	return &reqState{}
}

// withSession loads the session and the signed-in user for every request.
func (s *Server) withSession(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rs := state(r)
		sess, err := s.sessions.Get(r, s.sessions.cookieName())
		if err != nil {
			s.log.Warn("loading session", "err", err)
		}
		rs.session = sess
		if uid, ok := sess.Values[keyUser].(int64); ok && uid != 0 {
			u, err := s.st.UserByID(r.Context(), uid)
			if err == nil {
				rs.user = &u
				if err := s.rotateOnPrivilegeChange(w, r, sess, uid); err != nil {
					s.log.Warn("rotating a session after a privilege change", "err", err)
				}
			}
		}
		next.ServeHTTP(w, r)
	})
}

// rotateOnPrivilegeChange gives sess a new token when its user's
// privileges differ from those recorded when the token was issued, so a
// token seen before a role change (in a log, a proxy, a shared screen) is
// worthless after it. The CSRF token and every other value stay, so a
// form open in another tab still saves.
func (s *Server) rotateOnPrivilegeChange(w http.ResponseWriter, r *http.Request, sess *sessions.Session, uid int64) error {
	now, err := s.st.Privileges(r.Context(), uid)
	if err != nil {
		return err
	}
	was, ok := sess.Values[keyPrivileges].(string)
	if ok && was == now {
		return nil
	}
	sess.Values[keyPrivileges] = now
	if !ok || sess.ID == "" || !privilegesChanged(was, now) {
		// Recorded for the first time (a session from before this was
		// kept), or only new memberships: the user made or imported a
		// project, or was added to one.
		return s.sessions.Save(r, w, sess)
	}
	if err := s.st.DeleteSession(r.Context(), hashToken(sess.ID)); err != nil {
		return err
	}
	// A new token, not a new session: its creation time stays, so the
	// absolute limit still counts from sign-in.
	sess.ID = randomToken()
	return s.sessions.Save(r, w, sess)
}

// privilegesChanged compares two store.Privileges texts: the
// administrator flag differs, or a project of was has another role or is
// gone. A project only in now is a new membership and changes nothing the
// old token could do.
func privilegesChanged(was, now string) bool {
	old, cur := strings.Split(was, ","), strings.Split(now, ",")
	if old[0] != cur[0] {
		return true
	}
	have := map[string]bool{}
	for _, m := range cur[1:] {
		have[m] = true
	}
	for _, m := range old[1:] {
		if !have[m] {
			return true
		}
	}
	return false
}

// csrfToken returns the session's token, creating and saving one (and so an
// anonymous session) when the session has none yet.
func (s *Server) csrfToken(w http.ResponseWriter, r *http.Request) string {
	rs := state(r)
	if rs.session == nil {
		return ""
	}
	if t, ok := rs.session.Values[keyCSRF].(string); ok && t != "" {
		return t
	}
	t := randomToken()
	rs.session.Values[keyCSRF] = t
	if err := s.sessions.Save(r, w, rs.session); err != nil {
		s.log.Warn("saving session", "err", err)
	}
	return t
}

// checkCSRF refuses a state-changing request whose form token does not
// match the session's. http.CrossOriginProtection already refuses
// cross-origin requests from browsers that send Fetch metadata; the token
// covers older browsers and makes the protection visible in every form.
// A refused form is not lost: keepDraft keeps it and sends the user back
// to it. It also tells the pages which address they are rendered for, so
// that each form can say which page it was on.
func (s *Server) checkCSRF(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodGet || r.Method == http.MethodHead || r.Method == http.MethodOptions {
			next.ServeHTTP(w, r.WithContext(ui.WithPagePath(r.Context(), r.URL.RequestURI())))
			return
		}
		// No form of the wizard is larger than an imported project file.
		r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
		rs := state(r)
		want, _ := rs.session.Values[keyCSRF].(string)
		got := r.PostFormValue("csrf_token")
		if want == "" || subtle.ConstantTimeCompare([]byte(want), []byte(got)) != 1 {
			s.log.Warn("csrf_reject", "method", r.Method, "path", r.URL.Path, "reason", "token")
			if r.PostForm == nil {
				// The body could not be read as a form: nothing to keep.
				w.WriteHeader(http.StatusForbidden)
				p := s.page(r, "Your session has expired")
				renderMessage(w, r, p, "Your session has expired", "The form could not be read. Go back, reload the page and send it again.")
				return
			}
			s.keepDraft(w, r)
			return
		}
		next.ServeHTTP(w, r.WithContext(ui.WithPagePath(r.Context(), s.formOrigin(r))))
	})
}

func withState(ctx context.Context) (context.Context, *reqState) {
	rs := &reqState{}
	return context.WithValue(ctx, ctxKey{}, rs), rs
}

// setFlash stores a one-line message for the next page.
func (s *Server) setFlash(w http.ResponseWriter, r *http.Request, msg string) {
	rs := state(r)
	if rs.session == nil {
		return
	}
	rs.session.Values[keyFlash] = msg
	if err := s.sessions.Save(r, w, rs.session); err != nil {
		s.log.Warn("saving session", "err", err)
	}
}

// takeFlash returns and clears the flash message.
func (s *Server) takeFlash(w http.ResponseWriter, r *http.Request) string {
	rs := state(r)
	if rs.session == nil {
		return ""
	}
	msg, _ := rs.session.Values[keyFlash].(string)
	if msg != "" {
		delete(rs.session.Values, keyFlash)
		s.sessions.Save(r, w, rs.session)
	}
	return msg
}
