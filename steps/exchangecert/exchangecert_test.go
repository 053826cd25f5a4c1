package exchangecert

import (
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/currenttest"
	"github.com/secex/wizard/steps/script/powershell"
	"github.com/secex/wizard/steps/steptest"
)

const reference = "testdata/contoso-current"

// commandFiles puts the Exchange Management Shell commands the plan prints
// for each server into one PowerShell file per server. The procedure has
// no generated scripts (every step is manual), so these are what the
// tests parse, check against Microsoft's reference for the server's
// version, and keep as golden files for review.
func commandFiles(t *testing.T, in steps.Input) []steps.File {
	t.Helper()
	ins, err := load(in).installs()
	if err != nil {
		t.Fatal(err)
	}
	var out []steps.File
	for _, i := range ins {
		out = append(out, steps.File{Target: string(i.server.Name), Name: "certificate-commands.ps1", Kind: steps.FileGuide,
			Body: powershell.File(strings.Join(i.cm.Exchange(), "\r\n") + "\r\n")})
	}
	return out
}

func TestGolden(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		t.Run(dir, func(t *testing.T) {
			in := steptest.Load(t, dir).Input()
			if fs := Step.Check(in); slices.ContainsFunc(fs, func(f steps.Finding) bool { return f.Severity == steps.Error }) {
				t.Fatalf("scenario has errors: %+v", fs)
			}
			if fs, err := Step.Files(in); err != nil || len(fs) > 0 {
				t.Errorf("the procedure writes files (%d, %v); check them here", len(fs), err)
			}
			files := commandFiles(t, in)
			currenttest.CheckScripts(t, in.Topology, files)
			steptest.Golden(t, dir, files)
		})
	}
}

func TestPlan(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	as := Step.Plan(in)
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID+"@"+a.Target)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Script != "" || a.Phase != steps.PhaseCertificates {
			t.Errorf("incomplete or scripted action %+v", a)
		}
	}
	want := []string{"request-ex01@EX01", "issue-ex01@CA01", "install-ex01@EX01", "request-ex02@EX02", "issue-ex02@CA01", "install-ex02@EX02"}
	if !slices.Equal(ids, want) {
		t.Fatalf("actions %q, want %q", ids, want)
	}
	do := func(a steps.Action) string { return strings.Join(a.Do, "\n") }
	if got := do(as[0]); !strings.Contains(got, "$request = New-ExchangeCertificate -Server 'EX01' -GenerateRequest -SubjectName 'C=US,O=Contoso Ltd,CN=mail.contoso.com' -DomainName @('mail.contoso.com','autodiscover.contoso.com','ex01.corp.contoso.com') -KeySize 2048 -PrivateKeyExportable $false -FriendlyName 'Exchange services EX01'") ||
		!strings.Contains(got, `[System.IO.File]::WriteAllText('C:\CertRequests\EX01-exchange.req', $request)`) || strings.Contains(got, "-RequestFile") {
		t.Errorf("request step:\n%s", got)
	}
	if got := do(as[1]); !strings.Contains(got, `certreq -submit -config 'ca01.corp.contoso.com\Contoso Issuing CA' -attrib 'CertificateTemplate:WebServer' 'C:\CertRequests\EX01-exchange.req' 'C:\CertRequests\EX01-exchange.cer'`) {
		t.Errorf("issue step:\n%s", got)
	}
	got := do(as[2])
	for _, want := range []string{
		`$cert = Import-ExchangeCertificate -Server 'EX01' -FileData ([System.IO.File]::ReadAllBytes('C:\CertRequests\EX01-exchange.cer'))`,
		"Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $cert.Thumbprint -Services 'IIS,SMTP'",
		"answer No",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("install step lacks %s:\n%s", want, got)
		}
	}
	if as[2].Interrupts == "" || as[2].Minutes == 0 || !strings.Contains(as[2].Backout, "-Services 'IIS'") {
		t.Errorf("install step: interruption or backout missing: %+v", as[2])
	}
	// Each server's certificate carries its own FQDN, not the others'.
	if strings.Contains(do(as[3]), "ex01.corp.contoso.com") || !strings.Contains(do(as[3]), "ex02.corp.contoso.com") {
		t.Errorf("EX02's request: %s", do(as[3]))
	}
}

// A typed value is quoted in the printed command, however it is written.
func TestValuesAreQuoted(t *testing.T) {
	in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QOrganisation: "O'Brien & Sons"}}, nil)
	if fs := Step.Check(in); len(fs) != 0 {
		t.Fatalf("findings %+v", fs)
	}
	as := Step.Plan(in)
	if !strings.Contains(as[0].Do[1], "-SubjectName 'C=US,O=O''Brien & Sons,CN=mail.contoso.com'") {
		t.Errorf("not quoted: %s", as[0].Do[1])
	}
	currenttest.CheckScripts(t, in.Topology, commandFiles(t, in))
}

func TestCheck(t *testing.T) {
	noCA := func(s *steps.Server) { s.CA.Config = "" }
	for _, tt := range []struct {
		change map[string]string
		server func(*steps.Server)
		want   []string
	}{
		{map[string]string{}, nil, nil},
		{map[string]string{QServers: "EX09"}, nil, []string{CodeServerMissing, CodeNoServers}},
		{map[string]string{QNames: "autodiscover.contoso.com"}, nil, []string{CodeOWAHostAbsent}},
		{map[string]string{QNames: "mail.contoso.com\nhttps://owa.contoso.com"}, nil, []string{CodeBadValue}},
		{map[string]string{QNames: "*.contoso.com"}, nil, []string{CodeBadValue, CodeNoNames}},
		{map[string]string{QNames: ""}, nil, []string{CodeNoNames}},
		{map[string]string{QCountry: "USA"}, nil, []string{CodeBadValue}},
		{map[string]string{QCountry: ""}, nil, []string{CodeNoCountry}},
		{map[string]string{QOrganisation: "Contoso, Ltd"}, nil, []string{CodeBadValue}},
		{map[string]string{QTemplate: "all"}, nil, []string{CodeBadValue}},
		{map[string]string{QKeySize: "1024"}, nil, []string{CodeBadValue}},
		{map[string]string{QExportable: "yes"}, nil, []string{CodeExportable}},
		{map[string]string{}, noCA, []string{CodeNoCA}},
	} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: tt.change}, tt.server)
		var got []string
		for _, f := range Step.Check(in) {
			got = append(got, f.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v: findings %q, want %q", tt.change, got, tt.want)
		}
		if slices.Contains(tt.want, CodeBadValue) && len(Step.Plan(in)) != 0 {
			t.Errorf("%v: a refused value still gives a plan", tt.change)
		}
	}
}

func TestNameParserNamesItsField(t *testing.T) {
	q, _ := Step.Question(QNames)
	if _, err := q.Parse([]string{"mail.contoso.com\nmail_01.contoso.com"}, steps.Topology{}); err == nil || !strings.Contains(err.Error(), "names on the certificate") {
		t.Errorf("error %v", err)
	}
	if got := q.DefaultFor(steptest.Load(t, reference).Topology, nil); got != "mail.contoso.com\nautodiscover.contoso.com" {
		t.Errorf("default names %q", got)
	}
}

func TestApplies(t *testing.T) {
	if ok, _ := applies(steps.Topology{}); ok {
		t.Error("applies without Mailbox servers")
	}
	if Step.Platform != steps.PlatformCurrent || !slices.Equal(Replaces, []string{"owa-front-end-certificate", "isa-ssl-listener"}) {
		t.Error("not the current platform's counterpart of the guide's certificates")
	}
}
