package script

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"unicode/utf8"
)

// LineEndingsCRLF returns s with every line ending (CRLF, a lone LF or a lone
// CR) written as CRLF.
//
// Windows tools expect CRLF: cmd.exe misreads labels and goto targets in
// LF-only batch files, and mixed endings make diffs and hashes of the same
// script differ between editors. Normalising once, when a file is written,
// keeps the bytes deterministic.
func LineEndingsCRLF(s string) string {
	cr := strings.Count(s, "\r")
	if cr == 0 {
		// Only bare LFs, as templates and generated text have them.
		return strings.ReplaceAll(s, "\n", "\r\n")
	}
	if cr == strings.Count(s, "\r\n") && cr == strings.Count(s, "\n") {
		return s // CRLF throughout already
	}
	// Line by line: each line is copied whole, without its CR if it
	// ended in CRLF, and a lone CR inside it is written as CRLF.
	var b strings.Builder
	b.Grow(len(s) + strings.Count(s, "\n") + cr)
	for s != "" {
		line, rest, lf := strings.Cut(s, "\n")
		if lf {
			line = strings.TrimSuffix(line, "\r")
		}
		for {
			i := strings.IndexByte(line, '\r')
			if i < 0 {
				break
			}
			b.WriteString(line[:i])
			b.WriteString("\r\n")
			line = line[i+1:]
		}
		b.WriteString(line)
		if lf {
			b.WriteString("\r\n")
		}
		s = rest
	}
	return b.String()
}

// PrintableASCII reports whether s holds only printable ASCII characters
// and spaces: no tab, line break or other control character, and nothing
// beyond ASCII. Nearly every value is, so the encoders check this first and
// go character by character only when it is not.
func PrintableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

// CommentText returns s as a single line of text that is safe to print after
// a language's comment marker. Line breaks and tabs become spaces, so a value
// cannot end the comment and start a line of code. Other control characters,
// invalid UTF-8 and the Unicode bidirectional controls (which can make a
// reviewer see different text from what runs) become '?'. When asciiOnly is
// set, every non-ASCII character also becomes '?', for files written as ASCII.
// Trailing spaces are removed.
//
// Language packages apply their own further rules on top (for example batch
// files double '%' in rem lines).
func CommentText(s string, asciiOnly bool) string {
	if PrintableASCII(s) && !strings.HasSuffix(s, " ") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteByte('?')
		case IsLineBreak(r) || r == '\t':
			if r == '\r' && i < len(s) && s[i] == '\n' {
				i++ // CRLF is one line break
			}
			b.WriteByte(' ')
		case IsControl(r) || IsBidiControl(r):
			b.WriteByte('?')
		case asciiOnly && r >= utf8.RuneSelf:
			b.WriteByte('?')
		default:
			b.WriteRune(r)
		}
	}
	return strings.TrimRight(b.String(), " ")
}

// IsLineBreak reports whether r ends a line for some reader of a script:
// CR, LF, vertical tab, form feed, NEL, and the Unicode line and paragraph
// separators.
func IsLineBreak(r rune) bool {
	switch r {
	case '\n', '\r', '\v', '\f', 0x85, 0x2028, 0x2029:
		return true
	}
	return false
}

// IsControl reports whether r is a C0 control (U+0000–U+001F), DEL or a C1
// control (U+0080–U+009F). Tab is a control character too; callers that allow
// it check for it first.
func IsControl(r rune) bool {
	return r < 0x20 || (r >= 0x7f && r <= 0x9f)
}

// IsBidiControl reports whether r is a Unicode bidirectional formatting
// character (the marks U+200E, U+200F and U+061C, the embeddings and
// overrides U+202A–U+202E, and the isolates U+2066–U+2069). Such characters
// reorder how text is displayed, so a value containing them can make a script
// look different in an editor from what it does when run ("Trojan Source",
// CVE-2021-42574).
func IsBidiControl(r rune) bool {
	switch {
	case r == 0x061c, r == 0x200e, r == 0x200f:
		return true
	case r >= 0x202a && r <= 0x202e:
		return true
	case r >= 0x2066 && r <= 0x2069:
		return true
	}
	return false
}

