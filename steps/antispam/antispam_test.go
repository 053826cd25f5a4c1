package antispam

import (
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/currenttest"
	"github.com/secex/wizard/steps/steptest"
)

const (
	reference = "testdata/contoso-current" // with an Edge Transport server
	mailboxes = "testdata/contoso-mailbox" // Mailbox servers only
)

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

func bodies(t *testing.T, in steps.Input) map[string]string {
	t.Helper()
	files, err := Step.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]string{}
	for _, f := range files {
		body[f.Target+"/"+f.Name] = string(f.Body)
	}
	return body
}

func complete(t *testing.T, as []steps.Action) []string {
	t.Helper()
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Phase != steps.PhaseSMTP {
			t.Errorf("incomplete action %+v", a)
		}
	}
	return ids
}

func TestPlanWithEdge(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	as := Step.Plan(in)
	// The Edge server's agents are installed already: no install step,
	// and nothing on the Mailbox servers.
	if ids, want := complete(t, as), []string{"antispam-settings-edge01"}; !slices.Equal(ids, want) {
		t.Fatalf("actions %q, want %q", ids, want)
	}
	if as[0].Script != "antispam-apply.ps1" || !strings.Contains(as[0].Do[0], "the Mailbox servers' agents are left uninstalled") {
		t.Errorf("the plan does not say the settings go on the Edge: %q", as[0].Do[0])
	}
	body := bodies(t, in)
	if len(body) != 3 {
		t.Errorf("files %d, want EDGE01's three", len(body))
	}
	apply := body["EDGE01/antispam-apply.ps1"]
	for _, want := range []string{
		"Set-ContentFilterConfig -Enabled $true -Confirm:$false",
		"Set-ContentFilterConfig -SCLRejectThreshold 7 -Confirm:$false",
		"Set-ContentFilterConfig -SCLRejectEnabled $true -Confirm:$false",
		"Set-ContentFilterConfig -SCLDeleteThreshold 9 -Confirm:$false",
		"Set-ContentFilterConfig -SCLDeleteEnabled $true -Confirm:$false",
		"Set-SenderFilterConfig -Action 'Reject' -Confirm:$false",
		"Set-SenderFilterConfig -BlockedSenders @('offers@bulk.example.net','winner@lottery.example.org') -Confirm:$false",
		"Set-SenderFilterConfig -BlockedDomains @('spam.example.net') -Confirm:$false",
		"Set-RecipientFilterConfig -RecipientValidationEnabled $true -Confirm:$false",
		"-notmatch 'Edge'",
	} {
		if !strings.Contains(apply, want) {
			t.Errorf("EDGE01 apply lacks %s", want)
		}
	}
	// The Edge keeps its own transport settings; the internal SMTP
	// servers are the Mailbox organisation's.
	if strings.Contains(apply, "InternalSMTPServers") {
		t.Error("EDGE01 sets InternalSMTPServers")
	}
}

func TestPlanWithMailboxServers(t *testing.T) {
	in := steptest.Load(t, mailboxes).Input()
	as := Step.Plan(in)
	if ids, want := complete(t, as), []string{"install-agents-ex01", "install-agents-ex02", "antispam-settings-ex01"}; !slices.Equal(ids, want) {
		t.Fatalf("actions %q, want %q", ids, want)
	}
	for _, a := range as[:2] {
		if a.Script != "" || a.Interrupts != "Inbound mail" || a.Minutes == 0 ||
			!strings.Contains(strings.Join(a.Do, "\n"), `& $env:ExchangeInstallPath\Scripts\Install-AntiSpamAgents.ps1`) ||
			!strings.Contains(strings.Join(a.Do, "\n"), "Restart-Service -Name MSExchangeTransport") {
			t.Errorf("%s: not the manual install with its interruption: %+v", a.ID, a)
		}
	}
	body := bodies(t, in)
	if len(body) != 3 || body["EX01/antispam-apply.ps1"] == "" {
		t.Fatalf("files %d, want EX01's three (the settings are the organisation's)", len(body))
	}
	apply := body["EX01/antispam-apply.ps1"]
	for _, want := range []string{
		"Set-TransportConfig -InternalSMTPServers @('10.10.1.21','10.10.1.22','10.10.2.5') -Confirm:$false",
		"Set-ContentFilterConfig -SCLDeleteEnabled $false -Confirm:$false",
		"Set-SenderFilterConfig -BlockedDomains @('spam.example.net','bulk.example.org') -Confirm:$false",
	} {
		if !strings.Contains(apply, want) {
			t.Errorf("EX01 apply lacks %s", want)
		}
	}
	// No deletion level, and no blocked senders typed: neither is touched.
	if strings.Contains(apply, "SCLDeleteThreshold") || strings.Contains(apply, "BlockedSenders") {
		t.Error("EX01 sets a value the administrator did not give")
	}
}

