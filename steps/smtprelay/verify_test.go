package smtprelay_test

import (
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/screener"
	"github.com/secex/wizard/steps/smtpgateway"
	"github.com/secex/wizard/steps/smtprelay"
	"github.com/secex/wizard/steps/steptest"
)

// TestRelayVerifiesFailClosed checks the relay verify scripts of the
// Exchange servers, the gateway and the Message Screener host, which run
// in cscript on the server: a metabase that cannot be opened, a list that
// cannot be read and any check that does not hold end with exit code 1,
// and the only way to exit 0 is past every check with none failed. A
// server left as IIS installs it (relay list unset or empty with
// authenticated relaying allowed, connections from everyone) fails at
// RelayForAuth or at the lists.
func TestRelayVerifiesFailClosed(t *testing.T) {
	in := steptest.Load(t, "testdata/contoso-reference").Input()
	n := 0
	for _, st := range []*steps.Step{smtprelay.Step, smtpgateway.Step, screener.Step} {
		files, err := st.Files(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			if f.Kind != steps.FileVerify || !strings.HasSuffix(f.Name, ".vbs") {
				continue
			}
			n++
			body := strings.ReplaceAll(string(f.Body), "\r\n", "\n")
			for _, want := range []string{
				"If Err.Number <> 0 Then\n\tWScript.Echo \"FAILED: cannot open \" & VS_PATH",
				"If relay Is Nothing Then\n\tReport False,",
				"Report CLng(relayForAuth) = 0,",
				"Else\n\tReport False, \"RelayForAuth can be read\"",
				"If conn Is Nothing Then\n\tReport False,",
				"If failed Then\n",
				"\tWScript.Quit 1\nEnd If\nWScript.Echo \"All checks passed.\"\nWScript.Quit 0\n",
				"\t\tWScript.Echo \"FAILED  \" & what & \": \" & otherwise\n\t\tfailed = True\n",
			} {
				if !strings.Contains(body, want) {
					t.Errorf("%s/%s lacks %q", f.Target, f.Name, want)
				}
			}
			if strings.Count(body, "WScript.Quit 0") != 1 {
				t.Errorf("%s/%s exits 0 in more than one place", f.Target, f.Name)
			}
			if !strings.Contains(body, "wantConnectAll = True") && !strings.Contains(body, "Report SameEntries(conn.IPGrant, wantConnect)") {
				t.Errorf("%s/%s does not compare the connection list", f.Target, f.Name)
			}
		}
	}
	if n != 3 {
		t.Errorf("%d relay verify scripts, want the Exchange server's, the gateway's and the screener's", n)
	}
}
