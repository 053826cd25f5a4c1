// Package catalog lists the wizard's procedures in the order of the guide.
//
// The list is an explicit slice rather than a registry filled by init
// functions, so the order the task list, the runbook and the bundles follow
// is the order written here. Only the command that starts the wizard
// imports this package; the web server receives the list as an argument,
// which lets its tests pass a small list of their own.
package catalog
