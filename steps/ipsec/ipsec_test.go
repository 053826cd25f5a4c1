package ipsec

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/isalistener"
	"github.com/secex/wizard/steps/isapublish"
	"github.com/secex/wizard/steps/owacert"
	"github.com/secex/wizard/steps/owatopology"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/batch"
	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/steptest"
)

const reference = "testdata/reference"

// owaSteps are the OWA procedures in catalogue order.
var owaSteps = []*steps.Step{owatopology.Step, isalistener.Step, isapublish.Step, owacert.Step, Step}

func TestGolden(t *testing.T) {
	for _, dir := range steptest.Scenarios(t) {
		t.Run(dir, func(t *testing.T) {
			in := steptest.Load(t, dir).Input()
			for _, f := range Step.Check(in) {
				if f.Severity == steps.Error {
					t.Fatalf("scenario has an error: %+v", f)
				}
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

// TestReferenceInSync checks that every OWA procedure's reference scenario
// is the same organisation with the same answers, so their golden files
// describe one change.
func TestReferenceInSync(t *testing.T) {
	want, err := os.ReadFile(filepath.Join(reference, "answers.json"))
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range []string{"owatopology", "isalistener", "isapublish", "owacert"} {
		got, err := os.ReadFile(filepath.Join("..", pkg, reference, "answers.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(got, want) {
			t.Errorf("%s's reference scenario differs from this one", pkg)
		}
	}
}

func TestTemplatesPrintOnlyThroughEncoders(t *testing.T) {
	for tmpl, enc := range templates() {
		if err := script.CheckTemplate(tmpl, enc); err != nil {
			t.Error(err)
		}
	}
}

// TestToolsFollowTheOS checks that each server gets the tools its
// operating system has: ipsecpol and secedit on Windows 2000, netsh and
// gpupdate on Windows Server 2003, and never the other way round.
func TestToolsFollowTheOS(t *testing.T) {
	for _, dir := range []string{reference, "testdata/corrected-from-2003"} {
		sc := steptest.Load(t, dir)
		files, err := Step.Files(sc.Input())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			s, _ := sc.Topology.Server(f.Target)
			body := strings.ToLower(string(f.Body))
			code := stripComments(body)
			w2k := s.OS == steps.OSWindows2000
			for tool, onW2K := range map[string]bool{"ipsecpol ": true, "secedit ": true, "netdiag ": true, "netsh ": false, "gpupdate ": false} {
				if strings.Contains(code, tool) && w2k != onW2K && !strings.HasSuffix(f.Name, ".vbs") {
					t.Errorf("%s/%s (%s) uses %s", f.Target, f.Name, s.OS, strings.TrimSpace(tool))
				}
			}
		}
	}
}

// stripComments drops rem and # comment lines, which may name other
// tools.
func stripComments(body string) string {
	var out []string
	for _, l := range strings.Split(body, "\r\n") {
		if strings.HasPrefix(l, "rem") || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "'") || strings.HasPrefix(l, "echo.") {
			continue
		}
		out = append(out, l)
	}
	return strings.Join(out, "\n")
}

func TestFilesPerServer(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, reference).Input())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][]string{}
	body := map[string]string{}
	for _, f := range files {
		got[f.Target] = append(got[f.Target], f.Name)
		body[f.Target+"/"+f.Name] = string(f.Body)
	}
	if want := []string{CreateFile, DeleteFile, CheckFile}; !slices.Equal(got["DC01"], want) {
		t.Errorf("DC01 files = %q, want %q", got["DC01"], want)
	}
	for _, s := range []string{"OWAFE01", "OWAFE02", "EXBE01", "EXBE02"} {
		if want := []string{RefreshFile, VerifyFile, LocalApplyFile, LocalBackoutFile}; !slices.Equal(got[s], want) {
			t.Errorf("%s files = %q, want %q", s, got[s], want)
		}
	}
	create := body["DC01/"+CreateFile]
	for _, want := range []string{
		`ipsecpol -w "DS:corp.example.com" -p "Encrypt TCP 80 traffic - BE" -r "Inbound TCP 80 - BE" -f "10.0.2.11+0:80:TCP" "10.0.2.12+0:80:TCP" -n ESP[3DES,SHA] -a K`,
		`ipsecpol -w "DS:corp.example.com" -p "Block-Encrypt TCP 80 traffic - OWA FE" -r "Outbound TCP 80 - OWA FE" -f "0+10.0.1.21:80:TCP" "0+10.0.1.22:80:TCP" -n ESP[3DES,SHA] -a K`,
		`ipsecpol -w "DS:corp.example.com" -p "Block-Encrypt TCP 80 traffic - OWA FE" -r "Inbound TCP 80 - OWA FE" -f "*+0:80:TCP" -n BLOCK`,
		`cscript //nologo "%HERE%ipsec-domain-check.vbs" /expect:absent`,
	} {
		if !strings.Contains(create, want+"\r\n") {
			t.Errorf("create script lacks %q", want)
		}
	}
	if strings.Contains(create, " -x") || strings.Contains(create, " -soft") {
		t.Error("the domain create script assigns a policy or allows a fallback to clear")
	}
	if i, j := strings.Index(create, "/expect:absent"), strings.Index(create, "ipsecpol -w"); i < 0 || j < i {
		t.Error("the create script does not check for existing objects first")
	}
	if i, j := strings.Index(create, "Encrypt TCP 80 traffic - BE\" -r"), strings.Index(create, "OWA FE\" -r"); i > j {
		t.Error("the back-end policy is not created first")
	}
	del := body["DC01/"+DeleteFile]
	if !strings.Contains(del, `-p "Block-Encrypt TCP 80 traffic - OWA FE" -r "Outbound TCP 80 - OWA FE" -r "Inbound TCP 80 - OWA FE" -o`) || !strings.Contains(del, "set /p ") {
		t.Error("the delete script does not delete the front-end policy with its rules after asking")
	}
	if be := body["EXBE01/"+RefreshFile]; !strings.Contains(be, "secedit /refreshpolicy machine_policy /enforce\r\n") || !strings.Contains(be, "back-end itself") {
		t.Error("the back-end refresh does not run secedit on the back-end")
	}
	if fe := body["OWAFE02/"+RefreshFile]; !strings.Contains(fe, "gpupdate /target:computer /force\r\n") {
		t.Error("the Windows Server 2003 front-end does not refresh with gpupdate")
	}
	local := body["OWAFE02/"+LocalApplyFile]
	for _, want := range []string{
		`netsh ipsec static add filteraction name="Encrypt" description="Negotiate ESP with 3DES and SHA1; never fall back to clear traffic." qmpfs=no inpass=no soft=no action=negotiate qmsecmethods="ESP[3DES,SHA1]"`,
		`netsh ipsec static add filter filterlist="Outbound TCP 80 - OWA FE" srcaddr="me" dstaddr="10.0.1.21" protocol=TCP srcport=0 dstport=80 mirrored=yes`,
		`netsh ipsec static add policy name="Block-Encrypt TCP 80 traffic - OWA FE" description="OWA front-end: encrypt TCP 80 to the back-ends, block inbound TCP 80." activatedefaultrule=yes assign=no`,
		`netsh ipsec static set policy name="Block-Encrypt TCP 80 traffic - OWA FE" assign=yes`,
		`type "%CAPTURE%" | findstr /i /r /c:"^.ipsecName.=.Encrypt.$" >nul`,
	} {
		if !strings.Contains(local, want+"\r\n") {
			t.Errorf("OWAFE02's local copy lacks %q", want)
		}
	}
	if i, j := strings.Index(local, "add filteraction name=\"Encrypt\""), strings.Index(local, "add policy"); i < 0 || j < i {
		t.Error("the Encrypt filter action is not created before the policy")
	}
	if back := body["OWAFE01/"+LocalBackoutFile]; !strings.Contains(back, `ipsecpol -w REG -p "Block-Encrypt TCP 80 traffic - OWA FE" -y`) {
		t.Error("the Windows 2000 local backout does not unassign first")
	}
}

func TestNetshDomainScripts(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, "testdata/corrected-from-2003").Input())
	if err != nil {
		t.Fatal(err)
	}
	var create, del, wrapper string
	for _, f := range files {
		switch f.Name {
		case CreateNetshFile:
			create = string(f.Body)
		case DeleteNetshFile:
			del = string(f.Body)
		case CreateFile:
			wrapper = string(f.Body)
		}
	}
	lines := strings.Split(create, "\r\n")
	idx := func(prefix string) int {
		return slices.IndexFunc(lines, func(l string) bool { return strings.HasPrefix(l, prefix) })
	}
	store, action, list, bePolicy, fePolicy := idx("ipsec static set store location=domain domain=\"corp.example.com\""),
		idx(`ipsec static add filteraction name="Encrypt"`), idx("ipsec static add filterlist"),
		idx(`ipsec static add policy name="Encrypt TCP 80 traffic - BE"`), idx(`ipsec static add policy name="Block-Encrypt`)
	if store < 0 || action < store || list < action || bePolicy < list || fePolicy < bePolicy {
		t.Errorf("netsh create order: store %d, Encrypt %d, lists %d, back-end policy %d, front-end policy %d\n%s", store, action, list, bePolicy, fePolicy, create)
	}
	if !strings.Contains(create, `srcaddr="10.0.2.11" dstaddr="me" protocol=TCP srcport=0 dstport=80 mirrored=yes`) {
		t.Error("the back-end filter is not the corrected one")
	}
	if strings.Contains(create, "assign=yes") || strings.Contains(create, "gponame") {
		t.Error("the domain script assigns a policy")
	}
	if !strings.Contains(del, "ipsec static delete policy name=\"Block-Encrypt TCP 80 traffic - OWA FE\"") || !strings.Contains(del, "delete filteraction name=\"Encrypt\"") {
		t.Errorf("netsh delete script:\n%s", del)
	}
	if !strings.Contains(wrapper, `netsh -f "%HERE%ipsec-domain-create.netsh"`) {
		t.Error("the create script does not run the netsh script")
	}
}

