// Package bundle packs the generated files of a change into ZIP files: one
// per server (or client population) and one for the whole change.
//
// A server's bundle holds, at its root:
//
//	README.txt              what to run in which order, how to check the hashes,
//	                        unblocking and execution policy, where the backout is
//	10-<name>, 20-<name>    the apply scripts, numbered in the order the plan runs them
//	<name>                  verify scripts and helpers, under the names the plan uses
//	backout/<name>          backout scripts
//	docs/<name>             guides: instructions and checklists for people
//	runbook-<server>.md     the server's part of the runbook, as Markdown
//	runbook-<server>.html   the same, as a standalone HTML document for printing
//	manifest.json           files with SHA-256 and size, procedures, answers hash,
//	                        project revision, product version, change number
//	SHA256SUMS              "<sha256>  <path>" for every other file, sorted by path
//
// The change bundle holds README.txt, runbook.md, runbook.html, manifest.json
// and SHA256SUMS for the whole change, and one folder per server whose
// contents are byte for byte that server's bundle.
//
// The runbook prints the SHA-256 of every generated file, so the hashes
// come first: [FileHashes] lays out the generated files and hashes them,
// runbook.Build prints those hashes, and [Server] and [Change] refuse a
// runbook whose hashes are not the files'. The runbooks, README.txt and
// manifest.json cannot list their own hashes; SHA256SUMS covers them.
//
// Bundles are reproducible: entries are sorted by name, each carries the
// project's last change time (Meta.Generated, or 1980-01-01 when it is
// unknown) and the mode 0644, every entry is compressed with Deflate, and
// nothing records the time of rendering. The same project revision gives
// the same bytes whenever and wherever it is rendered by the same build of
// the wizard; compress/flate's output is stable within a Go release.
//
// Text files follow the bundle's rules: README.txt is UTF-8 with a BOM, so
// that old editors do not guess another code page; manifest.json, the
// Markdown runbook and SHA256SUMS are UTF-8 without a BOM; every text file
// has CRLF line endings. Generated scripts are packed as the procedures
// made them, with one change: where a file of a server names one of that
// server's apply scripts by the name its procedure gave it, the name is
// written with the script's number ("run gateway-relay-apply.vbs" becomes
// "run 10-gateway-relay-apply.vbs"), so that usage lines and instructions
// name the file the folder holds. The runbook prints the hashes of the
// files as packed.
package bundle
