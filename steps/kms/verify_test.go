package kms

import (
	"strings"
	"testing"

	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/steptest"
)

// TestVerifyFailsWhenNotApplied runs the users' KMS check against the
// certificate store of a user who was never enrolled, and expects it to
// fail; the CA check fails whenever certutil -ping does.
func TestVerifyFailsWhenNotApplied(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, "testdata/contoso-internal-ca").Input())
	if err != nil {
		t.Fatal(err)
	}
	var body string
	for _, f := range files {
		if f.Name == VerifyFile && strings.Contains(string(f.Body), "certutil -user -store My") {
			body = string(f.Body)
		}
	}
	if body == "" {
		t.Fatal("no users' check")
	}
	if !strings.Contains(body, "-ping\r\nif errorlevel 1 goto pingfailed\r\n") || !strings.Contains(body, ":pingfailed\r\nset \"FAILED=1\"\r\n") {
		t.Error("a CA that does not answer does not fail the check")
	}
	ds := scripttest.Decisions(body)
	if len(ds) != 1 {
		t.Fatalf("%d store checks, want 1", len(ds))
	}
	for name, out := range map[string]string{
		"empty store": "My\r\nCertUtil: -store command completed successfully.\r\n",
		"another CA's certificate": "My\r\n================ Certificate 0 ================\r\nSerial Number: 1a\r\n" +
			"Issuer: CN=Some Public CA, O=Example\r\nSubject: CN=Ruth Okafor\r\nCertUtil: -store command completed successfully.\r\n",
	} {
		if !ds[0].Fails(out) {
			t.Errorf("%s: the check passes", name)
		}
	}
	enrolled := "My\r\n================ Certificate 0 ================\r\nSerial Number: 1a\r\n" +
		"Issuer: CN=Contoso Enterprise CA, DC=corp, DC=contoso, DC=com\r\nSubject: CN=Ruth Okafor\r\n"
	if ds[0].Fails(enrolled) {
		t.Error("the check fails for an enrolled user")
	}
}
