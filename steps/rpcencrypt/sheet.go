package rpcencrypt

import (
	"strings"
	"text/template"

	"github.com/secex/wizard/steps/script"
)

// The instruction sheet is plain text for people rather than a script, but
// it travels as a file, is printed and may be mailed to every user, so it
// keeps the file rules of the era's scripts: ASCII with CRLF line endings.
// None of the encoder packages covers plain text, so the sheet's template
// gets one function, txt, that makes the same promise for it: a value
// prints as one line of printable ASCII, or generation stops with an error
// naming the character.

const sheetLang = "instruction sheet"

// sheetFuncs returns the template functions of the instruction sheet.
func sheetFuncs() template.FuncMap {
	return template.FuncMap{"txt": sheetText}
}

// sheetEncoders lists the names in sheetFuncs, for script.CheckTemplate.
func sheetEncoders() map[string]bool { return map[string]bool{"txt": true} }

func sheetText(v any) (string, error) {
	s, err := script.Text(v)
	if err != nil {
		return "", err
	}
	for _, r := range s {
		if r < 0x20 || r >= 0x7f {
			return "", &script.Error{Lang: sheetLang, Reason: "contains " + script.DescribeRune(r) + "; use printable ASCII characters on one line"}
		}
	}
	return s, nil
}

// sheetHeader renders the header lines for the top of a sheet, each made
// one line of ASCII like the encoders' comment functions do, and a rule
// under them.
func sheetHeader(h script.Header) string {
	var b strings.Builder
	for _, l := range h.Lines() {
		b.WriteString(script.CommentText(l, true))
		b.WriteString("\r\n")
	}
	b.WriteString(strings.Repeat("=", 72))
	b.WriteString("\r\n\r\n")
	return b.String()
}

// wrap breaks text into lines of at most width characters, the first
// starting with first and the others with rest.
func wrap(text, first, rest string, width int) []string {
	var lines []string
	line := first
	empty := true
	for _, w := range strings.Fields(text) {
		if !empty && len(line)+1+len(w) > width {
			lines = append(lines, line)
			line, empty = rest, true
		}
		if !empty {
			line += " "
		}
		line += w
		empty = false
	}
	return append(lines, line)
}
