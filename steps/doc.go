// Package steps is the wizard's domain: what a procedure of the guide is,
// the typed values an administrator enters, the servers of an organisation,
// the findings that stop or warn before anything is produced, and the plan of
// work that the runbook and the script bundles are printed from.
//
// Nothing here knows about HTTP, SQL or HTML. A procedure is a plain [Step]
// value in its own package under steps/, listed in guide order by
// steps/catalog; the web server and the command-line renderer receive that
// list as an argument. Keeping the domain at the bottom means the same
// answers give the same findings, plan and files whether they come from the
// browser or from a project file.
package steps
