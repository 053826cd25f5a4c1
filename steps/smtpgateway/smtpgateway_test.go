package smtpgateway

import (
	"bytes"
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/screener"
	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
	"github.com/secex/wizard/steps/steptest"
)

const reference = "testdata/contoso-reference"

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

func change(t *testing.T, answers map[string]steps.Answers, server func(*steps.Server)) steps.Input {
	t.Helper()
	sc := steptest.Load(t, reference)
	all := map[string]steps.Answers{}
	for id, a := range sc.Answers {
		all[id] = steps.Answers{}
		for k, v := range a {
			all[id][k] = v
		}
	}
	for id, a := range answers {
		for k, v := range a {
			all[id][k] = v
		}
	}
	topo := sc.Topology
	topo.Servers = slices.Clone(topo.Servers)
	if server != nil {
		for i := range topo.Servers {
			server(&topo.Servers[i])
		}
	}
	return steptest.NewInput(sc.Project, topo, all)
}

func mine(a steps.Answers) map[string]steps.Answers { return map[string]steps.Answers{ID: a} }

func gateway(f func(*steps.Server)) func(*steps.Server) {
	return func(s *steps.Server) {
		if s.Name == "SMTPGW01" {
			f(s)
		}
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name    string
		answers map[string]steps.Answers
		server  func(*steps.Server)
		want    []string
	}{
		{name: "clean"},
		{name: "joined to the domain", server: gateway(func(s *steps.Server) { s.Gateway.DomainMember = true }), want: []string{CodeDomainMember}},
		{name: "runs Exchange", server: gateway(func(s *steps.Server) { s.Roles = append(s.Roles, steps.RoleBackEnd) }), want: []string{CodeRunsExchange}},
		{name: "no anti-virus", answers: mine(steps.Answers{QAntiVirus: "no"}), want: []string{CodeNoAntiVirus, CodeAntiVirusDiffers}},
		{name: "anti-virus differs from the server page", server: gateway(func(s *steps.Server) { s.Gateway.AntiVirus = false }), want: []string{CodeAntiVirusDiffers}},
		{name: "ISA publishes something else", answers: map[string]steps.Answers{smtppublish.ID: {smtppublish.QPublishedTo: smtppublish.ToScreener, smtppublish.QPublishedScreener: "SCREEN01"}},
			want: []string{CodeNotPublished}},
		{name: "passes mail to a host without the Message Screener", answers: map[string]steps.Answers{screener.ID: {screener.QUse: "no"}}, want: []string{CodeScreenerNotUsed}},
		{name: "open relay", answers: mine(steps.Answers{QRelay: "0.0.0.0/0"}), want: []string{smtprelay.CodeRelayOpen}},
		{name: "public range", answers: mine(steps.Answers{QRelay: "10.1.1.21\n203.0.113.0/24"}), want: []string{smtprelay.CodeRelayPublicRange, smtprelay.CodeRelayIncludesISA, smtprelay.CodeRelayOutside}},
		{name: "outside the organisation", answers: mine(steps.Answers{QRelay: "10.1.1.21\n172.16.0.0/12"}), want: []string{smtprelay.CodeRelayOutside}},
		{name: "relaying for ISA Server", answers: mine(steps.Answers{QRelay: "10.1.1.21\n10.1.0.1"}), want: []string{smtprelay.CodeRelayIncludesISA}},
		{name: "relay list misses the sending Exchange server", answers: mine(steps.Answers{QRelay: "10.1.5.5"}), want: []string{CodeRelayMissesOutbound}},
		{name: "public domain not received", answers: mine(steps.Answers{QMailDomain(1): "other.example"}), want: []string{CodePublicDomainMissing}},
		{name: "published, but connections listed", answers: mine(steps.Answers{QConnectFrom: smtprelay.ConnectListed, QConnectList: "10.1.1.21"}), want: []string{CodeConnectBlocksInternet}},
		{name: "connection list misses the sending Exchange server", answers: map[string]steps.Answers{
			ID:             {QConnectFrom: smtprelay.ConnectListed, QConnectList: "10.9.0.1"},
			smtppublish.ID: {smtppublish.QPublishedTo: smtppublish.ToScreener, smtppublish.QPublishedScreener: "SCREEN01"},
		}, want: []string{CodeNotPublished, CodeConnectMissesOutbound}},
		{name: "gateway not a gateway any more", server: gateway(func(s *steps.Server) { s.Roles = []steps.Role{steps.RoleScreener} }), want: []string{steps.CodeAnswerInvalid}},
		{name: "no gateway: nothing else is checked", answers: mine(steps.Answers{QUse: "no", QRelay: "0.0.0.0/0"}), server: gateway(func(s *steps.Server) { s.Gateway.DomainMember = true })},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got []string
			for _, f := range Step.Check(change(t, tt.answers, tt.server)) {
				got = append(got, f.Code)
				if f.Message == "" || len(f.Fix) == 0 {
					t.Errorf("finding %s has no message or no question to change", f.Code)
				}
				for _, id := range f.Fix {
					if _, ok := Step.Question(id); !ok {
						t.Errorf("finding %s fixes unknown question %q", f.Code, id)
					}
				}
				if f.Code == CodeDomainMember && !slices.Equal(f.Servers, []string{"SMTPGW01"}) {
					t.Errorf("finding %s names %v", f.Code, f.Servers)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("findings = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestPlan(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	var ids []string
	for _, a := range Step.Plan(in) {
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" {
			t.Errorf("action %s is incomplete: %+v", a.ID, a)
		}
		if a.Interrupts != "" && a.Minutes <= 0 {
			t.Errorf("action %s interrupts without minutes", a.ID)
		}
		prereq := strings.HasPrefix(a.ID, "gateway-") && a.ID != "gateway-failure-plan"
		if prereq != (a.Phase == steps.PhasePrerequisites) {
			t.Errorf("action %s in phase %s", a.ID, a.Phase)
		}
		switch a.ID {
		case "exchange-connector":
			if a.Target != "EXBE01" || a.Interrupts == "" || !strings.Contains(strings.Join(a.Do, "\n"), "[10.1.2.25]") {
				t.Errorf("connector step: %+v", a)
			}
		case "gateway-failure-plan":
			if !strings.Contains(strings.Join(a.Do, "\n"), "mail inside the organisation is not affected") {
				t.Error("the failure plan does not say internal mail goes on")
			}
		}
	}
	want := []string{"gateway-build", "gateway-antivirus", "gateway-domains", "gateway-delivery", "gateway-lockdown", "exchange-connector", "gateway-failure-plan", "verify-gateway"}
	if !slices.Equal(ids, want) {
		t.Errorf("actions = %q, want %q", ids, want)
	}
	if as := Step.Plan(change(t, mine(steps.Answers{QUse: "no"}), nil)); len(as) != 0 {
		t.Errorf("without a gateway: %d actions", len(as))
	}
}

func TestFiles(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, reference).Input())
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		names = append(names, f.Target+"/"+f.Name)
	}
	want := []string{"SMTPGW01/smtp-gateway-checklist.txt", "SMTPGW01/gateway-relay-apply.vbs", "SMTPGW01/gateway-relay-verify.vbs",
		"SMTPGW01/gateway-relay-backout.vbs", "SMTPGW01/gateway-relay-test.txt", "EXBE01/smtp-connector-checklist.txt"}
	if !slices.Equal(names, want) {
		t.Errorf("files = %q, want %q", names, want)
	}
	for _, f := range files {
		if f.Name == "gateway-relay-test.txt" {
			body := strings.Join(strings.Fields(string(f.Body)), " ")
			for _, s := range []string{"FROM OUTSIDE, THROUGH ISA SERVER", "telnet mx.contoso.com 25", "RCPT TO:<probe@example.org>", "550 5.7.1", "FROM A COMPUTER THAT MAY RELAY", "EXBE01 (10.1.1.21)"} {
				if !strings.Contains(body, s) {
					t.Errorf("the gateway's relay test sheet lacks %q", s)
				}
			}
		}
	}
	if files, err := Step.Files(change(t, mine(steps.Answers{QUse: "no"}), nil)); err != nil || len(files) != 0 {
		t.Errorf("without a gateway: %d files, %v", len(files), err)
	}
}

