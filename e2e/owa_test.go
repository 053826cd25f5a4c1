package e2e

// The OWA part of the guide: an administrator describes an organisation
// with one ISA Server, two front-ends (one on Windows Server 2003) and two
// back-ends, works through procedures 4 to 8, meets four findings that
// span servers (the layout answer against the ISA Server's page, bridging
// on an ISA Server without its service pack, publishing a back-end, a
// back-end outside the GPO's OU), fixes each where the wizard links to,
// and downloads a front-end's and a back-end's files from the runbook.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The OWA procedures, in the guide's order.
const (
	owaTopology  = "owa-topology"
	owaListener  = "isa-ssl-listener"
	owaPublish   = "isa-owa-publishing"
	owaFECert    = "owa-front-end-certificate"
	owaIPSec     = "owa-ipsec"
	owaProject   = "Example OWA hardening"
	owaAdmin     = "owa-admin"
	owaPassword  = "three hops, all encrypted 2004"
	owaISAServer = "ISA01"
)

// owaPasted are the servers pasted as a list. The ISA Server is added with
// the server form, because a pasted line has no room for its external
// address.
const owaPasted = "DC01 dc01.corp.example.com 10.0.0.10 win2000 dc,ca\n" +
	"EXBE01 exbe01.corp.example.com 10.0.1.21 win2000 exchange-be\n" +
	"EXBE02 exbe02.corp.example.com 10.0.1.22 win2000 exchange-be\n" +
	"OWAFE01 owafe01.corp.example.com 10.0.2.11 win2000 owa-fe\n" +
	"OWAFE02 owafe02.corp.example.com 10.0.2.12 win2003 owa-fe"

// owaDetails are the role details typed on each server's page: the CA's
// configuration string and the back-ends' OUs (the front-ends have none
// recorded, which the wizard accepts). EXBE02 is put in the wrong OU on
// purpose; the IPSec procedure, which pre-fills the OU from EXBE01, must
// notice.
var owaDetails = []struct {
	server string
	fields map[string]string
}{
	{"DC01", map[string]string{"ca-config": `dc01.corp.example.com\Example Enterprise CA`}},
	{"EXBE01", map[string]string{"be-ou": "Back-end Servers"}},
	{"EXBE02", map[string]string{"be-ou": "Exchange Servers"}},
}

// owaChosen are the deliberate answers, by procedure and question. Each
// procedure's first wrong answer is corrected on its check-answers page.
var owaChosen = map[string]map[string]string{
	owaTopology: {"layout-can-change": "no", "dns-current": "198.51.100.25"},
	owaPublish:  {"target": "exbe01.corp.example.com"},
	owaFECert:   {"organisation": "Example Corporation", "city": "Springfield", "state": "Illinois", "country": "US"},
	owaIPSec:    {"be-inbound-filter": "as-guide"},
}

func TestOwaProcedures(t *testing.T) {
	res := runWizard(t, "procedures")
	if res.code != 0 {
		t.Fatalf("wizard procedures: exit %d\n%s", res.code, res.stderr)
	}
	var ids []string
	sections := map[string]string{}
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			ids = append(ids, f[1])
			sections[f[1]] = line
		}
	}
	want := []string{owaTopology, owaListener, owaPublish, owaFECert, owaIPSec}
	if !inOrder(ids, want) {
		t.Errorf("wizard procedures lists %v; want %v among them in this order", ids, want)
	}
	for _, id := range want {
		if !strings.Contains(sections[id], "[Securing OWA Communications: ") {
			t.Errorf("%s is listed without its guide section: %q", id, sections[id])
		}
	}
}

func TestOwaWalkthrough(t *testing.T) {
	start := time.Now()
	o := &owaRun{browserPage: browserPage{t: t, ctx: newBrowser(t, true), w: startWizard(t)}}
	o.setUp()
	o.describe()
	o.procedure(owaTopology, o.fixLayout)
	o.procedure(owaListener, o.fixServicePack)
	o.procedure(owaPublish, o.fixTarget)
	o.procedure(owaFECert, nil)
	o.procedure(owaIPSec, o.fixIPSec)
	o.runbook()
	t.Logf("OWA walkthrough: %d findings fixed, %d pages checked with axe in %v, %v in all", o.fixed, o.axed, o.axeTime.Round(time.Millisecond), time.Since(start).Round(time.Millisecond))
}

