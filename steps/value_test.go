package steps

import (
	"errors"
	"net/netip"
	"regexp"
	"slices"
	"strings"
	"testing"
	"unicode"
)

// hostile are the values every parser must refuse or normalise safely:
// each kind of quote, shell and batch metacharacters, line breaks and NUL.
var hostile = []string{
	"'", `"`, "`", "‘", "’", "‚", "‛", "“", "”", "„",
	"%", "%PATH%", "!", "!x!", "^", "&", "|", ";", "<", ">", "$(", "${x}", "$(calc)",
	"\n", "\r", "a\r\nb", "\x00", "a\x00b", "\t", "\u200e", "\u2028",
	"mail.example.com'; calc #", "mail.example.com\" & calc", "mail`.example.com", "EXBE01&calc",
	"10.0.0.1;calc", "10.0.0.1\n10.0.0.2", "Corp CA\\x", `ca01\Corp"CA`, "OWA FE%TEMP%",
}

// safeChars is what any parsed value may contain: nothing a script
// language treats specially beyond what its encoder handles.
func noMeta(t *testing.T, what, in, out string) {
	t.Helper()
	for _, r := range out {
		if unicode.IsControl(r) || strings.ContainsRune("'\"`‘’‚‛“”„%!^&|;<>$\\", r) && !(what == "caconfig" && r == '\\') {
			t.Errorf("%s(%q) = %q: contains %q", what, in, out, r)
		}
	}
}

