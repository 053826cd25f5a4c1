package smtppublish

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/batch"
	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/steptest"
)

const (
	reference = "testdata/contoso-reference"
	direct    = "testdata/fabrikam-direct"
)

func TestGolden(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		t.Run(dir, func(t *testing.T) {
			in := steptest.Load(t, dir).Input()
			if ok, why := Step.Applies(in.Topology); !ok {
				t.Fatalf("does not apply: %s", why)
			}
			if fs := Step.Check(in); len(fs) > 0 {
				t.Fatalf("scenario has findings: %+v", fs)
			}
			files, err := Step.Files(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				steptest.CheckPlainFile(t, f)
			}
			steptest.Golden(t, dir, files)
		})
	}
}

func TestTemplatesPrintOnlyThroughEncoders(t *testing.T) {
	if err := script.CheckTemplate(dnsTemplate, batch.Encoders()); err != nil {
		t.Error(err)
	}
}

func change(t *testing.T, dir string, a steps.Answers, server func(*steps.Server), facts func(*steps.Facts)) steps.Input {
	t.Helper()
	sc := steptest.Load(t, dir)
	all := map[string]steps.Answers{}
	for id, x := range sc.Answers {
		all[id] = steps.Answers{}
		for k, v := range x {
			all[id][k] = v
		}
	}
	for k, v := range a {
		if v == "-" {
			delete(all[ID], k)
			continue
		}
		all[ID][k] = v
	}
	topo := sc.Topology
	topo.Servers = slices.Clone(topo.Servers)
	if server != nil {
		for i := range topo.Servers {
			server(&topo.Servers[i])
		}
	}
	if facts != nil {
		facts(&topo.Facts)
	}
	return steptest.NewInput(sc.Project, topo, all)
}

