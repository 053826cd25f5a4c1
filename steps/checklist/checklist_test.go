package checklist

import (
	"bytes"
	"encoding/json"
	"flag"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/stig"
)

var update = flag.Bool("update", false, "rewrite the golden checklists")

// record is a change of two Mailbox servers and two Edge servers whose
// marks cover every way a rule's status is decided.
func record() Input {
	at := time.Date(2026, 12, 5, 22, 15, 0, 0, time.UTC)
	srv := func(name, fqdn, addr string, role steps.Role) steps.Server {
		return steps.Server{Name: steps.NetBIOSName(name), FQDN: steps.FQDN(fqdn), Addrs: []netip.Addr{netip.MustParseAddr(addr)}, Roles: []steps.Role{role}}
	}
	topo := steps.Topology{Servers: []steps.Server{
		srv("EX01", "ex01.corp.contoso.com", "10.10.1.21", steps.RoleMailbox),
		srv("EX02", "ex02.corp.contoso.com", "10.10.1.22", steps.RoleMailbox),
		srv("EDGE01", "edge01.perimeter.contoso.com", "192.0.2.25", steps.RoleEdge),
		srv("EDGE02", "edge02.perimeter.contoso.com", "192.0.2.26", steps.RoleEdge),
	}}
	redundancy := []steps.ControlRef{{Control: stig.EdgeRedundancy, Server: "EDGE01"}, {Control: stig.EdgeRedundancy, Server: "EDGE02"}}
	actions := []steps.Action{
		{Step: "outlook", ID: "encrypt-ex01", Target: "EX01", Title: "Require encrypted Outlook connections on EX01", Controls: []steps.ControlRef{{Control: stig.RPCEncryption}}},
		{Step: "outlook", ID: "encrypt-ex02", Target: "EX02", Title: "Require encrypted Outlook connections on EX02", Controls: []steps.ControlRef{{Control: stig.RPCEncryption}}},
		{Step: "relay", ID: "relay-ex01", Target: "EX01", Title: "Create the relay connector on EX01",
			Controls: []steps.ControlRef{{Control: stig.AnonymousReceive, Deviation: "relay/anonymous-relay"}}},
		{Step: "edge", ID: "import-edge01", Target: "EX01", Title: "Import EDGE01's subscription on EX01", Controls: redundancy},
		{Step: "edge", ID: "import-edge02", Target: "EX01", Title: "Import EDGE02's subscription on EX01", Controls: redundancy},
		{Step: "antispam", ID: "settings-edge01", Target: "EDGE01", Title: "Set the anti-spam filters on EDGE01", Controls: []steps.ControlRef{{Control: stig.EdgeContentFilter}}},
		{Step: "edge", ID: "firewall", Target: "EDGE01", Title: "Open the firewall"},
	}
	return Input{Project: "Contoso mail", ID: 7, Revision: 12, Topology: topo, Actions: actions,
		Marks: map[string][]Mark{
			"outlook/encrypt-ex01@EX01": {
				{Status: "failed", Note: "the directory was not reachable", By: "di", At: at.Add(-time.Hour)},
				{Status: "done", Output: "All checks passed.", By: "di", At: at, Evidence: []string{"verify.txt (25 bytes, sha256 0123abcd)"}},
			},
			"outlook/encrypt-ex02@EX02":       {{Status: "skipped", Note: "EX02 is being retired", By: "di", At: at}},
			"relay/relay-ex01@EX01":           {{Status: "done", By: "sam", At: at}},
			"edge/import-edge01@EX01":         {{Status: "done", By: "sam", At: at}},
			"edge/import-edge02@EX01":         {{Status: "failed", Note: "the bootstrap account had expired", By: "sam", At: at}},
			"antispam/settings-edge01@EDGE01": {{Status: "done", By: "sam", At: at}},
		},
		Accepted: map[string]string{"relay/anonymous-relay": "The copiers cannot sign in."},
	}
}

type checkedRule struct {
	server, vuln, status string
	details, comments    []string // texts that must appear
}

