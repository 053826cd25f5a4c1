package e2e

// The command line of the built binary: the procedure catalogue, the help
// text, and the refusal to serve plain HTTP beyond loopback.

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// cliTimeout bounds one run of the binary that should exit on its own.
const cliTimeout = 20 * time.Second

// guideProcedures are the first procedures of the guide, in its order.
var guideProcedures = []string{procRPC, procSMIME, procKMS}

// cliResult is what one run of the binary gave.
type cliResult struct {
	stdout, stderr string
	code           int
}

// runWizard runs the built binary with args and a fresh data directory in
// its environment, without the WIZARD_ variables of the caller, and waits
// for it to exit.
func runWizard(t *testing.T, args ...string) cliResult {
	t.Helper()
	if wizardBin == "" {
		t.Fatalf("the wizard binary was not built:\n%v", buildErr)
	}
	ctx, cancel := context.WithTimeout(context.Background(), cliTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, wizardBin, args...)
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "WIZARD_") {
			env = append(env, kv)
		}
	}
	cmd.Env = append(env, "WIZARD_DATA="+t.TempDir())
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	res := cliResult{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case ctx.Err() != nil:
		t.Fatalf("wizard %s did not exit within %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), cliTimeout, res.stdout, res.stderr)
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("running wizard %s: %v", strings.Join(args, " "), err)
	}
	return res
}

// inOrder reports whether every one of want occurs in got, in want's order.
func inOrder(got, want []string) bool {
	last := -1
	for _, w := range want {
		i := slices.Index(got, w)
		if i <= last {
			return false
		}
		last = i
	}
	return true
}

func TestCLIProcedures(t *testing.T) {
	res := runWizard(t, "procedures")
	if res.code != 0 {
		t.Fatalf("wizard procedures: exit %d\n%s", res.code, res.stderr)
	}
	var ids []string
	for line := range strings.SplitSeq(strings.TrimSpace(res.stdout), "\n") {
		// "%2d  <id>  <title>  [<section>]"
		f := strings.Fields(line)
		if len(f) < 3 {
			t.Errorf("wizard procedures: line %q has no id and title", line)
			continue
		}
		ids = append(ids, f[1])
	}
	if !inOrder(ids, guideProcedures) {
		t.Errorf("wizard procedures lists %v; want %v among them in this order", ids, guideProcedures)
	}

	res = runWizard(t, "procedures", "-json")
	if res.code != 0 {
		t.Fatalf("wizard procedures -json: exit %d\n%s", res.code, res.stderr)
	}
	var cat []struct {
		ID       string   `json:"id"`
		Title    string   `json:"title"`
		Section  string   `json:"section"`
		Requires []string `json:"requires"`
	}
	dec := json.NewDecoder(strings.NewReader(res.stdout))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&cat); err != nil {
		t.Fatalf("wizard procedures -json: %v\n%s", err, res.stdout)
	}
	var jsonIDs []string
	for i, p := range cat {
		if p.ID == "" || p.Title == "" || p.Section == "" {
			t.Errorf("procedure %d has an empty id, title or section: %+v", i+1, p)
		}
		if p.Requires == nil {
			t.Errorf("%s: requires is null, want a list (empty if none)", p.ID)
		}
		for _, r := range p.Requires {
			if !slices.Contains(jsonIDs, r) {
				t.Errorf("%s requires %q, which is not an earlier procedure", p.ID, r)
			}
		}
		if slices.Contains(jsonIDs, p.ID) {
			t.Errorf("procedure id %s appears twice", p.ID)
		}
		jsonIDs = append(jsonIDs, p.ID)
	}
	if !inOrder(jsonIDs, guideProcedures) {
		t.Errorf("wizard procedures -json lists %v; want %v among them in this order", jsonIDs, guideProcedures)
	}
	if !slices.Equal(ids, jsonIDs) {
		t.Errorf("the text list %v and the JSON list %v differ", ids, jsonIDs)
	}
}

func TestCLIHelp(t *testing.T) {
	res := runWizard(t, "-h")
	// The flag package's own convention is exit status 0 for -h; the
	// wizard treats it as a usage error (2). Both are fine; a crash is not.
	if res.code != 0 && res.code != 2 {
		t.Errorf("wizard -h: exit %d, want 0 or 2", res.code)
	}
	help := res.stdout + res.stderr
	for _, flag := range []string{"-addr", "-data", "-tls-cert", "-tls-key", "-trusted-proxy"} {
		if !strings.Contains(help, flag) {
			t.Errorf("wizard -h does not document %s:\n%s", flag, help)
		}
	}
	if strings.Contains(res.stdout, "listening on") || strings.Contains(help, "setup?token=") {
		t.Errorf("wizard -h started the server:\n%s", help)
	}
}

// TestCLIRefusesPlainHTTP starts the server on every interface without TLS:
// it must refuse, pointing at -tls-cert, instead of sending passwords in
// clear text.
func TestCLIRefusesPlainHTTP(t *testing.T) {
	res := runWizard(t, "-addr", "0.0.0.0:0")
	if res.code == 0 {
		t.Errorf("wizard -addr 0.0.0.0:0 without TLS exited 0, want a non-zero status")
	}
	if !strings.Contains(res.stderr, "-tls-cert") {
		t.Errorf("wizard -addr 0.0.0.0:0 without TLS: the message does not mention -tls-cert:\n%s", res.stderr)
	}
	if strings.Contains(res.stdout, "listening on") || strings.Contains(res.stdout, "setup?token=") {
		t.Errorf("wizard -addr 0.0.0.0:0 without TLS started serving:\n%s", res.stdout)
	}
}
