package isapublish

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/powershell"
	"github.com/secex/wizard/steps/script/powershell/pscheck"
	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/steptest"
)

const reference = "testdata/reference"

const bom = "\xef\xbb\xbf"

// checkPS1 checks a generated .ps1 file: UTF-8 with a byte order mark,
// CRLF line endings, and a clean parse in the PowerShell grammar.
func checkPS1(t *testing.T, f steps.File) {
	t.Helper()
	if !bytes.HasPrefix(f.Body, []byte(bom)) {
		t.Errorf("%s does not start with a byte order mark", f.Name)
	}
	if n := bytes.Count(f.Body, []byte("\n")) - bytes.Count(f.Body, []byte("\r\n")); n != 0 {
		t.Errorf("%s has %d line feeds without a carriage return", f.Name, n)
	}
	pscheck.CheckSource(t, f.Name, f.Body)
}

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
			if len(files) != 1 || files[0].Name != VerifyFile || files[0].Target != "ISA01" || files[0].Kind != steps.FileVerify {
				t.Fatalf("files: %+v", files)
			}
			checkPS1(t, files[0])
			steptest.Golden(t, dir, files)
		})
	}
}

func TestTemplatePrintsOnlyThroughEncoders(t *testing.T) {
	if err := script.CheckTemplate(verifyTemplate, powershell.Encoders()); err != nil {
		t.Error(err)
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name        string
		change      map[string]steps.Answers
		server      func(*steps.Server)
		want        []string
		wantServers []string
	}{
		{name: "reference topology is clean"},
		{name: "publishing a back-end",
			change: map[string]steps.Answers{ID: {QTarget: "exbe01.corp.example.com"}},
			want:   []string{CodeTargetNotFE}, wantServers: []string{"EXBE01", "ISA01"}},
		{name: "publishing a name nobody has",
			change: map[string]steps.Answers{ID: {QTarget: "owa-int.corp.example.com"}},
			want:   []string{CodeTargetNotFE}, wantServers: []string{"ISA01"}},
		{name: "the published front-end lost its role",
			server: func(s *steps.Server) {
				if s.Name == "OWAFE01" {
					s.Roles = []steps.Role{steps.RoleBackEnd}
				}
			},
			want: []string{CodeTargetNotFE}, wantServers: []string{"OWAFE01", "ISA01"}},
		{name: "no original host header",
			change: map[string]steps.Answers{ID: {QHostHeader: "no"}},
			want:   []string{CodeHostHeaderOff}},
		{name: "the OWA topology is not answered to the end",
			change: map[string]steps.Answers{owatopology.ID: {owatopology.QDNSChange: ""}},
			want:   []string{CodeEarlierUnusable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fs := Step.Check(steptest.WithChanges(t, reference, tt.change, tt.server))
			var got, servers []string
			for _, f := range fs {
				got = append(got, f.Code)
				servers = append(servers, f.Servers...)
				for _, id := range f.Fix {
					if _, ok := Step.Question(id); !ok {
						t.Errorf("finding %s fixes unknown question %q", f.Code, id)
					}
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings = %q, want %q\n%+v", got, tt.want, fs)
			}
			if tt.wantServers != nil && !slices.Equal(servers, tt.wantServers) {
				t.Errorf("servers = %q, want %q", servers, tt.wantServers)
			}
		})
	}
}

func TestRuleNameDefault(t *testing.T) {
	sc := steptest.Load(t, reference)
	q, _ := Step.Question(QRuleName)
	if got := q.DefaultFor(sc.Topology, steps.Answers{QTarget: "owafe02.corp.example.com"}); got != "OWA - owafe02.corp.example.com" {
		t.Errorf("rule name default = %q", got)
	}
	if got := q.DefaultFor(sc.Topology, steps.Answers{}); got != "OWA - owafe01.corp.example.com" {
		t.Errorf("rule name default before a target = %q", got)
	}
}

func TestPlan(t *testing.T) {
	as := Step.Plan(steptest.Load(t, reference).Input())
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Phase != steps.PhaseISA {
			t.Errorf("action %s incomplete: %+v", a.ID, a)
		}
	}
	want := []string{"publishing-rule", "bridging", "outside-in-before-dns", "dns-cutover", "outside-in"}
	if !slices.Equal(ids, want) {
		t.Errorf("actions = %q, want %q", ids, want)
	}
	rule := strings.Join(as[0].Do, " ")
	for _, want := range []string{"OWA - owafe01.corp.example.com", "All destinations", "Any request", "Redirect the request to this internal Web server", "owafe01.corp.example.com", "Send the original host header"} {
		if !strings.Contains(rule, want) {
			t.Errorf("publishing rule step lacks %q", want)
		}
	}
	bridging := strings.Join(as[1].Do, " ")
	for _, want := range []string{"Bridging", "Require secure channel (SSL) for published site", "Require 128-bit encryption", "SSL requests"} {
		if !strings.Contains(bridging, want) {
			t.Errorf("bridging step lacks %q", want)
		}
	}
	if as[3].Target != owatopology.TargetNetwork || !strings.Contains(as[3].Title, "192.0.2.10") {
		t.Errorf("DNS cutover: %+v", as[3])
	}
	scoped := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QDestinations: DestinationsOWAName}}, nil)
	if do := strings.Join(Step.Plan(scoped)[0].Do, " "); !strings.Contains(do, "Destination Sets") || !strings.Contains(do, "Specified destination set") {
		t.Errorf("destination set not created: %s", do)
	}
}