func TestCheck(t *testing.T) {
	tests := []struct {
		name        string
		change      steps.Answers
		other       map[string]steps.Answers
		server      func(*steps.Server)
		want        []string
		wantServers []string
	}{
		{name: "reference topology is clean"},
		{name: "a front-end left out: its traffic stays in clear",
			change: steps.Answers{QFrontEnds: "OWAFE01"},
			want:   []string{CodeClearHop}, wantServers: []string{"OWAFE02", "EXBE01", "EXBE02"}},
		{name: "a back-end left out: its traffic stays in clear",
			change: steps.Answers{QBackEnds: "EXBE01"},
			want:   []string{CodeClearHop}, wantServers: []string{"OWAFE01", "EXBE02", "OWAFE02"}},
		{name: "a front-end left out while the back-ends demand IPSec from any address",
			change: steps.Answers{QFrontEnds: "OWAFE01", QBEFilter: FilterFromAny},
			want:   []string{CodeNotMirrored, CodeBEOpenToAny}, wantServers: []string{"OWAFE02", "EXBE01", "EXBE02", "EXBE01", "EXBE02"}},
		{name: "a back-end left out while the front-ends demand IPSec from any web server",
			change: steps.Answers{QBackEnds: "EXBE01", QFEOutbound: OutboundAny},
			want:   []string{CodeNotMirrored, CodeFEOutboundAny}, wantServers: []string{"OWAFE01", "EXBE02", "OWAFE02", "OWAFE01", "OWAFE02"}},
		{name: "the guide's back-end filter",
			change: steps.Answers{QBEFilter: FilterAsGuide},
			want:   []string{CodeBEFilterAsGuide}, wantServers: []string{"EXBE01", "EXBE02"}},
		{name: "back-end rule open to any source",
			change: steps.Answers{QBEFilter: FilterFromAny},
			want:   []string{CodeBEOpenToAny}, wantServers: []string{"EXBE01", "EXBE02"}},
		{name: "the guide's front-end destination",
			change: steps.Answers{QFEOutbound: OutboundAny},
			want:   []string{CodeFEOutboundAny}, wantServers: []string{"OWAFE01", "OWAFE02"}},
		{name: "inbound TCP 80 blocked while ISA Server forwards in clear",
			other: map[string]steps.Answers{isalistener.ID: {isalistener.QSSLMode: isalistener.ModeTerminate}},
			want:  []string{CodeFEBlockBreaksISA}, wantServers: []string{"ISA01", "OWAFE01", "OWAFE02"}},
		{name: "forwarding in clear is fine for this procedure without the block",
			change: steps.Answers{QFEBlock: "no"},
			other:  map[string]steps.Answers{isalistener.ID: {isalistener.QSSLMode: isalistener.ModeTerminate}},
			want:   nil},
		{name: "a front-end in another OU",
			server: func(s *steps.Server) {
				if s.Name == "OWAFE02" {
					s.FrontEnd.OU = "Web Servers"
				}
			},
			want: []string{CodeFEOUMismatch}, wantServers: []string{"OWAFE02"}},
		{name: "back-end OU answered differently from the server pages",
			change: steps.Answers{QBEOU: "Exchange Servers"},
			want:   []string{CodeBEOUMismatch}, wantServers: []string{"EXBE01", "EXBE02"}},
		{name: "front-ends and back-ends in one OU",
			change: steps.Answers{QBEOU: "OWA Front-end Servers"},
			want:   []string{CodeBEOUMismatch, CodeSameOU}},
		{name: "one name for both policies",
			change: steps.Answers{QBEPolicy: "block-encrypt tcp 80 traffic - owa fe"},
			want:   []string{CodeNamesNotUnique}},
		{name: "one name for both filter actions",
			change: steps.Answers{QBlockAction: "Encrypt"},
			want:   []string{CodeNamesNotUnique}},
		{name: "the block action's name does not matter without the block",
			change: steps.Answers{QBlockAction: "Encrypt", QFEBlock: "no"}},
		{name: "policies in another domain",
			change: steps.Answers{QDomain: "other.example.com"},
			want:   []string{CodeADDomainDiffers}},
		{name: "policy host with a damaged name",
			server: func(s *steps.Server) {
				if s.Name == "DC01" {
					s.FQDN = "dc01&calc.corp.example.com"
				}
			},
			want: []string{CodeServerInvalid}, wantServers: []string{"DC01"}},
		{name: "the listener procedure is not answered to the end",
			other: map[string]steps.Answers{isalistener.ID: {isalistener.QOutgoing: ""}},
			want:  []string{CodeEarlierUnusable}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			change := map[string]steps.Answers{ID: tt.change}
			for k, v := range tt.other {
				change[k] = v
			}
			in := steptest.WithChanges(t, reference, change, tt.server)
			fs := Step.Check(in)
			var got, servers []string
			for _, f := range fs {
				got = append(got, f.Code)
				servers = append(servers, f.Servers...)
				if f.Message == "" || len(f.Fix)+len(f.Servers) == 0 && f.Code != CodeEarlierUnusable {
					t.Errorf("finding %s has no message or names nothing to change", f.Code)
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
			blocking := slices.ContainsFunc(fs, func(f steps.Finding) bool { return f.Severity == steps.Error })
			if _, err := Step.Files(in); blocking && err == nil {
				t.Error("files were produced although a finding is an error")
			}
		})
	}
}

func TestQuestionDefaults(t *testing.T) {
	sc := steptest.Load(t, reference)
	want := map[string]string{
		QFEOU: GuideFEOU, QBEOU: GuideBEOU, QOU1: GuideOU1, QOU2: GuideOU2, QOU3: GuideOU3,
		QFEGPO: GuideFEGPO, QBEGPO: GuideBEGPO, QFEPolicy: GuideFEPolicy, QBEPolicy: GuideBEPolicy,
		QFEOutList: GuideFEOutList, QFEInList: GuideFEInList, QBEInList: GuideBEInList,
		QBlockAction: GuideBlockAction, QEncryptAction: GuideEncryptAction,
		QFEOutbound: OutboundBackEnds, QBEFilter: FilterFromFrontEnds, QFEBlock: "yes", QLocal: "yes",
		QDomain: "corp.example.com", QPolicyHost: "DC01", QFrontEnds: "OWAFE01\nOWAFE02", QBackEnds: "EXBE01\nEXBE02",
	}
	for id, w := range want {
		q, ok := Step.Question(id)
		if !ok {
			t.Errorf("no question %s", id)
			continue
		}
		if got := q.DefaultFor(sc.Topology, steps.Answers{}); got != w {
			t.Errorf("default of %s = %q, want %q", id, got, w)
		}
	}
	// The guide's printed versions stay on offer beside the corrections.
	for id, guide := range map[string]string{QBEFilter: FilterAsGuide, QFEOutbound: OutboundAny} {
		q, _ := Step.Question(id)
		if !slices.ContainsFunc(q.Choices, func(c steps.Choice) bool { return c.Value == guide && strings.Contains(c.Label, "guide") }) {
			t.Errorf("%s does not offer the guide's version", id)
		}
	}
}

func TestPlan(t *testing.T) {
	as := Step.Plan(steptest.Load(t, reference).Input())
	var ids []string
	for _, a := range as {
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Phase != steps.PhaseIPSec {
			t.Errorf("action %s incomplete: %+v", a.ID, a)
		}
	}
	want := []string{"ous-and-gpos", "create-policies", "transition-back-end", "assign-back-end", "refresh-EXBE01", "refresh-EXBE02",
		"assign-front-end", "refresh-OWAFE01", "refresh-OWAFE02", "monitor-OWAFE01", "monitor-OWAFE02",
		"tighten-back-end", "tighten-EXBE01", "tighten-EXBE02",
		"local-policy-EXBE01", "local-policy-EXBE02", "local-policy-OWAFE01", "local-policy-OWAFE02"}
	if !slices.Equal(ids, want) {
		t.Errorf("actions = %q, want %q", ids, want)
	}
	byID := map[string]steps.Action{}
	for _, a := range as {
		byID[a.ID] = a
	}
	// The back-ends accept clear traffic until the front-ends negotiate,
	// so only the Policy Agent restarts of secured servers interrupt OWA,
	// each for about a minute.
	for _, a := range as {
		secured := strings.HasPrefix(a.ID, "refresh-OWAFE") || strings.HasPrefix(a.ID, "tighten-EXBE")
		if secured != (a.Interrupts != "") || (secured && a.Minutes != agentRestartMinutes) {
			t.Errorf("%s interrupts %q for %d minutes", a.ID, a.Interrupts, a.Minutes)
		}
	}
	if a := byID["refresh-EXBE01"]; !strings.Contains(a.Backout, "No OWA interruption") {
		t.Errorf("the back-end refresh's backout does not state its outage: %q", a.Backout)
	}
	if a := byID["assign-back-end"]; !strings.Contains(a.Backout, "Only once no front-end has its policy") {
		t.Errorf("the back-end's un-assignment does not say it comes last: %q", a.Backout)
	}
	if a := byID["tighten-back-end"]; !strings.Contains(a.Backout, "Undo this first") || a.Script != "" {
		t.Errorf("tightening on Windows 2000: %+v", a)
	}
	if a := byID["refresh-EXBE01"]; !strings.Contains(strings.Join(a.Do, " "), "Erratum") || a.Target != "EXBE01" {
		t.Errorf("the back-end refresh does not correct the guide's slip: %+v", a)
	}
	if a := byID["monitor-OWAFE01"]; !strings.Contains(strings.Join(a.Do, " "), "ipsecmon") {
		t.Error("the Windows 2000 front-end is not monitored with ipsecmon")
	}
	if a := byID["monitor-OWAFE02"]; strings.Contains(strings.Join(a.Do, " "), "type ipsecmon") || !strings.Contains(strings.Join(a.Do, " "), "IP Security Monitor snap-in") {
		t.Error("the Windows Server 2003 front-end is told to use ipsecmon")
	}
	create := strings.Join(byID["create-policies"].Do, " ")
	for _, want := range []string{"3DES", "Kerberos", "default response rule", "never communicate with computers that do not support IPSec", "corrected from the guide's printed"} {
		if !strings.Contains(create, want) {
			t.Errorf("create step lacks %q", want)
		}
	}
	guide := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QBEFilter: FilterAsGuide}}, nil)
	for _, a := range Step.Plan(guide) {
		if strings.HasPrefix(a.ID, "tighten") || strings.HasPrefix(a.ID, "transition") {
			t.Errorf("with the guide's back-end filter the back-ends require nothing, yet the plan has %s", a.ID)
		}
	}
}

