// Package text writes plain-text files for people: instruction sheets,
// checklists and notes that travel with the scripts. They are printed and
// mailed to users, so they follow the era's script file rules, ASCII with
// CRLF line endings, and a value is inserted only as one line of printable
// ASCII: anything else stops generation with an error naming the character,
// rather than producing a sheet that reads differently from the runbook.
package text

import (
	"strings"
	"text/template"

	"github.com/secex/wizard/steps/script"
)

const lang = "text file"

// FuncMap returns the template functions for plain-text templates: txt
// inserts a value as one line of printable ASCII.
func FuncMap() template.FuncMap {
	return template.FuncMap{"txt": Value}
}

// Encoders lists the names in FuncMap, for script.CheckTemplate.
func Encoders() map[string]bool { return map[string]bool{"txt": true} }

// Value renders v (a string, typed string, Stringer or integer) as one
// line of printable ASCII, or returns an error naming the first character
// that is not.
func Value(v any) (string, error) {
	s, err := script.Text(v)
	if err != nil {
		return "", err
	}
	for _, r := range s {
		if r < 0x20 || r >= 0x7f {
			return "", &script.Error{Lang: lang, Reason: "contains " + script.DescribeRune(r) + "; use printable ASCII characters on one line"}
		}
	}
	return s, nil
}

// Header renders the file header lines, each made one line of ASCII, and a
// rule under them.
func Header(h script.Header) string {
	var b strings.Builder
	for _, l := range h.Lines() {
		b.WriteString(script.CommentText(l, true))
		b.WriteString("\r\n")
	}
	b.WriteString(strings.Repeat("=", 72))
	b.WriteString("\r\n\r\n")
	return b.String()
}

// File turns body into the file's bytes: ASCII with CRLF line endings.
func File(body string) ([]byte, error) {
	return script.ASCIIFile(lang, body)
}

// Wrap breaks text into lines of at most width characters, the first
// starting with first and the others with rest.
func Wrap(text, first, rest string, width int) []string {
	var lines []string
	var line strings.Builder
	line.Grow(width)
	line.WriteString(first)
	empty := true
	for w := range strings.FieldsSeq(text) {
		if !empty && line.Len()+1+len(w) > width {
			lines = append(lines, line.String())
			line.Reset()
			line.Grow(width)
			line.WriteString(rest)
			empty = true
		}
		if !empty {
			line.WriteByte(' ')
		}
		line.WriteString(w)
		empty = false
	}
	return append(lines, line.String())
}
