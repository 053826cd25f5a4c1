package web

import (
	"errors"
	"net"
	"net/http"
	"strings"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/ui"
)

// Sign-in throttling: after this many failures in the window, further
// attempts for the same account or from the same address are refused
// until the window has passed, whether or not the password is right.
const (
	maxLoginFailures = 5
	loginWindow      = 15 * time.Minute
)

func userField(v, errMsg string) ui.Field {
	return ui.Field{ID: "username", Label: "User name", Value: v, Error: errMsg, Mono: true, Autocomplete: "username"}
}

func passwordField(id, label, hint, errMsg, auto string) ui.Field {
	return ui.Field{ID: id, Label: label, Hint: hint, Error: errMsg, Type: "password", Autocomplete: auto}
}

// normaliseUserName trims and lower-cases a user name and checks it.
func normaliseUserName(s string) (string, error) {
	s = strings.ToLower(strings.TrimSpace(s))
	if s == "" {
		return "", errors.New("Enter a user name")
	}
	if len(s) > 64 {
		return "", errors.New("User name must be 64 characters or less")
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '.' || r == '-' || r == '_') {
			return "", errors.New("User name must only include letters, digits, dots, hyphens and underscores")
		}
	}
	return s, nil
}

func (s *Server) setupForm(w http.ResponseWriter, r *http.Request) error {
	has, err := s.st.HasUsers(r.Context())
	if err != nil {
		return err
	}
	p := s.formPage(w, r, "Create the first administrator")
	if has {
		return render(w, r, http.StatusNotFound, ui.MessagePage(p, "Setup is finished", "An administrator already exists. Sign in, or ask an administrator for an account.", ui.Link{Label: "Sign in", Href: "/login"}))
	}
	token := r.URL.Query().Get("token")
	return render(w, r, http.StatusOK, ui.SetupPage(p, token, userField("", ""),
		passwordField("password", "Password", "12 to 128 characters. A phrase of several words is easy to remember and hard to guess.", "", "new-password"),
		passwordField("confirm", "Type the password again", "", "", "new-password")))
}

func (s *Server) setupSubmit(w http.ResponseWriter, r *http.Request) error {
	token := r.PostFormValue("token")
	name, nameErr := normaliseUserName(r.PostFormValue("username"))
	pw, confirm := r.PostFormValue("password"), r.PostFormValue("confirm")
	var ps steps.Problems
	if nameErr != nil {
		ps.Add("username", nameErr.Error())
	}
	if err := passwordProblem(pw, name); err != nil {
		ps.Add("password", err.Error())
	} else if pw != confirm {
		ps.Add("confirm", "The two passwords are not the same; type it again")
	}
	p := s.formPage(w, r, "Create the first administrator")
	if len(ps) > 0 {
		return render(w, r, http.StatusUnprocessableEntity, ui.SetupPage(withProblems(p, ps), token,
			userField(r.PostFormValue("username"), ps.For("username")),
			passwordField("password", "Password", "12 to 128 characters. A phrase of several words is easy to remember and hard to guess.", ps.For("password"), "new-password"),
			passwordField("confirm", "Type the password again", "", ps.For("confirm"), "new-password")))
	}
	u, err := s.st.RedeemSetupToken(r.Context(), hashToken(token), name, hashPassword(pw))
	if errors.Is(err, store.ErrNotFound) {
		return render(w, r, http.StatusGone, ui.MessagePage(p, "This setup link no longer works",
			"The link has been used already or is more than an hour old. Restart the wizard on the server: while no administrator exists it prints a new link.",
			ui.Link{Label: "Sign in", Href: "/login"}))
	}
	if err != nil {
		return err
	}
	s.log.Info("setup_complete", "user", u.Name)
	if err := s.signIn(w, r, u); err != nil {
		return err
	}
	s.setFlash(w, r, "Your administrator account is ready. Create your first project.")
	return redirect(w, r, "/")
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) error {
	if state(r).user != nil {
		return redirect(w, r, "/")
	}
	p := s.formPage(w, r, "Sign in")
	p.Notice = signInNotice(r)
	return render(w, r, http.StatusOK, ui.LoginPage(p, userField("", ""), passwordField("password", "Password", "", "", "current-password"), safeNext(r.URL.Query().Get("next"))))
}

func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func (s *Server) loginSubmit(w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	typed := r.PostFormValue("username")
	name, _ := normaliseUserName(typed)
	pw := r.PostFormValue("password")
	next := safeNext(r.PostFormValue("next"))
	keys := []string{"user:" + name, "addr:" + clientAddr(r)}
	p := s.formPage(w, r, "Sign in")
	p.Notice = signInNotice(r)
	fail := func(msg string) error {
		ps := steps.Problems{{Field: "username", Message: msg}}
		return render(w, r, http.StatusUnprocessableEntity, ui.LoginPage(withProblems(p, ps), userField(typed, msg), passwordField("password", "Password", "", "", "current-password"), next))
	}
	since := s.now().Add(-loginWindow)
	for _, k := range keys {
		n, err := s.st.LoginFailures(ctx, k, since)
		if err != nil {
			return err
		}
		if n >= maxLoginFailures {
			s.log.Warn("authn_login_throttled", "key", k)
			return fail("Too many failed sign-ins. Wait 15 minutes and try again, or ask an administrator to check the account.")
		}
	}
	u, hash, err := s.st.UserByName(ctx, name)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	if err != nil || !checkPassword(hash, pw) {
		if err != nil {
			checkPassword(dummyHash(), pw)
		}
		for _, k := range keys {
			if err := s.st.RecordLoginFailure(ctx, k); err != nil {
				return err
			}
		}
		s.log.Warn("authn_login_fail", "user", name, "addr", clientAddr(r))
		return fail("The user name or password is not right. Check them and try again.")
	}
	for _, k := range keys {
		s.st.ClearLoginFailures(ctx, k)
	}
	if err := s.signIn(w, r, u); err != nil {
		return err
	}
	s.log.Info("authn_login_success", "user", u.Name)
	if next == "" {
		next = s.landing(r, u)
	}
	return redirect(w, r, next)
}

// landing is where a user goes after signing in without a target: the
// page where they stopped in the project they used last.
func (s *Server) landing(r *http.Request, u store.User) string {
	pid, path, err := s.st.LatestPosition(r.Context(), u.ID)
	if err != nil || path == "" {
		return "/"
	}
	if _, err := s.st.MemberRole(r.Context(), pid, u.ID); err != nil {
		return "/"
	}
	return path
}

// signIn binds the session to u under a new token.
func (s *Server) signIn(w http.ResponseWriter, r *http.Request, u store.User) error {
	rs := state(r)
	rs.session.Values[keyUser] = u.ID
	delete(rs.session.Values, keyCreated)
	rs.user = &u
	if p, err := s.st.Privileges(r.Context(), u.ID); err == nil {
		rs.session.Values[keyPrivileges] = p
	}
	return s.sessions.Rotate(r, w, rs.session)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	if rs.session != nil {
		rs.session.Options.MaxAge = -1
		if err := s.sessions.Save(r, w, rs.session); err != nil {
			return err
		}
	}
	if rs.user != nil {
		s.log.Info("authn_logout", "user", rs.user.Name)
	}
	return redirect(w, r, "/login")
}

// safeNext accepts only a local path as a place to return to, so a link
// cannot send a user who signs in to another site.
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") || strings.ContainsAny(n, "\r\n") {
		return ""
	}
	return n
}

func withProblems(p ui.Page, ps steps.Problems) ui.Page {
	p.Problems = ps
	return p
}
