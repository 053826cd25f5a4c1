package e2e

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// TestCurrentPlatformInTheBrowser: an administrator imports the
// current-platform example in Chromium and finds a project of that
// platform throughout: the organisation page has the current platform
// chosen, the servers form offers its operating systems, roles and the
// Exchange product, the task list holds only its procedures and links to
// what each guide procedure became, and the runbook names the platform
// and versions and offers the bundles.
func TestCurrentPlatformInTheBrowser(t *testing.T) {
	w := startWizard(t)
	j := &journey{t: t, ctx: newBrowser(t, true), w: w, checked: map[string]bool{}, errorShown: true}
	visit(t, j.ctx, w.SetupURL(), http.StatusOK)
	j.fill("#username", adminName)
	j.fill("#password", adminPassword)
	j.fill("#confirm", adminPassword)
	j.submit(`[data-testid="create-admin"]`, http.StatusOK, "/")

	file, _ := filepath.Abs("../docs/examples/current.json")
	if err := chromedp.Do(j.ctx, chromedp.SetUploadFiles(`#file`, []string{file})); err != nil {
		t.Fatal(err)
	}
	j.submit(`[data-testid="import-project"]`, http.StatusOK, "")
	j.project = j.path()

	tasks := j.text("main")
	for _, want := range []string{"Encrypt Outlook's connection to Exchange", "Give relaying applications and devices a connector of their own", "Publish Outlook on the web"} {
		if !strings.Contains(tasks, want) {
			t.Errorf("the task list lacks %q", want)
		}
	}
	if strings.Contains(tasks, "ISA Server") || strings.Contains(tasks, "Message Screener") {
		t.Errorf("the task list shows the guide's procedures: %s", tasks)
	}
	j.click(`[data-testid="task-group-note"]`)
	j.waitAt(j.project + "/counterparts")
	if n := j.count(`[data-testid="counterparts"] tbody tr`); n != 12 {
		t.Errorf("%d procedures of the guide listed, want 12", n)
	}
	j.axe("counterparts")

	visit(t, j.ctx, w.URL(j.project+"/facts"), http.StatusOK)
	if !j.exists(`input[name="platform"][value="current"]:checked`) {
		t.Error("the organisation page does not show the current platform chosen")
	}
	visit(t, j.ctx, w.URL(j.project+"/servers"), http.StatusOK)
	if !j.exists(`input[name="roles"][value="exchange-edge"]`) || j.exists(`input[name="roles"][value="isa"]`) || !j.exists(`input[name="os"][value="ws2025"]`) || !j.exists(`input[name="ex-version"][value="SE"]`) {
		t.Error("the servers form does not offer the current platform's roles, systems and products")
	}
	if rows := j.text(`table`); !strings.Contains(rows, "Windows Server 2025") {
		t.Errorf("the server list: %s", rows)
	}

	visit(t, j.ctx, w.URL(j.project+"/runbook"), http.StatusOK)
	doc := j.text("main")
	for _, want := range []string{"Current: Windows Server 2019, 2022 or 2025", "Exchange Server Subscription Edition (SE) RTM", "outlook-encryption-apply.ps1", "relay-connector-verify.ps1"} {
		if !strings.Contains(doc, want) {
			t.Errorf("the runbook lacks %q", want)
		}
	}
	if !j.exists(`a[href$="_EX01.zip"]`) || !j.exists(`a[href$="_change.zip"]`) {
		t.Error("the runbook page offers no bundles")
	}

	// The change window names the STIG rule of each Outlook step and offers
	// the servers' checklists.
	visit(t, j.ctx, w.URL(j.project+"/execute"), http.StatusOK)
	if !j.exists(`[data-testid="exec-controls"]`) || !strings.Contains(j.text("main"), "Benchmark rules: DISA Exchange 2019 Mailbox Server STIG V-259645") {
		t.Error("the change window does not name the Outlook steps' STIG rule")
	}
	if !j.exists(`[data-testid="checklists"] a[href$="/checklists/EX01.cklb"]`) {
		t.Error("the change window offers no STIG checklist for EX01")
	}
	j.axe("execute")
}
