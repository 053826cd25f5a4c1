package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secex/wizard/web/probe"
)

// TestProbeCommand runs wizard probe against a real TLS server on
// 127.0.0.1 and its certificate file: the exit status follows the checks,
// -json gives the documented form, and a private key is refused.
func TestProbeCommand(t *testing.T) {
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="owa"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	defer srv.Close()
	dir := t.TempDir()
	ca := filepath.Join(dir, "ca.pem")
	os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o644)
	addr := strings.TrimPrefix(srv.URL, "https://")
	ctx := context.Background()

	var stdout, stderr bytes.Buffer
	err := run(ctx, []string{"probe", "tls", addr, "-name", "example.com", "-ca", ca, "-path", "/exchange", "-json"}, env(nil), &stdout, &stderr)
	var r probe.Report
	if jerr := json.Unmarshal(stdout.Bytes(), &r); jerr != nil {
		t.Fatalf("not JSON: %v\n%s", jerr, stdout.String())
	}
	// httptest's certificate is RSA 2048 for example.com, signed by itself.
	for _, c := range r.Checks {
		if c.ID == "owa.auth" && c.Result != probe.Pass {
			t.Errorf("owa.auth: %+v", c)
		}
	}
	if r.Target != addr || r.StartedAt.IsZero() || len(r.Checks) < 8 {
		t.Errorf("report %+v", r)
	}
	if (err == nil) == r.Failed() {
		t.Errorf("exit %v but failed=%v: %s", err, r.Failed(), stdout.String())
	}

	stdout.Reset()
	err = run(ctx, []string{"probe", "tls", addr, "-name", "mail.example.org", "-ca", ca}, env(nil), &stdout, &stderr)
	if status(err) != 1 || !strings.Contains(stdout.String(), "FAIL  cert.name") {
		t.Errorf("wrong name: %v\n%s", err, stdout.String())
	}

	stdout.Reset()
	if err := run(ctx, []string{"probe", "smtp", "127.0.0.1:1"}, env(nil), &stdout, &stderr); status(err) != 2 {
		t.Errorf("unreachable: %v", err)
	}
	if err := run(ctx, []string{"probe", "tls", "no-port"}, env(nil), &stdout, &stderr); err == nil || !strings.Contains(err.Error(), "host:port") {
		t.Errorf("target without a port: %v", err)
	}

	key := filepath.Join(dir, "key.pem")
	os.WriteFile(key, []byte("-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n"), 0o600)
	stdout.Reset()
	if err := run(ctx, []string{"probe", "cert", key}, env(nil), &stdout, &stderr); status(err) != 1 || !strings.Contains(stdout.String(), "private key") {
		t.Errorf("key file: %v\n%s", err, stdout.String())
	}
	stdout.Reset()
	if err := run(ctx, []string{"probe", "cert", ca, "-name", "example.com", "-ca", ca}, env(nil), &stdout, &stderr); !strings.Contains(stdout.String(), "PASS  cert.name") {
		t.Errorf("certificate file: %v\n%s", err, stdout.String())
	}
}
