package extendedprotection

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
	var ids []string
	for _, a := range Step.Plan(in) {
		ids = append(ids, a.ID)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" {
			t.Errorf("incomplete action %+v", a)
		}
		if strings.HasPrefix(a.ID, "extended-protection-") {
			if a.Script != "" || !strings.Contains(strings.Join(a.Do, "\n"), "-Name 'tokenChecking'") {
				t.Errorf("%s: the Extended Protection check is not a manual read of IIS", a.ID)
			}
		} else if a.Script != "server-isolation-apply.ps1" || a.Interrupts == "" || a.Minutes == 0 {
			t.Errorf("%s: the IPsec step does not run its script or name its interruption", a.ID)
		}
	}
	want := []string{"extended-protection-ex01", "extended-protection-ex02", "server-isolation-ex01", "server-isolation-ex02"}
	if !slices.Equal(ids, want) {
		t.Errorf("actions %q, want %q", ids, want)
	}
	files, err := Step.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	body := map[string]string{}
	for _, f := range files {
		body[f.Target+"/"+f.Name] = string(f.Body)
	}
	// Each server's rule names the other server, never itself.
	for self, other := range map[string]string{"EX01": "10.10.1.22", "EX02": "10.10.1.21"} {
		b := body[self+"/server-isolation-apply.ps1"]
		if !strings.Contains(b, "-InboundSecurity 'Require' -OutboundSecurity 'Request' -Protocol 'TCP' -RemoteAddress @('"+other+"')") {
			t.Errorf("%s: the rule does not name %s alone", self, other)
		}
		if !strings.Contains(body[self+"/server-isolation-backout.ps1"], "Remove-NetIPsecRule -Name 'Exchange-Mailbox-Isolation'") {
			t.Errorf("%s: the backout does not remove the rule by name", self)
		}
	}

	// Without IPsec the procedure writes no file: the check is read-only.
	none := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QIPsec: "no"}}, nil)
	if fs, err := Step.Files(none); err != nil || len(fs) != 0 {
		t.Errorf("without IPsec: %d files, %v", len(fs), err)
	}
	if n := len(Step.Plan(none)); n != 2 {
		t.Errorf("without IPsec: %d actions, want the two checks", n)
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		change map[string]string
		want   []string
	}{
		{map[string]string{}, nil},
		{map[string]string{QProxy: ProxyPassthrough}, nil},
		{map[string]string{QProxy: ProxyOffload}, []string{CodeOffload}},
		{map[string]string{QProxy: ProxyNone}, []string{CodeProxyIgnored}},
		{map[string]string{QProxy: ""}, []string{CodeProxyUnknown}},
		{map[string]string{QServers: "EX01"}, []string{CodeIPsecAlone}},
		{map[string]string{QServers: "EX01", QIPsec: "no"}, nil},
		{map[string]string{QServers: "EX09"}, []string{CodeServerMissing, CodeNoServers, CodeIPsecAlone}},
		{map[string]string{QRuleName: ""}, []string{CodeBadValue}},
		{map[string]string{QRuleName: "", QIPsec: "no"}, nil},
	} {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: tt.change}, nil)
		var got []string
		for _, f := range Step.Check(in) {
			got = append(got, f.Code)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("%v: findings %q, want %q", tt.change, got, tt.want)
		}
	}
	// Without a reverse proxy in the inventory, naming one is a warning,
	// and offloading by an unlisted device is still an error.
	noProxy := func(change map[string]string) []string {
		in := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: change}, nil)
		in.Topology.Servers = slices.DeleteFunc(slices.Clone(in.Topology.Servers), func(s steps.Server) bool { return s.Has(steps.RoleProxy) })
		var got []string
		for _, f := range Step.Check(in) {
			got = append(got, f.Code)
		}
		return got
	}
	if got := noProxy(nil); !slices.Equal(got, []string{CodeProxyMissing}) {
		t.Errorf("re-encrypting proxy not in the inventory: %q", got)
	}
	if got := noProxy(map[string]string{QProxy: ProxyOffload}); !slices.Equal(got, []string{CodeOffload}) {
		t.Errorf("offloading without a listed proxy: %q", got)
	}
	if got := noProxy(map[string]string{QProxy: ProxyNone}); got != nil {
		t.Errorf("no proxy at all: %q", got)
	}
	in := steptest.WithChanges(t, reference, nil, func(s *steps.Server) {
		if s.Name == "EX02" {
			s.Addrs = nil
		}
	})
	var got []string
	for _, f := range Step.Check(in) {
		got = append(got, f.Code)
	}
	if !slices.Equal(got, []string{CodeNoAddress}) {
		t.Errorf("server without address: %q", got)
	}
}
