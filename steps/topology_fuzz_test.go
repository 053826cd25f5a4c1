package steps

import (
	"net/netip"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// FuzzParsePort: a port is accepted only as the number it is, from 1 to
// 65535, and its decimal form parses back to it.
func FuzzParsePort(f *testing.F) {
	for _, s := range []string{"443", " 25 ", "0", "65535", "65536", "-1", "+80", "0x50", "80 ", "1e3", "٣"} {
		f.Add(s)
	}
	for _, h := range hostile {
		f.Add("443" + h)
	}
	f.Fuzz(func(t *testing.T, in string) {
		p, err := ParsePort(in)
		if err != nil {
			if err.Error() == "" {
				t.Fatalf("ParsePort(%q): empty error message", in)
			}
			return
		}
		if p == 0 {
			t.Fatalf("ParsePort(%q) = 0 without an error", in)
		}
		if n, err := strconv.Atoi(strings.TrimSpace(in)); err != nil || n != int(p) {
			t.Fatalf("ParsePort(%q) = %d, but the input is not that number", in, p)
		}
		if again, err := ParsePort(strconv.Itoa(int(p))); err != nil || again != p {
			t.Fatalf("ParsePort(%d) = %d, %v", p, again, err)
		}
	})
}

// fuzzChoice checks a parser of one of a fixed set of values: what it
// accepts is one of them, found again from its slug and from its label;
// what it refuses gets a message naming every value that is accepted.
func fuzzChoice[T ~string](f *testing.F, what string, all []T, label func(T) string, parse func(string) (T, error)) {
	for _, v := range all {
		f.Add(string(v))
		f.Add(strings.ToUpper(label(v)))
		f.Add(" " + string(v) + "\t")
		f.Add(string(v) + ",")
	}
	for _, h := range hostile {
		f.Add(string(all[0]) + h)
	}
	f.Fuzz(func(t *testing.T, in string) {
		v, err := parse(in)
		if err != nil {
			msg := err.Error()
			for _, want := range all {
				if !strings.Contains(msg, string(want)) {
					t.Fatalf("%s(%q): the message %q does not name %s", what, in, msg, want)
				}
			}
			if strings.ContainsAny(msg, "\r\n\x00") {
				t.Fatalf("%s(%q): the message %q holds a line break or NUL", what, in, msg)
			}
			return
		}
		found := false
		for _, want := range all {
			found = found || v == want
		}
		if !found {
			t.Fatalf("%s(%q) = %q, which is not one of %v", what, in, v, all)
		}
		trimmed := strings.TrimSpace(in)
		if !strings.EqualFold(trimmed, string(v)) && !strings.EqualFold(trimmed, label(v)) {
			t.Fatalf("%s(%q) = %q, but the input is neither its slug nor its label", what, in, v)
		}
		for _, again := range []string{string(v), label(v)} {
			if w, err := parse(again); err != nil || w != v {
				t.Fatalf("%s(%q) = %q, %v; want %q", what, again, w, err, v)
			}
		}
	})
}

func FuzzParseRole(f *testing.F) {
	fuzzChoice(f, "ParseRole", Roles, Role.Label, ParseRole)
}

func FuzzParseOS(f *testing.F) {
	fuzzChoice(f, "ParseOS", OSes, OS.Label, ParseOS)
}

// FuzzServerForm: a server form that parses gives a server whose names
// carry no metacharacter, and the form shown for that server parses to the
// same server; a form that does not parse names a field and says why for
// each problem.
func FuzzServerForm(f *testing.F) {
	f.Add("EXBE01", "exbe01.corp.example.com", "10.0.1.10", "win2000", "exchange-be,kms", "", "1", "", "Exchange Servers", "")
	f.Add("isa01", "ISA01.corp.example.com", "10.0.0.5 10.0.0.6", "Windows Server 2003", "isa", "192.0.2.10, 192.0.2.11", "1", "", "", "")
	f.Add("OWAFE01", "owafe01.corp.example.com", "10.0.2.10;10.0.2.10", "later", "owa-fe", "", "", "2", "Front Ends", "")
	f.Add("CA01", "ca01.corp.example.com", "10.0.0.11", "win2000", "ca,dc", "", "", "", "", `ca01.corp.example.com\Corp CA`)
	f.Add("GW01", "gw01.corp.example.com", "10.0.3.1", "win2003", "smtp-gw,screener", "", "", "", "", "")
	for _, h := range hostile {
		f.Add("EXBE"+h, "exbe01"+h+".corp.example.com", "10.0.1.10"+h, "win2000"+h, "exchange-be"+h, h, "1"+h, "1"+h, "OU"+h, "ca01"+h)
	}
	f.Fuzz(func(t *testing.T, name, fqdn, addrs, os, roles, isaExt, isaSP, feSite, ou, caConfig string) {
		form := ServerForm{Name: name, FQDN: fqdn, Addrs: addrs, OS: os, Roles: strings.Split(roles, ","),
			ISAExternal: isaExt, ISAServicePack: isaSP, ISAArray: "yes", FESiteID: feSite, FEOU: ou, BEOU: ou,
			GWAntiVirus: "yes", CAConfig: caConfig}
		s, ps := form.Parse()
		if len(ps) > 0 {
			for _, p := range ps {
				if p.Field == "" || !strings.Contains(p.Message, ": ") || strings.HasSuffix(p.Message, ": ") {
					t.Fatalf("problem %+v: no field, or no reason after the field's label", p)
				}
			}
			return
		}
		for _, v := range []string{string(s.Name), string(s.FQDN), string(s.FrontEnd.OU), string(s.BackEnd.OU)} {
			noMeta(t, "server form", name+" "+fqdn, v)
		}
		if len(s.Addrs) == 0 || len(s.Roles) == 0 {
			t.Fatalf("a server with no address or no role was accepted: %+v", s)
		}
		again, ps := FormOf(s).Parse()
		if len(ps) > 0 {
			t.Fatalf("the form of an accepted server is refused: %+v\nserver %+v\nform %+v", ps, s, FormOf(s))
		}
		if !reflect.DeepEqual(again, s) {
			t.Fatalf("the form of a server parses to another server:\n%+v\n%+v", s, again)
		}
	})
}

// FuzzParseServerList: every server a pasted list gives is one its own
// form parses back to, no two share a name, FQDN or address with each
// other or with the servers already there, and every problem names its
// line.
func FuzzParseServerList(f *testing.F) {
	f.Add("# inventory\nISA01 isa01.corp.example.com 10.0.0.1 win2000 isa\nEXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be,kms\n")
	f.Add("OWAFE01 owafe01.corp.example.com 10.0.2.10,10.0.2.11 win2000 owa-fe\r\nDUP01 dup01.corp.example.com 10.0.0.2 win2003 dc\n")
	f.Add("A a.example.com 10.0.0.3 later dc\nA b.example.com 10.0.0.4 later dc\nC a.example.com 10.0.0.3 later dc")
	f.Add("SHORT only three\n\n   \n")
	for _, h := range hostile {
		f.Add("EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be" + h + "\nEXBE02" + h + " exbe02.corp.example.com 10.0.1.11 win2000 exchange-be")
	}
	existing := Topology{Servers: []Server{{Name: "DC01", FQDN: "dc01.corp.example.com", Addrs: []netip.Addr{netip.MustParseAddr("10.0.0.2")}}}}
	f.Fuzz(func(t *testing.T, text string) {
		srvs, ps := ParseServerList(text, existing)
		if len(srvs) == 0 && len(ps) == 0 {
			t.Fatalf("ParseServerList(%q): no server and no problem", text)
		}
		for _, p := range ps {
			if p.Field != "list" || p.Message == "" {
				t.Fatalf("problem %+v", p)
			}
			nothing := len(srvs) == 0 && len(ps) == 1 && strings.HasPrefix(p.Message, "Paste at least one server")
			if !nothing && !strings.HasPrefix(p.Message, "Line ") {
				t.Fatalf("problem %q does not name its line", p.Message)
			}
		}
		seen := Topology{Servers: existing.Servers}
		for _, s := range srvs {
			if c := seen.Conflicts(s, ""); len(c) > 0 {
				t.Fatalf("server %s was accepted with conflicts %v", s.Name, c)
			}
			seen.Servers = append(seen.Servers, s)
			form := FormOf(s)
			again, ps := form.Parse()
			// A pasted ISA Server has no external addresses until they are
			// entered on its page.
			ps = dropField(ps, "isa-external")
			if len(ps) > 0 || !reflect.DeepEqual(again, s) {
				t.Fatalf("server %s does not parse back from its form: %+v %v\n%+v", s.Name, again, ps, s)
			}
		}
	})
}

func dropField(ps Problems, field string) Problems {
	var out Problems
	for _, p := range ps {
		if p.Field != field {
			out = append(out, p)
		}
	}
	return out
}