// TestTransitionNetsh checks the netsh path of the temporary filter
// action: created with the policies, used by the back-ends' rule only, and
// the tightening and its undo switch exactly that rule.
func TestTransitionNetsh(t *testing.T) {
	in := steptest.Load(t, "testdata/corrected-from-2003").Input()
	files, err := Step.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]string{}
	for _, f := range files {
		body[f.Target+"/"+f.Name] = string(f.Body)
	}
	var ph string
	for k := range body {
		if strings.HasSuffix(k, "/"+TightenFile) {
			ph = strings.TrimSuffix(k, "/"+TightenFile)
		}
	}
	if ph == "" {
		t.Fatal("no tightening file")
	}
	create := body[ph+"/"+CreateNetshFile]
	for _, want := range []string{
		`add filteraction name="Encrypt (transition)" description=`,
		`qmpfs=no inpass=yes soft=yes action=negotiate qmsecmethods="ESP[3DES,SHA1]"`,
		`policy="Encrypt TCP 80 traffic - BE" filterlist="Inbound TCP 80 - BE" filteraction="Encrypt (transition)" kerberos=yes`,
		`policy="Block-Encrypt TCP 80 traffic - OWA FE" filterlist="Outbound TCP 80 - OWA FE" filteraction="Encrypt" kerberos=yes`,
	} {
		if !strings.Contains(create, want) {
			t.Errorf("%s lacks %s", CreateNetshFile, want)
		}
	}
	if !strings.Contains(body[ph+"/"+DeleteNetshFile], `delete filteraction name="Encrypt (transition)"`) {
		t.Errorf("%s leaves the temporary action", DeleteNetshFile)
	}
	if !strings.Contains(body[ph+"/"+TightenNetshFile], `set rule name="Inbound TCP 80 - BE" policy="Encrypt TCP 80 traffic - BE" filteraction="Encrypt"`+"\r\n") {
		t.Errorf("%s:\n%s", TightenNetshFile, body[ph+"/"+TightenNetshFile])
	}
	if !strings.Contains(body[ph+"/"+LoosenNetshFile], `set rule name="Inbound TCP 80 - BE" policy="Encrypt TCP 80 traffic - BE" filteraction="Encrypt (transition)"`+"\r\n") {
		t.Errorf("%s:\n%s", LoosenNetshFile, body[ph+"/"+LoosenNetshFile])
	}
	check := body[ph+"/"+CheckFile]
	for _, want := range []string{
		`If mode = "transition" Then CheckRuleAction "Encrypt TCP 80 traffic - BE", "Inbound TCP 80 - BE", "Encrypt (transition)"`,
		`If mode = "tight" Then CheckRuleAction "Encrypt TCP 80 traffic - BE", "Inbound TCP 80 - BE", "Encrypt"`,
		`CheckObject "ipsecNegotiationPolicy", "Encrypt (transition)"`,
	} {
		if !strings.Contains(check, want) {
			t.Errorf("%s lacks %s", CheckFile, want)
		}
	}
	// The local copies require IPSec from the start.
	for k, b := range body {
		if strings.HasSuffix(k, "/"+LocalApplyFile) && strings.Contains(b, "(transition)") {
			t.Errorf("%s uses the temporary action", k)
		}
	}
	var tighten steps.Action
	for _, a := range Step.Plan(in) {
		if a.ID == "tighten-back-end" {
			tighten = a
		}
		if a.ID == "transition-back-end" {
			t.Error("the netsh path has the by-hand loosening step")
		}
	}
	if tighten.Script != TightenFile || !strings.Contains(tighten.Backout, LoosenFile) {
		t.Errorf("tightening: %+v", tighten)
	}
}

