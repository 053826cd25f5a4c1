package edgetransport

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
		ids = append(ids, a.ID+"@"+a.Target)
		if a.Title == "" || len(a.Do) == 0 || a.Expect == "" || a.Verify == "" || a.Backout == "" {
			t.Errorf("incomplete action %+v", a)
		}
	}
	want := []string{"edge-firewall-edge01@EDGE01", "edge-subscribe-edge01@EDGE01", "edge-import-edge01@EX01", "edge-tls-edge01@EDGE01", "edge-outside-test@EDGE01"}
	if !slices.Equal(ids, want) {
		t.Fatalf("actions %q, want %q", ids, want)
	}
	all := func(a steps.Action) string { return strings.Join(a.Do, "\n") }
	if !strings.Contains(all(as[0]), "TCP 50636") || !strings.Contains(all(as[0]), "10.10.1.21, 10.10.1.22") {
		t.Error("the firewall step lacks EdgeSync's port or the Mailbox servers' addresses")
	}
	if !strings.Contains(all(as[1]), `New-EdgeSubscription -FileName 'C:\EdgeSubscription\EDGE01.xml'`) {
		t.Error("no subscription file is written on the Edge")
	}
	if !strings.Contains(all(as[2]), `New-EdgeSubscription -FileData ([System.IO.File]::ReadAllBytes('C:\EdgeSubscription\EDGE01.xml')) -Site 'Default-First-Site-Name'`) ||
		!strings.Contains(all(as[2]), "Start-EdgeSynchronization") || !strings.Contains(as[2].Verify, "Test-EdgeSynchronization -TargetServer EDGE01") {
		t.Error("the import step is not as documented")
	}
	if as[3].Script != "edge-tls-apply.ps1" {
		t.Errorf("the TLS step runs %q", as[3].Script)
	}
	p := as[4].Probe
	if p == nil || p.Kind != steps.ProbeSMTP || p.Host != "mx.contoso.com" || p.Port != 25 || !p.STARTTLS || p.OutsideTo != "probe@example.org" {
		t.Errorf("outside probe %+v", p)
	}
	files, err := Step.Files(in)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		if f.Target != "EDGE01" {
			t.Errorf("a file for %s", f.Target)
		}
		if f.Name == "edge-tls-apply.ps1" {
			b := string(f.Body)
			if !strings.Contains(b, `Set-ReceiveConnector -Identity 'EDGE01\Default internal receive connector EDGE01' -AuthMechanism 'Tls, ExchangeServer'`) || strings.Contains(b, "-RequireTLS") {
				t.Error("the Edge connector's settings are not as chosen")
			}
		}
	}
	req := steptest.WithChanges(t, reference, map[string]steps.Answers{ID: {QRequireTLS: "yes"}}, nil)
	files, _ = Step.Files(req)
	if !slices.ContainsFunc(files, func(f steps.File) bool {
		return f.Name == "edge-tls-apply.ps1" && strings.Contains(string(f.Body), "-RequireTLS $true -Confirm:$false")
	}) {
		t.Error("RequireTLS is not set when chosen")
	}
}

func TestCheck(t *testing.T) {
	for _, tt := range []struct {
		change map[string]string
		want   []string
	}{
		{map[string]string{}, nil},
		{map[string]string{QRequireTLS: "yes"}, []string{CodeRequireTLS}},
		{map[string]string{QEdges: "EX01"}, []string{CodeConnectorServer, CodeServerMissing, CodeNoEdges}},
		{map[string]string{QMailbox: "EDGE01"}, []string{CodeNoMailbox}},
		{map[string]string{QConnectors: `EDGE01\Default internal receive connector EDGE01` + "\n" + `EDGE01\Other`}, []string{CodeTwoConnectors}},
		{map[string]string{QConnectors: "Default internal receive connector EDGE01"}, []string{CodeBadValue, CodeNoConnector}},
		{map[string]string{QConnectors: `EX01\Default Frontend EX01`}, []string{CodeConnectorServer, CodeNoConnector}},
		{map[string]string{QSite: "Site;rm"}, []string{CodeBadValue}},
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
	in := steptest.WithChanges(t, reference, nil, func(s *steps.Server) {
		if s.Name == "EDGE01" {
			s.FQDN = "edge01.corp.contoso.com"
		}
	})
	in.Topology.Facts.MXHost = ""
	var got []string
	for _, f := range Step.Check(in) {
		got = append(got, f.Code)
	}
	if !slices.Equal(got, []string{CodeEdgeNotPerimeter, CodeNoMXHost}) {
		t.Errorf("findings %q", got)
	}
}

func TestParseConnector(t *testing.T) {
	c, err := ParseConnector(` edge01\Default internal receive connector EDGE01 `)
	if err != nil || c.String() != `EDGE01\Default internal receive connector EDGE01` {
		t.Errorf("%v %v", c, err)
	}
	for _, bad := range []string{"", `EDGE01`, `\name`, `EDGE01\`, `EDGE01\a\b`, `EDGE01\x'; rm`, `EDGE 01\name`} {
		if c, err := ParseConnector(bad); err == nil {
			t.Errorf("%q accepted as %v", bad, c)
		}
	}
}
