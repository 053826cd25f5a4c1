package outlooktls

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
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" || a.Script == "" {
			t.Errorf("incomplete action %+v", a)
		}
	}
	if want := []string{"encrypt-ex01", "encrypt-ex02"}; !slices.Equal(ids, want) {
		t.Errorf("actions %q, want %q", ids, want)
	}
	files, _ := Step.Files(in)
	body := map[string]string{}
	for _, f := range files {
		body[f.Target+"/"+f.Name] = string(f.Body)
	}
	// The organisation-wide setting is made once, from the first server.
	if !strings.Contains(body["EX01/outlook-encryption-apply.ps1"], "Set-OrganizationConfig -MapiHttpEnabled $true") ||
		strings.Contains(body["EX02/outlook-encryption-apply.ps1"], "Set-OrganizationConfig") {
		t.Error("MAPI over HTTP is not set exactly once, from EX01")
	}
	for _, s := range []string{"EX01", "EX02"} {
		if !strings.Contains(body[s+"/outlook-encryption-apply.ps1"], "Set-RpcClientAccess -Server '"+s+"' -EncryptionRequired $true -Confirm:$false") {
			t.Errorf("%s: no RPC encryption setting", s)
		}
	}
	// The prerequisites name each server's own product.
	if !strings.Contains(body["EX01/outlook-encryption-apply.ps1"], "$v.Build -lt 1544") || !strings.Contains(body["EX02/outlook-encryption-apply.ps1"], "$v.Build -lt 2562") {
		t.Error("the prerequisites do not check each server's build")
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		change map[string]string
		want   []string
	}{
		{map[string]string{QMapiHTTP: "no", QRequire: "no"}, []string{CodeNothingToDo, CodeNoEncryption, CodeMapiHTTPOff}},
		{map[string]string{QRequire: "no"}, []string{CodeNoEncryption}},
		{map[string]string{QServers: "EX09"}, []string{CodeServerMissing, CodeNoServers}},
		{map[string]string{}, nil},
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
}

func TestAppliesOnlyWithMailboxServers(t *testing.T) {
	if ok, _ := applies(steps.Topology{}); ok {
		t.Error("applies without Mailbox servers")
	}
	if Step.Platform != steps.PlatformCurrent {
		t.Error("not a current-platform procedure")
	}
}
