package owacert

import (
	"regexp"
	"strings"
	"testing"

	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/steptest"
)

// TestVerifyFailsWhenNotApplied runs the front-end check's decisions
// against adsutil.vbs output of a front-end left as IIS installs it (no
// SSL required, anonymous and Integrated Windows authentication, no SSL
// binding) and expects every value to fail; with the settings made they
// must pass.
func TestVerifyFailsWhenNotApplied(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, reference).Input())
	if err != nil {
		t.Fatal(err)
	}
	var body string
	for _, f := range files {
		if f.Name == VerifyFile && f.Target == "OWAFE01" {
			body = string(f.Body)
		}
	}
	var value, binding *scripttest.Decision
	ds := scripttest.Decisions(body)
	for i := range ds {
		if strings.Contains(ds[i].Command, "%1") {
			value = &ds[i]
		} else {
			binding = &ds[i]
		}
	}
	if value == nil || binding == nil || len(ds) != 2 {
		t.Fatalf("checks %+v, want the value subroutine and the SSL binding", ds)
	}
	calls := regexp.MustCompile(`call :value "[^"]*/([A-Za-z]+)" "([0-9]+)"`).FindAllStringSubmatch(body, -1)
	if len(calls) < 8 {
		t.Fatalf("%d values checked", len(calls))
	}
	installed := map[string]string{"AuthFlags": "5", "AccessSSLFlags": "0"}
	for _, c := range calls {
		d := *value
		d.Patterns = []string{strings.ReplaceAll(d.Patterns[0], "%~2", c[2])}
		if !d.Fails(c[1] + "                       : (INTEGER) " + installed[c[1]] + "\r\n") {
			t.Errorf("%s as IIS installs it passes the check for %s", c[1], c[2])
		}
		if !d.Fails("") {
			t.Errorf("%s: no output passes", c[1])
		}
		if d.Fails(c[1] + "                       : (INTEGER) " + c[2] + "\r\n") {
			t.Errorf("%s %s fails its own check", c[1], c[2])
		}
	}
	if !binding.Fails(`The parameter "SecureBindings" is not set at this node.` + "\r\n") {
		t.Error("a site without an SSL binding passes")
	}
	if binding.Fails(`SecureBindings                  : (LIST) (1 Items)` + "\r\n" + `  ":443:"` + "\r\n") {
		t.Error("a site with an SSL binding fails")
	}
}
