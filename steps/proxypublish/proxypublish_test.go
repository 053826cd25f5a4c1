package proxypublish

import (
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/currenttest"
	"github.com/secex/wizard/steps/exchangecert"
	"github.com/secex/wizard/steps/extendedprotection"
	"github.com/secex/wizard/steps/script/powershell"
	"github.com/secex/wizard/steps/steptest"
)

const reference = "testdata/contoso-current"

// commandFiles puts the Web Application Proxy commands the plan prints
// into one PowerShell file for the proxy. The procedure writes no scripts
// (every step is manual), so these are what the tests parse, check
// against Microsoft's reference for the proxy's Windows Server version,
// and keep as golden files for review.
func commandFiles(t *testing.T, in steps.Input) []steps.File {
	t.Helper()
	c := load(in)
	if c.product != ProductWAP {
		return nil
	}
	var lines []string
	for _, p := range c.Paths(in.Topology) {
		cm := c.commands(p)
		lines = append(lines, cm.Add, cm.Show, cm.Remove)
	}
	return []steps.File{{Target: string(c.proxy.Name), Name: "publishing-commands.ps1", Kind: steps.FileGuide,
		Body: powershell.File(strings.Join(lines, "\r\n") + "\r\n")}}
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
			// Another vendor's proxy has no commands: its plan describes
			// the rules instead, and there is nothing to parse.
			files := commandFiles(t, in)
			if len(files) > 0 {
				currenttest.CheckScripts(t, in.Topology, files)
			} else if !slices.ContainsFunc(Step.Plan(in), func(a steps.Action) bool { return a.ID == "publish-paths" }) {
				t.Error("no commands and no rules to enter by hand")
			}
			steptest.Golden(t, dir, files)
		})
	}
}

func ids(as []steps.Action) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.ID+"@"+a.Target)
	}
	return out
}

func TestPlan(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	as := Step.Plan(in)
	for _, a := range as {
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Script != "" || a.Phase != steps.PhasePublishing {
			t.Errorf("incomplete or scripted action %+v", a)
		}
	}
	want := []string{"certificate@WAP01", "publish-owa@WAP01", "publish-autodiscover@WAP01", "publish-ews@WAP01", "publish-mapi@WAP01",
		"publish-microsoft-server-activesync@WAP01", "outside-in@WAP01", "dns-cutover@WAP01"}
	if got := ids(as); !slices.Equal(got, want) {
		t.Fatalf("actions %q, want %q", got, want)
	}
	if got := strings.Join(as[1].Do, "\n"); !strings.Contains(got, "Add-WebApplicationProxyApplication -Name 'Exchange Outlook on the web' -ExternalUrl 'https://mail.contoso.com/owa/' -BackendServerUrl 'https://mail.contoso.com/owa/' -ExternalCertificateThumbprint '0123456789ABCDEF0123456789ABCDEF01234567' -ExternalPreauthentication 'PassThrough' -BackendServerCertificateValidation 'ValidateCertificate' -EnableHTTPRedirect") {
		t.Errorf("OWA publication:\n%s", got)
	}
	if !strings.Contains(strings.Join(as[2].Do, "\n"), "'https://autodiscover.contoso.com/autodiscover/'") {
		t.Errorf("Autodiscover publication: %q", as[2].Do)
	}
	if as[1].Backout != "Run: Remove-WebApplicationProxyApplication -Name 'Exchange Outlook on the web'. The path is no longer reachable through the proxy; nothing changes on the Mailbox servers." {
		t.Errorf("backout %q", as[1].Backout)
	}
	probe := as[6].Probe
	if probe == nil || *probe != (steps.Probe{Kind: steps.ProbeTLS, Host: "203.0.113.20", Port: 443, Name: "mail.contoso.com", Path: "/owa", HTTPPort: 80, FormsSignIn: true}) {
		t.Errorf("probe %+v", probe)
	}
	dns := as[7]
	if dns.Interrupts == "" || dns.Minutes == 0 || !strings.Contains(strings.Join(dns.Do, " "), "to 203.0.113.20") {
		t.Errorf("DNS cutover without its outage or address: %+v", dns)
	}
	for _, a := range as {
		if strings.Contains(strings.Join(a.Do, " "), "/ecp/'") {
			t.Errorf("%s publishes the admin center by default", a.ID)
		}
	}
}

