package e2e

// The SMTP part of the guide: an administrator describes an organisation
// with an ISA Server, a separate gateway, a Message Screener host and one
// Exchange back-end, works through procedures 9 to 12, types an open relay
// list (0.0.0.0/0) for the gateway, sees the error the wizard raises,
// corrects it, and downloads the gateway's files from the runbook.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The SMTP procedures, in the guide's order.
const (
	smtpPublish  = "smtp-isa-publishing"
	smtpScreener = "smtp-message-screener"
	smtpGateway  = "smtp-gateway"
	smtpRelay    = "smtp-relay"
)

// smtpPasted are the servers pasted as a list; the ISA Server and the
// gateway are added with the server form, because their role details
// (external address, anti-virus) are not part of a pasted line.
const smtpPasted = "DC01 dc01.corp.example.com 10.1.0.10 win2000 dc\n" +
	"EXBE01 exbe01.corp.example.com 10.1.1.21 win2000 exchange-be\n" +
	"SCREEN01 screen01.example.com 10.1.2.30 win2000 screener"

// smtpAnswers are the deliberate answers, by procedure and question; every
// other question keeps what the page pre-fills. The gateway's relay list
// is typed wrong first (smtpOpenRelay) and corrected on the check page.
var smtpAnswers = map[string]map[string]string{
	smtpScreener: {"block-domains": "yes", "sender-domains": "spam.example.net\nbulk.example.org", "use-keywords": "yes", "keywords": "make money fast"},
	smtpGateway:  {"relay-list": smtpOpenRelay},
}

const (
	smtpOpenRelay  = "0.0.0.0/0"
	smtpFixedRelay = "10.1.1.21"
)

func TestSmtpProcedures(t *testing.T) {
	res := runWizard(t, "procedures")
	if res.code != 0 {
		t.Fatalf("wizard procedures: exit %d\n%s", res.code, res.stderr)
	}
	var ids []string
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			ids = append(ids, f[1])
		}
	}
	want := []string{smtpPublish, smtpScreener, smtpGateway, smtpRelay}
	if !inOrder(ids, want) {
		t.Errorf("wizard procedures lists %v; want %v among them in this order", ids, want)
	}
}

func TestSmtpWalkthrough(t *testing.T) {
	start := time.Now()
	w := startWizard(t)
	s := &smtpRun{browserPage: browserPage{t: t, ctx: newBrowser(t, true), w: w}}
	s.setUp()
	s.describe()
	for _, id := range []string{smtpPublish, smtpScreener, smtpGateway, smtpRelay} {
		s.procedure(id)
	}
	s.runbook()
	t.Logf("SMTP walkthrough: %d pages checked with axe, %v", s.axed, time.Since(start).Round(time.Millisecond))
}

// smtpRun is the state of one SMTP walkthrough.
type smtpRun struct {
	browserPage
	project string // /p/{id}
	axed    int
	sawOpen bool // the open relay error was shown
}

func (s *smtpRun) axe() {
	s.t.Helper()
	s.axed++
	checkPage(s.t, s.ctx)
}

// setUp creates the administrator and the project.
func (s *smtpRun) setUp() {
	t := s.t
	visit(t, s.ctx, s.w.SetupURL(), http.StatusOK)
	s.fill("#username", "smtp-admin")
	s.fill("#password", "relay nothing for strangers 2004")
	s.fill("#confirm", "relay nothing for strangers 2004")
	s.submit(`[data-testid="create-admin"]`, http.StatusOK)
	s.fill("#name", "Example SMTP hardening")
	s.submit(`[data-testid="create-project"]`, http.StatusOK)
	s.project = s.path()
	if !regexp.MustCompile(`^/p/[0-9]+$`).MatchString(s.project) {
		t.Fatalf("the new project opened at %s", s.project)
	}
}