func TestCheck(t *testing.T) {
	isa := func(f func(*steps.Server)) func(*steps.Server) {
		return func(s *steps.Server) {
			if s.Has(steps.RoleISA) {
				f(s)
			}
		}
	}
	tests := []struct {
		name   string
		dir    string
		a      steps.Answers
		server func(*steps.Server)
		facts  func(*steps.Facts)
		want   []string
	}{
		{name: "clean reference", dir: reference},
		{name: "clean direct publishing behind NAT", dir: direct},
		{name: "address not on ISA", dir: reference, a: steps.Answers{QAddress: "203.0.113.99", QMXAddress: "203.0.113.99"}, want: []string{CodeAddressNotExternal}},
		{name: "MX host missing", dir: reference, facts: func(f *steps.Facts) { f.MXHost = "" }, want: []string{CodeMXHostMissing}},
		{name: "MX points at the internal server", dir: reference, a: steps.Answers{QMXAddress: "198.51.100.77"}, want: []string{CodeMXNotISA}},
		{name: "MX points at ISA, not the translated address", dir: direct, a: steps.Answers{QMXAddress: "192.168.100.10"}, want: []string{CodeMXNotISA}},
		{name: "private address without translation", dir: direct, a: steps.Answers{QOuterNAT: "no", QMXAddress: "192.168.100.10"}, want: []string{CodeMXNotRoutable}},
		{name: "translation to itself", dir: direct, a: steps.Answers{QPublicAddress: "192.168.100.10", QMXAddress: "192.168.100.10"}, want: []string{CodePublicAddressIsISAs, CodeMXNotRoutable}},
		{name: "outgoing SMTP published on an array member", dir: direct, a: steps.Answers{QOutbound: OutboundPublish}, want: []string{CodeOutgoingOnArray}},
		{name: "outgoing SMTP published on a stand-alone ISA", dir: reference, a: steps.Answers{QOutbound: OutboundPublish}},
		{name: "logon over port 25 without TLS", dir: direct, a: steps.Answers{QSMTPAuth: "yes", QAuthTLS: "no"}, want: []string{CodeAuthWithoutTLS}},
		{name: "firewall layout differs from the server page", dir: reference, server: isa(func(s *steps.Server) { s.ISA.InsideFirewall = true }), want: []string{CodeFirewallsDiffer}},
		{name: "published server lost its role", dir: reference, server: func(s *steps.Server) {
			if s.Name == "SMTPGW01" {
				s.Roles = []steps.Role{steps.RoleScreener}
			}
		}, want: []string{CodeAnswerInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range Step.Check(change(t, tt.dir, tt.a, tt.server, tt.facts)) {
				got = append(got, f.Code)
				if f.Message == "" {
					t.Errorf("finding %s has no message", f.Code)
				}
				if len(f.Fix) == 0 && f.Code != CodeMXHostMissing {
					t.Errorf("finding %s names no question to change", f.Code)
				}
				for _, id := range f.Fix {
					if _, ok := Step.Question(id); !ok {
						t.Errorf("finding %s fixes unknown question %q", f.Code, id)
					}
				}
				if slices.Contains([]string{CodeAddressNotExternal, CodeMXNotISA, CodeOutgoingOnArray, CodeFirewallsDiffer}, f.Code) && len(f.Servers) == 0 {
					t.Errorf("finding %s names no server", f.Code)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestDefaults(t *testing.T) {
	sc := steptest.Load(t, direct)
	for id, want := range map[string]string{QISA: "FAB-ISA1", QAddress: "192.168.100.10", QPublishedTo: ToExchange, QFirewalls: InsideInner} {
		q, _ := Step.Question(id)
		if got := q.DefaultFor(sc.Topology, steps.Answers{}); got != want {
			t.Errorf("default of %s = %q, want %q", id, got, want)
		}
	}
	q, _ := Step.Question(QOuterNAT)
	if got := q.DefaultFor(sc.Topology, steps.Answers{QAddress: "192.168.100.10"}); got != "yes" {
		t.Errorf("translation default for a private address = %q", got)
	}
	q, _ = Step.Question(QMXAddress)
	if got := q.DefaultFor(sc.Topology, steps.Answers{QAddress: "192.168.100.10", QFirewalls: InsideInner, QOuterNAT: "yes", QPublicAddress: "198.51.100.25"}); got != "198.51.100.25" {
		t.Errorf("MX default behind NAT = %q", got)
	}
	ref := steptest.Load(t, reference)
	q, _ = Step.Question(QPublishedTo)
	if got := q.DefaultFor(ref.Topology, steps.Answers{}); got != ToGateway {
		t.Errorf("published-to default with a gateway = %q", got)
	}
}

func TestPlan(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		in := steptest.Load(t, dir).Input()
		ids := map[string]bool{}
		for _, a := range Step.Plan(in) {
			if ids[a.ID] {
				t.Errorf("%s: action %s twice", dir, a.ID)
			}
			ids[a.ID] = true
			if a.Phase != steps.PhaseSMTP || a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" {
				t.Errorf("%s: action %s is incomplete: %+v", dir, a.ID, a)
			}
			if a.Interrupts != "" && a.Minutes <= 0 {
				t.Errorf("%s: action %s interrupts without minutes", dir, a.ID)
			}
			if a.ID == "verify-outside" && !strings.Contains(strings.Join(a.Do, "\n"), "RCPT TO:<probe@example.org>") {
				t.Errorf("%s: the verification has no relay test", dir)
			}
		}
		for _, id := range []string{"isa-backup", "securenat", "publishing-rule", "mx-dns", "verify-outside"} {
			if !ids[id] {
				t.Errorf("%s: no action %s", dir, id)
			}
		}
		if dir == direct && !ids["inner-firewall"] {
			t.Errorf("%s: no firewall step: %v", dir, ids)
		}
	}
	var tls *steps.Action
	for _, a := range Step.Plan(change(t, direct, steps.Answers{QSMTPAuth: "yes", QAuthTLS: "yes"}, nil, nil)) {
		if a.ID == "smtp-auth-tls" {
			tls = &a
		}
	}
	if tls == nil || tls.Target != "FAB-MAIL1" || !strings.Contains(strings.Join(tls.Do, "\n"), "Requires TLS encryption") {
		t.Errorf("no TLS step on the published server: %+v", tls)
	}
}

func TestNoAnswersNoFiles(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	delete(in.Answers, ID)
	if files, err := Step.Files(in); err != nil || files != nil {
		t.Errorf("Files without answers = %v, %v", files, err)
	}
	if fs := Step.Check(in); len(fs) != 0 {
		t.Errorf("Check without answers = %+v", fs)
	}
}

func TestHostileProject(t *testing.T) {
	steptest.CheckHostileProject(t, Step.Files, steptest.Load(t, reference).Input())
}

func TestHostileAnswers(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileAnswers(t, Step.Files, steptest.Load(t, dir).Input(), ID)
	}
}

// TestHostileInventory puts hostile values into the inventory and the
// facts directly, as a damaged project file could: the MX host and the
// public domain reach the nslookup script.
func TestHostileInventory(t *testing.T) {
	for _, h := range scripttest.Hostile() {
		for _, field := range []string{"isa-fqdn", "published-fqdn", "mx", "domain"} {
			in := change(t, reference, nil, func(s *steps.Server) {
				switch {
				case field == "isa-fqdn" && s.Name == "ISA01", field == "published-fqdn" && s.Name == "SMTPGW01":
					s.FQDN = steps.FQDN(h)
				}
			}, func(f *steps.Facts) {
				switch field {
				case "mx":
					f.MXHost = steps.FQDN(h)
				case "domain":
					f.PublicDomain = steps.FQDN(h)
				}
			})
			files, err := Step.Files(in)
			if err != nil {
				continue
			}
			if fq, err := steps.ParseFQDN(h); (err != nil || string(fq) != h) && !(field == "mx" && h == "") {
				t.Errorf("%s %q accepted", field, h)
			}
			for _, f := range files {
				steptest.CheckPlainFile(t, f)
			}
		}
	}
}

func TestDNSVerify(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, reference).Input())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Name != DNSVerifyFile {
			continue
		}
		body := string(f.Body)
		for _, want := range []string{
			`nslookup -type=MX "contoso.com." %NS%`,
			`findstr /i /r /c:"mail exchanger = mx\.contoso\.com\.* *$"`,
			`more +2 | findstr /r /c:" 203\.0\.113\.10 *$"`,
		} {
			if !strings.Contains(body, want) {
				t.Errorf("%s lacks %q", f.Name, want)
			}
		}
		if f.Kind != steps.FileVerify || f.Target != "ISA01" {
			t.Errorf("%s: kind %s for %s", f.Name, f.Kind, f.Target)
		}
		return
	}
	t.Error("no DNS check")
}

