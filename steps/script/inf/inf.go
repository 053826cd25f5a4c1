package inf

import (
	"strconv"
	"strings"
	"text/template"
	"unicode/utf8"

	"github.com/secex/wizard/steps/script"
)

const lang = "certreq INF"

func refuse(r rune, why string) error {
	return &script.Error{Lang: lang, Reason: "contains " + script.DescribeRune(r) + "; " + why}
}

// checkCommon refuses what no INF value can carry.
func checkCommon(s string) error {
	if !utf8.ValidString(s) {
		return &script.Error{Lang: lang, Reason: "is not valid UTF-8 text; type it again rather than pasting it"}
	}
	for _, r := range s {
		switch {
		case script.IsLineBreak(r):
			return refuse(r, "a line break would end the INF line; enter it on one line")
		case r == 0:
			return refuse(r, "it cannot be written into a request file; remove it")
		case script.IsControl(r):
			return refuse(r, "an invisible control character; remove it")
		case r >= utf8.RuneSelf:
			return refuse(r, "request files are written in ASCII because certreq misreads other encodings; use ASCII characters only")
		case r == '%':
			return refuse(r, "certreq reads %name% as a substitution from the [Strings] section; remove it")
		case r == ';':
			return refuse(r, "a semicolon starts a comment in a request file; remove it")
		}
	}
	return nil
}

// Value returns s as a double-quoted INF value with each " doubled, for
// example "Contoso ""Mail"" servers". It refuses %, ;, line breaks, control
// characters and non-ASCII characters; see the package documentation for why.
func Value(s string) (string, error) {
	if err := checkCommon(s); err != nil {
		return "", err
	}
	return `"` + strings.ReplaceAll(s, `"`, `""`) + `"`, nil
}

// RDN is one relative distinguished name of a certificate subject, such as
// {Attr: "CN", Value: "mail.example.com"}.
type RDN struct {
	Attr  string // one of CN, O, OU, L, S, C, E
	Value string
}

// maxLen holds each allowed attribute's RFC 5280 upper bound, in characters.
var maxLen = map[string]int{
	"CN": 64,  // ub-common-name
	"O":  64,  // ub-organization-name
	"OU": 64,  // ub-organizational-unit-name
	"L":  128, // ub-locality-name
	"S":  128, // ub-state-name
	"C":  2,   // ISO 3166 alpha-2 country code
	"E":  255, // ub-emailaddress-length
}

var attrNames = map[string]string{
	"CN": "common name (CN)",
	"O":  "organisation (O)",
	"OU": "organisational unit (OU)",
	"L":  "locality (L)",
	"S":  "state or province (S)",
	"C":  "country (C)",
	"E":  "e-mail address (E)",
}

// SubjectDN returns the quoted Subject value for a certreq [NewRequest]
// section, for example "CN=mail.example.com, O=Contoso, C=US", with the parts
// in the order given. It refuses an empty list, attributes other than CN, O,
// OU, L, S, C and E, empty values, values with leading or trailing spaces,
// values longer than RFC 5280 allows, a country that is not two ASCII
// letters, the X.500 special characters , + = " \ < > ; # and everything
// [Value] refuses.
func SubjectDN(parts []RDN) (string, error) {
	if len(parts) == 0 {
		return "", &script.Error{Lang: lang, What: "subject", Reason: "is empty; enter at least the common name (CN)"}
	}
	var b strings.Builder
	b.WriteByte('"')
	for i, p := range parts {
		if err := checkRDN(p); err != nil {
			if len(parts) > 1 {
				err.What += " (part " + strconv.Itoa(i+1) + ")"
			}
			return "", err
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.Attr)
		b.WriteByte('=')
		b.WriteString(p.Value)
	}
	b.WriteByte('"')
	return b.String(), nil
}

func checkRDN(p RDN) *script.Error {
	limit, ok := maxLen[p.Attr]
	if !ok {
		return &script.Error{Lang: lang, What: "subject", Reason: "uses the attribute " + quoteAttr(p.Attr) +
			", which is not supported; use CN, O, OU, L, S, C or E (in capitals)"}
	}
	fail := func(reason string) *script.Error {
		return &script.Error{Lang: lang, What: "subject " + attrNames[p.Attr], Reason: reason}
	}
	if p.Value == "" {
		return fail("is empty; enter a value or leave the part out")
	}
	if err := checkCommon(p.Value); err != nil {
		return fail(err.(*script.Error).Reason)
	}
	for _, r := range p.Value {
		switch r {
		case ',', '+', '=', '"', '\\', '<', '>', '#':
			return fail("contains " + script.DescribeRune(r) +
				", which has a special meaning in a certificate name; remove it")
		}
	}
	if strings.TrimSpace(p.Value) != p.Value {
		return fail("starts or ends with a space, which certificate names do not keep; remove it")
	}
	if n := utf8.RuneCountInString(p.Value); n > limit {
		return fail("is " + strconv.Itoa(n) + " characters long; certificates allow at most " + strconv.Itoa(limit))
	}
	if p.Attr == "C" && !isTwoLetters(p.Value) {
		return fail("must be a two-letter ISO 3166 country code such as US or DE")
	}
	return nil
}

func isTwoLetters(s string) bool {
	if len(s) != 2 {
		return false
	}
	for i := 0; i < 2; i++ {
		c := s[i] | 0x20
		if c < 'a' || c > 'z' {
			return false
		}
	}
	return true
}

func quoteAttr(a string) string {
	if !utf8.ValidString(a) || strings.ContainsFunc(a, func(r rune) bool { return script.IsControl(r) || r >= 0x7f }) {
		return "(unprintable)"
	}
	return `"` + a + `"`
}

// Comment returns lines as INF comments ("; " + text), each ending in CRLF.
// Any content is safe: line breaks become spaces and control and non-ASCII
// characters become '?' (see script.CommentText); % is doubled in case a
// parser substitutes strings before it strips comments; and a line never ends
// in a backslash, the INF line-continuation character.
func Comment(lines []string) string {
	var b strings.Builder
	for _, line := range lines {
		text := script.CommentText(line, true)
		text = strings.ReplaceAll(text, "%", "%%")
		if strings.HasSuffix(text, `\`) {
			text += "."
		}
		if text == "" {
			b.WriteString(";\r\n")
			continue
		}
		b.WriteString("; ")
		b.WriteString(text)
		b.WriteString("\r\n")
	}
	return b.String()
}

// File returns the bytes of a certreq .inf file with the given content: ASCII
// with CRLF line endings. It returns an error naming the first non-ASCII byte
// or control character (other than tab, CR and LF) and its line.
func File(body string) ([]byte, error) {
	return script.ASCIIFile("certreq INF file", body)
}

// FuncMap returns the template functions for certreq .inf templates:
//
//	infval      Value of one value:  FriendlyName = {{infval .Name}}
//	infsubject  SubjectDN of []RDN:  Subject = {{infsubject .Subject}}
//
// infval accepts strings, string-based typed values, fmt.Stringer values and
// integers (see script.Text). A refused value makes the function return an
// error, which stops template execution.
func FuncMap() template.FuncMap {
	return template.FuncMap{
		"infval": func(v any) (string, error) {
			s, err := script.Text(v)
			if err != nil {
				return "", err
			}
			return Value(s)
		},
		"infsubject": SubjectDN,
	}
}

// Encoders lists the names in [FuncMap], for script.CheckTemplate.
func Encoders() map[string]bool {
	return map[string]bool{"infval": true, "infsubject": true}
}
