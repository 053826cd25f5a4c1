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
		{map[string]string{QShared: "yes"}, nil, []string{CodeSharedKey}},
		{map[string]string{QShared: "yes", QExportable: "yes"}, nil, nil},
		{map[string]string{QShared: "maybe"}, nil, []string{CodeBadValue}},
		{map[string]string{QShared: ""}, nil, []string{CodeBadValue}},
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

const shared = "testdata/contoso-shared"

// One shared certificate is requested, issued and completed on the first
// server, exported there with its key, imported from that export on the
// other, and the export is then kept for the proxy or deleted.
func TestSharedPlan(t *testing.T) {
	in := steptest.Load(t, shared).Input()
	if fs := Step.Check(in); len(fs) != 0 {
		t.Fatalf("findings %+v", fs)
	}
	as := Step.Plan(in)
	want := []string{"request-shared@EX01", "issue-shared@CA01", "install-ex01@EX01", "export-shared@EX01", "install-ex02@EX02", "pfx-hand-over@EX01"}
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID+"@"+a.Target)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Script != "" || a.Phase != steps.PhaseCertificates {
			t.Errorf("incomplete or scripted action %+v", a)
		}
	}
	if !slices.Equal(ids, want) {
		t.Fatalf("actions %q, want %q", ids, want)
	}
	do := func(a steps.Action) string { return strings.Join(a.Do, "\n") }
	// The one request carries every server's FQDN and an exportable key.
	if got := do(as[0]); !strings.Contains(got, "-DomainName @('mail.contoso.com','autodiscover.contoso.com','ex01.corp.contoso.com','ex02.corp.contoso.com') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'Exchange services (shared)'") {
		t.Errorf("request step:\n%s", got)
	}
	if got := do(as[1]); !strings.Contains(got, `'C:\CertRequests\shared-exchange.req' 'C:\CertRequests\shared-exchange.cer'`) {
		t.Errorf("issue step:\n%s", got)
	}
	export := do(as[3])
	for _, w := range []string{
		`icacls 'C:\CertRequests' /inheritance:r /grant:r 'BUILTIN\Administrators:(OI)(CI)F' 'NT AUTHORITY\SYSTEM:(OI)(CI)F'`,
		"$pfxPassword = Read-Host 'Password of the .pfx file' -AsSecureString",
		"$bincert = Export-ExchangeCertificate -Server 'EX01' -Thumbprint $thumbprint -BinaryEncoded -Password $pfxPassword",
		`[System.IO.File]::WriteAllBytes('C:\CertRequests\shared-exchange.pfx', $bincert.FileData)`,
		"another channel than the file",
	} {
		if !strings.Contains(export, w) {
			t.Errorf("export step lacks %s:\n%s", w, export)
		}
	}
	if !strings.Contains(as[3].Backout, `[System.IO.File]::Delete('C:\CertRequests\shared-exchange.pfx')`) || as[3].Interrupts != "" {
		t.Errorf("export step: %+v", as[3])
	}
	imp := do(as[4])
	for _, w := range []string{
		`$cert = Import-ExchangeCertificate -Server 'EX02' -FileData ([System.IO.File]::ReadAllBytes('\\ex01.corp.contoso.com\C$\CertRequests\shared-exchange.pfx')) -Password $pfxPassword -PrivateKeyExportable $false`,
		"Enable-ExchangeCertificate -Server 'EX02' -Thumbprint $cert.Thumbprint -Services 'IIS,SMTP'",
		"Get-ExchangeCertificate -Server 'EX02' | Where-Object { $_.Services -match 'IIS' }",
		"answer No",
		"iisreset /noforce",
	} {
		if !strings.Contains(imp, w) {
			t.Errorf("EX02's import lacks %s:\n%s", w, imp)
		}
	}
	if as[4].Interrupts == "" || as[4].Minutes == 0 || !strings.Contains(as[4].Backout, "Enable-ExchangeCertificate -Server 'EX02' -Thumbprint $old -Services 'IIS'") {
		t.Errorf("EX02's import: interruption or backout missing: %+v", as[4])
	}
	// No second request: EX02 has no key of its own.
	if strings.Contains(imp, "New-ExchangeCertificate") || strings.Contains(imp, "certreq") {
		t.Errorf("EX02 requests a certificate of its own:\n%s", imp)
	}
	// The inventory has a reverse proxy: the file is kept for it.
	if got := do(as[5]); !strings.Contains(got, "WAP01") || !strings.Contains(got, `[System.IO.File]::Delete('C:\CertRequests\shared-exchange.pfx')`) {
		t.Errorf("hand-over step:\n%s", got)
	}
	// Without a proxy, nothing needs the file after the last import.
	noProxy := steptest.WithChanges(t, shared, nil, func(s *steps.Server) {
		s.Roles = slices.DeleteFunc(slices.Clone(s.Roles), func(r steps.Role) bool { return r == steps.RoleProxy })
	})
	if as := Step.Plan(noProxy); !strings.Contains(do(as[len(as)-1]), "delete it now") {
		t.Errorf("without a proxy: %s", do(as[len(as)-1]))
	}
	// One server alone still exports, for the proxy.
	one := steptest.WithChanges(t, shared, map[string]steps.Answers{ID: {QServers: "EX02"}}, nil)
	ids = nil
	for _, a := range Step.Plan(one) {
		ids = append(ids, a.ID+"@"+a.Target)
	}
	if want := []string{"request-shared@EX02", "issue-shared@CA01", "install-ex02@EX02", "export-shared@EX02", "pfx-hand-over@EX02"}; !slices.Equal(ids, want) {
		t.Errorf("one server: actions %q, want %q", ids, want)
	}
}