// owaRun is the state of one OWA walkthrough.
type owaRun struct {
	browserPage
	project string // /p/{id}
	axed    int
	axeTime time.Duration
	fixed   int
}

func (o *owaRun) axe() {
	o.t.Helper()
	o.axed++
	t0 := time.Now()
	checkPage(o.t, o.ctx)
	o.axeTime += time.Since(t0)
}

// setUp creates the administrator and the project.
func (o *owaRun) setUp() {
	t := o.t
	visit(t, o.ctx, o.w.SetupURL(), http.StatusOK)
	o.fill("#username", owaAdmin)
	o.fill("#password", owaPassword)
	o.fill("#confirm", owaPassword)
	o.submit(`[data-testid="create-admin"]`, http.StatusOK)
	o.fill("#name", owaProject)
	o.submit(`[data-testid="create-project"]`, http.StatusOK)
	o.project = o.path()
	if !regexp.MustCompile(`^/p/[0-9]+$`).MatchString(o.project) {
		t.Fatalf("the new project opened at %s", o.project)
	}
}

// describe fills the organisation's facts, pastes the servers, adds the
// ISA Server with the form (without its service pack, as many were in
// 2004) and types the role details on each server's page.
func (o *owaRun) describe() {
	t := o.t
	visit(t, o.ctx, o.w.URL(o.project+"/facts"), http.StatusOK)
	for id, v := range map[string]string{"ad-domain": "corp.example.com", "public-domain": "example.com",
		"owa-host": "mail.example.com", "owa-path": "/exchange", "mx-host": "smtp.example.com"} {
		o.fill("#"+id, v)
	}
	o.click(`input[name="pop3imap4"][value="no"]`)
	o.submit(`[data-testid="save-facts"]`, http.StatusOK)

	visit(t, o.ctx, o.w.URL(o.project+"/servers"), http.StatusOK)
	o.paste("#list", owaPasted)
	o.submit(`[data-testid="add-list"]`, http.StatusOK)
	o.fill("#name", owaISAServer)
	o.fill("#fqdn", "isa01.corp.example.com")
	o.fill("#addrs", "10.0.0.1")
	o.click(`input[name="os"][value="win2000"]`)
	o.click(`input[name="roles"][value="isa"]`)
	o.openDetails()
	o.fill("#isa-external", "192.0.2.10")
	o.fill("#isa-sp", "0")
	o.submit(`[data-testid="add-server"]`, http.StatusOK)
	if f := o.text(`[data-testid="flash"]`); !strings.Contains(f, owaISAServer) {
		t.Fatalf("adding %s: the page says %q; %s", owaISAServer, f, o.text(`[data-testid="error-summary"]`))
	}
	if n := len(o.texts(`[data-testid="server-row"]`)); n != 6 {
		t.Fatalf("%d servers listed, want 6", n)
	}
	for _, d := range owaDetails {
		o.editServer(d.server, d.fields)
	}
}

func (o *owaRun) openDetails() {
	var open bool
	o.js(`const d = document.querySelector('[data-testid="server-form"] details'); return !!(d && d.open);`, &open)
	if !open {
		o.click(`[data-testid="server-form"] details > summary`)
	}
}

// editServer opens a server's page from the server list, types the role
// details and saves.
func (o *owaRun) editServer(name string, fields map[string]string) {
	t := o.t
	t.Helper()
	if o.path() != o.project+"/servers" {
		visit(t, o.ctx, o.w.URL(o.project+"/servers"), http.StatusOK)
	}
	var href string
	o.js(`for (const a of document.querySelectorAll('[data-testid="server-row"] a')) { if (a.textContent.trim() === `+jsQuote(name)+`) return a.getAttribute("href"); } return "";`, &href)
	if href == "" {
		t.Fatalf("the server list has no link to %s", name)
	}
	o.submit(`[data-testid="server-row"] a[href=`+jsQuote(href)+`]`, http.StatusOK)
	o.saveServer(name, fields)
}

