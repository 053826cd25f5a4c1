package isalistener

import (
	"net/netip"
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/batch"
	"github.com/secex/wizard/steps/script/scripttest"
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
				if f.Target != "ISA01" || f.Kind != steps.FileVerify {
					t.Errorf("%s: target %s, kind %s", f.Name, f.Target, f.Kind)
				}
			}
			steptest.Golden(t, dir, files)
		})
	}
}

func TestTemplatePrintsOnlyThroughEncoders(t *testing.T) {
	if err := script.CheckTemplate(verifyTemplate, batch.Encoders()); err != nil {
		t.Error(err)
	}
}

func TestCheck(t *testing.T) {
	isa := func(f func(*steps.Server)) func(*steps.Server) {
		return func(s *steps.Server) {
			if s.Name == "ISA01" {
				f(s)
			}
		}
	}
	tests := []struct {
		name        string
		change      steps.Answers
		topology    steps.Answers
		server      func(*steps.Server)
		want        []string
		wantServers []string
	}{
		{name: "reference topology is clean"},
		{name: "certificate issued to another name",
			change: steps.Answers{QCertCN: "owa.example.com"},
			want:   []string{CodeListenerCNMismatch}, wantServers: []string{"ISA01"}},
		{name: "certificate from the internal CA",
			change: steps.Answers{QCertIssuer: IssuerInternal},
			want:   []string{CodeListenerCertNotPublic}, wantServers: []string{"ISA01"}},
		{name: "listener on an address ISA Server does not have",
			change: steps.Answers{QListenerIP: "192.0.2.11"},
			want:   []string{CodeListenerIPNotOnISA, CodeListenerIPNotPublished}, wantServers: []string{"ISA01", "ISA01"}},
		{name: "listener on another external address than the published one",
			change: steps.Answers{QListenerIP: "192.0.2.11"},
			server: isa(func(s *steps.Server) {
				s.ISA.ExternalAddrs = append(s.ISA.ExternalAddrs, netip.MustParseAddr("192.0.2.11"))
			}),
			want: []string{CodeListenerIPNotPublished}, wantServers: []string{"ISA01"}},
		{name: "SSL ended at ISA Server and forwarded in clear",
			change: steps.Answers{QSSLMode: ModeTerminate},
			want:   []string{CodeClearHopISAFrontEnd}, wantServers: []string{"ISA01", "OWAFE01", "OWAFE02"}},
		{name: "SSL passed through",
			change: steps.Answers{QSSLMode: ModeTunnel, QLegal: ""},
			want:   []string{CodeTunnelNotPlanned}, wantServers: []string{"ISA01", "OWAFE01", "OWAFE02"}},
		{name: "bridging without a service pack",
			server: isa(func(s *steps.Server) { s.ISA.ServicePack = 0 }),
			want:   []string{CodeBridgingNeedsSP1}, wantServers: []string{"ISA01"}},
		{name: "legal review not done",
			change: steps.Answers{QLegal: "no"},
			want:   []string{CodeLegalReviewPending}, wantServers: []string{"ISA01"}},
		{name: "ISA Server with a damaged FQDN",
			server: isa(func(s *steps.Server) { s.FQDN = "isa01 & calc" }),
			want:   []string{CodeServerInvalid}, wantServers: []string{"ISA01"}},
		{name: "the ISA Server lost its role",
			server: isa(func(s *steps.Server) { s.Roles = []steps.Role{steps.RoleDC} }),
			want:   []string{CodeAnswerInvalid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: tt.change, owatopology.ID: tt.topology}, tt.server)
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

func TestErrorsStopFiles(t *testing.T) {
	for _, mode := range []string{ModeTerminate, ModeTunnel} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QSSLMode: mode}}, nil)
		if _, err := Step.Files(in); err == nil {
			t.Errorf("files produced with SSL mode %s", mode)
		}
	}
}

func TestPlan(t *testing.T) {
	as := Step.Plan(steptest.Load(t, reference).Input())
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Target != "ISA01" {
			t.Errorf("action %s incomplete: %+v", a.ID, a)
		}
	}
	want := []string{"isa-backup", "isa-service-pack", "obtain-certificate", "import-certificate", "incoming-listener", "outgoing-lockdown"}
	if !slices.Equal(ids, want) {
		t.Errorf("actions = %q, want %q", ids, want)
	}
	listener := as[4]
	if listener.Phase != steps.PhaseISA || listener.Interrupts == "" || listener.Minutes == 0 || listener.Script != VerifyFile {
		t.Errorf("listener step: %+v", listener)
	}
	do := strings.Join(listener.Do, " ")
	for _, want := range []string{"Incoming Web Requests", "Configure listeners individually per IP address", "192.0.2.10", "mail.example.com", "Enable SSL listeners"} {
		if !strings.Contains(do, want) {
			t.Errorf("listener step lacks %q", want)
		}
	}
	if imp := strings.Join(as[3].Do, " "); !strings.Contains(imp, "Mark the private key as exportable") {
		t.Errorf("import step does not keep the key exportable: %s", imp)
	}
	kept := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QOutgoing: "no"}}, nil)
	if got := Step.Plan(kept); len(got) != len(want)-1 {
		t.Errorf("without the outgoing lock-down: %d actions, want %d", len(got), len(want)-1)
	}
}

func TestVerifyFile(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, reference).Input())
	if err != nil {
		t.Fatal(err)
	}
	body := string(files[0].Body)
	for _, want := range []string{
		`netstat -an | findstr /r /c:"TCP  *192\.0\.2\.10:443 .*LISTENING"` + "\r\n",
		`netstat -an | findstr /r /c:"TCP  *[0-9.]*:8080 .*LISTENING"` + "\r\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("verify file lacks %q", want)
		}
	}
}

func TestHostileProject(t *testing.T) {
	steptest.CheckHostileProject(t, Step.Files, steptest.Load(t, reference).Input())
}

func TestHostileAnswers(t *testing.T) {
	steptest.CheckHostileAnswersAsParsed(t, Step, steptest.Load(t, reference).Input(), steptest.CheckPlainFile)
}

// TestHostileInventory puts hostile values into the ISA Server's record
// directly, as a damaged project file could: they must be refused.
func TestHostileInventory(t *testing.T) {
	for _, h := range scripttest.Hostile() {
		for _, field := range []string{"fqdn", "name"} {
			in := steptest.WithChanges(t, reference, nil, func(s *steps.Server) {
				if s.Name != "ISA01" {
					return
				}
				if field == "fqdn" {
					s.FQDN = steps.FQDN(h)
				} else {
					s.Name = steps.NetBIOSName(h)
				}
			})
			files, err := Step.Files(in)
			if err != nil {
				continue
			}
			if field == "name" {
				t.Errorf("renamed ISA Server %q accepted although the answers name ISA01", h)
			} else if f, err := steps.ParseFQDN(h); err != nil || string(f) != h {
				t.Errorf("FQDN %q accepted", h)
			}
			for _, f := range files {
				steptest.CheckPlainFile(t, f)
			}
		}
	}
}
