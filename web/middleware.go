package web

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"

	"github.com/a-h/templ"

	"github.com/secex/wizard/store"
)

// securityHeaders sets the headers every response carries. The
// Content-Security-Policy allows only our own style sheets and scripts that
// carry this response's nonce, so markup injected into a page could not run.
func (s *Server) securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx, rs := withState(r.Context())
		b := make([]byte, 18)
		rand.Read(b)
		rs.nonce = base64.StdEncoding.EncodeToString(b)
		ctx = templ.WithNonce(ctx, rs.nonce)
		h := w.Header()
		h.Set("Content-Security-Policy", fmt.Sprintf("default-src 'none'; script-src 'nonce-%s'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'", rs.nonce))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Opener-Policy", "same-origin")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		h.Set("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
		if s.cfg.Secure {
			h.Set("Strict-Transport-Security", "max-age=31536000")
		}
		h.Set("Cache-Control", "no-store")
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// crossOrigin refuses state-changing requests that browsers mark as coming
// from another origin.
func (s *Server) crossOrigin(next http.Handler) http.Handler {
	cop := http.NewCrossOriginProtection()
	cop.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.log.Warn("csrf_reject", "method", r.Method, "path", r.URL.Path, "reason", "cross-origin",
			"sec_fetch_site", r.Header.Get("Sec-Fetch-Site"), "origin", r.Header.Get("Origin"))
		http.Error(w, "Cross-origin request refused", http.StatusForbidden)
	}))
	return cop.Handler(next)
}

func (s *Server) recoverPanics(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.serveError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// need wraps h so it runs only for requests with access a. Signed-out
// visitors are sent to sign in; non-members of a project get 404, so the
// wizard does not even confirm the project exists; members with too low a
// role get 403.
func (s *Server) need(a access, h handlerFunc) http.HandlerFunc {
	return s.handle(func(w http.ResponseWriter, r *http.Request) error {
		rs := state(r)
		if rs.user == nil {
			if r.Method != http.MethodGet {
				return errForbidden
			}
			http.Redirect(w, r, "/login?next="+url.QueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
			return nil
		}
		switch a {
		case public, signedIn:
			return h(w, r)
		case admin:
			if !rs.user.Admin {
				return errForbidden
			}
			return h(w, r)
		}
		pid, err := strconv.ParseInt(r.PathValue("pid"), 10, 64)
		if err != nil {
			return errNotFound
		}
		role, err := s.st.MemberRole(r.Context(), pid, rs.user.ID)
		if errors.Is(err, store.ErrNotFound) {
			return errNotFound
		} else if err != nil {
			return err
		}
		p, err := s.st.Project(r.Context(), pid)
		if err != nil {
			return err
		}
		rs.project, rs.role = &p, role
		if role < roleFor(a) {
			return errForbidden
		}
		if p.Archived && r.Method != http.MethodGet && a != owner {
			return errForbidden
		}
		return s.liveRequest(w, r, h)
	})
}
