package web

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/store/storetest"
	"github.com/secex/wizard/web/probe"
)

// TestProbeFromTheExecutePage runs the OWA publishing step's probe of the
// fleet example from the change-window page against a real TLS server on
// 127.0.0.1 (standing in for the published address): the run is kept with
// who ran it, shown with each check, listed in the printed record, refused
// to a viewer, and limited per minute.
func TestProbeFromTheExecutePage(t *testing.T) {
	owa := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="mail.contoso.com"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer owa.Close()
	local := strings.TrimPrefix(owa.URL, "https://")
	n := probe.DefaultNetwork()
	n.Route = func(addr string) string {
		if addr == "203.0.113.20:443" {
			return local
		}
		return "127.0.0.1:1" // nothing listens: port 80 is refused
	}
	st := storetest.Open(t)
	srv := NewServer(Config{Product: "Test Wizard", Version: "test", Probes: &n}, st, catalog.All, nil)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	env := &testEnv{t: t, st: st, srv: srv, ts: ts}
	ctx := context.Background()
	owner := env.mustUser("olivia", true)
	viewer := env.mustUser("vic", false)
	f, _ := os.Open("../docs/examples/fleet.json")
	p, problems, err := srv.Import(ctx, owner.ID, f)
	f.Close()
	if err != nil || len(problems) > 0 {
		t.Fatalf("import: %v %v", problems, err)
	}
	st.SetMember(ctx, owner.ID, p.ID, viewer.ID, store.RoleViewer)
	pp := fmt.Sprintf("/p/%d", p.ID)
	const key = "isa-owa-publishing/outside-in-before-dns@ISA01"

	c := env.signIn("olivia")
	_, body := c.get(pp + "/execute")
	d := doc(t, body)
	step := "#" + formID(key)
	block := d.Find(step + ` [data-testid="probe"]`)
	if block.Length() != 1 || block.Find(`[data-testid="probe-none"]`).Length() != 1 || !strings.Contains(block.Text(), "203.0.113.20 port 443") {
		t.Fatalf("probe block: %d %q", block.Length(), block.Text())
	}
	tok := c.token(pp + "/execute")
	resp, body := c.post(pp+"/probe", url.Values{"csrf_token": {tok}, "action": {key}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("run: %d %s", resp.StatusCode, doc(t, body).Find("main").Text())
	}
	_, body = c.get(pp + "/execute")
	d = doc(t, body)
	latest := d.Find(step + ` [data-testid="probe-latest"]`).Text()
	checks := d.Find(step + ` [data-testid="probe-checks"]`).Text()
	// httptest's certificate names example.com, not mail.contoso.com.
	if !strings.Contains(latest, "Failed") || !strings.Contains(latest, "olivia") || !strings.Contains(checks, "cert.name") || !strings.Contains(checks, "owa.auth") {
		t.Errorf("run shown as %q\n%s", latest, checks)
	}
	runs, _ := st.ProbeRuns(ctx, p.ID)
	if len(runs) != 1 || runs[0].Action != key || runs[0].Result != "fail" {
		t.Errorf("kept runs: %+v", runs)
	}
	_, body = c.get(pp + "/runbook/document")
	if !strings.Contains(body, "Probe results recorded in the wizard") {
		t.Error("the printed runbook does not list the probe run")
	}

	// Only plan steps that carry a probe can be run; the host is never
	// taken from the form.
	if resp, _ := c.post(pp+"/probe", url.Values{"csrf_token": {tok}, "action": {"smime/publish@CA01"}}); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("a step without a probe: %d", resp.StatusCode)
	}

	v := env.signIn("vic")
	vt := v.token(pp + "/execute")
	if resp, _ := v.post(pp+"/probe", url.Values{"csrf_token": {vt}, "action": {key}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("a viewer ran a probe: %d", resp.StatusCode)
	}
	_, body = v.get(pp + "/execute")
	if doc(t, body).Find(step+` [data-testid="probe-result"]`).Length() != 1 || doc(t, body).Find(`[data-testid="probe-run"]`).Length() != 0 {
		t.Error("a viewer does not see the result, or sees the button")
	}

	for i := 1; i < probesPerMinute; i++ {
		if resp, _ := c.post(pp+"/probe", url.Values{"csrf_token": {tok}, "action": {key}}); resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("run %d: %d", i+1, resp.StatusCode)
		}
	}
	resp, body = c.post(pp+"/probe", url.Values{"csrf_token": {tok}, "action": {key}})
	if resp.StatusCode != http.StatusTooManyRequests || !strings.Contains(body, "wait a minute") {
		t.Errorf("beyond the limit: %d", resp.StatusCode)
	}
}

// TestProbeRunsShowInChangesSinceSignoff: a probe run, or a run again,
// after a sign-off is listed among the changes since.
func TestProbeRunsShowInChangesSinceSignoff(t *testing.T) {
	title := func(id string) string { return id }
	was := signedContent{Probes: []signedProbe{{Key: "a@ISA01", Target: "ISA01", Title: "Test OWA", Result: "fail", By: "ann", At: "2026-12-12 21:30 UTC"}}}
	now := signedContent{Probes: []signedProbe{
		{Key: "a@ISA01", Target: "ISA01", Title: "Test OWA", Result: "pass", By: "bo", At: "2026-12-12 22:00 UTC"},
		{Key: "b@ISA02", Target: "ISA02", Title: "Test SMTP", Result: "fail", By: "bo", At: "2026-12-12 22:05 UTC"},
	}}
	var lines []string
	for _, g := range changesSince(was, now, title) {
		lines = append(lines, g.Lines...)
	}
	got := strings.Join(lines, "\n")
	for _, want := range []string{"Probe run again: Test OWA: failed → passed by bo, 2026-12-12 22:00 UTC", "Probe run: Test SMTP: failed by bo"} {
		if !strings.Contains(got, want) {
			t.Errorf("changes lack %q:\n%s", want, got)
		}
	}
	if g := changesSince(now, now, title); len(g) != 0 {
		t.Errorf("no change, but %v", g)
	}
}

