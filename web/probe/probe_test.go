package probe

import (
	"context"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
)

// result finds check id of r; a missing check fails the test.
func result(t *testing.T, r Report, id string) Check {
	t.Helper()
	for _, c := range r.Checks {
		if c.ID == id {
			return c
		}
	}
	t.Fatalf("no check %s in %+v", id, r.Checks)
	return Check{}
}

func expect(t *testing.T, r Report, id string, want Result, reason string) {
	t.Helper()
	c := result(t, r, id)
	if c.Result != want || !strings.Contains(c.Reason, reason) {
		t.Errorf("%s %s: %s (%q, observed %q), want %s with %q", r.Target, id, c.Result, c.Reason, c.Observed, want, reason)
	}
}

func testNetwork() Network {
	n := DefaultNetwork()
	n.Connect, n.Whole = 2*time.Second, 20*time.Second
	return n
}

// TestTLSProbeAgainstNginx runs the TLS probe against a real nginx with a
// good, a wrong-name, an expired and a self-signed certificate, and
// plain-HTTP ports that serve, redirect, or refuse.
func TestTLSProbeAgainstNginx(t *testing.T) {
	dir := openDir(t, "probe-nginx-")
	p := newPKI(t, dir)
	now := time.Now()
	day := 24 * time.Hour
	good, goodKey := p.leaf(t, "good", []string{"mail.test.example"}, now.Add(-day), now.Add(90*day), false)
	other, otherKey := p.leaf(t, "other", []string{"other.test.example"}, now.Add(-day), now.Add(90*day), false)
	old, oldKey := p.leaf(t, "expired", []string{"mail.test.example"}, now.Add(-90*day), now.Add(-time.Hour), false)
	self, selfKey := p.leaf(t, "self", []string{"mail.test.example"}, now.Add(-day), now.Add(90*day), true)
	owa := `  location /exchange { add_header WWW-Authenticate 'Basic realm="mail.test.example"' always; return 401; }
  location /open { return 200 "mailbox"; }`
	ports := map[string]int{}
	for _, n := range []string{"good", "other", "expired", "self", "plain", "redirect", "offsite", "forbidden", "refused"} {
		ports[n] = freePort(t)
	}
	startNginx(t, dir, []nginxSite{
		{port: ports["good"], cert: good, key: goodKey, body: owa},
		{port: ports["other"], cert: other, key: otherKey, body: owa},
		{port: ports["expired"], cert: old, key: oldKey, body: owa},
		{port: ports["self"], cert: self, key: selfKey, body: owa},
		{port: ports["plain"], body: `  location / { return 200 "plain"; }`},
		{port: ports["redirect"], body: `  location / { return 301 https://mail.test.example$request_uri; }`},
		{port: ports["offsite"], body: `  location / { return 302 https://elsewhere.example/; }`},
		{port: ports["forbidden"], body: `  location / { return 403; }`},
	})
	addr := func(n string) string { return fmt.Sprintf("127.0.0.1:%d", ports[n]) }
	plan := func(n string) TLSPlan {
		return TLSPlan{Addr: addr(n), ServerName: "mail.test.example", OWAPath: "/exchange", HTTPAddr: addr("redirect"),
			Cert: CertPlan{Roots: p.pool(), From: now, Until: now.Add(7 * day)}}
	}
	net := testNetwork()
	ctx := context.Background()

	r := net.ProbeTLS(ctx, plan("good"))
	for _, id := range []string{"connect", "cert.name", "cert.valid-from", "cert.valid-until", "cert.key", "cert.signature", "cert.eku", "cert.chain", "tls.versions", "tls.cipher", "http.plain", "owa.auth"} {
		expect(t, r, id, Pass, "")
	}
	if r.Failed() {
		t.Errorf("good endpoint failed: %+v", r.Checks)
	}
	if v := result(t, r, "tls.versions").Observed; !strings.Contains(v, "TLS 1.2") || strings.Contains(v, "TLS 1.0") {
		t.Errorf("versions observed %q", v)
	}

	expect(t, net.ProbeTLS(ctx, plan("other")), "cert.name", Fail, "include mail.test.example")
	expect(t, net.ProbeTLS(ctx, plan("expired")), "cert.valid-until", Fail, "expired")
	expect(t, net.ProbeTLS(ctx, plan("self")), "cert.chain", Fail, "does not verify")

	// The window ends after the good certificate expires.
	late := plan("good")
	late.Cert.Until = now.Add(120 * day)
	expect(t, net.ProbeTLS(ctx, late), "cert.valid-until", Fail, "before the change window ends")

	open := plan("good")
	open.OWAPath = "/open"
	expect(t, net.ProbeTLS(ctx, open), "owa.auth", Fail, "without asking for credentials")

	for name, want := range map[string]struct {
		res    Result
		reason string
	}{
		"plain":     {Fail, "Plain HTTP is served"},
		"redirect":  {Pass, "redirected to HTTPS"},
		"offsite":   {Fail, "another host"},
		"refused":   {Pass, "not served"},
		"forbidden": {Pass, "Plain HTTP is refused"},
	} {
		pl := plan("good")
		pl.HTTPAddr = addr(name)
		expect(t, net.ProbeTLS(ctx, pl), "http.plain", want.res, want.reason)
	}

	// A plan step's probe names the public address; the test routes it
	// to the good endpoint and the redirecting port.
	routed := net
	routed.Route = func(a string) string {
		return map[string]string{"203.0.113.20:443": addr("good"), "203.0.113.20:80": addr("redirect")}[a]
	}
	r = routed.Run(ctx, steps.Probe{Kind: steps.ProbeTLS, Host: "203.0.113.20", Port: 443, Name: "mail.test.example", Path: "/exchange", HTTPPort: 80},
		p.pool(), now, now.Add(day))
	if r.Failed() || len(r.Checks) != 12 {
		t.Errorf("plan probe: %+v", r.Checks)
	}
	if r := routed.Run(ctx, steps.Probe{Kind: "ftp", Host: "203.0.113.20", Port: 21}, nil, now, now); !r.Failed() {
		t.Errorf("an unknown kind passed: %+v", r.Checks)
	}

	down := net.ProbeTLS(ctx, TLSPlan{Addr: addr("refused"), ServerName: "mail.test.example"})
	if !down.Unreachable() || len(down.Checks) != 1 {
		t.Errorf("unreachable endpoint: %+v", down.Checks)
	}
}

