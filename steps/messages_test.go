package steps

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

// TestMessagesNameTheFieldAndTheFix lists the message each common mistake
// gets. Every message begins with the label the form shows for its field
// and ends with what to type instead, in that field's own example.
func TestMessagesNameTheFieldAndTheFix(t *testing.T) {
	good := FactsForm{ADDomain: "corp.example.com", PublicDomain: "example.com", OWAHost: "mail.example.com", OWAPath: "/exchange", POP3IMAP4: "no"}
	facts := []struct {
		field, value, want string
	}{
		{"ad-domain", "corp contoso.com", "Active Directory DNS domain: Remove the space: a DNS name has no spaces. Enter it as in corp.example.com"},
		{"ad-domain", "", "Active Directory DNS domain: Enter the name, as in corp.example.com"},
		{"ad-domain", "CORP", "Active Directory DNS domain: Enter the full name with its domain, not only the first part. Enter it as in corp.example.com"},
		{"public-domain", "ann@example.com", "Public DNS domain: This is an e-mail address; enter the DNS name only. Enter it as in example.com"},
		{"owa-host", "https://mail.example.com", "Public OWA host name: Enter the name only, without http:// or https://. Enter it as in mail.example.com"},
		{"owa-host", "mail.example.com/exchange", "Public OWA host name: Enter the name only, without a path or a slash. Enter it as in mail.example.com"},
		{"owa-host", "mail.example.com:443", "Public OWA host name: Enter the name only, without a port number. Enter it as in mail.example.com"},
		{"owa-host", "192.0.2.10", "Public OWA host name: This is an IP address; enter the DNS name. Enter it as in mail.example.com"},
		{"owa-path", "exchange", "OWA path: start the path with a slash, as in /exchange"},
		{"owa-path", "https://mail.example.com/exchange", "OWA path: enter only the path after the host name, without https:// and the host, as in /exchange"},
		{"owa-path", "/my exchange", "OWA path: remove the space; a path has no spaces. Enter it as in /exchange"},
		{"owa-path", "/exchange?x=1", "OWA path: use letters, digits, hyphens and single slashes only, as in /exchange"},
		{"mx-host", "smtp_1.example.com", `MX host: The part "smtp_1" may only hold letters, digits and hyphens, and cannot start or end with a hyphen. Enter it as in smtp.example.com`},
	}
	labels := map[string]string{"ad-domain": LabelADDomain, "public-domain": LabelPublicDomain, "owa-host": LabelOWAHost, "owa-path": LabelOWAPath, "mx-host": LabelMXHost}
	for _, tt := range facts {
		f := good
		switch tt.field {
		case "ad-domain":
			f.ADDomain = tt.value
		case "public-domain":
			f.PublicDomain = tt.value
		case "owa-host":
			f.OWAHost = tt.value
		case "owa-path":
			f.OWAPath = tt.value
		case "mx-host":
			f.MXHost = tt.value
		}
		_, ps := f.Parse()
		if len(ps) != 1 || ps[0].Field != tt.field || ps[0].Message != tt.want {
			t.Errorf("%s %q:\n got %v\nwant %s", tt.field, tt.value, ps, tt.want)
		}
		if !strings.HasPrefix(tt.want, labels[tt.field]+": ") {
			t.Errorf("the message for %s does not begin with its label %q", tt.field, labels[tt.field])
		}
	}
	if _, ps := good.Parse(); len(ps) != 0 {
		t.Fatalf("good facts refused: %v", ps)
	}

	server := ServerForm{Name: "EXBE01", FQDN: "exbe01.corp.example.com", Addrs: "10.0.1.10", OS: "win2000", Roles: []string{"exchange-be"}}
	servers := []struct {
		field string
		edit  func(*ServerForm)
		want  string
	}{
		{"name", func(f *ServerForm) { f.Name = "EXBE01.corp" }, "NetBIOS name: Enter the NetBIOS name in the form EXBE01: 1 to 15 letters, digits or hyphens, not starting or ending with a hyphen"},
		{"fqdn", func(f *ServerForm) { f.FQDN = "https://exbe01.corp.example.com" }, "Fully qualified domain name: Enter the name only, without http:// or https://. Enter it as in mail01.corp.example.com"},
		{"fqdn", func(f *ServerForm) { f.FQDN = "exbe01" }, "Fully qualified domain name: Enter the full name with its domain, not only the first part. Enter it as in mail01.corp.example.com"},
		{"addrs", func(f *ServerForm) { f.Addrs = "10.0.1.300" }, `IPv4 addresses: "10.0.1.300": Enter the IPv4 address in the form 192.168.10.25 (four numbers from 0 to 255, no leading zeros)`},
		{"os", func(f *ServerForm) { f.OS = "" }, "Operating system: select the server's Windows version"},
		{"os", func(f *ServerForm) { f.OS = "nt4" }, `Operating system: "nt4" is not an operating system the wizard knows; use win2000 (Windows 2000 Server SP4), win2003 (Windows Server 2003), later (Windows Server 2008 or later)`},
		{"roles", func(f *ServerForm) { f.Roles = nil }, "Roles: select at least one role"},
		{"fe-site", func(f *ServerForm) { f.Roles = []string{"owa-fe"}; f.FESiteID = "Default Web Site" }, "IIS web site number: enter the site's number as IIS Manager shows it, 1 for the Default Web Site"},
		{"isa-sp", func(f *ServerForm) { f.Roles = []string{"isa"}; f.ISAExternal = "192.0.2.10"; f.ISAServicePack = "SP1" }, "ISA Server service pack: enter the service pack as a number from 0 to 9, 0 for none"},
	}
	for _, tt := range servers {
		f := server
		tt.edit(&f)
		_, ps := f.Parse()
		if len(ps) != 1 || ps[0].Field != tt.field || ps[0].Message != tt.want {
			t.Errorf("%s:\n got %v\nwant %s", tt.field, ps, tt.want)
		}
	}
}

