// Package ui holds the wizard's pages as templ components. Each component
// is a function of a typed view model; nothing here reads the database or
// the session, so a page shows exactly what its handler decided.
package ui