func TestRoutable(t *testing.T) {
	for s, want := range map[string]bool{"203.0.113.10": true, "198.51.100.1": true, "10.1.1.1": false, "172.20.0.1": false, "192.168.1.1": false, "100.64.0.1": false, "169.254.1.1": false, "127.0.0.1": false} {
		a, _ := steps.ParseIPv4(s)
		if s == "127.0.0.1" {
			continue
		}
		if got := Routable(a); got != want {
			t.Errorf("Routable(%s) = %v", s, got)
		}
	}
}

func TestSameAnswersSameBytes(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	a, _ := Step.Files(in)
	b, _ := Step.Files(in)
	for i := range a {
		if !bytes.Equal(a[i].Body, b[i].Body) {
			t.Errorf("%s differs between two runs", a[i].Name)
		}
	}
}

// TestOutsideTestCarriesAProbe: the outside-in test of the published SMTP
// service is a probe of the address senders reach, with an outside sender
// and recipient for the relay attempt.
func TestOutsideTestCarriesAProbe(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	var probe *steps.Probe
	for _, a := range Step.Plan(in) {
		if a.ID == "verify-outside" {
			probe = a.Probe
		}
	}
	if probe == nil {
		t.Fatal("verify-outside has no probe")
	}
	if probe.Kind != steps.ProbeSMTP || probe.Host != "203.0.113.10" || probe.Port != 25 || probe.OutsideFrom == "" || probe.OutsideTo == "" {
		t.Errorf("probe %+v", *probe)
	}
}