func TestCheck(t *testing.T) {
	noEdge := func(s *steps.Server) {
		if s.Has(steps.RoleEdge) {
			s.Roles = []steps.Role{steps.RoleProxy}
		}
	}
	for _, tt := range []struct {
		dir    string
		change map[string]string
		server func(*steps.Server)
		want   []string
	}{
		{reference, map[string]string{}, nil, []string{CodeValidationSTIG}},
		{mailboxes, map[string]string{}, nil, nil},
		{reference, map[string]string{}, noEdge, []string{CodeNoEdge}},
		{reference, map[string]string{QWhere: WhereMailbox, QServers: "EX01", QInternal: "10.10.1.21"}, nil, []string{CodeEdgeBypassed}},
		{reference, map[string]string{QWhere: "isa"}, nil, []string{CodeWhereUnknown}},
		{mailboxes, map[string]string{QServers: "EX09"}, nil, []string{CodeServerMissing, CodeNoServers}},
		{mailboxes, map[string]string{QInternal: ""}, nil, []string{CodeNoInternal, CodeInternalMissing, CodeInternalMissing}},
		{mailboxes, map[string]string{QInternal: "10.10.1.21"}, nil, []string{CodeInternalMissing}},
		{mailboxes, map[string]string{QInternal: "10.10.1.21\n10.10.1.022"}, nil, []string{CodeBadValue, CodeInternalMissing}},
		{reference, map[string]string{QContent: "no", QSender: "no", QRecipient: "no"}, nil, []string{CodeNothingToDo}},
		{reference, map[string]string{QReject: "7", QDelete: "7"}, nil, []string{CodeThresholdOrder, CodeValidationSTIG}},
		{reference, map[string]string{QReject: "0", QDelete: "0"}, nil, []string{CodeNoAction, CodeValidationSTIG}},
		{reference, map[string]string{QReject: "12"}, nil, []string{CodeBadValue, CodeValidationSTIG}},
		{reference, map[string]string{QBlockedDomains: "contoso.com"}, nil, []string{CodeOwnDomainBlocked, CodeValidationSTIG}},
		{reference, map[string]string{QBlockedDomains: "*.spam.example.net"}, nil, []string{CodeBadValue, CodeValidationSTIG}},
		{reference, map[string]string{QBlockedSenders: "offers"}, nil, []string{CodeBadValue, CodeValidationSTIG}},
		{reference, map[string]string{QRecipientVerify: "no"}, nil, []string{CodeNoValidation}},
	} {
		in := steptest.WithChanges(t, tt.dir, map[string]steps.Answers{ID: tt.change}, tt.server)
		var got []string
		for _, f := range Step.Check(in) {
			got = append(got, f.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%s %v: findings %q, want %q", tt.dir, tt.change, got, tt.want)
		}
	}
}

// A refused value names its field, on the form and in the finding, and
// never reaches a file.
func TestRefusedValuesNameTheirField(t *testing.T) {
	for _, tt := range []struct {
		question, value, field string
	}{
		{QBlockedSenders, "offers@bulk@example.net", "blocked senders"},
		{QBlockedDomains, "spam.example.net/x", "blocked sender domains"},
		{QInternal, "10.10.1.300", "internal SMTP servers"},
	} {
		q, ok := Step.Question(tt.question)
		if !ok {
			t.Fatalf("no question %s", tt.question)
		}
		if _, err := q.Parse([]string{tt.value}, steps.Topology{}); err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s %q: error %v does not name %q", tt.question, tt.value, err, tt.field)
		}
		dir := reference
		if tt.question == QInternal {
			dir = mailboxes
		}
		in := steptest.WithChanges(t, dir, map[string]steps.Answers{ID: {tt.question: tt.value}}, nil)
		if fs, err := Step.Files(in); err == nil || !strings.Contains(err.Error(), tt.field) {
			t.Errorf("%s %q: files %d made, error %v", tt.question, tt.value, len(fs), err)
		}
	}
}

func TestApplies(t *testing.T) {
	if ok, _ := applies(steps.Topology{}); ok {
		t.Error("applies without Exchange servers")
	}
	if Step.Platform != steps.PlatformCurrent || !slices.Equal(Replaces, []string{"smtp-message-screener"}) {
		t.Error("not the current platform's counterpart of smtp-message-screener")
	}
}

// A hostile answer is refused, or gives exactly the files of what its
// question parses it to.
func TestHostileAnswers(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		steptest.CheckHostileAnswersAsParsed(t, Step, steptest.Load(t, dir).Input(), currenttest.PlainPowerShell)
	}
}