// TestPlainHTTPDropIsNotAPass: a port that never answers (here a
// listener that accepts nothing within the timeout) cannot prove a
// redirect.
func TestPlainHTTPDropIsNotAPass(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			defer c.Close() // accepted, never answered
		}
	}()
	n := testNetwork()
	n.Connect = 300 * time.Millisecond
	var r Report
	n.checkPlainHTTP(context.Background(), &r, TLSPlan{ServerName: "mail.test.example", HTTPAddr: l.Addr().String()})
	if len(r.Checks) != 1 || r.Checks[0].Result != Fail {
		t.Errorf("silent port: %+v", r.Checks)
	}
}

// TestSMTPProbeAgainstPostfix runs the SMTP probe against a real Postfix
// configured as a closed relay (with a listed address and a HELO length
// limit) and one configured as an open relay.
func TestSMTPProbeAgainstPostfix(t *testing.T) {
	dir := openDir(t, "probe-smtp-pki-")
	p := newPKI(t, dir)
	now := time.Now()
	cert, key := p.leaf(t, "mx", []string{"mx.test.example"}, now.Add(-time.Hour), now.Add(90*24*time.Hour), false)
	os.WriteFile(dir+"/helo", []byte("/^.{256,}$/ REJECT HELO name too long\n"), 0o644)
	closed := startPostfix(t, cert, key, map[string]string{
		"mynetworks":               "127.0.0.2/32",
		"smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
		"smtpd_helo_restrictions":  "check_helo_access regexp:" + dir + "/helo",
		"smtpd_delay_reject":       "no",
	})
	open := startPostfix(t, cert, key, map[string]string{
		// Every IPv4 client counts as a trusted network: an open relay.
		"mynetworks":               "0.0.0.0/0",
		"smtpd_relay_restrictions": "permit_mynetworks, reject_unauth_destination",
	})
	plan := SMTPPlan{Addr: closed.addr, HeloName: "probe.test.example", STARTTLS: true,
		Cert:        CertPlan{Names: []string{"mx.test.example"}, Roots: p.pool(), From: now, Until: now.Add(24 * time.Hour)},
		OutsideFrom: "someone@outside.example", OutsideTo: "someone@elsewhere.example",
		AllowedFrom: net.ParseIP("127.0.0.2"), AllowedTo: "someone@elsewhere.example", LongHELORefused: true}
	n := testNetwork()
	ctx := context.Background()

	start := time.Now()
	r := n.ProbeSMTP(ctx, plan)
	t.Logf("closed relay probed in %v", time.Since(start))
	for _, id := range []string{"connect", "smtp.banner", "smtp.ehlo", "smtp.starttls", "smtp.starttls-handshake", "cert.name", "cert.chain", "smtp.open-relay", "smtp.long-helo", "smtp.allowed-relay"} {
		expect(t, r, id, Pass, "")
	}

	openPlan := plan
	openPlan.Addr = open.addr
	start = time.Now()
	r = n.ProbeSMTP(ctx, openPlan)
	t.Logf("open relay probed in %v", time.Since(start))
	expect(t, r, "smtp.open-relay", Fail, "Open relay")
	expect(t, r, "smtp.long-helo", Fail, "accepts an over-long HELO")

	strict := plan
	strict.AllowedFrom = net.ParseIP("127.0.0.3")
	expect(t, n.ProbeSMTP(ctx, strict), "smtp.allowed-relay", Fail, "was refused")

	wrong := plan
	wrong.Cert.Names = []string{"smtp.test.example"}
	expect(t, n.ProbeSMTP(ctx, wrong), "cert.name", Fail, "smtp.test.example")
}