func TestStatusesFollowTheMarks(t *testing.T) {
	files, err := Build(record())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]map[string]rule{}
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
		var d document
		if err := json.Unmarshal(f.Body, &d); err != nil {
			t.Fatalf("%s: %v", f.Name, err)
		}
		got[f.Target] = map[string]rule{}
		for _, s := range d.STIGs {
			if s.Size != len(s.Rules) {
				t.Errorf("%s %s: size %d, %d rules", f.Name, s.ID, s.Size, len(s.Rules))
			}
			for _, r := range s.Rules {
				got[f.Target][r.GroupID] = r
			}
		}
	}
	if want := "EX01.cklb EX02.cklb EDGE01.cklb EDGE02.cklb"; strings.Join(names, " ") != want {
		t.Errorf("files %q, want %q", strings.Join(names, " "), want)
	}
	for _, c := range []checkedRule{
		{"EX01", "V-259645", NotAFinding, []string{"Plan step 1", "Marked done by di", "All checks passed.", "verify.txt (25 bytes, sha256 0123abcd)"}, nil},
		{"EX02", "V-259645", NotReviewed, []string{"Marked skipped", "EX02 is being retired"}, nil},
		{"EX01", "V-259687", Open, []string{"Marked done by sam"}, []string{"relay/anonymous-relay", "The copiers cannot sign in."}},
		{"EDGE01", "V-259640", Open, []string{"Plan step 4", "Plan step 5", "bootstrap account had expired"}, nil},
		{"EDGE02", "V-259640", Open, []string{"Plan step 5"}, nil},
		{"EDGE01", "V-259617", NotAFinding, []string{"Plan step 6"}, nil},
	} {
		r, ok := got[c.server][c.vuln]
		if !ok {
			t.Errorf("%s has no rule %s", c.server, c.vuln)
			continue
		}
		if r.Status != c.status {
			t.Errorf("%s %s: status %s, want %s", c.server, c.vuln, r.Status, c.status)
		}
		for _, s := range c.details {
			if !strings.Contains(r.FindingDetails, s) {
				t.Errorf("%s %s: finding details lack %q:\n%s", c.server, c.vuln, s, r.FindingDetails)
			}
		}
		for _, s := range c.comments {
			if !strings.Contains(r.Comments, s) {
				t.Errorf("%s %s: comments lack %q: %q", c.server, c.vuln, s, r.Comments)
			}
		}
	}
	if _, ok := got["EX01"]["V-259640"]; ok {
		t.Error("the Edge rule is in the Mailbox server's checklist, where its action runs")
	}
}

// TestNoRulesNoChecklist: a plan that covers no rule exports nothing,
// rather than empty checklists a reviewer might read as clean.
func TestNoRulesNoChecklist(t *testing.T) {
	in := record()
	for i := range in.Actions {
		in.Actions[i].Controls = nil
	}
	files, err := Build(in)
	if err != nil || len(files) != 0 {
		t.Fatalf("Build = %d files, %v; want none", len(files), err)
	}
}

// TestGolden keeps the exported bytes stable: the same record gives the
// same files, UUIDs included.
func TestGolden(t *testing.T) {
	files, err := Build(record())
	if err != nil {
		t.Fatal(err)
	}
	again, _ := Build(record())
	for i, f := range files {
		if !bytes.Equal(f.Body, again[i].Body) {
			t.Errorf("%s differs between two exports of the same record", f.Name)
		}
		path := filepath.Join("testdata", "want", f.Name)
		if *update {
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, f.Body, 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%v (run go test -update)", err)
		}
		if !bytes.Equal(f.Body, want) {
			t.Errorf("%s differs from %s (run go test -update and review the diff)", f.Name, path)
		}
	}
}

