package web

import (
	"archive/zip"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/catalog"
)

// TestCurrentPlatformProject walks a project on the current platform
// through the web: the platform is chosen on the facts page, the servers
// form offers that platform's operating systems and roles and asks for the
// Exchange product, the task list shows only the current platform's
// procedures with a link to what the guide's became, and the runbook's
// document control names the platform and the versions.
func TestCurrentPlatformProject(t *testing.T) {
	env := newEnv(t, catalog.All)
	env.srv.cfg.Counterparts = catalog.Counterparts
	owner := env.mustUser("olivia", false)
	p, err := env.st.CreateProject(t.Context(), owner.ID, "Current test")
	if err != nil {
		t.Fatal(err)
	}
	pp := fmt.Sprintf("/p/%d", p.ID)
	c := env.signIn("olivia")

	tok := c.token(pp + "/facts")
	facts := url.Values{"csrf_token": {tok}, "version": {"0"}, "ad-domain": {"corp.contoso.com"}, "public-domain": {"contoso.com"},
		"owa-host": {"mail.contoso.com"}, "owa-path": {""}, "mx-host": {"mx.contoso.com"}, "pop3imap4": {"no"}, "platform": {"nt4"}}
	resp, body := c.post(pp+"/facts", facts)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc(t, body).Find("#platform-error").Text(), "guide") {
		t.Fatalf("an unknown platform: %d %q", resp.StatusCode, doc(t, body).Find("#platform-error").Text())
	}
	facts.Set("platform", "current")
	if resp, body := c.post(pp+"/facts", facts); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("facts: %d %s", resp.StatusCode, doc(t, body).Find("main").Text())
	}
	pr, _ := env.st.Project(t.Context(), p.ID)
	if pr.Facts.Platform != steps.PlatformCurrent || pr.Facts.OWAPath != "/owa" {
		t.Fatalf("saved facts: %+v", pr.Facts)
	}

	_, body = c.get(pp + "/servers")
	d := doc(t, body)
	if d.Find(`input[name="roles"][value="exchange-mbx"]`).Length() != 1 || d.Find(`input[name="roles"][value="owa-fe"]`).Length() != 0 ||
		d.Find(`input[name="os"][value="ws2025"]`).Length() != 1 || d.Find(`input[name="os"][value="win2000"]`).Length() != 0 {
		t.Error("the servers form does not offer the current platform's roles and operating systems only")
	}
	if d.Find(`input[name="ex-version"][value="SE"]`).Length() != 1 {
		t.Error("the servers form does not ask for the Exchange product")
	}
	// A guide role, and an Exchange 2019 update older than CU14, are refused with what to do.
	resp, body = c.post(pp+"/servers", url.Values{"csrf_token": {tok}, "add": {"list"}, "list": {
		"EX01 ex01.corp.contoso.com 10.10.1.21 ws2022 exchange-be\nEX02 ex02.corp.contoso.com 10.10.1.22 ws2022 exchange-mbx 2019-CU12"}})
	text := doc(t, body).Find(".error-summary").Text()
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(text, `"exchange-be" is not a role`) || !strings.Contains(text, "CU12 is older than CU14") {
		t.Fatalf("bad lines: %d %q", resp.StatusCode, text)
	}
	resp, body = c.post(pp+"/servers", url.Values{"csrf_token": {tok}, "add": {"list"}, "list": {
		"EX01 ex01.corp.contoso.com 10.10.1.21 ws2022 exchange-mbx 2019-CU15\nEX02 ex02.corp.contoso.com 10.10.1.22 ws2025 exchange-mbx SE-RTM"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("servers: %d %s", resp.StatusCode, doc(t, body).Find(".error-summary").Text())
	}
	topo, _ := env.st.Topology(t.Context(), p.ID)
	if len(topo.Servers) != 2 || topo.Servers[1].Exchange != (steps.ExchangeFacts{Version: steps.ExchangeSE}) || topo.Servers[0].Exchange.CU != 15 {
		t.Fatalf("saved servers: %+v", topo.Servers)
	}

	_, body = c.get(pp + "/")
	d = doc(t, body)
	list := d.Find(`[data-testid="task-list"]`).Text()
	if strings.Contains(list, "ISA Server") || !strings.Contains(list, "Encrypt Outlook") {
		t.Errorf("task list: %q", list)
	}
	note := d.Find(`[data-testid="task-group-note"]`)
	if note.AttrOr("href", "") != pp+"/counterparts" {
		t.Fatalf("no link to the counterparts: %q", note.AttrOr("href", ""))
	}
	_, body = c.get(pp + "/counterparts")
	rows := doc(t, body).Find(`[data-testid="counterparts"] tbody tr`)
	if rows.Length() != 12 || !strings.Contains(rows.Eq(0).Text(), "MAPI over HTTP") || rows.Eq(0).Find(`a[href="`+pp+`/steps/current-outlook-encryption"]`).Length() != 1 {
		t.Errorf("counterparts: %d rows, first %q", rows.Length(), rows.Eq(0).Text())
	}

	// Answer the procedure with its defaults and see the runbook.
	base := pp + "/steps/current-outlook-encryption"
	resp, _ = c.post(base+"/servers", url.Values{"csrf_token": {tok}, "servers": {"EX01", "EX02"}, "mapi-http": {"yes"}, "encryption-required": {"yes"},
		"version.servers": {"0"}, "version.mapi-http": {"0"}, "version.encryption-required": {"0"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("answers: %d", resp.StatusCode)
	}
	resp, body = c.post(base+"/check", url.Values{"csrf_token": {tok}, "complete": {"yes"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("check: %d %s", resp.StatusCode, doc(t, body).Find("main").Text())
	}
	_, body = c.get(pp + "/runbook/document")
	if !strings.Contains(body, "Current: Windows Server 2019, 2022 or 2025") || !strings.Contains(body, "Exchange Server 2019 CU15 (1)") ||
		!strings.Contains(body, "Exchange Server Subscription Edition (SE) RTM (1)") || !strings.Contains(body, "outlook-encryption-apply.ps1") {
		t.Error("the runbook does not name the platform, the versions and the scripts")
	}

	// The change window names each step's STIG rules and offers each
	// server's checklist, whose statuses follow the marks.
	ex := pp + "/execute"
	_, body = c.get(ex)
	d = doc(t, body)
	if got := d.Find(`[data-testid="exec-controls"]`).First().Text(); !strings.Contains(got, "V-259645") {
		t.Errorf("the step does not name its STIG rule: %q", got)
	}
	var hrefs []string
	d.Find(`[data-testid="checklists"] a`).Each(func(_ int, a *goquery.Selection) { hrefs = append(hrefs, a.AttrOr("href", "")) })
	want := []string{fmt.Sprintf("%s/checklists/stig-checklists-%d.zip", pp, p.ID), pp + "/checklists/EX01.cklb", pp + "/checklists/EX02.cklb"}
	if !slices.Equal(hrefs, want) {
		t.Fatalf("checklist links %q, want %q", hrefs, want)
	}
	mark := func(server, status, note string, evidence []byte) {
		t.Helper()
		key := "current-outlook-encryption/encrypt-" + strings.ToLower(server) + "@" + server
		id := formID(key)
		name := ""
		if evidence != nil {
			name = "verify.txt"
		}
		resp, body := c.upload(ex, tok, name, evidence, map[string]string{"action": key, id + "-status": status, id + "-note": note, id + "-output": "All checks passed."})
		if resp.StatusCode != http.StatusSeeOther {
			t.Fatalf("marking %s %s: %d %s", server, status, resp.StatusCode, doc(t, body).Find(".error-summary").Text())
		}
	}
	mark("EX01", "done", "", []byte("EncryptionRequired : True\r\n"))
	mark("EX02", "failed", "The apply script stopped: the server was not in the directory", nil)
	rule := func(server string) map[string]any {
		t.Helper()
		resp, body := c.get(pp + "/checklists/" + server + ".cklb")
		if resp.StatusCode != http.StatusOK || !strings.Contains(resp.Header.Get("Content-Disposition"), server+".cklb") {
			t.Fatalf("%s's checklist: %d %q", server, resp.StatusCode, resp.Header.Get("Content-Disposition"))
		}
		var ck struct {
			Target map[string]any `json:"target_data"`
			STIGs  []struct {
				ID    string           `json:"stig_id"`
				Rules []map[string]any `json:"rules"`
			} `json:"stigs"`
		}
		if err := json.Unmarshal([]byte(body), &ck); err != nil {
			t.Fatalf("%s's checklist: %v", server, err)
		}
		if ck.Target["host_name"] != server || len(ck.STIGs) != 1 || ck.STIGs[0].ID != "MS_Exchange_2019_Mailbox_Server_STIG" || len(ck.STIGs[0].Rules) != 1 {
			t.Fatalf("%s's checklist: %s", server, body)
		}
		return ck.STIGs[0].Rules[0]
	}
	r1, r2 := rule("EX01"), rule("EX02")
	if r1["group_id"] != "V-259645" || r1["status"] != "not_a_finding" || !strings.Contains(r1["finding_details"].(string), "Marked done by olivia") ||
		!strings.Contains(r1["finding_details"].(string), "verify.txt") {
		t.Errorf("EX01's rule: %v", r1)
	}
	if r2["status"] != "open" || !strings.Contains(r2["finding_details"].(string), "not in the directory") {
		t.Errorf("EX02's rule: %v", r2)
	}
	resp, body = c.get(want[0])
	zr, err := zip.NewReader(strings.NewReader(body), int64(len(body)))
	if resp.StatusCode != http.StatusOK || err != nil || len(zr.File) != 2 || zr.File[0].Name != "EX01.cklb" || zr.File[1].Name != "EX02.cklb" {
		t.Fatalf("the archive of every checklist: %d %v", resp.StatusCode, err)
	}
	if resp, _ := c.get(pp + "/checklists/EX03.cklb"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("a server without a checklist: %d, want 404", resp.StatusCode)
	}
}