func TestCertificateFileChecks(t *testing.T) {
	dir := t.TempDir()
	p := newPKI(t, dir)
	now := time.Now()
	day := 24 * time.Hour
	plan := CertPlan{Names: []string{"mail.test.example"}, From: now, Until: now.Add(day)}
	good, goodKey := p.leaf(t, "good", []string{"mail.test.example"}, now.Add(-day), now.Add(90*day), false)
	read := func(f string) []byte { b, _ := os.ReadFile(f); return b }

	r := CheckCertificate(read(good), nil, p.caPEM, plan, now)
	if r.Failed() {
		t.Errorf("good certificate: %+v", r.Checks)
	}
	// DER works as well as PEM.
	blk, _ := pem.Decode(read(good))
	if r := CheckCertificate(blk.Bytes, nil, p.caPEM, plan, now); r.Failed() {
		t.Errorf("DER certificate: %+v", r.Checks)
	}
	// Without the CA, the system roots do not know the test CA.
	expect(t, CheckCertificate(read(good), nil, nil, plan, now), "cert.chain", Fail, "does not verify")

	withKey := append(read(good), read(goodKey)...)
	r = CheckCertificate(withKey, nil, p.caPEM, plan, now)
	if len(r.Checks) != 1 || !strings.Contains(r.Checks[0].Reason, "private key") {
		t.Errorf("a file with a key: %+v", r.Checks)
	}
	if _, err := ParseCertificates(read(goodKey)); err != ErrPrivateKey {
		t.Errorf("key file alone: %v", err)
	}
	blkKey, _ := pem.Decode(read(goodKey))
	if _, err := ParseCertificates(blkKey.Bytes); err != ErrPrivateKey {
		t.Errorf("DER key alone: %v", err)
	}
	expect(t, CheckCertificate([]byte("hello"), nil, nil, plan, now), "cert.file", Fail, "neither a PEM nor a DER")

	other, _ := p.leaf(t, "other", []string{"other.test.example"}, now.Add(-day), now.Add(90*day), false)
	expect(t, CheckCertificate(read(other), nil, p.caPEM, plan, now), "cert.name", Fail, "mail.test.example")
	future, _ := p.leaf(t, "future", []string{"mail.test.example"}, now.Add(2*day), now.Add(90*day), false)
	expect(t, CheckCertificate(read(future), nil, p.caPEM, plan, now), "cert.valid-from", Fail, "not valid yet")
}

// TestFormsSignInCheck runs the current platform's OWA check against real
// TLS servers on 127.0.0.1: a redirect to the sign-in page on the same
// host passes; a Basic challenge, an anonymous page and a redirect to
// another host fail.
func TestFormsSignInCheck(t *testing.T) {
	for _, tt := range []struct {
		name    string
		handler http.HandlerFunc
		want    Result
	}{
		{"sign-in page", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://mail.test.example/owa/auth/logon.aspx?replaceCurrent=1&url=https%3a%2f%2fmail.test.example%2fowa", http.StatusFound)
		}, Pass},
		{"basic challenge", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("WWW-Authenticate", `Basic realm="mail.test.example"`)
			w.WriteHeader(http.StatusUnauthorized)
		}, Fail},
		{"anonymous page", func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("inbox")) }, Fail},
		{"another host", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "https://login.elsewhere.example/owa/auth/logon.aspx", http.StatusFound)
		}, Fail},
		{"plain http sign-in", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://mail.test.example/owa/auth/logon.aspx", http.StatusFound)
		}, Fail},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewTLSServer(tt.handler)
			defer srv.Close()
			n := testNetwork()
			var r Report
			n.checkOWAAuth(context.Background(), &r, TLSPlan{Addr: strings.TrimPrefix(srv.URL, "https://"), ServerName: "mail.test.example", OWAPath: "/owa", FormsSignIn: true})
			if len(r.Checks) != 1 || r.Checks[0].ID != "owa.auth" || r.Checks[0].Result != tt.want {
				t.Errorf("%+v, want %s", r.Checks, tt.want)
			}
		})
	}
}