func TestHostileProject(t *testing.T) {
	steptest.CheckHostileProject(t, Step.Files, steptest.Load(t, reference).Input())
}

// TestHostileAnswers sets each answer in turn to each hostile value: it is
// refused, leaves the files as they were, is a blank that empties an
// optional answer, or is a well-formed value of its question, which keeps
// every file plain ASCII.
func TestHostileAnswers(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	base, err := Step.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	for id := range in.Of(ID) {
		q, _ := Step.Question(id)
		for _, h := range scripttest.Hostile() {
			a := steps.Answers{}
			for k, v := range in.Of(ID) {
				a[k] = v
			}
			a[id] = h
			all := map[string]steps.Answers{}
			for k, v := range in.Answers {
				all[k] = v
			}
			all[ID] = a
			hin := in
			hin.Answers = all
			got, err := Step.Files(hin)
			if err != nil || same(got, base) {
				continue
			}
			if _, err := q.Parse([]string{h}, in.Topology); err != nil {
				t.Errorf("answer %s = %q is refused by its question but was used", id, h)
			}
			for _, f := range got {
				steptest.CheckPlainFile(t, f)
			}
		}
	}
}

func same(a, b []steps.File) bool {
	return slices.EqualFunc(a, b, func(x, y steps.File) bool {
		return x.Target == y.Target && x.Name == y.Name && bytes.Equal(x.Body, y.Body)
	})
}

// TestHostileInventory puts hostile names into the inventory directly, as
// a damaged project file could, bypassing the server form's parsing.
func TestHostileInventory(t *testing.T) {
	for _, h := range scripttest.Hostile() {
		for _, field := range []string{"name", "fqdn", "mx"} {
			sc := steptest.Load(t, reference)
			topo := sc.Topology
			topo.Servers = slices.Clone(topo.Servers)
			for i := range topo.Servers {
				if topo.Servers[i].Name != "SMTPGW01" {
					continue
				}
				switch field {
				case "name":
					topo.Servers[i].Name = steps.NetBIOSName(h)
				case "fqdn":
					topo.Servers[i].FQDN = steps.FQDN(h)
				}
			}
			if field == "mx" {
				topo.Facts.MXHost = steps.FQDN(h)
			}
			files, err := Step.Files(steptest.NewInput(sc.Project, topo, sc.Answers))
			if err != nil {
				continue
			}
			switch field {
			case "name":
				t.Errorf("renamed gateway %q accepted", h)
			case "fqdn", "mx":
				if fq, err := steps.ParseFQDN(h); (err != nil || string(fq) != h) && h != "" {
					t.Errorf("%s %q accepted", field, h)
				}
			}
			for _, f := range files {
				steptest.CheckPlainFile(t, f)
			}
		}
	}
}