// describe fills the organisation's facts and its servers.
func (s *smtpRun) describe() {
	visit(s.t, s.ctx, s.w.URL(s.project+"/facts"), http.StatusOK)
	for id, v := range map[string]string{"ad-domain": "corp.example.com", "public-domain": "example.com",
		"owa-host": "mail.example.com", "owa-path": "/exchange", "mx-host": "mx.example.com"} {
		s.fill("#"+id, v)
	}
	s.click(`input[name="pop3imap4"][value="no"]`)
	s.submit(`[data-testid="save-facts"]`, http.StatusOK)

	visit(s.t, s.ctx, s.w.URL(s.project+"/servers"), http.StatusOK)
	s.fill("#list", smtpPasted)
	s.submit(`[data-testid="add-list"]`, http.StatusOK)
	s.addServer("ISA01", "isa01.corp.example.com", "10.1.0.1", "isa", map[string]string{"isa-external": "203.0.113.10"})
	s.addServer("SMTPGW01", "smtpgw01.example.com", "10.1.2.25", "smtp-gw", nil)
	var n int
	s.js(`return document.querySelectorAll('[data-testid="server-row"]').length;`, &n)
	if n != 5 {
		s.t.Fatalf("%d servers listed, want 5", n)
	}
}

// addServer adds one server with the form, which keeps its defaults for
// the role details not given (ISA service pack 1, not in an array, between
// two firewalls; gateway in a workgroup, with anti-virus).
func (s *smtpRun) addServer(name, fqdn, addrs, role string, details map[string]string) {
	s.fill("#name", name)
	s.fill("#fqdn", fqdn)
	s.fill("#addrs", addrs)
	s.click(`input[name="roles"][value=` + jsQuote(role) + `]`)
	if len(details) > 0 {
		s.click(`[data-testid="server-form"] details > summary`)
		for id, v := range details {
			s.fill("#"+id, v)
		}
	}
	s.submit(`[data-testid="add-server"]`, http.StatusOK)
	if f := s.text(`[data-testid="flash"]`); !strings.Contains(f, name) {
		s.t.Fatalf("adding %s: the page says %q; %s", name, f, s.text(`[data-testid="error-summary"]`))
	}
}

// procedure opens procedure id from the task list, answers each page with
// the deliberate answers or what the page pre-fills, and completes it on
// its check-answers page; for the gateway it first sees the open relay
// error and follows its link to correct the list.
func (s *smtpRun) procedure(id string) {
	t := s.t
	base := s.project + "/steps/" + id
	visit(t, s.ctx, s.w.URL(s.project), http.StatusOK)
	link := `[data-testid="task-list"] a[href=` + jsQuote(base) + `]`
	if s.text(link) == "" {
		t.Fatalf("the task list has no link to %s: %s", id, shorten(s.text("main"), 400))
	}
	s.submit(link, http.StatusOK)
	first := true
	for n := 0; s.path() != base+"/check"; n++ {
		if n == 30 || !strings.HasPrefix(s.path(), base+"/") {
			t.Fatalf("%s: expected a question page, at %s", id, s.path())
		}
		if first {
			s.axe()
			first = false
		}
		fs := s.fields()
		if len(fs) > 1 {
			s.axe() // pages that ask a small group of questions
		}
		for _, f := range fs {
			v, deliberate := smtpAnswers[id][f.Name]
			switch {
			case deliberate && f.Kind == "text":
				s.fill("#"+f.ID, v)
			case deliberate:
				s.click(`input[name=` + jsQuote(f.Name) + `][value=` + jsQuote(v) + `]`)
			case f.Kind == "radio" && len(f.Checked) == 0:
				s.click(`input[name=` + jsQuote(f.Name) + `][value=` + jsQuote(f.Values[0]) + `]`)
			}
		}
		s.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK)
	}
	if id == smtpGateway {
		s.openRelay(base)
	}
	summary := s.text(`[data-testid="answers"]`)
	for q, v := range smtpAnswers[id] {
		if strings.HasPrefix(v, "0.0.0.0") || v == "yes" {
			continue
		}
		for _, line := range strings.Split(v, "\n") {
			if !strings.Contains(summary, line) {
				t.Errorf("%s: the check page does not show %q of the answer to %s", id, line, q)
			}
		}
	}
	var errs []string
	s.js(`return [...document.querySelectorAll('[data-testid="finding"].error')].map(e => e.textContent.replace(/\s+/g, " ").trim());`, &errs)
	if len(errs) > 0 {
		t.Fatalf("%s: errors block completion:\n%s", id, strings.Join(errs, "\n"))
	}
	s.axe()
	s.click("#complete")
	s.submit(`form[action$="/check"] [data-testid="continue"]`, http.StatusOK)
	if f := s.text(`[data-testid="flash"]`); !strings.Contains(f, "is completed") {
		t.Fatalf("%s: completing it says %q; %s", id, f, s.text(`[data-testid="error-summary"]`))
	}
}

