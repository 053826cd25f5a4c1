package owatopology

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/batch"
	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/script/text"
	"github.com/secex/wizard/steps/steptest"
)

const reference = "testdata/reference"

func TestGolden(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		t.Run(dir, func(t *testing.T) {
			in := steptest.Load(t, dir).Input()
			if fs := Step.Check(in); len(fs) > 0 {
				t.Fatalf("scenario has findings: %+v", fs)
			}
			files, err := Step.Files(in)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range files {
				steptest.CheckPlainFile(t, f)
				if f.Target != TargetNetwork {
					t.Errorf("%s is for %s, want %s", f.Name, f.Target, TargetNetwork)
				}
			}
			steptest.Golden(t, dir, files)
		})
	}
}

func TestTemplatesPrintOnlyThroughEncoders(t *testing.T) {
	if err := script.CheckTemplate(hopsTemplate, text.Encoders()); err != nil {
		t.Error(err)
	}
	if err := script.CheckTemplate(dnsVerifyTemplate, batch.Encoders()); err != nil {
		t.Error(err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name        string
		answers     steps.Answers
		server      func(*steps.Server)
		facts       func(*steps.Facts)
		want        []string
		wantServers []string
	}{
		{name: "reference topology is clean"},
		{name: "published address belongs to a front-end",
			answers: steps.Answers{QPublishedIP: "10.0.2.11"},
			want:    []string{CodePublishedIPNotOnISA}, wantServers: []string{"OWAFE01", "ISA01"}},
		{name: "published address unknown",
			answers: steps.Answers{QPublishedIP: "192.0.2.99"},
			want:    []string{CodePublishedIPNotOnISA}, wantServers: []string{"ISA01"}},
		{name: "layout answer disagrees with the ISA Server's page",
			answers: steps.Answers{QLayout: "no"},
			want:    []string{CodeISAPlacementDiffers}, wantServers: []string{"ISA01"}},
		{name: "ISA Server's page says inside the inner firewall",
			server: func(s *steps.Server) {
				if s.Name == "ISA01" {
					s.ISA.InsideFirewall = true
				}
			},
			want: []string{CodeISAPlacementDiffers}, wantServers: []string{"ISA01"}},
		{name: "DNS kept pointing at a front-end",
			answers: steps.Answers{QDNSChange: DNSKeep, QDNSCurrent: "10.0.2.12"},
			want:    []string{CodeDNSNotPublishedIP}, wantServers: []string{"OWAFE02", "ISA01"}},
		{name: "DNS kept with no record",
			answers: steps.Answers{QDNSChange: DNSKeep, QDNSCurrent: ""},
			want:    []string{CodeDNSNotPublishedIP}, wantServers: []string{"ISA01"}},
		{name: "DNS kept on the translated public address is fine",
			answers: steps.Answers{QDNSChange: DNSKeep, QDNSCurrent: "203.0.113.9", QPublicIP: "203.0.113.9"}},
		{name: "DNS kept on ISA's own address although a public address is translated",
			answers: steps.Answers{QDNSChange: DNSKeep, QDNSCurrent: "192.0.2.10", QPublicIP: "203.0.113.9"},
			want:    []string{CodeDNSNotPublishedIP}, wantServers: []string{"ISA01"}},
		{name: "front-ends stay in the perimeter network",
			answers: steps.Answers{QPlacement: PlacementPerimeter},
			want:    []string{CodeFrontEndsInPerimeter}, wantServers: []string{"OWAFE01", "OWAFE02"}},
		{name: "OWA path the scripts cannot carry",
			facts: func(f *steps.Facts) { f.OWAPath = "/exchange&calc" },
			want:  []string{CodeFactsInvalid}},
		{name: "front-end with a damaged FQDN",
			server: func(s *steps.Server) {
				if s.Name == "OWAFE02" {
					s.FQDN = `owafe02"&calc&".corp.example.com`
				}
			},
			want: []string{CodeServerInvalid}, wantServers: []string{"OWAFE02"}},
		{name: "answer no longer parses",
			answers: steps.Answers{QPublishedIP: "192.0.2.010"},
			want:    []string{CodeAnswerInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: tt.answers}, tt.server)
			if tt.facts != nil {
				tt.facts(&in.Topology.Facts)
			}
			fs := Step.Check(in)
			var got, servers []string
			for _, f := range fs {
				got = append(got, f.Code)
				servers = append(servers, f.Servers...)
				if f.Message == "" {
					t.Errorf("finding %s has no message", f.Code)
				}
				for _, id := range f.Fix {
					if _, ok := Step.Question(id); !ok {
						t.Errorf("finding %s fixes unknown question %q", f.Code, id)
					}
				}
				if len(f.Fix) == 0 && len(f.Servers) == 0 && f.Code != CodeFactsInvalid {
					t.Errorf("finding %s names neither a question nor a server to change", f.Code)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings = %q, want %q\n%+v", got, tt.want, fs)
			}
			if tt.wantServers != nil && !slices.Equal(servers, tt.wantServers) {
				t.Errorf("servers = %q, want %q", servers, tt.wantServers)
			}
			if len(tt.want) > 0 && slices.Contains(tt.want, CodeAnswerInvalid) == false {
				blocking := slices.ContainsFunc(fs, func(f steps.Finding) bool { return f.Severity == steps.Error })
				if _, err := Step.Files(in); blocking && err == nil {
					t.Error("files were produced although a finding is an error")
				}
			}
		})
	}
}

