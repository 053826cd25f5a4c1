package batch

import (
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/secex/wizard/steps/script"
)

const lang = "cmd.exe"

func refuse(r rune, why string) error {
	return &script.Error{Lang: lang, Reason: "contains " + script.DescribeRune(r) + "; " + why}
}

// checkCommon refuses what neither Arg nor Echo can carry: line breaks,
// control characters, non-ASCII characters, % and !.
func checkCommon(r rune) error {
	switch {
	case script.IsLineBreak(r):
		return refuse(r, "enter it on one line")
	case r == 0:
		return refuse(r, "it cannot be written into a script; remove it")
	case script.IsControl(r):
		return refuse(r, "an invisible control character; remove it")
	case r == '%':
		return refuse(r, "cmd.exe would read it as the start of a variable such as %PATH%, even inside quotes; remove it")
	case r == '!':
		return refuse(r, "cmd.exe reads it as a variable such as !PATH! when delayed expansion is on; remove it")
	case r >= 0x80:
		return refuse(r, "batch files are written in ASCII because cmd.exe reads them in the server's OEM code page; use ASCII characters only")
	}
	return nil
}

// Arg returns s as a double-quoted cmd.exe argument, for example
// "C:\Program Files\Exchsrvr" or "Front end & back end". Inside the quotes
// & | < > ^ ( ) are literal. Arg refuses ", %, !, a trailing backslash, line
// breaks, control characters and non-ASCII characters; see the package
// documentation for why each cannot be made safe.
func Arg(s string) (string, error) {
	if err := checkText(s); err != nil {
		return "", err
	}
	for _, r := range s {
		if err := checkCommon(r); err != nil {
			return "", err
		}
		if r == '"' {
			return "", refuse(r, "cmd.exe has no way to write a quote inside a quoted argument; remove it")
		}
	}
	if strings.HasSuffix(s, `\`) {
		return "", &script.Error{Lang: lang, Reason: `ends with a backslash (\); most programs would read \" as a quote inside the value, so remove the trailing backslash`}
	}
	return `"` + s + `"`, nil
}

func checkText(s string) error {
	if !utf8.ValidString(s) {
		return &script.Error{Lang: lang, Reason: "is not valid UTF-8 text; type it again rather than pasting it"}
	}
	return nil
}

// Echo returns s for use as the text of an echo command, written straight
// after "echo." (or "echo(", which also works when a file named "echo" exists
// in the current directory): each of ^ & | < > ( ) is preceded by a caret.
// Echo refuses ", %, !, "/?", line breaks, control characters and non-ASCII
// characters; see the package documentation for why.
func Echo(s string) (string, error) {
	var b strings.Builder
	b.Grow(len(s) + len(s)/4)
	if err := checkText(s); err != nil {
		return "", err
	}
	for _, r := range s {
		if err := checkCommon(r); err != nil {
			return "", err
		}
		switch r {
		case '"':
			return "", refuse(r, "a quote would stop cmd.exe from honouring the escapes after it; remove it")
		case '^', '&', '|', '<', '>', '(', ')':
			b.WriteByte('^')
		}
		b.WriteRune(r)
	}
	if strings.Contains(s, "/?") {
		return "", &script.Error{Lang: lang, Reason: `contains "/?", which makes echo print its help instead of the text; remove it`}
	}
	return b.String(), nil
}

// Comment returns lines as rem lines ("rem " + text), each ending in CRLF.
// Any content is safe: line breaks become spaces, control and non-ASCII
// characters become '?' (see script.CommentText), each % is doubled so that
// cmd.exe's expansion, which also runs on rem lines, gives back a plain %,
// a trailing ^ gets a '.' after it so it cannot join the next line, and "/?"
// is written "/ ?" so rem never prints its help.
//
// Write comments after [Prologue], so that echo is off and rem lines are not
// shown, and outside parenthesised blocks.
func Comment(lines []string) string {
	var b strings.Builder
	for _, line := range lines {
		text := CommentValue(line)
		if text == "" {
			b.WriteString("rem\r\n")
			continue
		}
		b.WriteString("rem ")
		b.WriteString(text)
		b.WriteString("\r\n")
	}
	return b.String()
}

// Prologue returns the first lines of every generated batch file:
//
//	@echo off
//	setlocal EnableExtensions DisableDelayedExpansion
//
// Turning delayed expansion off keeps ! in static text literal, and setlocal
// keeps the script's variables from leaking into the administrator's console.
func Prologue() string {
	return "@echo off\r\nsetlocal EnableExtensions DisableDelayedExpansion\r\n"
}

// File returns the bytes of a .cmd file with the given content: ASCII with
// CRLF line endings. It returns an error if body contains a non-ASCII
// character or a control character other than tab, CR and LF (Ctrl-Z, for
// example, ends a file for some tools), naming the first one and its line.
func File(body string) ([]byte, error) {
	return script.ASCIIFile("batch file", body)
}

// FuncMap returns the template functions for .cmd templates:
//
//	cmdarg   Arg of one value:   netsh ipsec static add policy name={{cmdarg .Name}}
//	cmdecho  Echo of one value:  echo.Server: {{cmdecho .Server}}
//	cmdrem   a value inside a rem line:  rem   Check 1: {{cmdrem .Host}} resolves
//
// Both accept strings, string-based typed values, fmt.Stringer values and
// integers (see script.Text). A refused value makes the function return an
// error, which stops template execution.
func FuncMap() template.FuncMap {
	return template.FuncMap{
		"cmdarg": func(v any) (string, error) {
			s, err := script.Text(v)
			if err != nil {
				return "", err
			}
			return Arg(s)
		},
		"cmdecho": func(v any) (string, error) {
			s, err := script.Text(v)
			if err != nil {
				return "", err
			}
			return Echo(s)
		},
		"cmdrem": func(v any) (string, error) {
			s, err := script.Text(v)
			if err != nil {
				return "", err
			}
			return CommentValue(s), nil
		},
	}
}

// CommentValue returns s for the middle of a rem line that [Comment] or a
// template started, with Comment's rules: one line of ASCII, '%' doubled
// and "/?" broken, so that the value cannot end the comment, expand a
// variable or make rem print its help. A trailing '^' gets a '.' after it.
func CommentValue(s string) string {
	text := script.CommentText(s, true)
	text = strings.ReplaceAll(text, "%", "%%")
	text = strings.ReplaceAll(text, "/?", "/ ?")
	if strings.HasSuffix(text, "^") {
		text += "."
	}
	return text
}

// Encoders lists the names in [FuncMap], for script.CheckTemplate.
func Encoders() map[string]bool {
	return map[string]bool{"cmdarg": true, "cmdecho": true, "cmdrem": true}
}
