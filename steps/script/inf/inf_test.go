package inf

import (
	"errors"
	"strings"
	"testing"
	"text/template"

	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/scripttest"
)

// decodeValue lexes a double-quoted INF value at the start of src: "" inside
// stands for ", and a " followed by anything else ends it. It returns the
// value and the number of bytes the quoted value took.
func decodeValue(src string) (string, int, error) {
	if !strings.HasPrefix(src, `"`) {
		return "", 0, errors.New("does not start with a double quote")
	}
	var b strings.Builder
	for i := 1; i < len(src); i++ {
		switch c := src[i]; c {
		case '\r', '\n':
			return "", 0, errors.New("line break inside a quoted value")
		case '"':
			if i+1 < len(src) && src[i+1] == '"' {
				b.WriteByte('"')
				i++
				continue
			}
			return b.String(), i + 1, nil
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("unterminated quoted value")
}

func TestValue(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"empty", "", `""`},
		{"plain", "Exchange OWA", `"Exchange OWA"`},
		{"double quote", `Contoso "Mail"`, `"Contoso ""Mail"""`},
		{"only quotes", `""`, `""""""`},
		{"apostrophe", "O'Brien", `"O'Brien"`},
		{"backtick", "`", "\"`\""},
		{"comma equals", "a, b = c", `"a, b = c"`},
		{"brackets", "[Strings]", `"[Strings]"`},
		{"backslash", `C:\dir\`, `"C:\dir\"`},
		{"dollar", "$Windows NT$", `"$Windows NT$"`},
		{"metacharacters", "^&|<>()!+#", `"^&|<>()!+#"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := Value(tt.in)
			if err != nil || got != tt.want {
				t.Errorf("Value(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
			}
		})
	}
}

func TestValueRefuses(t *testing.T) {
	scripttest.CheckRefusals(t, "certreq INF", "Value", Value, []scripttest.Refusal[string]{
		{Name: "percent", In: "%PATH%", Want: "certreq INF value contains a percent sign (%); certreq reads %name% as a substitution"},
		{Name: "double percent", In: "%%", Want: "percent sign"},
		{Name: "semicolon", In: "a;b", Want: "contains a semicolon (;); a semicolon starts a comment"},
		{Name: "LF", In: "a\nSubject = \"CN=evil\"", Want: "line break (LF, U+000A)"},
		{Name: "CR", In: "\r", Want: "line break (CR, U+000D)"},
		{Name: "NUL", In: "\x00", Want: "NUL character"},
		{Name: "tab", In: "\t", Want: "tab (U+0009)"},
		{Name: "DEL", In: "\x7f", Want: "control character U+007F"},
		{Name: "typographic quote", In: "\u201cx\u201d", Want: "U+201C"},
		{Name: "typographic apostrophe", In: "Bob\u2019s", Want: "U+2019"},
		{Name: "non-ASCII", In: "M\u00fcnchen", Want: "use ASCII characters only"},
		{Name: "invalid UTF-8", In: "\xff", Want: "not valid UTF-8"},
	})
}

func TestSubjectDN(t *testing.T) {
	got, err := SubjectDN([]RDN{
		{"CN", "mail.example.com"}, {"O", "Contoso Ltd."}, {"OU", "IT"}, {"OU", "Messaging"},
		{"L", "Seattle"}, {"S", "WA"}, {"C", "US"}, {"E", "admin@example.com"},
	})
	want := `"CN=mail.example.com, O=Contoso Ltd., OU=IT, OU=Messaging, L=Seattle, S=WA, C=US, E=admin@example.com"`
	if err != nil || got != want {
		t.Errorf("SubjectDN = %q, %v; want %q", got, err, want)
	}
	if got, err := SubjectDN([]RDN{{"CN", "mail.example.com"}}); err != nil || got != `"CN=mail.example.com"` {
		t.Errorf("SubjectDN(CN only) = %q, %v", got, err)
	}
	if got, err := SubjectDN([]RDN{{"CN", "x"}, {"C", "de"}}); err != nil || got != `"CN=x, C=de"` {
		t.Errorf("SubjectDN(lower-case country) = %q, %v", got, err)
	}
}

func TestSubjectDNRefuses(t *testing.T) {
	scripttest.CheckRefusals(t, "certreq INF", "SubjectDN", SubjectDN, []scripttest.Refusal[[]RDN]{
		{Name: "none", In: nil, Want: "certreq INF subject is empty"},
		{Name: "unknown attribute", In: []RDN{{"DC", "example"}}, Want: `uses the attribute "DC", which is not supported`},
		{Name: "lower-case attribute", In: []RDN{{"cn", "x"}}, Want: `attribute "cn"`},
		{Name: "attribute injection", In: []RDN{{"CN=x, O", "y"}}, Want: "not supported"},
		{Name: "unprintable attribute", In: []RDN{{"C\nN", "y"}}, Want: "(unprintable)"},
		{Name: "empty value", In: []RDN{{"CN", ""}}, Want: "subject common name (CN) is empty"},
		{Name: "comma", In: []RDN{{"O", "Contoso, CN=evil"}}, Want: "subject organisation (O) contains a comma (,), which has a special meaning in a certificate name"},
		{Name: "plus", In: []RDN{{"CN", "a+b"}}, Want: "plus sign"},
		{Name: "equals", In: []RDN{{"CN", "a=b"}}, Want: "equals sign"},
		{Name: "double quote", In: []RDN{{"CN", `a"b`}}, Want: "double quote"},
		{Name: "backslash", In: []RDN{{"CN", `a\b`}}, Want: "backslash"},
		{Name: "less than", In: []RDN{{"CN", "<a"}}, Want: "less-than"},
		{Name: "greater than", In: []RDN{{"CN", "a>"}}, Want: "greater-than"},
		{Name: "semicolon", In: []RDN{{"CN", "a;b"}}, Want: "semicolon"},
		{Name: "hash", In: []RDN{{"CN", "#01"}}, Want: "hash sign"},
		{Name: "percent", In: []RDN{{"CN", "%x%"}}, Want: "percent sign"},
		{Name: "line break", In: []RDN{{"CN", "a\nb"}}, Want: "line break"},
		{Name: "NUL", In: []RDN{{"CN", "a\x00"}}, Want: "NUL"},
		{Name: "non-ASCII", In: []RDN{{"L", "M\u00fcnchen"}}, Want: "subject locality (L) contains the character 'ü' (U+00FC)"},
		{Name: "leading space", In: []RDN{{"CN", " x"}}, Want: "starts or ends with a space"},
		{Name: "trailing space", In: []RDN{{"CN", "x "}}, Want: "starts or ends with a space"},
		{Name: "country too long", In: []RDN{{"C", "USA"}}, Want: "is 3 characters long; certificates allow at most 2"},
		{Name: "country digits", In: []RDN{{"C", "1A"}}, Want: "two-letter ISO 3166 country code"},
		{Name: "CN too long", In: []RDN{{"CN", strings.Repeat("a", 65)}}, Want: "is 65 characters long; certificates allow at most 64"},
		{Name: "second part", In: []RDN{{"CN", "ok"}, {"OU", "a,b"}}, Want: "subject organisational unit (OU) (part 2) contains a comma"},
	})
	if _, err := SubjectDN([]RDN{{"CN", strings.Repeat("a", 64)}, {"L", strings.Repeat("b", 128)}, {"E", strings.Repeat("c", 255)}}); err != nil {
		t.Errorf("SubjectDN refused values at the length limits: %v", err)
	}
}

func TestComment(t *testing.T) {
	tests := []struct {
		name, in, want string
	}{
		{"plain", "Generated by Wizard 1.0", "; Generated by Wizard 1.0"},
		{"empty", "", ";"},
		{"line break", "x\r\n[NewRequest]", "; x [NewRequest]"},
		{"continuation", `C:\req\`, `; C:\req\.`},
		{"percent", "%x%", "; %%x%%"},
		{"non-ASCII", "M\u00fcnchen", "; M?nchen"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Comment([]string{tt.in}); got != tt.want+"\r\n" {
				t.Errorf("Comment(%q) = %q, want %q", tt.in, got, tt.want+"\r\n")
			}
		})
	}
}

func TestFile(t *testing.T) {
	got, err := File("[Version]\nSignature=\"$Windows NT$\"\n")
	if err != nil || string(got) != "[Version]\r\nSignature=\"$Windows NT$\"\r\n" {
		t.Errorf("File = %q, %v", got, err)
	}
	if _, err := File("[NewRequest]\nSubject = \"CN=M\u00fcnchen\""); err == nil || !strings.Contains(err.Error(), "line 2 contains a non-ASCII byte") {
		t.Errorf("File accepted non-ASCII or gave a poor error: %v", err)
	}
}

func TestFuncMap(t *testing.T) {
	tmpl := template.Must(template.New("request.inf").Funcs(FuncMap()).Parse(
		"[NewRequest]\r\nSubject = {{infsubject .Subject}}\r\nFriendlyName = {{.Name | infval}}\r\n"))
	if err := script.CheckTemplate(tmpl, Encoders()); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	err := tmpl.Execute(&b, map[string]any{"Subject": []RDN{{"CN", "mail.example.com"}, {"O", "Contoso"}}, "Name": `OWA "2004"`})
	if err != nil {
		t.Fatal(err)
	}
	want := "[NewRequest]\r\nSubject = \"CN=mail.example.com, O=Contoso\"\r\nFriendlyName = \"OWA \"\"2004\"\"\"\r\n"
	if b.String() != want {
		t.Errorf("got  %q\nwant %q", b.String(), want)
	}
	bad := []map[string]any{
		{"Subject": []RDN{{"CN", "a,b"}}, "Name": "x"},
		{"Subject": []RDN{{"CN", "a"}}, "Name": "50%"},
		{"Subject": "CN=a", "Name": "x"},
		{"Subject": []RDN{{"CN", "a"}}, "Name": 1.5},
	}
	for i, d := range bad {
		if err := tmpl.Execute(&strings.Builder{}, d); err == nil {
			t.Errorf("case %d: Execute accepted a refused value", i)
		}
	}
}

func TestEncodersMatchFuncMap(t *testing.T) {
	fm, enc := FuncMap(), Encoders()
	if len(fm) != len(enc) {
		t.Fatalf("FuncMap has %d functions, Encoders lists %d", len(fm), len(enc))
	}
	for name := range fm {
		if !enc[name] {
			t.Errorf("FuncMap function %q is not listed by Encoders", name)
		}
	}
}

// safeINF reports whether s is printable ASCII without the characters an INF
// parser acts on outside quotes' protection.
func safeINF(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f || c == '%' || c == ';' {
			return false
		}
	}
	return true
}

func FuzzValue(f *testing.F) {
	for _, s := range scripttest.Hostile() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Value(s)
		if scripttest.Refused(t, "Value", s, got, err) {
			return
		}
		if !safeINF(got) {
			t.Fatalf("Value(%q) = %q contains a character an INF parser acts on", s, got)
		}
		back, n, err := decodeValue(got + `, "x" ; comment`)
		if err != nil {
			t.Fatalf("Value(%q) = %q does not lex: %v", s, got, err)
		}
		if n != len(got) || back != s {
			t.Fatalf("Value(%q) = %q reads back as %q ending at byte %d of %d", s, got, back, n, len(got))
		}
	})
}

func FuzzSubjectDN(f *testing.F) {
	hostile := scripttest.Hostile()
	for i, s := range hostile {
		f.Add("CN", s, hostile[(i+7)%len(hostile)])
	}
	for _, attr := range []string{"O", "OU", "L", "S", "C", "E", "cn", "DC", "CN=x, O", ""} {
		f.Add(attr, "mail.example.com", "Contoso")
	}
	f.Fuzz(func(t *testing.T, attr, a, b string) {
		parts := []RDN{{attr, a}, {"O", b}}
		got, err := SubjectDN(parts)
		if scripttest.Refused(t, "SubjectDN", parts, got, err) {
			return
		}
		if _, ok := maxLen[attr]; !ok {
			t.Fatalf("SubjectDN accepted attribute %q", attr)
		}
		if !safeINF(got) {
			t.Fatalf("SubjectDN(%q) = %q contains a character an INF parser acts on", parts, got)
		}
		inner, n, err := decodeValue(got)
		if err != nil || n != len(got) {
			t.Fatalf("SubjectDN(%q) = %q is not one quoted value: %v", parts, got, err)
		}
		if strings.ContainsAny(inner, `"\<>;#`) {
			t.Fatalf("SubjectDN(%q) = %q contains an X.500 special character", parts, got)
		}
		rdns := strings.Split(inner, ", ")
		if len(rdns) != len(parts) {
			t.Fatalf("SubjectDN(%q) = %q has %d RDNs, want %d", parts, got, len(rdns), len(parts))
		}
		for i, rdn := range rdns {
			k, v, ok := strings.Cut(rdn, "=")
			if !ok || strings.ContainsAny(v, ",+=") || k != parts[i].Attr || v != parts[i].Value {
				t.Fatalf("SubjectDN(%q) = %q: RDN %d reads back as %q", parts, got, i+1, rdn)
			}
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
		if len(lines) != 3 || lines[2] != "" || lines[1] != "; next" {
			t.Fatalf("Comment(%q) = %q: not exactly two CRLF-terminated lines", s, got)
		}
		line := lines[0]
		if !strings.HasPrefix(line, ";") || strings.HasSuffix(line, `\`) {
			t.Fatalf("Comment(%q) = %q: not a closed comment line", s, got)
		}
		for i := 0; i < len(line); i++ {
			if line[i] < 0x20 || line[i] >= 0x7f {
				t.Fatalf("Comment(%q) = %q: byte 0x%02X", s, got, line[i])
			}
		}
		if strings.Count(line, "%")%2 != 0 {
			t.Fatalf("Comment(%q) = %q: unpaired %%", s, got)
		}
	})
}