func TestPlanChoices(t *testing.T) {
	in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QECP: "yes", QPreauth: PreauthADFS, QRelyingPart: "OWA RP", QHTTP: HTTPClosed}}, nil)
	as := Step.Plan(in)
	if !slices.Contains(ids(as), "publish-ecp@WAP01") {
		t.Fatalf("admin center not published: %q", ids(as))
	}
	for _, a := range as {
		do := strings.Join(a.Do, "\n")
		switch a.ID {
		case "publish-owa", "publish-ecp":
			if !strings.Contains(do, "-ExternalPreauthentication 'ADFS' -ADFSRelyingPartyName 'OWA RP'") {
				t.Errorf("%s without AD FS: %s", a.ID, do)
			}
		case "publish-mapi", "publish-ews", "publish-autodiscover", "publish-microsoft-server-activesync":
			if !strings.Contains(do, "'PassThrough'") || strings.Contains(do, "ADFS") {
				t.Errorf("%s: rich clients must stay pass-through: %s", a.ID, do)
			}
		}
		if strings.Contains(do, "-EnableHTTPRedirect") {
			t.Errorf("%s redirects HTTP although port 80 is closed", a.ID)
		}
	}
	currenttest.CheckScripts(t, in.Topology, commandFiles(t, in))

	in = steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QProduct: ProductOther, QTLS: TLSPassthrough, QThumbprint: ""}}, nil)
	as = Step.Plan(in)
	if got := ids(as); !slices.Equal(got, []string{"publish-paths@WAP01", "outside-in@WAP01", "dns-cutover@WAP01"}) {
		t.Fatalf("another product: %q", got)
	}
	if do := strings.Join(as[0].Do, " "); !strings.Contains(do, "one TCP rule on port 443 for each public name") || strings.Contains(do, "https://mail.contoso.com/mapi/ to") {
		t.Errorf("a pass-through proxy's rules: %s", do)
	}
	in = steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QProduct: ProductOther, QThumbprint: "", QPreauth: PreauthADFS, QRelyingPart: "OWA RP"}}, nil)
	as = Step.Plan(in)
	if do := strings.Join(as[1].Do, " "); !strings.Contains(do, "https://mail.contoso.com/mapi/ to https://mail.contoso.com/mapi/") ||
		!strings.Contains(do, "AD FS pre-authentication with the relying party OWA RP on the Outlook on the web rule, none on the others") {
		t.Errorf("a re-encrypting proxy's rules: %s", do)
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		change map[string]string
		facts  func(*steps.Facts)
		want   []string
	}{
		{map[string]string{}, nil, nil},
		{map[string]string{QProxy: "EX01"}, nil, []string{CodeNoProxy}},
		{map[string]string{QMailbox: "EX09"}, nil, []string{CodeServerMissing, CodeNoMailbox}},
		{map[string]string{QBackendHost: "https://mail.contoso.com"}, nil, []string{CodeBadValue}},
		{map[string]string{QPublicAddr: "127.0.0.1"}, nil, []string{CodeBadValue}},
		{map[string]string{QPublicAddr: ""}, nil, []string{CodeBadValue}},
		{map[string]string{QThumbprint: "abc"}, nil, []string{CodeBadValue, CodeNoThumbprint}[:1]},
		{map[string]string{QThumbprint: ""}, nil, []string{CodeNoThumbprint}},
		{map[string]string{QThumbprint: "", QProduct: ProductOther}, nil, nil},
		{map[string]string{QTLS: TLSTerminate}, nil, []string{CodeTLSTerminated}},
		{map[string]string{QTLS: TLSTerminate, QProduct: ProductOther}, nil, []string{CodeTLSTerminated}},
		{map[string]string{QSameCert: "no"}, nil, []string{CodeOtherCert}},
		{map[string]string{QSameCert: "no", QTLS: TLSPassthrough, QProduct: ProductOther}, nil, []string{CodeHostsOnly}},
		{map[string]string{QTLS: TLSPassthrough, QProduct: ProductOther, QPreauth: PreauthADFS, QRelyingPart: "OWA"}, nil, []string{CodeHostsOnly, CodeADFSNeedsTLS, CodeADFS}},
		{map[string]string{QTLS: TLSPassthrough}, nil, []string{CodeWAPPassthrough, CodeHostsOnly}},
		{map[string]string{QHTTP: HTTPForward}, nil, []string{CodeHTTPForwarded}},
		{map[string]string{QECP: "yes"}, nil, []string{CodeECPPublished}},
		{map[string]string{QPreauth: PreauthADFS, QRelyingPart: "OWA"}, nil, []string{CodeADFS}},
		{map[string]string{QPreauth: PreauthADFS, QRelyingPart: "*"}, nil, []string{CodeBadValue, CodeADFS}},
		{map[string]string{QTLS: "offload"}, nil, []string{CodeBadValue}},
		{map[string]string{}, func(f *steps.Facts) { f.OWAHost = "" }, []string{CodeNoOWAHost}},
		{map[string]string{}, func(f *steps.Facts) { f.PublicDomain = "" }, []string{CodeNoPublicDomain}},
	} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: tt.change}, nil)
		if tt.facts != nil {
			tt.facts(&in.Topology.Facts)
		}
		var got []string
		for _, f := range Step.Check(in) {
			got = append(got, f.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v: findings %q, want %q", tt.change, got, tt.want)
		}
		blocked := slices.ContainsFunc(Step.Check(in), func(f steps.Finding) bool { return f.Severity == steps.Error })
		if blocked && len(Step.Plan(in)) != 0 {
			t.Errorf("%v: an error still gives a plan", tt.change)
		}
		if !blocked && len(Step.Plan(in)) == 0 {
			t.Errorf("%v: no plan without an error", tt.change)
		}
	}
}

