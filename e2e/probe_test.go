package e2e

import (
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
	visit(t, ada.ctx, w.URL(ada.project+"/execute"), http.StatusOK)
	heading := eval[string](ada, `
		const input = document.querySelector('[data-testid="probe"] input[name="action"][value^="isa-owa-publishing/"]');
		return input ? input.closest('[data-testid="probe"]').querySelector("h4").textContent.trim() : "";`)
	if heading == "" {
		t.Fatal("the change-window page has no probe of the OWA publishing procedure")
	}
	visit(t, bob.ctx, w.URL(bob.project+"/execute"), http.StatusOK)
	probe := markProbe(bob, heading)
	if bob.text(probe+` [data-testid="probe-none"]`) == "" {
		t.Fatalf("no probe waiting on Bob's page: %q", bob.text(probe))
	}
	if n := eval[int](bob, `return document.querySelectorAll('[data-testid="probe-run"]').length;`); n != 0 {
		t.Errorf("a viewer is offered Run check")
	}
	bob.markPage()

	visit(t, ada.ctx, w.URL(ada.project+"/execute"), http.StatusOK)
	start := time.Now()
	ada.submit(markProbe(ada, heading)+` [data-testid="probe-run"]`, http.StatusOK, "")
	markProbe(ada, heading)
	if r := ada.text(probe + ` [data-testid="probe-result"]`); r != "Failed" {
		// The test server's certificate is for example.com, not mail.contoso.com.
		t.Errorf("Ada sees %q", r)
	}
	if !strings.Contains(ada.text(probe+` [data-testid="probe-checks"]`), "owa.auth") {
		t.Errorf("checks: %s", ada.text(probe+` [data-testid="probe-checks"]`))
	}
	// The live update may replace the block, and the mark with it: Bob's
	// page is searched by the heading again.
	bob.waitFor("the probe result on Bob's page", `
		const block = [...document.querySelectorAll('[data-testid="probe"]')].find(b => b.querySelector("h4").textContent.trim() === `+jsq(heading)+`);
		return !!(block && block.querySelector('[data-testid="probe-result"]'));`)
	if !bob.pageMarked() {
		t.Error("Bob's page was reloaded instead of updated in place")
	}
	if by := bob.text(markProbe(bob, heading) + ` [data-testid="probe-latest"]`); !strings.Contains(by, adminName) {
		t.Errorf("Bob sees %q", by)
	}
	t.Logf("probe run from the web reached the second member in %v", time.Since(start).Round(time.Millisecond))
}

// markProbe marks the probe block headed heading on j's page and returns
// a selector for it. The fleet's change-window page has other probes
// before the OWA publishing one, such as the SMTP relay's of the Exchange
// servers' own addresses, which the test must not run: only the published
// address is forwarded to 127.0.0.1.
func markProbe(j *journey, heading string) string {
	j.t.Helper()
	if !eval[bool](j, `
		const block = [...document.querySelectorAll('[data-testid="probe"]')].find(b => b.querySelector("h4").textContent.trim() === `+jsq(heading)+`);
		if (!block) return false;
		block.setAttribute("data-probe-under-test", "");
		return true;`) {
		j.t.Fatalf("no probe headed %q on %s", heading, j.path())
	}
	return `[data-probe-under-test]`
}