// TestSTIGManagerReadsThem reads the exported files with STIG Manager's
// own import parser (its npm package, in testdata/stigman) and checks it
// takes each rule with the status the wizard gave it.
func TestSTIGManagerReadsThem(t *testing.T) {
	node, err := exec.LookPath("node")
	dir := filepath.Join("testdata", "stigman")
	if _, serr := os.Stat(filepath.Join(dir, "node_modules", "@nuwcdivnpt", "stig-manager-client-modules")); err != nil || serr != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("node or STIG Manager's parser is missing (run make npm-deps): %v %v", err, serr)
		}
		t.Skip("node or STIG Manager's parser is missing; run make npm-deps")
	}
	files, err := Build(record())
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()
	var paths []string
	for _, f := range files {
		p := filepath.Join(tmp, f.Name)
		if err := os.WriteFile(p, f.Body, 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	cmd := exec.Command(node, append([]string{"read.mjs"}, paths...)...)
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("the STIG Manager parser: %v\n%s", err, out)
	}
	var read []struct {
		File   string `json:"file"`
		Error  string `json:"error"`
		Target struct {
			Name string `json:"name"`
			FQDN string `json:"fqdn"`
			IP   string `json:"ip"`
		} `json:"target"`
		Checklists []struct {
			BenchmarkID string `json:"benchmarkId"`
			RevisionStr string `json:"revisionStr"`
			Reviews     []struct {
				RuleID string `json:"ruleId"`
				Result string `json:"result"`
				Detail string `json:"detail"`
			} `json:"reviews"`
		} `json:"checklists"`
	}
	if err := json.Unmarshal(out, &read); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	results := map[string]string{}
	for i, r := range read {
		if r.Error != "" {
			t.Errorf("%s: refused: %s", r.File, r.Error)
			continue
		}
		if r.Target.Name != files[i].Target {
			t.Errorf("%s: asset %q, want %q", r.File, r.Target.Name, files[i].Target)
		}
		for _, c := range r.Checklists {
			for _, v := range c.Reviews {
				results[r.Target.Name+" "+c.BenchmarkID+" "+c.RevisionStr+" "+v.RuleID] = v.Result
			}
		}
	}
	if read[0].Target.FQDN != "ex01.corp.contoso.com" || read[0].Target.IP != "10.10.1.21" {
		t.Errorf("EX01's asset: %+v", read[0].Target)
	}
	for key, want := range map[string]string{
		"EX01 MS_Exchange_2019_Mailbox_Server_STIG V2R3 SV-259645r960759_rule": "pass",
		"EX02 MS_Exchange_2019_Mailbox_Server_STIG V2R3 SV-259645r960759_rule": "notchecked",
		"EX01 MS_Exchange_2019_Mailbox_Server_STIG V2R3 SV-259687r961161_rule": "fail",
		"EDGE01 MS_Exchange_2019_Edge_Server_STIG V2R2 SV-259640r961632_rule":  "fail",
		"EDGE01 MS_Exchange_2019_Edge_Server_STIG V2R2 SV-259617r961161_rule":  "pass",
	} {
		if got := results[key]; got != want {
			t.Errorf("%s: STIG Manager reads %q, want %q (all: %v)", key, got, want, results)
		}
	}
}

// FuzzMarkText: whatever a member types into a mark or a deviation's
// reason, the checklist stays valid JSON and carries the text unchanged.
func FuzzMarkText(f *testing.F) {
	for _, s := range []string{"", "ok", "\"}],\"status\":\"not_a_finding", "<script>alert(1)</script>", "line\r\nbreak", "\u202eevil", "\x00", "\xff"} {
		f.Add(s, s)
	}
	f.Fuzz(func(t *testing.T, note, reason string) {
		in := record()
		in.Marks["relay/relay-ex01@EX01"] = []Mark{{Status: "done", Note: note, Output: note, By: "sam", At: time.Unix(0, 0)}}
		in.Accepted["relay/anonymous-relay"] = reason
		files, err := Build(in)
		if err != nil {
			t.Fatal(err)
		}
		var d document
		if err := json.Unmarshal(files[0].Body, &d); err != nil {
			t.Fatalf("not JSON: %v", err)
		}
		r := d.STIGs[0].Rules[1]
		if r.GroupID != "V-259687" || r.Status != Open {
			t.Fatalf("rule %s status %s, want V-259687 open", r.GroupID, r.Status)
		}
		if !strings.Contains(r.FindingDetails, asJSON(note)) || !strings.Contains(r.Comments, asJSON(reason)) {
			t.Fatalf("the text did not survive: %q / %q", r.FindingDetails, r.Comments)
		}
	})
}

// asJSON is s as it reads back from JSON: invalid UTF-8 becomes U+FFFD
// byte by byte, and nothing else changes.
func asJSON(s string) string {
	b, _ := json.Marshal(s)
	var back string
	json.Unmarshal(b, &back)
	return back
}