// saveServer types fields on the server page that is open and saves it.
func (o *owaRun) saveServer(name string, fields map[string]string) {
	t := o.t
	t.Helper()
	o.openDetails()
	for id, v := range fields {
		o.fill("#"+id, v)
	}
	o.submit(`[data-testid="save-server"]`, http.StatusOK)
	if f := o.text(`[data-testid="flash"]`); !strings.Contains(f, name) {
		t.Fatalf("saving %s: the page says %q; %s", name, f, o.text(`[data-testid="error-summary"]`))
	}
}

// procedure opens procedure id from the task list, answers each page with
// the deliberate answers or what the page pre-fills, lets fix deal with
// the findings on the check-answers page, and completes the procedure.
func (o *owaRun) procedure(id string, fix func(base string)) {
	t := o.t
	base := o.project + "/steps/" + id
	visit(t, o.ctx, o.w.URL(o.project), http.StatusOK)
	link := `[data-testid="task-list"] a[href=` + jsQuote(base) + `]`
	if o.text(link) == "" {
		t.Fatalf("the task list has no link to %s: %s", id, shorten(o.text("main"), 400))
	}
	o.submit(link, http.StatusOK)
	first := true
	for n := 0; o.path() != base+"/check"; n++ {
		if n == 30 || !strings.HasPrefix(o.path(), base+"/") {
			t.Fatalf("%s: expected a question page, at %s", id, o.path())
		}
		fs := o.fields()
		if first || len(fs) > 4 {
			o.axe() // the first page, and the pages that ask many questions at once
			first = false
		}
		o.answer(id, fs)
		o.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK)
	}
	if fix != nil {
		fix(base)
		if o.path() != base+"/check" {
			visit(t, o.ctx, o.w.URL(base+"/check"), http.StatusOK)
		}
	}
	if errs := o.texts(`[data-testid="finding"].error`); len(errs) > 0 {
		t.Fatalf("%s: errors block completion:\n%s", id, strings.Join(errs, "\n"))
	}
	if warns := o.texts(`[data-testid="finding"].warning`); len(warns) > 0 {
		t.Fatalf("%s: warnings left: %s", id, strings.Join(warns, "\n"))
	}
	o.click("#complete")
	o.submit(`form[action$="/check"] [data-testid="continue"]`, http.StatusOK)
	if f := o.text(`[data-testid="flash"]`); !strings.Contains(f, "is completed") {
		t.Fatalf("%s: completing it says %q; %s", id, f, o.text(`[data-testid="error-summary"]`))
	}
}

// answer fills one question page: the deliberate answers, else what the
// page pre-fills, else the first option.
func (o *owaRun) answer(id string, fs []formField) {
	for _, f := range fs {
		v, deliberate := owaChosen[id][f.Name]
		switch {
		case deliberate && f.Kind == "text":
			o.fill("#"+f.ID, v)
		case deliberate:
			o.click(`input[name=` + jsQuote(f.Name) + `][value=` + jsQuote(v) + `]`)
		case f.Kind == "radio" && len(f.Checked) == 0:
			o.click(`input[name=` + jsQuote(f.Name) + `][value=` + jsQuote(f.Values[0]) + `]`)
		}
	}
}

// expectError checks that the check page shows exactly one error, that it
// names want, and that completing is refused while it stands.
func (o *owaRun) expectError(id string, want ...string) {
	t := o.t
	t.Helper()
	errs := o.texts(`[data-testid="finding"].error`)
	if len(errs) != 1 {
		t.Fatalf("%s: errors on the check page: %q, want one", id, errs)
	}
	for _, w := range want {
		if !strings.Contains(errs[0], w) {
			t.Errorf("%s: the error does not mention %q: %s", id, w, errs[0])
		}
	}
	// Completing is refused while the error stands.
	o.click("#complete")
	o.submit(`form[action$="/check"] [data-testid="continue"]`, http.StatusUnprocessableEntity)
	if s := o.text(`[data-testid="error-summary"]`); !strings.Contains(s, "Fix the errors") {
		t.Errorf("%s: completing with an error: %s", id, s)
	}
	if id == owaTopology || id == owaIPSec {
		o.axe() // a check page with an error, and one with an error and a warning
	}
}

// follow clicks the link of the error whose address ends with suffix.
func (o *owaRun) follow(id, suffix string) {
	t := o.t
	t.Helper()
	sel := `[data-testid="finding"].error a[href$=` + jsQuote(suffix) + `]`
	if o.text(sel) == "" {
		t.Fatalf("%s: the error has no link ending %s: %s", id, suffix, o.text(`[data-testid="finding"].error`))
	}
	o.submit(sel, http.StatusOK)
}

