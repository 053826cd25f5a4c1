package powershell

import (
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/secex/wizard/steps/script"
)

const lang = "PowerShell"

// IsSingleQuote reports whether PowerShell's tokenizer treats r as a single
// quote: the ASCII apostrophe and the typographic quotes U+2018, U+2019,
// U+201A and U+201B. Any of them opens and closes a verbatim string, and two
// of them in a row inside one stand for the second.
func IsSingleQuote(r rune) bool {
	switch r {
	case '\'', '\u2018', '\u2019', '\u201a', '\u201b':
		return true
	}
	return false
}

// IsDoubleQuote reports whether PowerShell's tokenizer treats r as a double
// quote: the ASCII quotation mark and the typographic quotes U+201C, U+201D
// and U+201E.
func IsDoubleQuote(r rune) bool {
	switch r {
	case '"', '\u201c', '\u201d', '\u201e':
		return true
	}
	return false
}

// Quote returns s as a PowerShell single-quoted string literal. Every
// character PowerShell treats as a single quote is doubled (see
// [IsSingleQuote]); nothing else needs escaping, because a single-quoted
// string expands no variables, subexpressions or backtick escapes:
//
//	O'Brien  ->  'O''Brien'
//	Bob’s    ->  'Bob’’s'
//	$(calc)  ->  '$(calc)'
//
// Quote refuses invalid UTF-8, line breaks, NUL and other control characters
// except tab, and bidirectional-text controls. The error names the character
// and tells the administrator what to change.
func Quote(s string) (string, error) {
	if err := check(s); err != nil {
		return "", err
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('\'')
	for _, r := range s {
		if IsSingleQuote(r) {
			b.WriteRune(r)
		}
		b.WriteRune(r)
	}
	b.WriteByte('\'')
	return b.String(), nil
}

func check(s string) error {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			return &script.Error{Lang: lang, Reason: "is not valid UTF-8 text; type it again rather than pasting it"}
		case script.IsLineBreak(r):
			return &script.Error{Lang: lang, Reason: "contains " + script.DescribeRune(r) + "; enter it on one line"}
		case r == 0:
			return &script.Error{Lang: lang, Reason: "contains " + script.DescribeRune(r) + ", which cannot be written into a script; remove it"}
		case r == '\t':
			// Allowed: harmless inside a verbatim string.
		case script.IsControl(r):
			return &script.Error{Lang: lang, Reason: "contains " + script.DescribeRune(r) + ", an invisible control character; remove it"}
		case script.IsBidiControl(r):
			return &script.Error{Lang: lang, Reason: "contains " + script.DescribeRune(r) + ", which makes a script display differently from how it runs; remove it"}
		}
	}
	return nil
}

// QuoteList returns ss as a PowerShell array expression of single-quoted
// literals, for example @('10.0.0.5','10.0.0.6'). An empty or nil list gives
// @(). The error of the first value [Quote] refuses is returned, prefixed
// with its position.
func QuoteList(ss []string) (string, error) {
	var b strings.Builder
	b.WriteString("@(")
	for i, s := range ss {
		q, err := Quote(s)
		if err != nil {
			return "", script.ItemError(i, err)
		}
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(q)
	}
	b.WriteByte(')')
	return b.String(), nil
}

// Comment returns lines as PowerShell line comments ("# " + text), each
// ending in CRLF. Any content is safe: line breaks become spaces and other
// control characters become '?' (see script.CommentText), so a value cannot
// end the comment early. The space after '#' keeps a line from becoming a
// #Requires directive, and a line that would read "# SIG # Begin signature
// block" is altered so that Authenticode tools never mistake the header for a
// signature block.
func Comment(lines []string) string {
	var b strings.Builder
	for _, line := range lines {
		text := script.CommentText(line, false)
		if strings.HasPrefix(strings.ToUpper(text), "SIG #") {
			text = "(" + text + ")"
		}
		if text == "" {
			b.WriteString("#\r\n")
			continue
		}
		b.WriteString("# ")
		b.WriteString(text)
		b.WriteString("\r\n")
	}
	return b.String()
}

// bom is the UTF-8 encoding of U+FEFF.
const bom = "\xef\xbb\xbf"

// File returns the bytes of a .ps1 file with the given content: UTF-8 with a
// byte order mark, and CRLF line endings. Without the BOM, Windows PowerShell
// 5.1 reads the file in the ANSI code page, where bytes of non-ASCII
// characters can turn into quote characters and break string literals. A BOM
// already at the start of body is not repeated. Invalid UTF-8 in body, which
// [Quote] never produces, is replaced by U+FFFD so the file is always valid
// UTF-8.
func File(body string) []byte {
	body = strings.TrimPrefix(body, bom)
	body = strings.ToValidUTF8(body, "\uFFFD")
	body = script.LineEndingsCRLF(body)
	out := make([]byte, 0, len(bom)+len(body))
	out = append(out, bom...)
	out = append(out, body...)
	return out
}

// FuncMap returns the template functions for .ps1 templates:
//
//	ps      Quote of one value:            $Fqdn = {{ps .Fqdn}}
//	pslist  QuoteList of a list of values: $IPs = {{pslist .FrontEndIPs}}
//	pscomment  a value inside a comment:    #   Check 1: {{pscomment .Host}} resolves
//
// Both accept strings, string-based typed values, fmt.Stringer values and
// integers (see script.Text). A refused value makes the function return an
// error, which stops template execution, so a script with a broken literal is
// never produced.
func FuncMap() template.FuncMap {
	return template.FuncMap{
		"ps": func(v any) (string, error) {
			s, err := script.Text(v)
			if err != nil {
				return "", err
			}
			return Quote(s)
		},
		"pslist": func(v any) (string, error) {
			ss, err := script.TextList(v)
			if err != nil {
				return "", err
			}
			return QuoteList(ss)
		},
		"pscomment": func(v any) (string, error) {
			s, err := script.Text(v)
			if err != nil {
				return "", err
			}
			return CommentValue(s), nil
		},
	}
}

// CommentValue returns s for the middle of a comment line that [Comment]
// or a template started: one line (see script.CommentText), so that a value
// cannot end the comment and start a line of code.
func CommentValue(s string) string { return script.CommentText(s, false) }

// Encoders lists the names in [FuncMap], for script.CheckTemplate.
func Encoders() map[string]bool {
	return map[string]bool{"ps": true, "pslist": true, "pscomment": true}
}