func TestVerifyFileValues(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, reference).Input())
	if err != nil {
		t.Fatal(err)
	}
	body := string(files[0].Body)
	for _, want := range []string{"$OwaHost = 'mail.example.com'\r\n", "$OwaPath = '/exchange'\r\n", "$Address = '192.0.2.10'\r\n", "param([switch]$BeforeDnsChange)\r\n"} {
		if !strings.Contains(body, want) {
			t.Errorf("verify file lacks %q", want)
		}
	}
	nat, err := Step.Files(steptest.Load(t, "testdata/inside-firewall-nat").Input())
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(nat[0].Body), "$Address = '203.0.113.40'\r\n") {
		t.Error("with address translation the test does not connect to the public address")
	}
}

func TestHostileProject(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	in.Project = "Plain project"
	base, err := Step.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range scripttest.Hostile() {
		if strings.TrimSpace(h) == "" {
			continue
		}
		hin := in
		hin.Project = h
		got, err := Step.Files(hin)
		if err != nil {
			t.Errorf("project %q: %v", h, err)
			continue
		}
		bl := strings.Split(string(base[0].Body), "\r\n")
		gl := strings.Split(string(got[0].Body), "\r\n")
		if len(bl) != len(gl) {
			t.Errorf("project %q: %d lines, want %d: the name broke out of its comment", h, len(gl), len(bl))
			continue
		}
		for j := range bl {
			if bl[j] != gl[j] && !strings.Contains(bl[j], "Project: Plain project") {
				t.Errorf("project %q: line %d changed: %q", h, j+1, gl[j])
			}
		}
	}
}

func TestHostileAnswers(t *testing.T) {
	steptest.CheckHostileAnswersAsParsed(t, Step, steptest.Load(t, reference).Input(), func(tb testing.TB, f steps.File) {
		if !bytes.HasPrefix(f.Body, []byte(bom)) {
			tb.Errorf("%s lost its byte order mark", f.Name)
		}
	})
}

// TestHostileFacts puts hostile public names and paths into the facts
// directly, bypassing the organisation page: they reach the PowerShell
// test, so each must be refused.
func TestHostileFacts(t *testing.T) {
	for _, h := range scripttest.Hostile() {
		for _, field := range []string{"host", "path", "fe-fqdn"} {
			in := steptest.WithChanges(t, reference, nil, func(s *steps.Server) {
				if field == "fe-fqdn" && s.Name == "OWAFE01" {
					s.FQDN = steps.FQDN(h)
				}
			})
			switch field {
			case "host":
				in.Topology.Facts.OWAHost = steps.FQDN(h)
			case "path":
				in.Topology.Facts.OWAPath = h
			}
			if _, err := Step.Files(in); err == nil && h != "mail.example.com" {
				t.Errorf("%s = %q accepted", field, h)
			}
		}
	}
}