func TestApplies(t *testing.T) {
	top := steptest.Load(t, reference).Topology
	if ok, _ := applies(top); !ok {
		t.Error("does not apply to the reference organisation")
	}
	top.Servers = slices.DeleteFunc(slices.Clone(top.Servers), func(s steps.Server) bool { return s.Has(steps.RoleProxy) })
	if ok, why := applies(top); ok || !strings.Contains(why, steps.RoleProxy.Label()) {
		t.Errorf("applies without a reverse proxy (%q)", why)
	}
	if Step.Platform != steps.PlatformCurrent || !slices.Equal(Replaces, []string{"isa-owa-publishing", "isa-ssl-listener", "owa-topology"}) {
		t.Error("not the current platform's counterpart of the guide's OWA publishing")
	}
}

// The procedure warns when the other procedures describing the same proxy
// and certificates disagree with it, and accepts one shared certificate
// with an exportable key on every Mailbox server behind the proxy.
func TestCrossChecks(t *testing.T) {
	shared := steps.Answers{exchangecert.QServers: "EX01\nEX02", exchangecert.QShared: "yes", exchangecert.QExportable: "yes"}
	for _, tt := range []struct {
		name    string
		mailbox string // the Mailbox servers behind the proxy, when not the scenario's
		others  map[string]steps.Answers
		want    []string
		says    string // in the finding's message
	}{
		{"alone", "", nil, nil, ""},
		{"agreeing", "", map[string]steps.Answers{
			extendedprotection.ID: {extendedprotection.QProxy: extendedprotection.ProxyReencrypt},
			exchangecert.ID:       shared,
		}, nil, ""},
		{"one server behind the proxy, its key exportable", "EX01", map[string]steps.Answers{
			exchangecert.ID: {exchangecert.QServers: "EX01", exchangecert.QShared: "no", exchangecert.QExportable: "yes"},
		}, nil, ""},
		{"other TLS answer", "", map[string]steps.Answers{
			extendedprotection.ID: {extendedprotection.QProxy: extendedprotection.ProxyPassthrough},
		}, []string{CodeEPDisagrees}, ""},
		{"a certificate per server", "", map[string]steps.Answers{
			exchangecert.ID: {exchangecert.QServers: "EX01\nEX02", exchangecert.QShared: "no", exchangecert.QExportable: "yes"},
		}, []string{CodeCertNotShared}, "each a certificate of its own"},
		{"a key that cannot be exported", "", map[string]steps.Answers{
			exchangecert.ID: {exchangecert.QServers: "EX01\nEX02", exchangecert.QShared: "yes", exchangecert.QExportable: "no"},
		}, []string{CodeCertNotShared}, "cannot be exported"},
		{"one server's key that cannot be exported", "EX01", map[string]steps.Answers{
			exchangecert.ID: {exchangecert.QServers: "EX01", exchangecert.QShared: "no", exchangecert.QExportable: "no"},
		}, []string{CodeCertNotShared}, "cannot be exported"},
		{"shared, but not with every server behind the proxy", "", map[string]steps.Answers{
			exchangecert.ID: {exchangecert.QServers: "EX01", exchangecert.QShared: "yes", exchangecert.QExportable: "yes"},
		}, []string{CodeCertNotShared}, "none to EX02"},
		{"shared, no server selected", "", map[string]steps.Answers{
			exchangecert.ID: {exchangecert.QServers: "", exchangecert.QShared: "yes", exchangecert.QExportable: "yes"},
		}, []string{CodeCertNotShared}, "no Mailbox server"},
	} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QMailbox: tt.mailbox}}, nil)
		if tt.mailbox == "" {
			in = steptest.Load(t, reference).Input()
		}
		for id, a := range tt.others {
			in.Answers[id] = a
		}
		var got []string
		for _, f := range Step.Check(in) {
			got = append(got, f.Code)
			if f.Code == CodeCertNotShared && !strings.Contains(f.Message, tt.says) {
				t.Errorf("%s: %s", tt.name, f.Message)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s: findings %q, want %q", tt.name, got, tt.want)
		}
	}
	// Passing TLS through needs no shared certificate.
	in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QTLS: TLSPassthrough, QProduct: ProductOther, QThumbprint: ""}}, nil)
	in.Answers[exchangecert.ID] = steps.Answers{exchangecert.QServers: "EX01\nEX02", exchangecert.QShared: "no", exchangecert.QExportable: "no"}
	if fs := Step.Check(in); len(fs) != 1 || fs[0].Code != CodeHostsOnly {
		t.Errorf("pass-through: %+v", fs)
	}
}