// fixLayout: the layout answer says ISA Server sits inside the inner
// firewall, its server page says between the firewalls.
func (o *owaRun) fixLayout(base string) {
	o.expectError(owaTopology, owaISAServer, "between the two firewalls")
	o.follow(owaTopology, "/layout?return=check")
	o.click(`input[name="layout-can-change"][value="yes"]`)
	o.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK)
	o.fixed++
}

// fixServicePack: bridging on an ISA Server whose page records no service
// pack; the error links to the server's page, where SP1 is recorded.
func (o *owaRun) fixServicePack(base string) {
	o.expectError(owaListener, owaISAServer, "Service Pack 1")
	var href string
	o.js(`const a = [...document.querySelectorAll('[data-testid="finding"].error a')].find(a => a.textContent.includes(`+jsQuote("Change server "+owaISAServer)+`)); return a ? a.getAttribute("href") : "";`, &href)
	if href == "" {
		o.t.Fatalf("the service pack error has no link to %s's page", owaISAServer)
	}
	o.submit(`[data-testid="finding"].error a[href=`+jsQuote(href)+`]`, http.StatusOK)
	o.saveServer(owaISAServer, map[string]string{"isa-sp": "1"})
	visit(o.t, o.ctx, o.w.URL(base+"/check"), http.StatusOK)
	o.fixed++
}

// fixTarget: ISA Server would publish a back-end; the target and the rule
// name made from it are corrected.
func (o *owaRun) fixTarget(base string) {
	o.expectError(owaPublish, "exbe01.corp.example.com", "EXBE01", "owafe01.corp.example.com")
	o.follow(owaPublish, "/target?return=check")
	o.fill("#target", "owafe01.corp.example.com")
	o.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK)
	visit(o.t, o.ctx, o.w.URL(base+"/rule-name?return=check"), http.StatusOK)
	if v := o.fields()[0].Value; v != "OWA - exbe01.corp.example.com" {
		o.t.Errorf("the rule name was pre-filled as %q", v)
	}
	o.fill("#rule-name", "OWA - owafe01.corp.example.com")
	o.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK)
	o.fixed++
}

// fixIPSec: EXBE02's page puts it in another OU than the back-ends' GPO;
// and the guide's printed back-end filter, chosen on purpose, raises its
// erratum warning, which is answered by choosing the corrected filter.
func (o *owaRun) fixIPSec(base string) {
	t := o.t
	o.expectError(owaIPSec, "EXBE02", "Exchange Servers", "Back-end Servers")
	warns := o.texts(`[data-testid="finding"].warning`)
	if len(warns) != 1 || !strings.Contains(warns[0], "as printed in the guide") {
		t.Errorf("the guide's back-end filter raised %q", warns)
	}
	var href string
	o.js(`const a = [...document.querySelectorAll('[data-testid="finding"].error a')].find(a => a.textContent.includes("Change server EXBE02")); return a ? a.getAttribute("href") : "";`, &href)
	if href == "" {
		t.Fatal("the OU error has no link to EXBE02's page")
	}
	o.submit(`[data-testid="finding"].error a[href=`+jsQuote(href)+`]`, http.StatusOK)
	o.saveServer("EXBE02", map[string]string{"be-ou": "Back-end Servers"})
	o.fixed++

	visit(t, o.ctx, o.w.URL(base+"/check"), http.StatusOK)
	if errs := o.texts(`[data-testid="finding"].error`); len(errs) > 0 {
		t.Fatalf("after moving EXBE02: %q", errs)
	}
	sel := `[data-testid="finding"].warning a[href$="/be-inbound?return=check"]`
	if o.text(sel) == "" {
		t.Fatal("the erratum warning has no link to the back-end filter question")
	}
	o.submit(sel, http.StatusOK)
	page := o.text("main")
	for _, both := range []string{"As printed in the guide", "corrected default", "destination My IP Address"} {
		if !strings.Contains(page, both) {
			t.Errorf("the back-end filter page does not show %q", both)
		}
	}
	o.axe()
	o.click(`input[name="be-inbound-filter"][value="from-front-ends"]`)
	o.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK)
}