func TestQuestionDefaults(t *testing.T) {
	sc := steptest.Load(t, reference)
	for id, want := range map[string]string{QLayout: "yes", QPublishedIP: "192.0.2.10", QPlacement: PlacementInternal, QDNSChange: DNSChange} {
		q, _ := Step.Question(id)
		if got := q.DefaultFor(sc.Topology, steps.Answers{}); got != want {
			t.Errorf("default of %s = %q, want %q", id, got, want)
		}
	}
	inside := sc.Topology
	inside.Servers = slices.Clone(inside.Servers)
	for i := range inside.Servers {
		inside.Servers[i].ISA.InsideFirewall = true
	}
	q, _ := Step.Question(QLayout)
	if got := q.DefaultFor(inside, steps.Answers{}); got != "no" {
		t.Errorf("layout default for an ISA Server inside the inner firewall = %q, want no", got)
	}
}

func TestApplies(t *testing.T) {
	sc := steptest.Load(t, reference)
	if ok, why := Step.Applies(sc.Topology); !ok {
		t.Errorf("reference: does not apply: %s", why)
	}
	for _, drop := range []steps.Role{steps.RoleISA, steps.RoleFrontEnd} {
		var topo steps.Topology
		for _, s := range sc.Topology.Servers {
			if !s.Has(drop) {
				topo.Servers = append(topo.Servers, s)
			}
		}
		if ok, why := Step.Applies(topo); ok || !strings.Contains(why, drop.Label()) {
			t.Errorf("without %s: applies %v, %q", drop, ok, why)
		}
	}
}

func TestPlan(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	as := Step.Plan(in)
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Target == "" {
			t.Errorf("action %s incomplete: %+v", a.ID, a)
		}
	}
	if want := []string{"hop-table", "dns-ttl", "firewall"}; !slices.Equal(ids, want) {
		t.Errorf("actions = %q, want %q", ids, want)
	}
	hops := strings.Join(as[0].Do, "\n")
	for _, want := range []string{"HTTPS on TCP 443", "HTTP on TCP 80", "IPSec ESP with 3DES", "SSL again"} {
		if !strings.Contains(hops, want) {
			t.Errorf("hop table lacks %q:\n%s", want, hops)
		}
	}

	moved := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QPlacement: PlacementMove, QDNSChange: DNSKeep, QDNSCurrent: "192.0.2.10"}}, nil)
	ids = nil
	for _, a := range Step.Plan(moved) {
		ids = append(ids, a.ID)
		if strings.HasPrefix(a.ID, "move-") && (a.Interrupts == "" || a.Minutes == 0) {
			t.Errorf("%s interrupts nothing", a.ID)
		}
	}
	if want := []string{"hop-table", "move-OWAFE01", "move-OWAFE02", "firewall"}; !slices.Equal(ids, want) {
		t.Errorf("actions with moving front-ends and DNS already right = %q, want %q", ids, want)
	}
}

