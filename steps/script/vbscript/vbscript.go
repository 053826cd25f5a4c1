package vbscript

import (
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/secex/wizard/steps/script"
)

const lang = "VBScript"

// Quote returns s as a VBScript string literal in double quotes, with each
// " doubled: "Say ""hi""". It refuses line breaks, NUL and other control
// characters, non-ASCII characters (the typographic quotes “ and ” among
// them) and invalid UTF-8; the error names the character and what to do.
func Quote(s string) (string, error) {
	if script.PrintableASCII(s) && !strings.Contains(s, `"`) {
		return `"` + s + `"`, nil
	}
	if !utf8.ValidString(s) {
		return "", &script.Error{Lang: lang, Reason: "is not valid UTF-8 text; type it again rather than pasting it"}
	}
	var b strings.Builder
	b.Grow(len(s) + 2)
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case script.IsLineBreak(r):
			return "", refuse(r, "a line break would end the VBScript statement; enter it on one line")
		case r == 0:
			return "", refuse(r, "it cannot be written into a script; remove it")
		case script.IsControl(r):
			return "", refuse(r, "an invisible control character; remove it")
		case r == 0x201c || r == 0x201d || r == 0x201e:
			return "", refuse(r, `VBScript files are plain ASCII; type a straight quote (") instead`)
		case r == 0x2018 || r == 0x2019 || r == 0x201a || r == 0x201b:
			return "", refuse(r, "VBScript files are plain ASCII; type a straight apostrophe (') instead")
		case r >= utf8.RuneSelf:
			return "", refuse(r, "VBScript files are plain ASCII because cscript reads them in the server's code page; use ASCII characters only")
		case r == '"':
			b.WriteByte('"')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
	return b.String(), nil
}

// Array returns values as a VBScript array expression, each element quoted
// by Quote: Array("a", "b"), or Array() for none. The first value Quote
// refuses is the error.
func Array(values []string) (string, error) {
	var b strings.Builder
	b.Grow(8 + 24*len(values))
	b.WriteString("Array(")
	for i, v := range values {
		q, err := Quote(v)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(q)
	}
	b.WriteByte(')')
	return b.String(), nil
}

func refuse(r rune, why string) error {
	return &script.Error{Lang: lang, Reason: "contains " + script.DescribeRune(r) + "; " + why}
}

// Comment returns lines as VBScript comments ("' " + text), each ending in
// CRLF. Any content is safe: line breaks become spaces and control and
// non-ASCII characters become '?' (see script.CommentText). A line never ends
// in an underscore, which VBA-family parsers can read as a line continuation
// that would pull the next line into the comment.
func Comment(lines []string) string {
	var b strings.Builder
	for _, line := range lines {
		text := script.CommentText(line, true)
		if strings.HasSuffix(text, "_") {
			text += "."
		}
		if text == "" {
			b.WriteString("'\r\n")
			continue
		}
		b.WriteString("' ")
		b.WriteString(text)
		b.WriteString("\r\n")
	}
	return b.String()
}

// File returns the bytes of a .vbs file with the given content: ASCII with
// CRLF line endings. It returns an error naming the first non-ASCII byte or
// control character (other than tab, CR and LF) and its line.
func File(body string) ([]byte, error) {
	return script.ASCIIFile("VBScript file", body)
}

// FuncMap returns the template functions for .vbs templates:
//
//	vbs       Quote of one value:  Const OWA_FQDN = {{vbs .Fqdn}}
//	vbsArray  Array of a []string: wantRelay = {{vbsArray .Relay}}
//
// It accepts strings, string-based typed values, fmt.Stringer values and
// integers (see script.Text). A refused value makes the function return an
// error, which stops template execution.
func FuncMap() template.FuncMap {
	return template.FuncMap{
		"vbs": func(v any) (string, error) {
			s, err := script.Text(v)
			if err != nil {
				return "", err
			}
			return Quote(s)
		},
		"vbsArray": Array,
	}
}

// Encoders lists the names in [FuncMap], for script.CheckTemplate.
func Encoders() map[string]bool {
	return map[string]bool{"vbs": true, "vbsArray": true}
}
