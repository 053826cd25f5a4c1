package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sync"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/probe"
)

// Config holds what the server needs to know about how it is deployed.
type Config struct {
	Product string
	Version string

	// Secure is true when browsers reach the wizard over HTTPS (directly or
	// through a trusted reverse proxy): cookies are then marked Secure and
	// take the __Host- prefix, and HSTS is sent.
	Secure bool

	IdleTimeout     time.Duration // sign out after this long without a request
	AbsoluteTimeout time.Duration // sign out this long after signing in

	// Now is the clock; nil means time.Now.
	Now func() time.Time

	// PDF prints runbooks to PDF on the server; nil offers browser
	// printing only.
	PDF PDFPrinter

	// Probes runs the plan's probes against the real endpoints; nil
	// turns running them from the web off.
	Probes *probe.Network

	// Counterparts says, for a project on the current platform, what each
	// procedure of the guide becomes there.
	Counterparts []steps.Counterpart
}

// PDFPrinter prints a complete HTML document to PDF.
type PDFPrinter interface {
	Print(ctx context.Context, html []byte) ([]byte, error)
}

// Server is the wizard's HTTP handler.
type Server struct {
	cfg      Config
	st       *store.Store
	catalog  []*steps.Step
	log      *slog.Logger
	sessions *sessionStore
	handler  http.Handler

	stateMu sync.Mutex
	states  map[int64]*projectState // by project ID; see loadState

	// positions is the last position saved per user and project, so a
	// page reloaded is not saved again; see remember.
	positions map[[2]int64]string

	live *liveBroker // live walkthrough events and presence; see live.go
}

// NewServer returns the wizard's handler over st, walking through the
// procedures of catalog in order.
func NewServer(cfg Config, st *store.Store, catalog []*steps.Step, log *slog.Logger) *Server {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.IdleTimeout == 0 {
		cfg.IdleTimeout = 30 * time.Minute
	}
	if cfg.AbsoluteTimeout == 0 {
		cfg.AbsoluteTimeout = 9 * time.Hour
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, st: st, catalog: catalog, log: log, live: newLiveBroker()}
	s.sessions = &sessionStore{st: st, secure: cfg.Secure, idle: cfg.IdleTimeout, absolute: cfg.AbsoluteTimeout, now: s.now}
	s.handler = s.routes()
	return s
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) { s.handler.ServeHTTP(w, r) }

func (s *Server) now() time.Time { return s.cfg.Now().UTC() }

// SetupLink returns a one-time link for creating the first administrator
// when no account exists yet, or "" when one does. Each call makes a new
// link and invalidates the previous one; only a hash of it is stored.
func (s *Server) SetupLink(ctx context.Context, base string) (string, error) {
	has, err := s.st.HasUsers(ctx)
	if err != nil || has {
		return "", err
	}
	token := randomToken()
	if err := s.st.CreateSetupToken(ctx, hashToken(token), s.now().Add(time.Hour)); err != nil {
		return "", err
	}
	return base + "/setup?token=" + url.QueryEscape(token), nil
}

// CleanSessions deletes expired sessions every interval until ctx ends.
func (s *Server) CleanSessions(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if n, err := s.st.DeleteExpiredSessions(ctx, s.now()); err != nil {
				s.log.Warn("deleting expired sessions", "err", err)
			} else if n > 0 {
				s.log.Info("expired sessions deleted", "count", n)
			}
		}
	}
}

// randomToken returns 32 random bytes, base64url-encoded.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

func hashToken(t string) []byte {
	h := sha256.Sum256([]byte(t))
	return h[:]
}

func projectPath(id int64) string { return fmt.Sprintf("/p/%d", id) }