// openRelay is the check page of the gateway procedure after 0.0.0.0/0 was
// typed as its relay list: the error, the refusal to complete, the link to
// the question, and the corrected list.
func (s *smtpRun) openRelay(base string) {
	t := s.t
	var errs []string
	s.js(`return [...document.querySelectorAll('[data-testid="finding"].error')].map(e => e.textContent.replace(/\s+/g, " ").trim());`, &errs)
	if len(errs) != 1 || !strings.Contains(errs[0], "0.0.0.0/0") || !strings.Contains(errs[0], "open relay") {
		t.Fatalf("after typing %s as the gateway's relay list the errors are %q", smtpOpenRelay, errs)
	}
	s.sawOpen = true
	s.axe()

	// Completing is refused while the error stands.
	s.click("#complete")
	s.submit(`form[action$="/check"] [data-testid="continue"]`, http.StatusUnprocessableEntity)
	if !strings.Contains(s.text(`[data-testid="error-summary"]`), "Fix the errors") {
		t.Errorf("completing with an open relay: %s", s.text(`[data-testid="error-summary"]`))
	}

	fix := `[data-testid="finding"].error a[href$="/relay-list?return=check"]`
	if s.text(fix) == "" {
		t.Fatalf("the open relay error has no link to the relay list question")
	}
	s.submit(fix, http.StatusOK)
	if p := s.path(); p != base+"/relay-list?return=check" {
		t.Fatalf("the error's link led to %s", p)
	}
	var v string
	s.js(`return document.getElementById("relay-list").value;`, &v)
	if strings.TrimSpace(v) != smtpOpenRelay {
		t.Errorf("the relay list question shows %q, want the saved %q", v, smtpOpenRelay)
	}
	s.fill("#relay-list", smtpFixedRelay)
	s.submit(`form[data-testid="question-form"] [data-testid="continue"]`, http.StatusOK)
	if p := s.path(); p != base+"/check" {
		t.Fatalf("after correcting the relay list: at %s, want the check page", p)
	}
}

