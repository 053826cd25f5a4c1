package scripttest

import "strings"

// Hostile returns values that have broken script generators in PowerShell,
// cmd.exe, VBScript and INF files: quotes of every kind (ASCII, backtick,
// typographic single and double), expansion syntax ($(…), ${…}, %VAR%, !VAR!),
// cmd metacharacters, comment and continuation characters, line breaks, NUL
// and other controls, bidirectional and zero-width characters, a byte order
// mark, invalid UTF-8, non-ASCII letters, and a long string. Each call returns
// a new slice.
func Hostile() []string {
	return []string{
		"",
		" ",
		"mail.example.com",
		"O'Brien",
		"''",
		"'",
		`"`,
		`""`,
		"`",
		"``$x",
		"\u2018",       // ‘
		"Bob\u2019s",   // ’
		"\u201a",       // ‚
		"\u201b",       // ‛
		"\u201c",       // “
		"\u201d",       // ”
		"\u201e",       // „
		"\u2019\u2019", // ’’
		"a'\u2019\u2018b",
		"x\u2019; calc; \u2019",
		"'; Remove-Item -Recurse C:\\; '",
		`"; calc; "`,
		"$",
		"$x",
		"$(calc)",
		"${env:PATH}",
		"@(1,2)",
		"$env:COMSPEC",
		"%PATH%",
		"%%",
		"%",
		"%~f0",
		"100%",
		"!x!",
		"!",
		"^",
		"a^",
		"&",
		"x & calc",
		"|",
		"<",
		">",
		"(",
		")",
		";",
		",",
		"=",
		"+",
		"#",
		"<# #>",
		"\\",
		`C:\dir\`,
		`\\server\share`,
		"_",
		"a _",
		"/?",
		"/? x",
		"[Strings]",
		"CN=x, O=y",
		"\n",
		"\r",
		"\r\n",
		"a\nb",
		"a\rb",
		"\x00",
		"a\x00b",
		"\t",
		"a\tb",
		"\x1a",
		"\x7f",
		"\u0085",
		"\u2028",
		"\u2029",
		"\u200e",
		"\u202e",
		"\ufeff",
		"\u200b",
		"\xff",
		"\xe2\x80",
		"\xc0\xaf",
		"é",
		"NT-AUTORIT\u00c4T\\ANONYMOUS-ANMELDUNG",
		"\u2014",
		"\U0001d11e",
		strings.Repeat("a", 300),
		strings.Repeat("'\u2019", 150),
	}
}
