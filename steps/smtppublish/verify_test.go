package smtppublish

import (
	"testing"

	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/steptest"
)

// TestDNSVerifyFailsWhenNotApplied runs the DNS check's two decisions
// against nslookup output from before the DNS change, and from look-alike
// answers, and expects the file to fail; with the changed records it must
// pass.
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
	if len(ds) != 2 {
		t.Fatalf("%d checks, want the MX record and the address", len(ds))
	}
	mx, a := ds[0].Command, ds[1].Command
	server := "Server:  ns1.example.net\r\nAddress:  203.0.113.10\r\n\r\n"
	goodMX := server + "contoso.com\tMX preference = 10, mail exchanger = mx.contoso.com\r\n"
	goodA := "Server:  ns1.example.net\r\nAddress:  198.51.100.53\r\n\r\nName:    mx.contoso.com\r\nAddress:  203.0.113.10\r\n"
	for name, out := range map[string]map[string]string{
		"no answers":                          {mx: "", a: ""},
		"MX still names the old host":         {mx: server + "contoso.com\tMX preference = 10, mail exchanger = mail.contoso.com\r\n", a: goodA},
		"MX names a longer name":              {mx: server + "contoso.com\tMX preference = 10, mail exchanger = mx.contoso.com.example.net\r\n", a: goodA},
		"A still gives the old address":       {mx: goodMX, a: "Server:  ns1.example.net\r\nAddress:  198.51.100.53\r\n\r\nName:    mx.contoso.com\r\nAddress:  10.1.1.21\r\n"},
		"only the DNS server has the address": {mx: goodMX, a: "Server:  isa.example.net\r\nAddress:  203.0.113.10\r\n\r\n*** isa.example.net can't find mx.contoso.com.: Non-existent domain\r\n"},
	} {
		if !scripttest.AnyFails(ds, out) {
			t.Errorf("%s: the check passes", name)
		}
	}
	if scripttest.AnyFails(ds, map[string]string{mx: goodMX, a: goodA}) {
		t.Error("the check fails after the DNS change")
	}
}
