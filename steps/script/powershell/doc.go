// Package powershell writes values into PowerShell scripts so that they stay
// data.
//
// Every value becomes a single-quoted (verbatim) string literal. Inside one,
// PowerShell expands nothing: $(…), ${…}, $env:x, backticks and double quotes
// are ordinary characters. The only character that means anything is the
// single quote, which ends the literal unless it is doubled.
//
// "Single quote" is wider than it looks. PowerShell's tokenizer treats the
// typographic quotes U+2018 ‘, U+2019 ’, U+201A ‚ and U+201B ‛ exactly like the
// ASCII apostrophe (CharExtensions.IsSingleQuote in the PowerShell source,
// documented in about_Quoting_Rules). Values typed into a web form, or pasted
// from Word or Outlook, contain them all the time: "Bob’s server". An encoder
// that doubles only ASCII ' turns that into 'Bob’s server', which PowerShell
// reads as the string 'Bob’ followed by code. [Quote] doubles every one of the
// five characters, so the literal always ends where the encoder meant it to.
//
// Values are single-line: a literal may legally span lines, but a line break
// in a name or an address is a mistake, and it would make the one-line data
// block at the top of each script hard to review. NUL, other control
// characters, invalid UTF-8 and bidirectional-text controls are refused for
// the same reason. The error says which character and what to do.
//
// The file encoding is part of the escaping. Windows PowerShell 5.1 reads a
// script without a byte order mark in the machine's ANSI code page, where the
// UTF-8 bytes of innocent characters become quote characters: the em dash
// U+2014 is E2 80 94, and 0x94 is ” in code page 1252, a string delimiter.
// [File] therefore always writes UTF-8 with a BOM, and CRLF line endings.
//
// Templates print values only through the functions in [FuncMap]; the
// script.CheckTemplate test enforces it. The pscheck subpackage runs a real
// PowerShell grammar over generated files in tests.
package powershell
