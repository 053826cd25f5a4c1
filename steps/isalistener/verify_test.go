package isalistener

import (
	"testing"

	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/steptest"
)

// TestVerifyFailsWhenNotApplied runs each check of the listener verify
// against netstat output of an ISA Server where the change was not made,
// or where netstat listed nothing, and expects the file to fail; against
// the output of a changed server it must pass.
func TestVerifyFailsWhenNotApplied(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, reference).Input())
	if err != nil {
		t.Fatal(err)
	}
	ds := scripttest.Decisions(string(files[0].Body))
	if len(ds) != 3 {
		t.Fatalf("%d checks in %s, want the SSL listener, the netstat listing and TCP 8080", len(ds), files[0].Name)
	}
	for name, out := range map[string]string{
		"netstat printed nothing": "",
		"listening on 80 only":    "  TCP    192.0.2.10:80          0.0.0.0:0              LISTENING\r\n",
		"SSL on all addresses":    "  TCP    0.0.0.0:443            0.0.0.0:0              LISTENING\r\n",
		"proxy still listening": "  TCP    192.0.2.10:443         0.0.0.0:0              LISTENING\r\n" +
			"  TCP    10.0.0.1:8080          0.0.0.0:0              LISTENING\r\n",
	} {
		if !scripttest.AnyFails(ds, map[string]string{"": out}) {
			t.Errorf("%s: the verify passes", name)
		}
	}
	applied := "  TCP    192.0.2.10:443         0.0.0.0:0              LISTENING\r\n" +
		"  TCP    10.0.0.1:1745          0.0.0.0:0              LISTENING\r\n"
	if scripttest.AnyFails(ds, map[string]string{"": applied}) {
		t.Error("the verify fails on a server where the change was made")
	}
}