func TestDNSCutover(t *testing.T) {
	c, err := Load(steptest.Load(t, reference).Input())
	if err != nil {
		t.Fatal(err)
	}
	a := DNSCutover(c)
	if !strings.Contains(a.Title, "192.0.2.10") || !strings.Contains(a.Backout, "198.51.100.25") || a.Interrupts == "" {
		t.Errorf("cutover: %+v", a)
	}
	c.DNSCurrent = c.PublishedIP
	if a := DNSCutover(c); !strings.HasPrefix(a.Title, "Confirm") || a.Interrupts != "" {
		t.Errorf("cutover with DNS already right: %+v", a)
	}
}

func TestFindstrAddress(t *testing.T) {
	atEnd, inList, alone := FindstrAddress(netip.MustParseAddr("192.0.2.1"))
	if atEnd != `[ :,]192\.0\.2\.1$` || inList != `[ :,]192\.0\.2\.1,` || alone != `^192\.0\.2\.1$` {
		t.Errorf("patterns %q %q %q", atEnd, inList, alone)
	}
}

func TestHostileProject(t *testing.T) {
	steptest.CheckHostileProject(t, Step.Files, steptest.Load(t, reference).Input())
}

func TestHostileAnswers(t *testing.T) {
	steptest.CheckHostileAnswersAsParsed(t, Step, steptest.Load(t, reference).Input(), steptest.CheckPlainFile)
}

// TestHostileInventory puts hostile values into the inventory and the
// facts directly, as a damaged project file could, bypassing the forms:
// each must be refused, never written into a file.
func TestHostileInventory(t *testing.T) {
	for _, h := range scripttest.Hostile() {
		for _, field := range []string{"owa-host", "owa-path", "isa-fqdn", "fe-fqdn", "fe-name"} {
			in := steptest.WithChanges(t, reference, nil, func(s *steps.Server) {
				switch {
				case field == "isa-fqdn" && s.Name == "ISA01":
					s.FQDN = steps.FQDN(h)
				case field == "fe-fqdn" && s.Name == "OWAFE01":
					s.FQDN = steps.FQDN(h)
				case field == "fe-name" && s.Name == "OWAFE02":
					s.Name = steps.NetBIOSName(h)
				}
			})
			switch field {
			case "owa-host":
				in.Topology.Facts.OWAHost = steps.FQDN(h)
			case "owa-path":
				in.Topology.Facts.OWAPath = h
			}
			files, err := Step.Files(in)
			if err != nil {
				continue
			}
			for _, f := range files {
				steptest.CheckPlainFile(t, f)
			}
			ok := false
			switch field {
			case "owa-host", "isa-fqdn", "fe-fqdn":
				f, err := steps.ParseFQDN(h)
				ok = err == nil && string(f) == h
			case "owa-path":
				_, err := ParseOWAPath(h)
				ok = err == nil
			case "fe-name":
				n, err := steps.ParseNetBIOSName(h)
				ok = err == nil && string(n) == h
			}
			if !ok {
				t.Errorf("%s = %q was accepted", field, h)
			}
		}
	}
}

func TestParseOWAPath(t *testing.T) {
	for _, good := range []string{"/exchange", "/owa", "/mail/exchange", "/ex_2000.old"} {
		if _, err := ParseOWAPath(good); err != nil {
			t.Errorf("%q refused: %v", good, err)
		}
	}
	for _, bad := range []string{"", "/", "exchange", "/exchange/", "/a b", "/a&b", "/%x%", "//x", "/x'y", "/é"} {
		if _, err := ParseOWAPath(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}