// With the shared certificate planned, the proxy takes the .pfx the
// Exchange certificate procedure exported, and deletes every copy.
func TestCertificateFromSharedExport(t *testing.T) {
	certificate := func(in steps.Input) string {
		for _, a := range Step.Plan(in) {
			if a.ID == "certificate" {
				return strings.Join(a.Do, "\n")
			}
		}
		t.Fatal("no certificate step")
		return ""
	}
	in := steptest.Load(t, reference).Input()
	in.Answers[exchangecert.ID] = steps.Answers{exchangecert.QServers: "EX01\nEX02", exchangecert.QShared: "yes", exchangecert.QExportable: "yes"}
	got := certificate(in)
	for _, w := range []string{exchangecert.PFX + " on ex01.corp.contoso.com", "[System.IO.File]::Delete('" + exchangecert.PFX + "')", "another channel than the file"} {
		if !strings.Contains(got, w) {
			t.Errorf("lacks %s:\n%s", w, got)
		}
	}
	if strings.Contains(got, "Exchange admin center") {
		t.Errorf("exports again:\n%s", got)
	}
	// Without it, the step says how to export the Mailbox servers' own.
	if got := certificate(steptest.Load(t, reference).Input()); !strings.Contains(got, "Export Exchange certificate") {
		t.Errorf("without the shared export:\n%s", got)
	}
}
