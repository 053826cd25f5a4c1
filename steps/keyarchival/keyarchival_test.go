package keyarchival

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

// commandFiles puts the certutil commands the plan prints into one
// PowerShell file for the CA. The procedure writes no scripts (every step
// is manual), so this is what the tests parse and keep as a golden file
// for review.
func commandFiles(t *testing.T, in steps.Input) []steps.File {
	t.Helper()
	c := load(in)
	return []steps.File{{Target: string(c.ca.Name), Name: "recovery-test-commands.ps1", Kind: steps.FileGuide,
		Body: powershell.File(strings.Join(c.commandList(), "\r\n") + "\r\n")}}
}

func TestGolden(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		t.Run(dir, func(t *testing.T) {
			in := steptest.Load(t, dir).Input()
			if fs := Step.Check(in); len(fs) > 0 {
				t.Fatalf("scenario has findings: %+v", fs)
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
	want := []string{"kra-template@CA01", "enrol-kra-1@CA01", "enrol-kra-2@CA01", "enable-archival@CA01", "encryption-template@CA01", "recovery-test@CA01"}
	if !slices.Equal(ids, want) {
		t.Fatalf("actions %q, want %q", ids, want)
	}
	do := func(a steps.Action) string { return strings.Join(a.Do, "\n") }
	if got := do(as[3]); !strings.Contains(got, "Number of recovery agents to use enter 2") || !strings.Contains(got, "the 2 agent certificates") {
		t.Errorf("archival step:\n%s", got)
	}
	if as[3].Interrupts == "" || as[3].Minutes == 0 {
		t.Errorf("the CA restart is not stated: %+v", as[3])
	}
	if got := do(as[4]); !strings.Contains(got, "Archive subject's encryption private key") || !strings.Contains(got, "right-click Exchange User (template name ExchangeUser)") || !strings.Contains(got, "SMIMEEncryptionArchived") {
		t.Errorf("template step:\n%s", got)
	}
	got := do(as[5])
	for _, want := range []string{
		`certutil -getkey 'CORP\kra.test' 'C:\KeyRecoveryTest\recovery-test.blob'`,
		`certutil -recoverkey 'C:\KeyRecoveryTest\recovery-test.blob' 'C:\KeyRecoveryTest\recovery-test.pfx'`,
	} {
		if !strings.Contains(got, want) {
			t.Errorf("recovery test lacks %s:\n%s", want, got)
		}
	}
	if !strings.Contains(do(as[1]), "deletes the certificate and its private key from the computer") {
		t.Errorf("the agent's key is not taken offline:\n%s", do(as[1]))
	}

	// One agent: one enrolment, and the texts say one certificate.
	in = steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QKRACount: "1"}}, nil)
	as = Step.Plan(in)
	if len(as) != 5 || !strings.Contains(do(as[2]), "select the agent's certificate enrolled above") || strings.Contains(do(as[2]), "1 agent certificates") {
		t.Errorf("one agent: %d actions\n%s", len(as), do(as[2]))
	}
}

func TestCheck(t *testing.T) {
	noCA := func(s *steps.Server) { s.CA.Config = "" }
	for _, tt := range []struct {
		change map[string]string
		server func(*steps.Server)
		want   []string
	}{
		{map[string]string{}, nil, nil},
		{map[string]string{QCA: "EX01"}, nil, []string{CodeNoCA}},
		{map[string]string{}, noCA, []string{CodeNoCA}},
		{map[string]string{QKRACount: "1"}, nil, []string{CodeSingleKRA}},
		{map[string]string{QKRACount: "0"}, nil, []string{CodeBadValue}},
		{map[string]string{QKRACount: "two"}, nil, []string{CodeBadValue}},
		{map[string]string{QKeyStorage: StorageComputer}, nil, []string{CodeKeyOnline}},
		{map[string]string{QKeyStorage: "cloud"}, nil, []string{CodeBadValue}},
		{map[string]string{QSeparation: "no"}, nil, []string{CodeNoSeparation}},
		{map[string]string{QUserTemplate: "ExchangeUser"}, nil, []string{CodeSameTemplate}},
		{map[string]string{QUserTemplate: "S/MIME"}, nil, []string{CodeBadValue}},
		{map[string]string{QTestUser: "kra.test"}, nil, []string{CodeBadValue}},
		{map[string]string{QTestUser: `CORP\kra'test`}, nil, []string{CodeBadValue}},
		{map[string]string{QKRACount: "x", QTestUser: ""}, nil, []string{CodeBadValue, CodeBadValue}},
	} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: tt.change}, tt.server)
		var got []string
		fs := Step.Check(in)
		for _, f := range fs {
			got = append(got, f.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v: findings %q, want %q", tt.change, got, tt.want)
		}
		if len(fs) == 2 && fs[0].Fix[0] != QKRACount {
			t.Errorf("findings not in question order: %+v", fs)
		}
		blocked := slices.ContainsFunc(fs, func(f steps.Finding) bool { return f.Severity == steps.Error })
		if blocked != (len(Step.Plan(in)) == 0) {
			t.Errorf("%v: blocked %v but %d actions", tt.change, blocked, len(Step.Plan(in)))
		}
	}
}

func TestApplies(t *testing.T) {
	if ok, _ := applies(steps.Topology{}); ok {
		t.Error("applies without a CA")
	}
	if Step.Platform != steps.PlatformCurrent || !slices.Equal(Replaces, []string{"key-management-service"}) {
		t.Error("not the current platform's counterpart of the Key Management Service")
	}
	q, _ := Step.Question(QKRACount)
	if q.Default != "2" {
		t.Errorf("default number of agents %q, want 2", q.Default)
	}
}
