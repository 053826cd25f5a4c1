// Package pscheck checks in tests that generated PowerShell files parse. It is
// a test helper: it imports package testing and runs Node.js.
//
// Unit tests of the encoders prove that each value stays inside its literal;
// they cannot prove that a whole generated script is PowerShell. There is no
// PowerShell on the build machines, so the check uses the tree-sitter
// PowerShell grammar (npm packages tree-sitter-powershell and
// web-tree-sitter, the grammar loaded as WebAssembly) through a small Node.js
// program in ../testdata/psparse. That program reports syntax errors and
// missing tokens, and also every place where PowerShell's tokenizer would
// read a typographic quote (U+2018–U+201E) as a string delimiter where the
// grammar does not: the grammar alone would accept 'Bob’s', which breaks on
// Windows.
//
// The grammar is stricter than PowerShell in a few one-line forms, for
// example "function f { param($x) $x }" and a switch with all clauses on one
// line; write those on separate lines in templates.
//
// The first use installs the locked npm packages with "npm ci" in the psparse
// folder (its .npmrc disables install scripts), guarded by a lock file so
// that test binaries of several packages running at once install only once.
// When node or npm is missing, the test is skipped, or fails if the CI
// environment variable is set, so CI can never pass without running it.
package pscheck
