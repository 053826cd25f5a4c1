package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/steps/projectfile"
)

// TestMigrateTheFleet migrates the fleet example: the result is a
// current-platform project file that decodes cleanly, with the back-ends
// as Mailbox servers, ISA Server as reverse proxies, the gateway as an
// Edge Transport server and the front-end and Message Screener host
// retired; the report gives every guide procedure with its old status.
func TestMigrateTheFleet(t *testing.T) {
	out := filepath.Join(t.TempDir(), "current.json")
	var stdout, stderr bytes.Buffer
	if err := run(context.Background(), []string{"migrate", "-exchange", "SE-RTM", "-os", "ws2025", "-out", out, "../../docs/examples/fleet.json"}, env(nil), &stdout, &stderr); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	f, _ := os.Open(out)
	p, problems := projectfile.Decode(f, catalog.All)
	f.Close()
	if len(problems) > 0 {
		t.Fatalf("the migrated file: %v", problems)
	}
	if p.Topology.Facts.Platform != steps.PlatformCurrent || !strings.HasSuffix(p.Name, "(current platform)") || len(p.Completed) != 0 {
		t.Errorf("project %q on %q, %d completed", p.Name, p.Topology.Facts.Platform, len(p.Completed))
	}
	roles := map[string]steps.Role{}
	for _, s := range p.Topology.Servers {
		roles[string(s.Name)] = s.Roles[0]
		if s.OS != steps.OSWindows2025 || (s.Has(steps.RoleMailbox) && s.Exchange.Version != steps.ExchangeSE) {
			t.Errorf("%s: %s, %+v", s.Name, s.OS, s.Exchange)
		}
	}
	if roles["EXBE01"] != steps.RoleMailbox || roles["ISA01"] != steps.RoleProxy || roles["SMTPGW01"] != steps.RoleEdge {
		t.Errorf("roles %v", roles)
	}
	if _, ok := roles["EXFE01"]; ok {
		t.Error("the front-end was kept")
	}
	rep := stdout.String()
	for _, want := range []string{"EXFE01: retired (an OWA front-end has no counterpart", "Encrypt Outlook's connection to Exchange (completed in the old project): plan Encrypt Outlook's connection to Exchange",
		"Set up the Key Management Service (completed in the old project): plan Archive S/MIME encryption keys on the issuing CA"} {
		if !strings.Contains(rep, want) {
			t.Errorf("the report lacks %q:\n%s", want, rep)
		}
	}
	if strings.Count(rep, " in the old project)") != 12 {
		t.Errorf("the report does not give all twelve procedures:\n%s", rep)
	}
	// A bad target is a usage error naming the flag.
	err := run(context.Background(), []string{"migrate", "-exchange", "2019-CU9", "../../docs/examples/fleet.json"}, env(nil), &stdout, &stderr)
	if err == nil || !strings.Contains(err.Error(), "-exchange") {
		t.Errorf("an old update: %v", err)
	}
}
