// Package vbscript writes values into VBScript files (.vbs) so that they stay
// data.
//
// VBScript is used only where the Windows 2000 era offers nothing else, such
// as ADSI edits of the IIS metabase through adsutil-style scripts. A value
// becomes a string literal in double quotes, with each " written as "", which
// is the language's only escape: there are no backslash escapes, so a
// backslash is an ordinary character. A line break cannot be escaped at all —
// it ends the statement, and whatever follows it in the value would run as
// code — so [Quote] refuses line breaks, NUL and other control characters.
//
// Files are ASCII with CRLF line endings ([File]): cscript reads a .vbs file
// without a byte order mark in the system's ANSI code page, so non-ASCII text
// would mean different characters on different servers. Quote therefore also
// refuses non-ASCII characters, including the typographic quotes “ ” that
// word processors substitute for ", with a message saying so. Build command
// lines for WshShell.Run by concatenating Chr(34) around quoted values rather
// than nesting quotes.
package vbscript
