package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func env(m map[string]string) func(string) string { return func(k string) string { return m[k] } }

func TestServeFlags(t *testing.T) {
	var stderr bytes.Buffer
	c, err := parseServeFlags(nil, env(map[string]string{"HOME": "/home/ann"}), &stderr)
	if err != nil || c.addr != "127.0.0.1:8080" || c.data != "/home/ann/.local/share/exchange-wizard" {
		t.Errorf("defaults: %+v %v", c, err)
	}
	c, err = parseServeFlags([]string{"-data", "/srv/w"}, env(map[string]string{"WIZARD_ADDR": "127.0.0.1:9000", "WIZARD_DATA": "/var/w"}), &stderr)
	if err != nil || c.addr != "127.0.0.1:9000" || c.data != "/srv/w" {
		t.Errorf("environment and flags: %+v %v", c, err)
	}
	for _, addr := range []string{"0.0.0.0:8080", "192.0.2.10:8080", ":8080", "[::]:8080"} {
		_, err := parseServeFlags([]string{"-addr", addr}, env(nil), &stderr)
		if err == nil || !strings.Contains(err.Error(), "-tls-cert FILE -tls-key FILE") || !strings.Contains(err.Error(), "-trusted-proxy") {
			t.Errorf("plain HTTP on %s: %v", addr, err)
		}
	}
	for _, args := range [][]string{{"-addr", "0.0.0.0:8080", "-trusted-proxy"}, {"-addr", "[::1]:8080"}, {"-addr", "localhost:0"}} {
		if _, err := parseServeFlags(args, env(nil), &stderr); err != nil {
			t.Errorf("%v refused: %v", args, err)
		}
	}
	if _, err := parseServeFlags([]string{"-tls-cert", "a.pem"}, env(nil), &stderr); err == nil {
		t.Error("certificate without key accepted")
	}
	if _, err := parseServeFlags([]string{"-session-idle", "10h"}, env(nil), &stderr); err == nil {
		t.Error("idle longer than the absolute limit accepted")
	}
	c, err = parseServeFlags([]string{"-probe-via", "203.0.113.20:443=127.0.0.1:8443, 203.0.113.20:80=127.0.0.1:8080"}, env(nil), &stderr)
	if err != nil || c.probeVia["203.0.113.20:443"] != "127.0.0.1:8443" || c.probeVia["203.0.113.20:80"] != "127.0.0.1:8080" {
		t.Errorf("-probe-via: %v %v", c.probeVia, err)
	}
	if _, err := parseServeFlags([]string{"-probe-via", "203.0.113.20=127.0.0.1"}, env(nil), &stderr); err == nil {
		t.Error("-probe-via without ports accepted")
	}
}

func TestHelpDocumentsEveryFlag(t *testing.T) {
	var stdout, stderr bytes.Buffer
	err := run(context.Background(), []string{"-h"}, env(nil), &stdout, &stderr)
	if !errors.Is(err, flag.ErrHelp) {
		t.Fatalf("run -h: %v", err)
	}
	for _, f := range []string{"-addr", "-data", "-database", "WIZARD_DATABASE", "-tls-cert", "-tls-key", "-trusted-proxy", "-session-idle", "-session-max", "-log-format", "-log-level", "WIZARD_ADDR", "WIZARD_DATA", "procedures"} {
		if !strings.Contains(stderr.String(), f) {
			t.Errorf("-h does not mention %s", f)
		}
	}
}

func TestExportImport(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	st, srv, err := openOffline(ctx, inData(data))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateUser(ctx, 0, "ann", "x"); err != nil {
		t.Fatal(err)
	}
	st.Close()
	_ = srv
	var stdout, stderr bytes.Buffer
	getenv := env(map[string]string{"WIZARD_DATA": data})
	bad := filepath.Join(t.TempDir(), "bad.json")
	os.WriteFile(bad, []byte(`{"schemaVersion": 9}`), 0o600)
	err = run(ctx, []string{"import", "-owner", "ann", bad}, getenv, &stdout, &stderr)
	if err == nil || !strings.Contains(stderr.String(), "newer version of the wizard") {
		t.Fatalf("import of a newer file: %v\n%s", err, stderr.String())
	}
	stdout.Reset()
	if err := run(ctx, []string{"import", "-owner", "ann", "../../docs/examples/small.json"}, getenv, &stdout, &stderr); err != nil {
		t.Fatalf("import: %v\n%s", err, stderr.String())
	}
	if !strings.HasPrefix(stdout.String(), "imported project 1:") {
		t.Errorf("import output %q", stdout.String())
	}
	out := filepath.Join(t.TempDir(), "out.json")
	if err := run(ctx, []string{"export", "-project", "1", "-out", out}, getenv, &stdout, &stderr); err != nil {
		t.Fatalf("export: %v", err)
	}
	got, _ := os.ReadFile(out)
	want, _ := os.ReadFile("../../docs/examples/small.json")
	if len(got) == 0 || !bytes.Equal(dropRevision(got), dropRevision(want)) {
		t.Errorf("exported file differs from the imported one")
	}
	if err := run(ctx, []string{"export"}, getenv, &stdout, &stderr); !errors.As(err, new(usageError)) {
		t.Errorf("export without -project: %v", err)
	}
}

func dropRevision(b []byte) []byte {
	var out [][]byte
	for _, l := range bytes.Split(b, []byte("\n")) {
		if !bytes.Contains(l, []byte(`"revision"`)) && !bytes.Contains(l, []byte(`"updatedAt"`)) {
			out = append(out, l)
		}
	}
	return bytes.Join(out, []byte("\n"))
}

func TestBackupRestore(t *testing.T) {
	ctx := context.Background()
	data := t.TempDir()
	st, _, err := openOffline(ctx, inData(data))
	if err != nil {
		t.Fatal(err)
	}
	st.CreateUser(ctx, 0, "ann", "x")
	st.Close()
	var out, errb bytes.Buffer
	backup := filepath.Join(t.TempDir(), "b.db")
	if err := run(ctx, []string{"backup", "-data", data, backup}, env(nil), &out, &errb); err != nil {
		t.Fatal(err)
	}
	if err := run(ctx, []string{"restore", "-data", data, backup}, env(nil), &out, &errb); err == nil || !strings.Contains(err.Error(), "move it") {
		t.Errorf("restore over an existing database: %v", err)
	}
	fresh := t.TempDir()
	if err := run(ctx, []string{"restore", "-data", fresh, backup}, env(nil), &out, &errb); err != nil {
		t.Fatal(err)
	}
	st2, _, err := openOffline(ctx, inData(fresh))
	if err != nil {
		t.Fatal(err)
	}
	defer st2.Close()
	if _, _, err := st2.UserByName(ctx, "ann"); err != nil {
		t.Errorf("restored database lacks the account: %v", err)
	}
	junk := filepath.Join(t.TempDir(), "junk.db")
	os.WriteFile(junk, []byte("not a database"), 0o600)
	if err := run(ctx, []string{"restore", "-data", t.TempDir(), junk}, env(nil), &out, &errb); err == nil {
		t.Error("restored a file that is not a database")
	}
}

// inData is the database flags of a data directory.
func inData(dir string) databaseFlags {
	none := ""
	return databaseFlags{data: &dir, database: &none}
}
