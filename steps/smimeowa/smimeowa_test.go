package smimeowa

import (
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/currenttest"
	"github.com/secex/wizard/steps/steptest"
)

const reference = "testdata/contoso-current"

func TestGolden(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		t.Run(dir, func(t *testing.T) {
			in := steptest.Load(t, dir).Input()
			if fs := Step.Check(in); slices.ContainsFunc(fs, func(f steps.Finding) bool { return f.Severity == steps.Error }) {
				t.Fatalf("scenario has errors: %+v", fs)
			}
			files, err := Step.Files(in)
			if err != nil {
				t.Fatal(err)
			}
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
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Target != "EX01" {
			t.Errorf("incomplete action %+v", a)
		}
	}
	if want := []string{"trust-chain", "smime-config"}; !slices.Equal(ids, want) {
		t.Errorf("actions %q, want %q", ids, want)
	}
	// The chain is uploaded by hand: Set-SmimeConfig takes the file's
	// bytes, which psapply's typed values do not carry.
	if as[0].Script != "" || !strings.Contains(strings.Join(as[0].Do, "\n"), "Set-SmimeConfig -SMIMECertificateIssuingCA ([System.IO.File]::ReadAllBytes('C:\\Temp\\smime-issuing-ca.sst'))") {
		t.Errorf("the chain upload is not the manual command: %q", as[0].Do)
	}
	if !strings.Contains(as[0].Do[0], `ca01.corp.contoso.com\Contoso Issuing CA`) {
		t.Errorf("the chain step does not name the inventory's CA: %q", as[0].Do[0])
	}
	files, err := Step.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	var targets []string
	body := map[string]string{}
	for _, f := range files {
		targets = append(targets, f.Target)
		body[f.Name] = string(f.Body)
	}
	// One organisation-wide setting, made once, from the chosen server.
	if slices.ContainsFunc(targets, func(s string) bool { return s != "EX01" }) || len(files) != 3 {
		t.Errorf("files for %q, want the three of EX01", targets)
	}
	apply := body["smime-owa-apply.ps1"]
	for _, want := range []string{
		"Set-SmimeConfig -OWAEncryptionAlgorithms '6610' -Confirm:$false",
		"Set-SmimeConfig -OWASigningAlgorithms '800C' -Confirm:$false",
		"Set-SmimeConfig -OWAAlwaysSign $true -Confirm:$false",
		"Set-SmimeConfig -OWAAlwaysEncrypt $false -Confirm:$false",
		"Set-SmimeConfig -OWAAllowUserChoiceOfSigningCertificate $false -Confirm:$false",
		"Set-SmimeConfig -OWADisableCRLCheck $false -Confirm:$false",
		"Set-SmimeConfig -OWACheckCRLOnSend $true -Confirm:$false",
	} {
		if !strings.Contains(apply, want) {
			t.Errorf("apply lacks %s", want)
		}
	}
}

func TestCRLChoices(t *testing.T) {
	for _, tt := range []struct {
		crl          string
		disable      string
		checkOnSend  bool
		checkOnValue string
	}{
		{CRLEnforce, "$false", true, "$true"},
		{CRLCheck, "$false", true, "$false"},
		{CRLOff, "$true", false, ""},
	} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QCRL: tt.crl}}, nil)
		files, err := Step.Files(in)
		if err != nil {
			t.Fatal(err)
		}
		apply := string(files[0].Body)
		if !strings.Contains(apply, "Set-SmimeConfig -OWADisableCRLCheck "+tt.disable+" ") {
			t.Errorf("%s: OWADisableCRLCheck is not %s", tt.crl, tt.disable)
		}
		if got := strings.Contains(apply, "-OWACheckCRLOnSend"); got != tt.checkOnSend {
			t.Errorf("%s: OWACheckCRLOnSend set: %v, want %v", tt.crl, got, tt.checkOnSend)
		}
		if tt.checkOnSend && !strings.Contains(apply, "Set-SmimeConfig -OWACheckCRLOnSend "+tt.checkOnValue+" ") {
			t.Errorf("%s: OWACheckCRLOnSend is not %s", tt.crl, tt.checkOnValue)
		}
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		change map[string]string
		server func(*steps.Server)
		want   []string
	}{
		{map[string]string{}, nil, nil},
		{map[string]string{QServer: "EX09"}, nil, []string{CodeServerMissing}},
		{map[string]string{QServer: "EDGE01"}, nil, []string{CodeServerMissing}},
		{map[string]string{QEncAlg: "rc2"}, nil, []string{CodeBadAlgorithm}},
		{map[string]string{QSignAlg: "md5"}, nil, []string{CodeBadAlgorithm}},
		{map[string]string{QCRL: "sometimes"}, nil, []string{CodeBadCRL}},
		{map[string]string{QEncAlg: "3des"}, nil, []string{CodeWeakEncryption}},
		{map[string]string{QSignAlg: "sha1"}, nil, []string{CodeWeakSigning}},
		{map[string]string{QCRL: CRLOff}, nil, []string{CodeCRLOff}},
		{map[string]string{QAlwaysEnc: "yes"}, nil, []string{CodeAlwaysEncExtern}},
		{map[string]string{QAlwaysEnc: "yes", QAlwaysSign: "no"}, nil, []string{CodeEncryptNoSign, CodeAlwaysEncExtern}},
		{map[string]string{QTrustChain: "no"}, nil, []string{CodeChainNotUpload}},
		{map[string]string{}, func(s *steps.Server) {
			if s.Has(steps.RoleCA) {
				s.Roles = []steps.Role{steps.RoleDC}
			}
		}, []string{CodeNoCA}},
	} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: tt.change}, tt.server)
		var got []string
		for _, f := range Step.Check(in) {
			got = append(got, f.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v: findings %q, want %q", tt.change, got, tt.want)
		}
	}
}

func TestEveryChoiceMapsToAnIdentifier(t *testing.T) {
	for _, q := range []string{QEncAlg, QSignAlg} {
		question, ok := Step.Question(q)
		if !ok {
			t.Fatalf("no question %s", q)
		}
		for _, c := range question.Choices {
			in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {q: c.Value}}, nil)
			cfg := load(in)
			if cfg.enc.id == "" || cfg.sign.id == "" {
				t.Errorf("%s %s has no algorithm identifier", q, c.Value)
			}
		}
	}
}

func TestAppliesOnlyWithMailboxServers(t *testing.T) {
	if ok, _ := applies(steps.Topology{}); ok {
		t.Error("applies without Mailbox servers")
	}
	if Step.Platform != steps.PlatformCurrent || !slices.Equal(Replaces, []string{"smime"}) {
		t.Error("not the current platform's counterpart of smime")
	}
}

// A hostile answer is refused, or gives exactly the files of what its
// question parses it to.
func TestHostileAnswers(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileAnswersAsParsed(t, Step, steptest.Load(t, dir).Input(), currenttest.PlainPowerShell)
	}
}