// runbook reads the runbook and downloads every file of the gateway,
// checking its bytes against the runbook's hash and the relay list typed.
func (s *smtpRun) runbook() {
	t := s.t
	if !s.sawOpen {
		t.Fatal("the open relay error was never shown")
	}
	visit(t, s.ctx, s.w.URL(s.project+"/runbook"), http.StatusOK)
	if b := s.text(`[data-testid="runbook-blocked"]`); b != "" {
		t.Fatalf("the runbook is blocked: %s", b)
	}
	s.axe()
	var hash string
	s.js(`const e = document.querySelector('[data-testid="answers-hash"]'); return e ? e.textContent.trim() : "";`, &hash)
	type download struct {
		URL    string `json:"url"`
		Name   string `json:"name"`
		SHA256 string `json:"sha256"`
	}
	var files []download
	s.js(`return [...document.querySelectorAll('[data-testid="download"]')].filter(a => a.href.includes("/files/SMTPGW01/")).map(a => ({
		url: a.href, name: a.textContent.trim(), sha256: a.closest("tr").querySelector(".hash").textContent.trim()}));`, &files)
	var names []string
	for _, f := range files {
		names = append(names, f.Name)
	}
	for _, want := range []string{"gateway-relay-apply.vbs", "gateway-relay-verify.vbs", "gateway-relay-backout.vbs", "gateway-relay-test.txt", "smtp-gateway-checklist.txt"} {
		if !slices.Contains(names, want) {
			t.Errorf("the runbook offers no %s for SMTPGW01; it offers %v", want, names)
		}
	}

	cookies, err := chromedp.Call(s.ctx, network.GetCookies, network.GetCookiesParams{URLs: []string{s.w.BaseURL + "/"}})
	if err != nil {
		t.Fatal(err)
	}
	var jar []string
	for _, c := range cookies.Cookies {
		jar = append(jar, c.Name+"="+c.Value)
	}
	client := &http.Client{Timeout: 10 * time.Second}
	for _, f := range files {
		body := s.fetch(client, strings.Join(jar, "; "), f.URL)
		sum := sha256.Sum256(body)
		if got := hex.EncodeToString(sum[:]); got != f.SHA256 {
			t.Errorf("%s: SHA-256 %s, the runbook says %s", f.Name, got, f.SHA256)
		}
		for i, c := range body {
			if c >= 0x80 || (c < 0x20 && c != '\r' && c != '\n' && c != '\t') || (c == '\n' && (i == 0 || body[i-1] != '\r')) || (c == '\r' && (i+1 == len(body) || body[i+1] != '\n')) {
				t.Errorf("%s: byte %d (0x%02X) breaks the ASCII and CRLF rules", f.Name, i, c)
				break
			}
		}
		if !bytes.Contains(body, []byte("Answers hash: "+hash+"\r\n")) || !bytes.Contains(body, []byte("Project: Example SMTP hardening\r\n")) {
			t.Errorf("%s: the header does not carry the project and the runbook's answers hash %s", f.Name, hash)
		}
		switch f.Name {
		case "gateway-relay-apply.vbs":
			for _, want := range []string{
				`Const VS_PATH = "IIS://localhost/SMTPSVC/1"`,
				`Const SERVER_NAME = "SMTPGW01"`,
				`wantRelay = Array("10.1.1.21,255.255.255.255")`,
				`wantConnectAll = True`,
				`vs.Put "RelayForAuth", 0`,
			} {
				if !bytes.Contains(body, []byte(want)) {
					t.Errorf("%s lacks %q", f.Name, want)
				}
			}
			if bytes.Contains(body, []byte("0.0.0.0")) {
				t.Errorf("%s still holds the open relay list", f.Name)
			}
		case "gateway-relay-verify.vbs":
			if bytes.Contains(body, []byte("SetInfo")) || bytes.Contains(body, []byte(".Put ")) {
				t.Errorf("%s writes to the metabase", f.Name)
			}
		case "gateway-relay-test.txt":
			flat := strings.Join(strings.Fields(string(body)), " ")
			for _, want := range []string{"telnet mx.example.com 25", "RCPT TO:<probe@example.org> and expect: 550 5.7.1", "QUIT"} {
				if !strings.Contains(flat, want) {
					t.Errorf("%s lacks %q", f.Name, want)
				}
			}
		}
	}
	t.Logf("downloaded %d files of SMTPGW01: %s", len(files), strings.Join(names, ", "))
}

func (s *smtpRun) fetch(client *http.Client, cookie, url string) []byte {
	s.t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		s.t.Fatal(err)
	}
	req.Header.Set("Cookie", cookie)
	resp, err := client.Do(req)
	if err != nil {
		s.t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil || resp.StatusCode != http.StatusOK {
		s.t.Fatalf("GET %s: status %d, %v", url, resp.StatusCode, err)
	}
	if cd := resp.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment") {
		s.t.Errorf("GET %s: Content-Disposition %q", url, cd)
	}
	return body
}