// TestCrossServerOrder runs the five OWA procedures together, as the
// runbook does, and checks the order procedures.md sets across servers.
func TestCrossServerOrder(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	out, err := steps.Produce(owaSteps, in, func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if out.Blocked() || len(out.Findings) > 0 {
		t.Fatalf("findings: %+v", out.Findings)
	}
	pos := map[string]int{}
	for i, a := range out.Actions {
		pos[a.Step+"/"+a.ID] = i
		if i > 0 && a.Phase < out.Actions[i-1].Phase {
			t.Errorf("%s comes after a later phase", a.ID)
		}
		if a.Interrupts != "" && a.Minutes == 0 {
			t.Errorf("%s interrupts %s for no time", a.ID, a.Interrupts)
		}
	}
	before := func(a, b string) {
		t.Helper()
		ia, oka := pos[a]
		ib, okb := pos[b]
		if !oka || !okb {
			t.Errorf("missing %s or %s", a, b)
			return
		}
		if ia >= ib {
			t.Errorf("%s (step %d) must come before %s (step %d)", a, ia+1, b, ib+1)
		}
	}
	fc, pub, ipsec := owacert.ID+"/", isapublish.ID+"/", ID+"/"
	for _, fe := range []string{"OWAFE01", "OWAFE02"} {
		// The front-end certificate before the front-end requires SSL.
		before(fc+"certificate-"+fe, fc+"require-ssl-"+fe)
		// ISA Server bridges over SSL before the front-end requires SSL.
		before(pub+"bridging", fc+"require-ssl-"+fe)
		// ISA Server bridges over SSL before inbound TCP 80 is blocked.
		before(pub+"bridging", ipsec+"refresh-"+fe)
		// Every back-end has its policy before any front-end demands it.
		for _, be := range []string{"EXBE01", "EXBE02"} {
			before(ipsec+"refresh-"+be, ipsec+"assign-front-end")
			before(ipsec+"refresh-"+be, ipsec+"refresh-"+fe)
		}
	}
	before(fc+"isa-trust-ca", pub+"bridging")
	before(isalistener.ID+"/incoming-listener", pub+"publishing-rule")
	// The filter actions exist before either policy is assigned.
	before(ipsec+"create-policies", ipsec+"assign-back-end")
	before(ipsec+"assign-back-end", ipsec+"assign-front-end")
	// External DNS moves only once the publishing rule is in place.
	before(pub+"outside-in-before-dns", pub+"dns-cutover")
	before(owatopology.ID+"/dns-ttl", pub+"dns-cutover")
	before(isalistener.ID+"/isa-backup", isalistener.ID+"/import-certificate")

	names := map[string]bool{}
	for _, f := range out.Files {
		key := f.Target + "/" + f.Name
		if names[key] {
			t.Errorf("two files named %s", key)
		}
		names[key] = true
	}
	for _, a := range out.Actions {
		if a.Script != "" && !names[a.Target+"/"+a.Script] {
			t.Errorf("%s/%s runs %s, which is not in %s's folder", a.Step, a.ID, a.Script, a.Target)
		}
	}
}

func TestApplies(t *testing.T) {
	sc := steptest.Load(t, reference)
	var noBE steps.Topology
	for _, s := range sc.Topology.Servers {
		if !s.Has(steps.RoleBackEnd) {
			noBE.Servers = append(noBE.Servers, s)
		}
	}
	if ok, _ := Step.Applies(noBE); ok {
		t.Error("applies without back-ends")
	}
	if ok, why := Step.Applies(sc.Topology); !ok {
		t.Errorf("does not apply to the reference: %s", why)
	}
}

func TestHostileProject(t *testing.T) {
	steptest.CheckHostileProject(t, Step.Files, steptest.Load(t, reference).Input())
}

func TestHostileAnswers(t *testing.T) {
	for _, dir := range []string{reference, "testdata/corrected-from-2003"} {
		steptest.CheckHostileAnswersAsParsed(t, Step, steptest.Load(t, dir).Input(), steptest.CheckPlainFile)
	}
}

// TestHostileNames runs every hostile value, as each IPSec name in turn,
// through parsing and then the encoders the scripts use. A value the
// parser accepts must come out as exactly one quoted argument on its
// command line, in every generated file; anything else must be refused.
func TestHostileNames(t *testing.T) {
	names := []string{QFEGPO, QBEGPO, QFEPolicy, QBEPolicy, QFEOutList, QFEInList, QBEInList, QBlockAction, QEncryptAction, QFEOU, QOU1}
	for _, dir := range []string{reference, "testdata/corrected-from-2003"} {
		for _, id := range names {
			for _, h := range append(scripttest.Hostile(), "Bad (name) - 1.2", "x_y", "A.B") {
				n, err := steps.ParseObjectName(h)
				if err != nil {
					continue
				}
				in := steptest.WithChanges(t, dir, map[string]steps.Answers{ID: {id: string(n)}}, nil)
				files, err := Step.Files(in)
				if err != nil {
					if !slices.ContainsFunc(Step.Check(in), func(f steps.Finding) bool { return f.Severity == steps.Error }) {
						t.Errorf("%s = %q: parsed, no finding, but no files: %v", id, n, err)
					}
					continue
				}
				quoted, _ := batch.Arg(string(n))
				vbs := `"` + string(n) + `"`
				// The temporary filter action's name holds the encrypting
				// action's, encoded as one value.
				transition, _ := batch.Arg(string(n) + transitionSuffix)
				esc := strings.ReplaceAll(string(n), ".", `\.`)
				for _, f := range files {
					steptest.CheckPlainFile(t, f)
					for _, l := range strings.Split(string(f.Body), "\r\n") {
						if strings.HasPrefix(l, "rem") || strings.HasPrefix(l, "echo.") || strings.HasPrefix(l, "#") || strings.HasPrefix(l, "'") {
							continue
						}
						// Remove every encoded occurrence; none may be left bare.
						rest := strings.ReplaceAll(l, transition, "")
						rest = strings.ReplaceAll(rest, quoted, "")
						rest = strings.ReplaceAll(rest, vbs, "")
						if strings.HasSuffix(f.Name, ".vbs") {
							rest = vbsString.ReplaceAllString(rest, "")
						}
						rest = strings.ReplaceAll(rest, ".ipsecName.=."+esc+".$", "")
						rest = strings.ReplaceAll(rest, "Active.*"+esc, "")
						if strings.Contains(rest, string(n)) {
							t.Errorf("%s = %q appears unquoted in %s: %s", id, n, f.Name, l)
						}
					}
				}
			}
		}
	}
}

// vbsString matches a VBScript string literal, with "" for a quote.
var vbsString = regexp.MustCompile(`"(?:[^"]|"")*"`)

// TestHostileInventory puts hostile values into the inventory directly,
// as a damaged project file could: addresses and names reach ipsecpol and
// netsh command lines.
func TestHostileInventory(t *testing.T) {
	for _, h := range scripttest.Hostile() {
		for _, field := range []string{"dc-fqdn", "fe-fqdn", "be-name", "domain"} {
			in := steptest.WithChanges(t, reference, nil, func(s *steps.Server) {
				switch {
				case field == "dc-fqdn" && s.Name == "DC01":
					s.FQDN = steps.FQDN(h)
				case field == "fe-fqdn" && s.Name == "OWAFE01":
					s.FQDN = steps.FQDN(h)
				case field == "be-name" && s.Name == "EXBE02":
					s.Name = steps.NetBIOSName(h)
				}
			})
			if field == "domain" {
				in.Answers[ID][QDomain] = h
			}
			files, err := Step.Files(in)
			if err != nil {
				continue
			}
			switch field {
			case "dc-fqdn", "fe-fqdn", "domain":
				if f, err := steps.ParseFQDN(h); err != nil || (string(f) != h && field != "domain") {
					t.Errorf("%s = %q accepted", field, h)
				}
			case "be-name":
				t.Errorf("renamed back-end %q accepted although the answers name EXBE02", h)
			}
			for _, f := range files {
				steptest.CheckPlainFile(t, f)
			}
		}
	}
}

func TestNameLine(t *testing.T) {
	if got := nameLine("Block-Encrypt TCP 80 traffic - OWA FE"); got != "^.ipsecName.=.Block-Encrypt TCP 80 traffic - OWA FE.$" {
		t.Errorf("nameLine = %q", got)
	}
	if got := nameLine("A.B (c)"); got != `^.ipsecName.=.A\.B (c).$` {
		t.Errorf("nameLine with a dot = %q", got)
	}
	for _, h := range scripttest.Hostile() {
		n, err := steps.ParseObjectName(h)
		if err != nil {
			continue
		}
		if _, err := batch.Arg(nameLine(string(n))); err != nil {
			t.Errorf("the pattern for %q cannot be written into a batch file: %v", n, err)
		}
	}
}

// TestLineLength keeps the length check in step with what the templates
// write, and checks a large organisation is stopped before a line breaks.
func TestLineLength(t *testing.T) {
	in := steptest.Load(t, reference).Input()
	c, err := Load(in)
	if err != nil {
		t.Fatal(err)
	}
	files, err := Step.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{
		"DC01/" + CreateFile:        ipsecpolLength("DS:corp.example.com", string(c.FEPolicy), string(c.FEOutList), c.feOutboundFilters(), false),
		"EXBE01/" + LocalApplyFile:  ipsecpolLength("REG", string(c.BEPolicy), string(c.BEInList), c.beInboundFilters(), false),
		"OWAFE01/" + LocalApplyFile: ipsecpolLength("REG", string(c.FEPolicy), string(c.FEOutList), c.feOutboundFilters(), false),
	}
	for _, f := range files {
		n, ok := want[f.Target+"/"+f.Name]
		if !ok {
			continue
		}
		var lengths []int
		for _, l := range strings.Split(string(f.Body), "\r\n") {
			if strings.HasPrefix(l, "ipsecpol ") {
				lengths = append(lengths, len(l))
			}
		}
		if !slices.Contains(lengths, n) {
			t.Errorf("%s/%s: no ipsecpol line of the computed length %d", f.Target, f.Name, n)
		}
	}

	big := steptest.BigTopology(1, 10, 120, 0)
	answers := steptest.AnswerAll(owaSteps, big)
	answers[owacert.ID][owacert.QCountry] = "US"
	bin := steptest.NewInput("Big", big, answers)
	var codes []string
	for _, f := range Step.Check(bin) {
		codes = append(codes, f.Code)
	}
	if !slices.Contains(codes, CodeLineTooLong) {
		t.Errorf("120 back-ends on Windows 2000: findings %q", codes)
	}
}

func TestFilterSpecs(t *testing.T) {
	for f, want := range map[Filter]string{
		{Src: "me", Dst: "10.0.1.21"}: "0+10.0.1.21:80:TCP",
		{Src: "10.0.2.11", Dst: "me"}: "10.0.2.11+0:80:TCP",
		{Src: "any", Dst: "me"}:       "*+0:80:TCP",
		{Src: "me", Dst: "any"}:       "0+*:80:TCP",
	} {
		if got := f.ipsecpol(); got != want {
			t.Errorf("%+v: %q, want %q", f, got, want)
		}
	}
}

// TestCorrections: the plan lists where it departs from the guide: the
// back-end refresh, the Policy Agent restart instead of a reboot, and
// where the back-ends require IPSec, the temporary filter action and the
// corrected back-end filter. Choosing the guide's own back-end filter
// drops those two (the choice is a warning the team accepts instead).
func TestCorrections(t *testing.T) {
	for _, tt := range []struct {
		filter string
		want   int
		plan   string
	}{
		{FilterFromFrontEnds, 4, "Source each front-end's address"},
		{FilterFromAny, 4, "Source any address"},
		{FilterAsGuide, 2, ""},
	} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QBEFilter: tt.filter}}, nil)
		cs := Step.Corrections(in)
		if len(cs) != tt.want {
			t.Errorf("%s: %d corrections: %+v", tt.filter, len(cs), cs)
			continue
		}
		for i, c := range cs {
			servers := "EXBE01,EXBE02"
			if i == 1 {
				servers = "OWAFE01,OWAFE02,EXBE01,EXBE02"
			}
			if c.Guide == "" || c.Plan == "" || c.Why == "" || strings.Join(c.Servers, ",") != servers {
				t.Errorf("%s: incomplete correction %+v", tt.filter, c)
			}
		}
		if !strings.Contains(cs[1].Plan, "policyagent") {
			t.Errorf("%s: the restart is not listed: %+v", tt.filter, cs[1])
		}
		if tt.plan != "" && (!strings.HasPrefix(cs[3].Plan, tt.plan) || !strings.Contains(cs[2].Plan, "Encrypt (transition)")) {
			t.Errorf("%s: plan %+v", tt.filter, cs[2:])
		}
	}
}