// TestCertificateFileCheckFromTheExecutePage checks an issued front-end
// certificate uploaded on the change-window page: a missing file and a
// private key are refused with the field named and nothing kept; the
// right certificate with its CA passes, one for another name fails on the
// name; each run is kept with who ran it.
func TestCertificateFileCheckFromTheExecutePage(t *testing.T) {
	st := storetest.Open(t)
	srv := NewServer(Config{Product: "Test Wizard", Version: "test"}, st, catalog.All, nil)
	ts := httptest.NewServer(srv)
	defer ts.Close()
	env := &testEnv{t: t, st: st, srv: srv, ts: ts}
	ctx := context.Background()
	owner := env.mustUser("olivia", true)
	f, _ := os.Open("../docs/examples/fleet.json")
	p, problems, err := srv.Import(ctx, owner.ID, f)
	f.Close()
	if err != nil || len(problems) > 0 {
		t.Fatalf("import: %v %v", problems, err)
	}
	pp := fmt.Sprintf("/p/%d", p.ID)
	const key = "owa-front-end-certificate/certificate-EXFE01@EXFE01"
	id := formID(key)

	ca, caKey, caPEM := testCA(t)
	good := testLeaf(t, ca, caKey, "exfe01.corp.contoso.com")
	wrong := testLeaf(t, ca, caKey, "www.contoso.com")

	c := env.signIn("olivia")
	_, body := c.get(pp + "/execute")
	block := doc(t, body).Find("#" + id + ` [data-testid="probe"]`)
	if !strings.Contains(block.Text(), "certificate file for exfe01.corp.contoso.com") || block.Find(`input[type="file"][name="`+id+`-cert"]`).Length() != 1 {
		t.Fatalf("certificate check block: %q", block.Text())
	}
	tok := c.token(pp + "/execute")
	run := func(name string, cert []byte, withCA bool) (*http.Response, string) {
		t.Helper()
		var body bytes.Buffer
		mw := multipart.NewWriter(&body)
		mw.WriteField("csrf_token", tok)
		mw.WriteField("action", key)
		if cert != nil {
			fw, _ := mw.CreateFormFile(id+"-cert", name)
			fw.Write(cert)
		}
		if withCA {
			fw, _ := mw.CreateFormFile(id+"-ca", "ca.pem")
			fw.Write(caPEM)
		}
		mw.Close()
		req, _ := http.NewRequest(http.MethodPost, ts.URL+pp+"/probe", &body)
		req.Header.Set("Content-Type", mw.FormDataContentType())
		req.Header.Set("Sec-Fetch-Site", "same-origin")
		resp, err := c.hc.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return resp, string(b)
	}
	resp, body := run("", nil, false)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "choose the issued certificate") {
		t.Errorf("no file: %d", resp.StatusCode)
	}
	keyPEM := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: mustPKCS8(t, caKey)})
	resp, body = run("key.pem", keyPEM, false)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(body, "private key") {
		t.Errorf("a private key: %d", resp.StatusCode)
	}
	if runs, _ := st.ProbeRuns(ctx, p.ID); len(runs) != 0 {
		t.Fatalf("refused files were kept as runs: %+v", runs)
	}
	if resp, body := run("exfe01.cer", good, true); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("good certificate: %d %s", resp.StatusCode, doc(t, body).Find("main").Text())
	}
	runs, _ := st.ProbeRuns(ctx, p.ID)
	if len(runs) != 1 || runs[0].Result != "pass" || runs[0].Action != key {
		t.Fatalf("after the good certificate: %+v", runs)
	}
	if resp, _ := run("www.cer", wrong, true); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("wrong certificate: %d", resp.StatusCode)
	}
	_, body = c.get(pp + "/execute")
	d := doc(t, body)
	latest := d.Find("#" + id + ` [data-testid="probe-latest"]`).Text()
	checks := d.Find("#" + id + ` [data-testid="probe-checks"]`).Text()
	if !strings.Contains(latest, "Failed") || !strings.Contains(checks, "cert.name") || !strings.Contains(checks, "exfe01.corp.contoso.com") {
		t.Errorf("the wrong name's run: %q\n%s", latest, checks)
	}
}

func testCA(t *testing.T) (*x509.Certificate, *ecdsa.PrivateKey, []byte) {
	t.Helper()
	k, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "Contoso Test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(2, 0, 0),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign}
	der, err := x509.CreateCertificate(rand.Reader, tpl, tpl, &k.PublicKey, k)
	if err != nil {
		t.Fatal(err)
	}
	c, _ := x509.ParseCertificate(der)
	return c, k, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}

func testLeaf(t *testing.T, ca *x509.Certificate, caKey *ecdsa.PrivateKey, name string) []byte {
	t.Helper()
	k, _ := rsa.GenerateKey(rand.Reader, 2048)
	tpl := &x509.Certificate{SerialNumber: big.NewInt(2), Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().AddDate(1, 0, 0),
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment}
	der, err := x509.CreateCertificate(rand.Reader, tpl, ca, &k.PublicKey, caKey)
	if err != nil {
		t.Fatal(err)
	}
	return der // DER, as a .cer export
}

func mustPKCS8(t *testing.T, k any) []byte {
	t.Helper()
	b, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
