package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// TestProbeFromTheWeb: Ada runs the OWA publishing step's probe of the
// fleet example on the change-window page; Bob, on the same page in his
// own browser, sees the result arrive without reloading. The published
// address is forwarded to a real TLS server on 127.0.0.1 with -probe-via;
// nothing outside 127.0.0.0/8 is reached.
func TestProbeFromTheWeb(t *testing.T) {
	owa := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("WWW-Authenticate", `Basic realm="mail.contoso.com"`)
		w.WriteHeader(http.StatusUnauthorized)
	}))
	// The probe's TLS 1.0 and 1.1 attempts are refused on purpose.
	owa.Config.ErrorLog = log.New(io.Discard, "", 0)
	owa.StartTLS()
	defer owa.Close()
	local := strings.TrimPrefix(owa.URL, "https://")
	w := startWizard(t, "-probe-via", "203.0.113.20:443="+local+",203.0.113.20:80=127.0.0.1:1")
	browser := newBrowser(t, true)
	ada := &journey{t: t, ctx: browser, w: w, checked: map[string]bool{}, errorShown: true}
	ada.liveSetUp()

	visit(t, ada.ctx, w.URL("/"), http.StatusOK)
	file, _ := filepath.Abs("../docs/examples/fleet.json")
	if err := chromedp.Do(ada.ctx, chromedp.SetUploadFiles(`#file`, []string{file})); err != nil {
		t.Fatal(err)
	}
	ada.submit(`[data-testid="import-project"]`, http.StatusOK, "")
	ada.project = ada.path()
	visit(t, ada.ctx, w.URL(ada.project+"/members"), http.StatusOK)
	ada.fill("#username", memberName)
	ada.click(`input[name="role"][value="viewer"]`)
	ada.submit(`form[action$="/members"] button[type="submit"]`, http.StatusOK, ada.project+"/members")

	bob := &journey{t: t, ctx: newPrivateTab(t, browser), w: w, project: ada.project, checked: map[string]bool{}}
	bob.signIn(memberName, memberPassword)
	// The OWA step's block, found by its key as the page names it; other
	// steps' probes reach addresses no test may touch.
	sum := sha256.Sum256([]byte("isa-owa-publishing/outside-in-before-dns@ISA01"))
	step := "#step-" + hex.EncodeToString(sum[:5]) + " "
	visit(t, bob.ctx, w.URL(bob.project+"/execute"), http.StatusOK)
	if bob.text(step+`[data-testid="probe-none"]`) == "" {
		t.Fatalf("no probe waiting on Bob's page: %q", bob.text(step+`[data-testid="probe"]`))
	}
	if n := eval[int](bob, `return document.querySelectorAll('[data-testid="probe-run"]').length;`); n != 0 {
		t.Errorf("a viewer is offered Run check")
	}
	bob.markPage()

	visit(t, ada.ctx, w.URL(ada.project+"/execute"), http.StatusOK)
	start := time.Now()
	ada.submit(step+`[data-testid="probe-run"]`, http.StatusOK, "")
	if r := ada.text(step + `[data-testid="probe-result"]`); r != "Failed" {
		// The test server's certificate is for example.com, not mail.contoso.com.
		t.Errorf("Ada sees %q", r)
	}
	if !strings.Contains(ada.text(step+`[data-testid="probe-checks"]`), "owa.auth") {
		t.Errorf("checks: %s", ada.text(step+`[data-testid="probe-checks"]`))
	}
	bob.waitFor("the probe result on Bob's page", `return !!document.querySelector('`+step+`[data-testid="probe-result"]');`)
	if !bob.pageMarked() {
		t.Error("Bob's page was reloaded instead of updated in place")
	}
	if by := bob.text(step + `[data-testid="probe-latest"]`); !strings.Contains(by, adminName) {
		t.Errorf("Bob sees %q", by)
	}
	t.Logf("probe run from the web reached the second member in %v", time.Since(start).Round(time.Millisecond))
}