// TestHostileText: free text with invalid UTF-8, control characters or
// far too many characters is refused with the field's label, never stored.
func TestHostileText(t *testing.T) {
	good := FactsForm{ADDomain: "corp.example.com", PublicDomain: "example.com", OWAHost: "mail.example.com", POP3IMAP4: "no"}
	for _, tt := range []struct{ path, want string }{
		{"/exch\xffange", "OWA path: the text holds bytes that are not characters (invalid UTF-8)"},
		{"/exch\x00ange", "OWA path: remove the control characters"},
		{"/" + strings.Repeat("a", 100<<10), "OWA path: enter 200 characters or fewer; this has 102401"},
	} {
		f := good
		f.OWAPath = tt.path
		_, ps := f.Parse()
		if len(ps) != 1 || !strings.HasPrefix(ps[0].Message, tt.want) {
			t.Errorf("OWA path %.20q: %v, want %s", tt.path, ps, tt.want)
		}
	}
	tk := Ticket{Number: "CHG1", Title: "T\xff", Requester: "R", Implementers: []string{"I"}, Reviewer: "V", Approvers: []string{"CAB"},
		WindowStart: "2026-12-05T22:00", WindowEnd: "2026-12-06T02:00", TimeZone: "UTC", Risk: "low", RiskReason: "r", AffectedUsers: "u",
		Communication: "c\x00"}
	ps := tk.Problems()
	if !strings.Contains(ps.For("title"), "invalid UTF-8") || !strings.Contains(ps.For("communication"), "control characters") {
		t.Errorf("ticket problems: %v", ps)
	}
	if got := CheckText("Note", "line one\nline two\ttabbed", 100, true); got != "" {
		t.Errorf("multi-line text refused: %s", got)
	}
	if got := CheckText("Name", "a\u2028b", 100, false); got == "" {
		t.Error("a line separator passed in a one-line field")
	}
	if got := CheckText("Name", "invoice\u202egpj.exe", 100, false); !strings.Contains(got, "text-direction") {
		t.Errorf("a right-to-left override passed: %q", got)
	}
	if got := CheckText("Name", "\u05e9\u05dc\u05d5\u05dd\u200f", 100, false); got != "" {
		t.Errorf("Hebrew with a right-to-left mark refused: %s", got)
	}
}

func FuzzCheckText(f *testing.F) {
	for _, s := range []string{"", "Contoso", "a\x00b", "\xff", "line\nbreak", "tab\there", strings.Repeat("x", 300)} {
		f.Add(s, true)
		f.Add(s, false)
	}
	f.Fuzz(func(t *testing.T, s string, multiline bool) {
		if CheckText("Field", s, 200, multiline) != "" {
			return
		}
		if !utf8.ValidString(s) || utf8.RuneCountInString(s) > 200 {
			t.Fatalf("%q accepted", s)
		}
		for _, r := range s {
			if unicode.IsControl(r) && !(multiline && (r == '\n' || r == '\r' || r == '\t')) {
				t.Fatalf("%q accepted with control character %U", s, r)
			}
		}
	})
}
