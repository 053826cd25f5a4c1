package powershell

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"text/template"
	"unicode/utf8"

	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/scripttest"
)

// decodeVerbatim lexes a PowerShell single-quoted string at the start of src
// the way PowerShell's tokenizer does (Tokenizer.ScanStringLiteral): any
// IsSingleQuote character opens it; inside, a quote character followed by
// another one stands for the second; a quote character followed by anything
// else ends it. It returns the string's value and how many bytes the literal
// took.
func decodeVerbatim(src string) (value string, n int, err error) {
	r, size := utf8.DecodeRuneInString(src)
	if !IsSingleQuote(r) {
		return "", 0, errors.New("does not start with a single quote")
	}
	i := size
	var b strings.Builder
	for {
		if i >= len(src) {
			return "", 0, errors.New("unterminated literal")
		}
		r, size := utf8.DecodeRuneInString(src[i:])
		i += size
		if IsSingleQuote(r) {
			next, nsize := utf8.DecodeRuneInString(src[i:])
			if i < len(src) && IsSingleQuote(next) {
				b.WriteRune(next)
				i += nsize
				continue
			}
			return b.String(), i, nil
		}
		b.WriteRune(r)
	}
}

func TestDecodeVerbatimOracle(t *testing.T) {
	// The oracle itself must see the attack the encoder defends against.
	v, n, err := decodeVerbatim("'Bob\u2019s'; calc")
	if err != nil || v != "Bob" || n != len("'Bob\u2019") {
		t.Fatalf("decodeVerbatim('Bob’s') = %q, %d, %v; want \"Bob\" ending at the typographic quote", v, n, err)
	}
	v, n, err = decodeVerbatim("'a''b\u2019\u2019c'x")
	if err != nil || v != "a'b\u2019c" || n != len("'a''b\u2019\u2019c'") {
		t.Fatalf("decodeVerbatim = %q, %d, %v", v, n, err)
	}
}

