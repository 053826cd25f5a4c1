// Package web serves the wizard over HTTP: accounts and sessions, projects
// and their servers, the procedure pages, the runbook and the downloads.
//
// Every route is listed in routes.go together with the least role it needs,
// and handlers return errors that one adapter turns into pages. Handlers
// decide first (read the form, validate with the steps package, save through
// the store) and only then render a ui component, so a page never shows a
// half-made decision.
package web