// A shared certificate whose key cannot be exported cannot reach the
// other servers: the finding names both questions, and there is no plan.
func TestSharedNeedsExportableKey(t *testing.T) {
	in := steptest.WithChanges(t, shared, map[string]steps.Answers{ID: {QExportable: "no"}}, nil)
	fs := Step.Check(in)
	if len(fs) != 1 || fs[0].Code != CodeSharedKey || fs[0].Severity != steps.Error ||
		!slices.Equal(fs[0].Fix, []string{QExportable, QShared}) || !strings.Contains(fs[0].Message, "Allow the private key to be exported?") {
		t.Fatalf("findings %+v", fs)
	}
	if as := Step.Plan(in); len(as) != 0 {
		t.Errorf("a plan without an exportable key: %+v", as)
	}
}

// The proposed answers follow the inventory: one shared certificate, with
// an exportable key, where a reverse proxy is.
func TestSharedDefaults(t *testing.T) {
	top := steptest.Load(t, reference).Topology
	qs, _ := Step.Question(QShared)
	qe, _ := Step.Question(QExportable)
	if got := qs.DefaultFor(top, nil); got != "yes" {
		t.Errorf("with a proxy: shared %q", got)
	}
	if got := qe.DefaultFor(top, steps.Answers{QShared: "yes"}); got != "yes" {
		t.Errorf("shared: exportable %q", got)
	}
	if got := qe.DefaultFor(top, steps.Answers{QShared: "no"}); got != "no" {
		t.Errorf("not shared: exportable %q", got)
	}
	top.Servers = slices.DeleteFunc(slices.Clone(top.Servers), func(s steps.Server) bool { return s.Has(steps.RoleProxy) })
	if got := qs.DefaultFor(top, nil); got != "no" {
		t.Errorf("without a proxy: shared %q", got)
	}
}

// Planned tells the publishing procedure what the plan gives the servers.
func TestPlanned(t *testing.T) {
	p := Planned(steptest.Load(t, shared).Input())
	if !p.One() || !slices.Equal(p.Servers, []string{"EX01", "EX02"}) || p.PFXServer != "ex01.corp.contoso.com" || p.PFXPath != PFX {
		t.Errorf("shared: %+v", p)
	}
	if p := Planned(steptest.Load(t, reference).Input()); p.One() || p.PFXPath != "" {
		t.Errorf("a certificate each: %+v", p)
	}
	if p := Planned(steptest.WithChanges(t, shared, map[string]steps.Answers{ID: {QExportable: "no"}}, nil)); p.One() || p.PFXPath != "" {
		t.Errorf("shared, key not exportable: %+v", p)
	}
}

// TestUpgradeKeepsThePlanOfOlderProjects: answers saved before the shared
// certificate was offered keep one certificate per server.
func TestUpgradeKeepsThePlanOfOlderProjects(t *testing.T) {
	old := steps.Answers{QServers: "EX01\nEX02", QExportable: "no"}
	got := Step.Upgrade(old)
	if got[QShared] != "no" || got[QServers] != old[QServers] {
		t.Errorf("upgraded %v", got)
	}
	if _, ok := old[QShared]; ok {
		t.Error("the saved answers were changed in place")
	}
	if got := Step.Upgrade(steps.Answers{QServers: "EX01", QShared: "yes"}); got[QShared] != "yes" {
		t.Errorf("a chosen answer was replaced: %v", got)
	}
	if got := Step.Upgrade(steps.Answers{}); len(got) != 0 {
		t.Errorf("unanswered procedure upgraded to %v", got)
	}
}
