package web

import (
	"net/http"
	"strings"

	"github.com/go-chi/chi/v5"

	"github.com/secex/wizard/assets"
	"github.com/secex/wizard/store"
)

// access is the least a request needs to reach a route.
type access int

const (
	public   access = iota // anyone, signed in or not
	signedIn               // any account
	admin                  // an account administrator
	viewer                 // project member with at least this role
	editor
	approver
	owner
)

// routes lists every route of the wizard with the access it needs. The
// authorization test walks this router and fails on any route it has no
// expectation for, so a new route cannot slip in without a decision.
func (s *Server) routes() http.Handler {
	r := chi.NewRouter()
	r.Use(s.recoverPanics, s.securityHeaders)
	r.Use(s.crossOrigin)
	r.Use(s.withSession, s.checkCSRF, s.restoreDraft)

	r.Get("/healthz", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("ok")) })
	r.Get("/assets/*", assets.Handler().ServeHTTP)

	r.Get("/setup", s.handle(s.setupForm))
	r.Post("/setup", s.handle(s.setupSubmit))
	r.Get("/login", s.handle(s.loginForm))
	r.Post("/login", s.handle(s.loginSubmit))
	r.Post("/logout", s.handle(s.logout))

	r.Get("/", s.need(signedIn, s.projectList))
	r.Post("/projects", s.need(signedIn, s.projectCreate))
	r.Post("/import", s.need(signedIn, s.importProject))
	r.Get("/accounts", s.need(admin, s.accounts))
	r.Post("/accounts", s.need(admin, s.accountCreate))

	r.Route("/p/{pid}", func(r chi.Router) {
		r.Get("/", s.need(viewer, s.taskList))
		r.Get("/resume", s.need(viewer, s.resume))
		r.Get("/facts", s.need(viewer, s.factsForm))
		r.Post("/facts", s.need(editor, s.factsSubmit))
		r.Get("/servers", s.need(viewer, s.serverList))
		r.Post("/servers", s.need(editor, s.serverAdd))
		r.Get("/servers/{sid}", s.need(viewer, s.serverForm))
		r.Post("/servers/{sid}", s.need(editor, s.serverUpdate))
		r.Post("/servers/{sid}/delete", s.need(editor, s.serverDelete))
		r.Get("/steps/{step}", s.need(viewer, s.stepStart))
		r.Get("/steps/{step}/check", s.need(viewer, s.checkForm))
		r.Post("/steps/{step}/check", s.need(editor, s.checkSubmit))
		r.Get("/steps/{step}/{page}", s.need(viewer, s.questionForm))
		r.Post("/steps/{step}/{page}", s.need(editor, s.questionSubmit))
		r.Get("/ticket", s.need(viewer, s.ticketForm))
		r.Post("/ticket", s.need(editor, s.ticketSubmit))
		r.Get("/runbook", s.need(viewer, s.runbook))
		r.Get("/runbook/document", s.need(viewer, s.runbookDocument))
		r.Get("/runbook/pdf", s.need(viewer, s.runbookPDF))
		r.Get("/bundles/{file}", s.need(viewer, s.bundleDownload))
		r.Get("/files/{target}/{name}", s.need(viewer, s.download))
		r.Get("/members", s.need(viewer, s.members))
		r.Post("/members", s.need(owner, s.memberSave))
		r.Post("/members/remove", s.need(owner, s.memberRemove))
		r.Get("/settings", s.need(owner, s.settings))
		r.Post("/settings/rename", s.need(owner, s.rename))
		r.Post("/settings/archive", s.need(owner, s.archive))
		r.Get("/history", s.need(viewer, s.history))
		r.Get("/counterparts", s.need(viewer, s.counterparts))
		r.Get("/servers/{sid}/history", s.need(viewer, s.serverHistory))
		r.Get("/signoff", s.need(viewer, s.signoff))
		r.Post("/signoff", s.need(approver, s.signoffSubmit))
		r.Get("/execute", s.need(viewer, s.execute))
		r.Post("/execute", s.need(editor, s.executeSubmit))
		r.Post("/probe", s.need(editor, s.probeSubmit))
		r.Post("/assign", s.need(editor, s.assign))
		r.Post("/close", s.need(editor, s.closeChange))
		r.Get("/evidence/{eid}", s.need(viewer, s.evidence))
		r.Get("/checklists/{checklist}", s.need(viewer, s.checklistDownload))
		r.Get("/export", s.need(viewer, s.export))
		r.Get("/events", s.need(viewer, s.events))
	})
	r.NotFound(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	r.MethodNotAllowed(s.handle(func(w http.ResponseWriter, r *http.Request) error { return errNotFound }))
	return r
}

// isPage reports whether the address (path and query) is one the wizard
// answers to GET.
func (s *Server) isPage(address string) bool {
	path, _, _ := strings.Cut(address, "?")
	routes, ok := s.handler.(chi.Routes)
	return ok && routes.Match(chi.NewRouteContext(), http.MethodGet, path)
}

// roleFor maps an access level to the project role it needs.
func roleFor(a access) store.Role {
	switch a {
	case editor:
		return store.RoleEditor
	case approver:
		return store.RoleApprover
	case owner:
		return store.RoleOwner
	}
	return store.RoleViewer
}