// DescribeRune names r for an administrator, for use in error messages:
// "a line break (LF, U+000A)", "a single quote (')", "the character "é" (U+00E9)".
func DescribeRune(r rune) string {
	code := fmt.Sprintf("U+%04X", r)
	switch r {
	case 0:
		return "a NUL character (" + code + ")"
	case '\n':
		return "a line break (LF, " + code + ")"
	case '\r':
		return "a line break (CR, " + code + ")"
	case '\t':
		return "a tab (" + code + ")"
	case '\'':
		return "a single quote (')"
	case '"':
		return `a double quote (")`
	case '`':
		return "a backtick (`)"
	case '%':
		return "a percent sign (%)"
	case '!':
		return "an exclamation mark (!)"
	case '\\':
		return `a backslash (\)`
	case ';':
		return "a semicolon (;)"
	case ',':
		return "a comma (,)"
	case '+':
		return "a plus sign (+)"
	case '=':
		return "an equals sign (=)"
	case '<':
		return "a less-than sign (<)"
	case '>':
		return "a greater-than sign (>)"
	case '#':
		return "a hash sign (#)"
	case 0x2018, 0x2019, 0x201a, 0x201b:
		return "a typographic single quote (" + string(r) + ", " + code + ")"
	case 0x201c, 0x201d, 0x201e:
		return "a typographic double quote (" + string(r) + ", " + code + ")"
	}
	switch {
	case IsLineBreak(r):
		return "a line break (" + code + ")"
	case IsControl(r):
		return "the control character " + code
	case IsBidiControl(r):
		return "the text-direction control " + code
	case r >= 0x21 && r < 0x7f:
		return fmt.Sprintf("the character %q", r)
	}
	return fmt.Sprintf("the character %q (%s)", r, code)
}

// Error is returned by an encoder that refuses a value. Its message is meant
// for the administrator who typed the value: it names the target language,
// the offending character and what to do about it, for example
//
//	PowerShell value contains a line break (LF, U+000A); enter it on one line
type Error struct {
	Lang   string // the target, for example "PowerShell" or "cmd.exe"
	What   string // what was refused; "" means "value"
	Reason string // for example "contains a line break (LF, U+000A); enter it on one line"
}

func (e *Error) Error() string {
	what := e.What
	if what == "" {
		what = "value"
	}
	return e.Lang + " " + what + " " + e.Reason
}

// Text converts a template argument to the string an encoder should encode.
// It accepts strings and types whose underlying type is string (typed values
// such as an FQDN), fmt.Stringer values, and integers. Anything else is an
// error, so a template cannot print a value of a type nobody thought about.
func Text(v any) (string, error) {
	switch v := v.(type) {
	case string:
		return v, nil
	case fmt.Stringer:
		return v.String(), nil
	case nil:
		return "", fmt.Errorf("no value given (nil)")
	}
	rv := reflect.ValueOf(v)
	switch rv.Kind() {
	case reflect.String:
		return rv.String(), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(rv.Int(), 10), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return strconv.FormatUint(rv.Uint(), 10), nil
	}
	return "", fmt.Errorf("cannot print a value of type %T in a script; convert it to text first", v)
}

// TextList converts a template argument holding a list (a slice or array of
// anything [Text] accepts) to strings.
func TextList(v any) ([]string, error) {
	if ss, ok := v.([]string); ok {
		return ss, nil
	}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice && rv.Kind() != reflect.Array {
		return nil, fmt.Errorf("expected a list, got %T", v)
	}
	out := make([]string, rv.Len())
	for i := range out {
		s, err := Text(rv.Index(i).Interface())
		if err != nil {
			return nil, fmt.Errorf("item %d: %w", i+1, err)
		}
		out[i] = s
	}
	return out, nil
}

// ItemError returns err, from encoding the i-th (0-based) value of a list,
// with the item's position added so the administrator can find it.
func ItemError(i int, err error) error {
	if e, ok := err.(*Error); ok {
		what := e.What
		if what == "" {
			what = "value"
		}
		return &Error{Lang: e.Lang, What: what + " (item " + strconv.Itoa(i+1) + ")", Reason: e.Reason}
	}
	return fmt.Errorf("item %d: %w", i+1, err)
}

// ASCIIFile returns body with CRLF line endings as the bytes of a file that
// must be plain ASCII (batch, VBScript and certreq INF files). It returns an
// error naming the first non-ASCII byte or control character other than tab,
// CR and LF, and its line; kind names the file for the message, for example
// "batch file".
//
// Those files are read in a code page that differs from server to server, so
// a non-ASCII character means different bytes, and possibly a different
// quote or separator, on different hosts. Static template text is meant to be
// ASCII and values are refused by the encoders first, so this is the last
// line of defence, not the usual path.
func ASCIIFile(kind, body string) ([]byte, error) {
	body = LineEndingsCRLF(body)
	for i := 0; i < len(body); i++ {
		c := body[i]
		if c >= 0x20 && c < 0x7f || c == '\n' || c == '\t' || c == '\r' {
			continue
		}
		line := 1 + strings.Count(body[:i], "\n")
		if c >= 0x80 {
			return nil, fmt.Errorf("%s: line %d contains a non-ASCII byte (0x%02X); the file must be plain ASCII", kind, line, c)
		}
		return nil, fmt.Errorf("%s: line %d contains the control character U+%04X; the file must be plain ASCII text", kind, line, c)
	}
	return []byte(body), nil
}