type owaDownload struct {
	URL    string `json:"url"`
	Name   string `json:"name"`
	SHA256 string `json:"sha256"`
}

// runbook reads the runbook and downloads a front-end's and a back-end's
// files, checking their bytes against the runbook's hash and the answers.
func (o *owaRun) runbook() {
	t := o.t
	if o.fixed < 4 {
		t.Fatalf("only %d findings were met and fixed", o.fixed)
	}
	visit(t, o.ctx, o.w.URL(o.project+"/runbook"), http.StatusOK)
	if b := o.text(`[data-testid="runbook-blocked"]`); b != "" {
		t.Fatalf("the runbook is blocked: %s", b)
	}
	o.axe()
	main := o.text("main")
	for _, want := range []string{"Hop 1", "Network and DNS", "Assign Encrypt TCP 80 traffic - BE in Back End Incremental GPO", "Erratum"} {
		if !strings.Contains(main, want) {
			t.Errorf("the runbook does not mention %q", want)
		}
	}
	var hash string
	o.js(`const e = document.querySelector('[data-testid="answers-hash"]'); return e ? e.textContent.trim() : "";`, &hash)

	var files []owaDownload
	o.js(`return [...document.querySelectorAll('[data-testid="download"]')].map(a => ({
		url: a.href, name: a.textContent.trim(), sha256: a.closest("tr").querySelector(".hash").textContent.trim()}));`, &files)
	pick := func(target, name string) owaDownload {
		for _, f := range files {
			if strings.Contains(f.URL, "/files/"+target+"/") && f.Name == name {
				return f
			}
		}
		t.Fatalf("the runbook offers no %s for %s", name, target)
		return owaDownload{}
	}
	fe := pick("OWAFE02", "owa-fe-cert.inf")
	be := pick("EXBE01", "ipsec-local-apply.cmd")

	cookies, err := chromedp.Call(o.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{o.w.BaseURL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	var jar []string
	for _, c := range cookies.Cookies {
		jar = append(jar, c.Name+"="+c.Value)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, d := range []struct {
		file owaDownload
		want []string
	}{
		{fe, []string{
			`Subject = "CN=owafe02.corp.example.com, O=Example Corporation, L=Springfield, S=Illinois, C=US"` + "\r\n",
			"CertificateTemplate = \"WebServer\"\r\n",
		}},
		{be, []string{
			`ipsecpol -w REG -p "Encrypt TCP 80 traffic - BE" -r "Inbound TCP 80 - BE" -f "10.0.2.11+0:80:TCP" "10.0.2.12+0:80:TCP" -n ESP[3DES,SHA] -a K` + "\r\n",
			`ipsecpol -w REG -p "Encrypt TCP 80 traffic - BE" -x` + "\r\n",
		}},
	} {
		body := o.fetch(client, strings.Join(jar, "; "), d.file.URL)
		sum := sha256.Sum256(body)
		if got := hex.EncodeToString(sum[:]); got != d.file.SHA256 {
			t.Errorf("%s: SHA-256 %s, the runbook says %s", d.file.Name, got, d.file.SHA256)
		}
		for i, c := range body {
			if c >= 0x80 || (c < 0x20 && c != '\r' && c != '\n' && c != '\t') || (c == '\n' && (i == 0 || body[i-1] != '\r')) || (c == '\r' && (i+1 == len(body) || body[i+1] != '\n')) {
				t.Errorf("%s: byte %d (0x%02X) breaks the ASCII and CRLF rules", d.file.Name, i, c)
				break
			}
		}
		if !bytes.Contains(body, []byte("Answers hash: "+hash+"\r\n")) || !bytes.Contains(body, []byte("Project: "+owaProject+"\r\n")) {
			t.Errorf("%s: the header does not carry the project and the runbook's answers hash %s", d.file.Name, hash)
		}
		for _, w := range d.want {
			if !bytes.Contains(body, []byte(w)) {
				t.Errorf("%s lacks %q", d.file.Name, w)
			}
		}
	}
}

func (o *owaRun) fetch(client *http.Client, cookie, url string) []byte {
	t := o.t
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Cookie", cookie)
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %d %v", url, resp.StatusCode, err)
	}
	return body
}
