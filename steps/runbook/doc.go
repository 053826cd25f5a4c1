// Package runbook builds the change-ticket runbook as a structured document
// and prints it as Markdown.
//
// The shape follows go/doc/comment: [Build] turns the plan of a project
// (its [steps.Output]), the change ticket and the project's record of
// deviations into a [Doc] of numbered [Section]s holding typed blocks
// ([Heading], [Para], [List], [Table], [Checklist], [Step], [Check],
// [Backout], [WriteIn], [SignOff], [Closure]); printers then turn the same
// Doc into bytes. [Markdown] is the printer for bundles and version control; the
// templ components in web/ui print the same Doc as HTML for screen and
// paper. Nothing here writes HTML, so the document a change board signs and
// the files an operator reads cannot drift apart: both are views of one
// value.
//
// A Doc is the whole change, or with [Doc.ForServer] one server's part of
// it. Both come from the same source and keep the whole plan's step
// numbers, so "step 12" means the same thing on every sheet of paper.
//
// Output is reproducible: a Doc holds no clock reading and no map order.
// [Meta.Generated] is the time of the project's last change, and the same
// project revision always prints the same bytes, which is what lets a
// runbook print the SHA-256 of each script and be matched to its bundle.
package runbook