func TestQuote(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", "''"},
		{"plain", "mail.example.com", "'mail.example.com'"},
		{"apostrophe", "O'Brien", "'O''Brien'"},
		{"only apostrophes", "''", "''''''"},
		{"left single quote", "\u2018", "'\u2018\u2018'"},
		{"right single quote", "Bob\u2019s", "'Bob\u2019\u2019s'"},
		{"low single quote", "\u201a", "'\u201a\u201a'"},
		{"reversed single quote", "\u201b", "'\u201b\u201b'"},
		{"mixed single quotes", "a'\u2019\u2018b", "'a''\u2019\u2019\u2018\u2018b'"},
		{"double quote", `"`, `'"'`},
		{"typographic double quotes", "\u201c\u201d\u201e", "'\u201c\u201d\u201e'"},
		{"backtick", "`", "'`'"},
		{"subexpression", "$(calc)", "'$(calc)'"},
		{"braced variable", "${env:PATH}", "'${env:PATH}'"},
		{"variable", "$env:COMSPEC", "'$env:COMSPEC'"},
		{"array", "@(1,2)", "'@(1,2)'"},
		{"percent", "%PATH%", "'%PATH%'"},
		{"bang", "!x!", "'!x!'"},
		{"cmd metacharacters", "^&|<>();", "'^&|<>();'"},
		{"hash and block comment", "<# #>", "'<# #>'"},
		{"tab", "a\tb", "'a\tb'"},
		{"backslash", `C:\dir\`, `'C:\dir\'`},
		{"non-ASCII", "NT-AUTORIT\u00c4T", "'NT-AUTORIT\u00c4T'"},
		{"em dash", "\u2014", "'\u2014'"},
		{"astral", "\U0001d11e", "'\U0001d11e'"},
		{"BOM", "\ufeff", "'\ufeff'"},
		{"zero width space", "\u200b", "'\u200b'"},
		{"injection", "'; Remove-Item -Recurse C:\\; '", "'''; Remove-Item -Recurse C:\\; '''"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Quote(tt.in)
			if err != nil {
				t.Fatalf("Quote(%q) error: %v", tt.in, err)
			}
			if got != tt.want {
				t.Errorf("Quote(%q) = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func TestQuoteRefuses(t *testing.T) {
	scripttest.CheckRefusals(t, "PowerShell", "Quote", Quote, []scripttest.Refusal[string]{
		{Name: "LF", In: "a\nb", Want: "contains a line break (LF, U+000A); enter it on one line"},
		{Name: "CR", In: "a\rb", Want: "contains a line break (CR, U+000D); enter it on one line"},
		{Name: "CRLF", In: "\r\n", Want: "line break"},
		{Name: "NEL", In: "\u0085", Want: "line break (U+0085)"},
		{Name: "line separator", In: "\u2028", Want: "line break (U+2028)"},
		{Name: "paragraph separator", In: "\u2029", Want: "line break (U+2029)"},
		{Name: "vertical tab", In: "\v", Want: "line break (U+000B)"},
		{Name: "NUL", In: "a\x00b", Want: "contains a NUL character (U+0000)"},
		{Name: "bell", In: "\a", Want: "control character U+0007"},
		{Name: "ctrl-z", In: "\x1a", Want: "control character U+001A"},
		{Name: "escape", In: "\x1b[31m", Want: "control character U+001B"},
		{Name: "DEL", In: "\x7f", Want: "control character U+007F"},
		{Name: "C1", In: "\u009b", Want: "control character U+009B"},
		{Name: "bidi override", In: "abc\u202egpj.exe", Want: "text-direction control U+202E"},
		{Name: "LRM", In: "\u200e", Want: "text-direction control U+200E"},
		{Name: "isolate", In: "\u2066", Want: "text-direction control U+2066"},
		{Name: "invalid UTF-8", In: "\xff", Want: "not valid UTF-8"},
		{Name: "truncated UTF-8", In: "\xe2\x80", Want: "not valid UTF-8"},
		{Name: "overlong", In: "\xc0\xaf", Want: "not valid UTF-8"},
	})
}

func TestQuoteList(t *testing.T) {
	tests := []struct {
		name    string
		in      []string
		want    string
		wantErr string
	}{
		{"nil", nil, "@()", ""},
		{"empty", []string{}, "@()", ""},
		{"one", []string{"10.0.0.5"}, "@('10.0.0.5')", ""},
		{"two", []string{"10.0.0.5", "10.0.0.6"}, "@('10.0.0.5','10.0.0.6')", ""},
		{"quotes", []string{"O'Brien", "Bob\u2019s", "'),('x"}, "@('O''Brien','Bob\u2019\u2019s','''),(''x')", ""},
		{"empty item", []string{""}, "@('')", ""},
		{"refused item", []string{"ok", "a\nb"}, "", "(item 2) contains a line break"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := QuoteList(tt.in)
			if tt.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
					t.Fatalf("QuoteList(%q) = %q, %v; want error containing %q", tt.in, got, err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Errorf("QuoteList(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestComment(t *testing.T) {
	lines := append([]string{"Generated by Wizard 1.0", "SIG # Begin signature block", "sig # x", "requires -RunAsAdministrator"}, scripttest.Hostile()...)
	got := Comment(lines)
	if !strings.HasSuffix(got, "\r\n") {
		t.Fatalf("Comment output does not end in CRLF: %q", got)
	}
	out := strings.Split(strings.TrimSuffix(got, "\r\n"), "\r\n")
	if len(out) != len(lines) {
		t.Fatalf("Comment gave %d lines for %d inputs:\n%s", len(out), len(lines), got)
	}
	for i, line := range out {
		if strings.ContainsAny(line, "\r\n\x00\u2028\u2029\u0085") {
			t.Errorf("line %d for %q contains a line break or NUL: %q", i, lines[i], line)
		}
		if line != "#" && !strings.HasPrefix(line, "# ") {
			t.Errorf("line %d for %q does not start with \"# \": %q", i, lines[i], line)
		}
		if strings.HasPrefix(strings.ToUpper(line), "# SIG #") {
			t.Errorf("line %d looks like a signature block marker: %q", i, line)
		}
		if strings.HasPrefix(strings.ToLower(line), "#requires") {
			t.Errorf("line %d is a #Requires directive: %q", i, line)
		}
		if !utf8.ValidString(line) {
			t.Errorf("line %d is not valid UTF-8: %q", i, line)
		}
	}
	if out[0] != "# Generated by Wizard 1.0" {
		t.Errorf("first line = %q", out[0])
	}
	if want := "# a b"; Comment([]string{"a\r\nb"}) != want+"\r\n" {
		t.Errorf("Comment(a CRLF b) = %q, want %q", Comment([]string{"a\r\nb"}), want)
	}
	if Comment([]string{""}) != "#\r\n" {
		t.Errorf("Comment(empty) = %q", Comment([]string{""}))
	}
}

func TestFile(t *testing.T) {
	got := File("$a = 'x'\n$b = 'y'\r\n\r$c = '\u2014'")
	want := "\xef\xbb\xbf$a = 'x'\r\n$b = 'y'\r\n\r\n$c = '\u2014'"
	if string(got) != want {
		t.Errorf("File = %q, want %q", got, want)
	}
	if again := File(string(got)); !bytes.Equal(again, got) {
		t.Errorf("File is not idempotent: %q then %q", got, again)
	}
	if got := File("x\xffy"); !utf8.Valid(got) {
		t.Errorf("File kept invalid UTF-8: %q", got)
	}
	if got := File(""); string(got) != "\xef\xbb\xbf" {
		t.Errorf("File(\"\") = %q", got)
	}
}

type fqdn string

type stringer struct{ s string }

func (s stringer) String() string { return s.s }

func TestFuncMap(t *testing.T) {
	tmpl := template.Must(template.New("apply.ps1").Funcs(FuncMap()).Parse(
		"$Config = @{ Name = {{ps .Name}}; Host = {{ps .Host}}; Port = {{ps .Port}}; IPs = {{pslist .IPs}}; Who = {{.Who | ps}} }"))
	if err := script.CheckTemplate(tmpl, Encoders()); err != nil {
		t.Fatalf("CheckTemplate: %v", err)
	}
	data := map[string]any{
		"Name": "Bob\u2019s", "Host": fqdn("mail.example.com"), "Port": 443,
		"IPs": []fqdn{"10.0.0.5", "10.0.0.6"}, "Who": stringer{"O'Brien"},
	}
	var b strings.Builder
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatalf("Execute: %v", err)
	}
	want := "$Config = @{ Name = 'Bob\u2019\u2019s'; Host = 'mail.example.com'; Port = '443'; IPs = @('10.0.0.5','10.0.0.6'); Who = 'O''Brien' }"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}

	bad := []map[string]any{
		{"Name": "a\nb", "Host": "h", "Port": 1, "IPs": []string{}, "Who": "w"},
		{"Name": "a", "Host": "h", "Port": 1, "IPs": []string{"x\x00"}, "Who": "w"},
		{"Name": 1.5, "Host": "h", "Port": 1, "IPs": []string{}, "Who": "w"},
		{"Name": "a", "Host": "h", "Port": 1, "IPs": "not a list", "Who": "w"},
		{"Name": nil, "Host": "h", "Port": 1, "IPs": []string{}, "Who": "w"},
	}
	for i, d := range bad {
		var b strings.Builder
		if err := tmpl.Execute(&b, d); err == nil {
			t.Errorf("case %d: Execute succeeded with a refused value: %q", i, b.String())
		}
	}
}

// checkLiteral checks the fuzz property for one accepted value: the literal
// is one line, it is read back by PowerShell's rules as exactly s, and it
// ends exactly where Quote says, even with code after it.
func checkLiteral(t *testing.T, s, lit string) {
	t.Helper()
	if strings.ContainsAny(lit, "\r\n\x00") {
		t.Fatalf("Quote(%q) = %q contains CR, LF or NUL", s, lit)
	}
	if !utf8.ValidString(lit) {
		t.Fatalf("Quote(%q) = %q is not valid UTF-8", s, lit)
	}
	got, n, err := decodeVerbatim(lit + "; Remove-Item C:\\ '")
	if err != nil {
		t.Fatalf("Quote(%q) = %q does not lex: %v", s, lit, err)
	}
	if n != len(lit) {
		t.Fatalf("Quote(%q) = %q: literal ends after %d bytes, not %d", s, lit, n, len(lit))
	}
	if got != s {
		t.Fatalf("Quote(%q) = %q reads back as %q", s, lit, got)
	}
}

func FuzzQuote(f *testing.F) {
	for _, s := range scripttest.Hostile() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lit, err := Quote(s)
		if scripttest.Refused(t, "Quote", s, lit, err) {
			return
		}
		checkLiteral(t, s, lit)
	})
}

func FuzzQuoteList(f *testing.F) {
	hostile := scripttest.Hostile()
	for i, s := range hostile {
		f.Add(s, hostile[(i+1)%len(hostile)])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		list, err := QuoteList([]string{a, b})
		_, errA := Quote(a)
		_, errB := Quote(b)
		if (err != nil) != (errA != nil || errB != nil) {
			t.Fatalf("QuoteList error %v disagrees with Quote errors %v, %v", err, errA, errB)
		}
		if scripttest.Refused(t, "QuoteList", []string{a, b}, list, err) {
			return
		}
		rest, ok := strings.CutPrefix(list, "@(")
		if !ok {
			t.Fatalf("QuoteList = %q does not start with @(", list)
		}
		var got []string
		for i := 0; i < 2; i++ {
			v, n, err := decodeVerbatim(rest)
			if err != nil {
				t.Fatalf("QuoteList = %q: item %d does not lex: %v", list, i+1, err)
			}
			got = append(got, v)
			rest = rest[n:]
			if i == 0 {
				if rest, ok = strings.CutPrefix(rest, ","); !ok {
					t.Fatalf("QuoteList = %q: no comma after item 1", list)
				}
			}
		}
		if rest != ")" {
			t.Fatalf("QuoteList = %q: %q left after the items", list, rest)
		}
		if got[0] != a || got[1] != b {
			t.Fatalf("QuoteList(%q, %q) = %q reads back as %q", a, b, list, got)
		}
	})
}

func FuzzComment(f *testing.F) {
	for _, s := range scripttest.Hostile() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := Comment([]string{s, "next"})
		lines := strings.Split(got, "\r\n")
		if len(lines) != 3 || lines[2] != "" || lines[1] != "# next" {
			t.Fatalf("Comment(%q) = %q: not exactly two CRLF-terminated lines", s, got)
		}
		if strings.ContainsAny(lines[0], "\r\n\x00\u0085\u2028\u2029") || !strings.HasPrefix(lines[0], "#") {
			t.Fatalf("Comment(%q) = %q: unsafe comment line", s, got)
		}
		if !utf8.ValidString(got) {
			t.Fatalf("Comment(%q) = %q is not valid UTF-8", s, got)
		}
	})
}

func TestEncodersMatchFuncMap(t *testing.T) {
	fm := FuncMap()
	enc := Encoders()
	if len(fm) != len(enc) {
		t.Fatalf("FuncMap has %d functions, Encoders lists %d", len(fm), len(enc))
	}
	for name := range fm {
		if !enc[name] {
			t.Errorf("FuncMap function %q is not listed by Encoders", name)
		}
	}
}

// FuzzCommentValue checks a value put in the middle of a comment line: it
// stays on that line.
func FuzzCommentValue(f *testing.F) {
	for _, s := range scripttest.Hostile() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := CommentValue(s)
		if strings.ContainsAny(got, "\r\n\x00\u0085\u2028\u2029\v\f") || !utf8.ValidString(got) {
			t.Fatalf("CommentValue(%q) = %q: unsafe in a comment line", s, got)
		}
	})
}
