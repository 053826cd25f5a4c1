package owatopology

import (
	"testing"

	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/steptest"
)

// TestDNSVerifyFailsWhenNotApplied runs the DNS check against nslookup
// output from before the record was changed, and where only the DNS
// server's own address is the published one, and expects it to fail.
func TestDNSVerifyFailsWhenNotApplied(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, reference).Input())
	if err != nil {
		t.Fatal(err)
	}
	var body string
	for _, f := range files {
		if f.Name == DNSVerifyFile {
			body = string(f.Body)
		}
	}
	ds := scripttest.Decisions(body)
	if len(ds) != 1 {
		t.Fatalf("%d checks, want 1", len(ds))
	}
	for name, out := range map[string]string{
		"no answer":        "",
		"the old address":  "Server:  ns1.example.net\r\nAddress:  198.51.100.53\r\n\r\nName:    mail.example.com\r\nAddress:  198.51.100.80\r\n",
		"a longer address": "Server:  ns1.example.net\r\nAddress:  198.51.100.53\r\n\r\nName:    mail.example.com\r\nAddress:  192.0.2.100\r\n",
		"only the server":  "Server:  isa.example.com\r\nAddress:  192.0.2.10\r\n\r\n*** can't find mail.example.com: Non-existent domain\r\n",
	} {
		if !ds[0].Fails(out) {
			t.Errorf("%s: the check passes", name)
		}
	}
	if ds[0].Fails("Server:  ns1.example.net\r\nAddress:  198.51.100.53\r\n\r\nName:    mail.example.com\r\nAddress:  192.0.2.10\r\n") {
		t.Error("the check fails once the record points at ISA Server")
	}
}