func TestParseFQDN(t *testing.T) {
	tests := []struct {
		in, want, err string
	}{
		{in: "Mail01.Corp.Example.COM.", want: "mail01.corp.example.com"},
		{in: "  owa.example.com ", want: "owa.example.com"},
		{in: "mail01", err: "not only the first part"},
		{in: "", err: "Enter the name, as in mail01.corp.example.com"},
		{in: "a..example.com", err: "two dots"},
		{in: "*.example.com", err: "Wildcard"},
		{in: "-a.example.com", err: "cannot start or end with a hyphen"},
		{in: "a_b.example.com", err: "letters, digits and hyphens"},
		{in: "10.0.0.1", err: "IP address"},
		{in: strings.Repeat("a", 64) + ".example.com", err: "longer than 63"},
	}
	for _, tt := range tests {
		got, err := ParseFQDN(tt.in)
		if tt.err != "" {
			if err == nil || !strings.Contains(err.Error(), tt.err) {
				t.Errorf("ParseFQDN(%q) error = %v, want containing %q", tt.in, err, tt.err)
			}
			continue
		}
		if err != nil || string(got) != tt.want {
			t.Errorf("ParseFQDN(%q) = %q, %v; want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseNetBIOSName(t *testing.T) {
	for in, want := range map[string]string{"exbe01": "EXBE01", " owa-fe1 ": "OWA-FE1"} {
		if got, err := ParseNetBIOSName(in); err != nil || string(got) != want {
			t.Errorf("ParseNetBIOSName(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"", "ABCDEFGHIJKLMNOP", "12345", "-A", "A B", "A.B"} {
		if _, err := ParseNetBIOSName(in); err == nil {
			t.Errorf("ParseNetBIOSName(%q) accepted", in)
		}
	}
}

func TestParseIPv4(t *testing.T) {
	if a, err := ParseIPv4(" 10.1.2.3 "); err != nil || a != netip.MustParseAddr("10.1.2.3") {
		t.Errorf("ParseIPv4 = %v, %v", a, err)
	}
	for _, in := range []string{"010.1.2.3", "0.0.0.0", "255.255.255.255", "127.0.0.1", "224.0.0.1", "10.0.0.0/8", "::1", "10.0.0"} {
		if _, err := ParseIPv4(in); err == nil {
			t.Errorf("ParseIPv4(%q) accepted", in)
		}
	}
}

func TestParsePrefix(t *testing.T) {
	if p, err := ParsePrefix("10.1.0.0/16"); err != nil || p.String() != "10.1.0.0/16" {
		t.Errorf("ParsePrefix = %v, %v", p, err)
	}
	if p, err := ParsePrefix("10.1.2.3"); err != nil || p.String() != "10.1.2.3/32" {
		t.Errorf("ParsePrefix single = %v, %v", p, err)
	}
	if _, err := ParsePrefix("10.1.2.3/16"); err == nil || !strings.Contains(err.Error(), "10.1.0.0/16") {
		t.Errorf("ParsePrefix with host bits: %v", err)
	}
}

func TestParseObjectName(t *testing.T) {
	if n, err := ParseObjectName(" Block-Encrypt TCP 80 traffic - OWA FE "); err != nil || n != "Block-Encrypt TCP 80 traffic - OWA FE" {
		t.Errorf("ParseObjectName = %q, %v", n, err)
	}
	for _, in := range []string{"all", "ALL", "x:y", "a\"b", "", " ", "a%b"} {
		if _, err := ParseObjectName(in); err == nil {
			t.Errorf("ParseObjectName(%q) accepted", in)
		}
	}
}

func TestParseCAConfig(t *testing.T) {
	if c, err := ParseCAConfig(`CA01.corp.example.com\Corp Issuing CA`); err != nil || c != `ca01.corp.example.com\Corp Issuing CA` {
		t.Errorf("ParseCAConfig = %q, %v", c, err)
	}
	for _, in := range []string{`ca01`, `ca01\a\b`, `\CA`, `ca01\`, `ca01\Corp"CA`, `ca01\Corp%CA`} {
		if _, err := ParseCAConfig(in); err == nil {
			t.Errorf("ParseCAConfig(%q) accepted", in)
		}
	}
}

func TestParseThumbprint(t *testing.T) {
	in := "\u200ea9 09 50 2d d8 2a e4 14 33 e6 f8 38 86 b0 0d 42 77 a3 2a 7b"
	if got, err := ParseThumbprint(in); err != nil || got != "A909502DD82AE41433E6F83886B00D4277A32A7B" {
		t.Errorf("ParseThumbprint = %q, %v", got, err)
	}
	if _, err := ParseThumbprint("abc"); err == nil {
		t.Error("short thumbprint accepted")
	}
}

// fuzzParser checks a parser on arbitrary input: it either refuses the
// value or returns one free of metacharacters that parses to itself.
func fuzzParser(f *testing.F, what string, parse func(string) (string, error)) {
	for _, h := range hostile {
		f.Add(h)
		f.Add("mail" + h + ".example.com")
		f.Add("10.0.0.1" + h)
		f.Add("ca01.example.com\\Corp" + h)
	}
	f.Add("mail01.corp.example.com")
	f.Fuzz(func(t *testing.T, in string) {
		out, err := parse(in)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("%s(%q): empty error message", what, in)
			}
			return
		}
		noMeta(t, what, in, out)
		again, err := parse(out)
		if err != nil || again != out {
			t.Fatalf("%s not idempotent: %q -> %q -> %q, %v", what, in, out, again, err)
		}
	})
}

func FuzzParseFQDN(f *testing.F) {
	fuzzParser(f, "fqdn", func(s string) (string, error) { v, err := ParseFQDN(s); return string(v), err })
}

func FuzzParseNetBIOSName(f *testing.F) {
	fuzzParser(f, "netbios", func(s string) (string, error) { v, err := ParseNetBIOSName(s); return string(v), err })
}

func FuzzParseIPv4(f *testing.F) {
	fuzzParser(f, "ipv4", func(s string) (string, error) {
		v, err := ParseIPv4(s)
		if err != nil {
			return "", err
		}
		return v.String(), nil
	})
}

func FuzzParsePrefix(f *testing.F) {
	fuzzParser(f, "prefix", func(s string) (string, error) {
		v, err := ParsePrefix(s)
		if err != nil {
			return "", err
		}
		return v.String(), nil
	})
}

func FuzzParseObjectName(f *testing.F) {
	fuzzParser(f, "objectname", func(s string) (string, error) { v, err := ParseObjectName(s); return string(v), err })
}

func FuzzParseCAConfig(f *testing.F) {
	fuzzParser(f, "caconfig", func(s string) (string, error) { v, err := ParseCAConfig(s); return string(v), err })
}

func FuzzParseThumbprint(f *testing.F) {
	fuzzParser(f, "thumbprint", func(s string) (string, error) { v, err := ParseThumbprint(s); return string(v), err })
}

func FuzzParseSubjectText(f *testing.F) {
	// Subject text may hold an apostrophe and ampersand (O'Neil & Sons);
	// the INF encoder quotes them. It may never hold quotes of other kinds,
	// line breaks or percent signs.
	for _, h := range hostile {
		f.Add("Contoso" + h)
	}
	f.Fuzz(func(t *testing.T, in string) {
		out, err := ParseSubjectText(in)
		if err != nil {
			return
		}
		for _, r := range string(out) {
			if unicode.IsControl(r) || strings.ContainsRune("\"`‘’‚‛“”„%!^|;<>$\\,=+#", r) {
				t.Fatalf("ParseSubjectText(%q) = %q contains %q", in, out, r)
			}
		}
	})
}

func TestParseServerList(t *testing.T) {
	existing := Topology{Servers: []Server{{Name: "DC01", FQDN: "dc01.corp.example.com", Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.2")}}}}
	text := "# inventory\nISA01 isa01.corp.example.com 10.0.0.1 win2000 isa\nEXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be,kms\n\nOWAFE01 owafe01.corp.example.com 10.0.2.10,10.0.2.11 win2000 owa-fe\nBAD01 bad01 10.0.0.300 win2000 exchange-be\nDUP01 dup01.corp.example.com 10.0.0.2 win2003 dc\nSHORT only three\n"
	srvs, ps := ParseServerList(text, existing)
	if len(srvs) != 3 {
		t.Errorf("got %d servers, want 3 (an ISA Server without external addresses included)", len(srvs))
	}
	want := []string{"Line 6:", "Line 7: DC01 already has the address 10.0.0.2", "Line 8: expected 5 parts"}
	for _, w := range want {
		found := false
		for _, p := range ps {
			found = found || strings.Contains(p.Message, w)
		}
		if !found {
			t.Errorf("no problem containing %q in %v", w, ps)
		}
	}
	// Line 6 has two problems (FQDN and address): both are named.
	n := 0
	for _, p := range ps {
		if strings.HasPrefix(p.Message, "Line 6:") {
			n++
		}
	}
	if n != 2 {
		t.Errorf("line 6: %d problems, want 2: %v", n, ps)
	}
}

func TestServerFormRoundTrip(t *testing.T) {
	f := ServerForm{Name: "isa01", FQDN: "ISA01.corp.example.com", Addrs: "10.0.0.5", OS: "win2000", Roles: []string{"isa"},
		ISAExternal: "192.0.2.10, 192.0.2.11", ISAServicePack: "1", ISAArray: "yes", ISAInside: "no"}
	s, ps := f.Parse()
	if len(ps) > 0 {
		t.Fatal(ps)
	}
	s2, ps := FormOf(s).Parse()
	if len(ps) > 0 || s2.ISA.ServicePack != 1 || !s2.ISA.ArrayMember || len(s2.ISA.ExternalAddrs) != 2 || s2.FQDN != "isa01.corp.example.com" {
		t.Errorf("round trip: %+v %v", s2, ps)
	}
}

func TestQuestionParse(t *testing.T) {
	topo := Topology{Servers: []Server{
		{Name: "EXBE01", FQDN: "exbe01.corp.example.com", Roles: []Role{RoleBackEnd}},
		{Name: "EXBE02", FQDN: "exbe02.corp.example.com", Roles: []Role{RoleBackEnd}},
		{Name: "OWAFE01", FQDN: "owafe01.corp.example.com", Roles: []Role{RoleFrontEnd}},
	}}
	servers := Question{ID: "s", Label: "Which servers", Kind: KindServers, Role: RoleBackEnd}
	if got, err := servers.Parse([]string{"exbe02", "EXBE01"}, topo); err != nil || got != "EXBE01\nEXBE02" {
		t.Errorf("servers = %q, %v; want options order", got, err)
	}
	if _, err := servers.Parse([]string{"OWAFE01"}, topo); err == nil || !strings.Contains(err.Error(), "Exchange back-end") {
		t.Errorf("front-end accepted as back-end: %v", err)
	}
	if _, err := servers.Parse(nil, topo); err == nil || !strings.HasPrefix(err.Error(), "Select at least one") {
		t.Errorf("empty: %v", err)
	}
	choice := Question{ID: "c", Label: "Pick", Kind: KindChoice, Choices: []Choice{{Value: "a"}, {Value: "b"}}}
	if _, err := choice.Parse([]string{"a", "b"}, topo); err == nil {
		t.Error("two answers to a single choice accepted")
	}
	if _, err := choice.Parse([]string{"c"}, topo); err == nil {
		t.Error("answer outside the choices accepted")
	}
	n := Question{ID: "n", Label: "How many", Kind: KindNumber, Min: 1, Max: 10}
	if _, err := n.Parse([]string{"11"}, topo); err == nil || !strings.Contains(err.Error(), "from 1 to 10") {
		t.Errorf("number out of range: %v", err)
	}
	opt := Question{ID: "o", Label: "Optional", Kind: KindFQDN, Optional: true}
	if got, err := opt.Parse([]string{"  "}, topo); err != nil || got != "" {
		t.Errorf("optional blank = %q, %v", got, err)
	}
	pre := Question{ID: "p", Label: "Networks", Kind: KindPrefixes}
	if got, err := pre.Parse([]string{"10.0.0.0/8\r\n192.168.1.0/24, 10.0.0.0/8"}, topo); err != nil || got != "10.0.0.0/8\n192.168.1.0/24" {
		t.Errorf("prefixes = %q, %v", got, err)
	}
	upper := func(s string) (string, error) {
		if strings.ContainsAny(s, "!,") {
			return "", errors.New("no ! or , please")
		}
		return strings.ToUpper(s), nil
	}
	list := Question{ID: "l", Label: "Words", Kind: KindList, Item: upper, MaxItems: 3}
	if got, err := list.Parse([]string{" two words \r\n\nother\r\nTWO WORDS"}, topo); err != nil || got != "TWO WORDS\nOTHER" {
		t.Errorf("list = %q, %v; want each line parsed, blanks and repeats dropped, spaces within a line kept", got, err)
	}
	if _, err := list.Parse([]string{"ok\nbad!"}, topo); err == nil || err.Error() != `"bad!": no ! or , please` {
		t.Errorf("bad line: %v; want the line named with the parser's reason", err)
	}
	if _, err := list.Parse([]string{"a\nb\nc\nd"}, topo); err == nil || !strings.Contains(err.Error(), "at most 3") {
		t.Errorf("too many lines: %v", err)
	}
	if _, err := list.Parse([]string{"\n \n"}, topo); err == nil {
		t.Error("an empty required list was accepted")
	}
}

func TestHashAnswersStable(t *testing.T) {
	topo := Topology{Facts: Facts{ADDomain: "corp.example.com"}}
	a := map[string]Answers{"x": {"b": "2", "a": "1"}, "y": {"z": "9"}}
	b := map[string]Answers{"y": {"z": "9"}, "x": {"a": "1", "b": "2"}}
	if HashAnswers(topo, a) != HashAnswers(topo, b) {
		t.Error("hash depends on map order")
	}
	b["y"]["z"] = "8"
	if HashAnswers(topo, a) == HashAnswers(topo, b) {
		t.Error("hash ignores a changed answer")
	}
}

// TestIsLabel compares isLabel with the patterns it stands for, on every
// string of up to four characters from an alphabet that holds each kind
// of character, and on names at and past the length limits.
func TestIsLabel(t *testing.T) {
	dns := regexp.MustCompile(`^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$`)
	netbios := regexp.MustCompile(`^[A-Z0-9](?:[A-Z0-9-]{0,13}[A-Z0-9])?$`)
	alphabet := []string{"a", "z", "A", "Z", "0", "9", "-", "_", ".", " ", "é", "\x00", "`", "{", "@", "["}
	cases := []string{""}
	for range 4 {
		for _, c := range cases {
			for _, a := range alphabet {
				cases = append(cases, c+a)
			}
		}
		slices.Sort(cases)
		cases = slices.Compact(cases)
	}
	for _, n := range []int{14, 15, 16, 62, 63, 64} {
		cases = append(cases, strings.Repeat("a", n), strings.Repeat("A", n), "a"+strings.Repeat("-", n-2)+"a")
	}
	for _, s := range cases {
		if got, want := isLabel(s, 63, false), dns.MatchString(s); got != want {
			t.Errorf("isLabel(%q, 63, false) = %v, the DNS label pattern says %v", s, got, want)
		}
		if got, want := isLabel(s, 15, true), netbios.MatchString(s); got != want {
			t.Errorf("isLabel(%q, 15, true) = %v, the NetBIOS pattern says %v", s, got, want)
		}
	}
}
