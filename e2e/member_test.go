package e2e

// Members working over plain HTTP, without a browser: the crash, load and
// backup tests drive the real binary this way, many requests at a time.

import (
	"bytes"
	"fmt"
	"html"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// Where the HTTP tests save answers and sign-offs: the documented example
// project, imported, and its question on the number of Outlook users.
const (
	exampleProject = "../docs/examples/small.json"
	answerStep     = procRPC
	answerQuestion = "users"
	approverName   = "bob"
	memberPass     = "crash test pass phrase"
)

// member is a signed-in account saving forms over HTTP. Its base address
// can change when the server restarts on another port; the session cookie
// is kept, as a browser keeps it.
type member struct {
	hc   *http.Client
	mu   sync.Mutex
	base string
}

func newMember(base string) *member {
	jar, _ := cookiejar.New(nil)
	return &member{base: base, hc: &http.Client{Jar: jar, Timeout: 10 * time.Second,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}}
}

// moveTo points the member at the server's new address. The cookie jar
// keys cookies by host, so the session is copied to the new port.
func (m *member) moveTo(base string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if base == m.base {
		return
	}
	old, _ := url.Parse(m.base)
	now, _ := url.Parse(base)
	m.hc.Jar.SetCookies(now, m.hc.Jar.Cookies(old))
	m.base = base
}

func (m *member) url(path string) string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.base + path
}

// page gets path and returns its status and body.
func (m *member) page(path string) (int, string, error) {
	resp, err := m.hc.Get(m.url(path))
	if err != nil {
		return 0, "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), err
}

// hiddenValue returns the value of the form field name on page, or "".
func hiddenValue(page, name string) string {
	re := regexp.MustCompile(`name="` + regexp.QuoteMeta(name) + `" value="([^"]*)"`)
	if m := re.FindStringSubmatch(page); m != nil {
		return html.UnescapeString(m[1])
	}
	return ""
}

// formOf gets the page of a form and returns the values its hidden fields
// named in hidden hold, the CSRF token always among them.
func (m *member) formOf(path string, hidden ...string) (url.Values, error) {
	st, body, err := m.page(path)
	if err != nil {
		return nil, err
	}
	v := url.Values{}
	for _, name := range append([]string{"csrf_token"}, hidden...) {
		val := hiddenValue(body, name)
		if val == "" {
			return nil, fmt.Errorf("no %s on %s (%d)", name, path, st)
		}
		v.Set(name, val)
	}
	return v, nil
}

// reply is what the server answered to a POST.
type reply struct {
	status   int
	location string
	body     string
}

// post sends a form. A redirect to the sign-in page is not an
// acknowledgement, so it is answered as 401.
func (m *member) post(path string, v url.Values) (reply, error) {
	return m.send(path, "application/x-www-form-urlencoded", strings.NewReader(v.Encode()))
}

func (m *member) send(path, contentType string, body io.Reader) (reply, error) {
	req, _ := http.NewRequest(http.MethodPost, m.url(path), body)
	req.Header.Set("Content-Type", contentType)
	base := m.url("")
	req.Header.Set("Origin", base)
	resp, err := m.hc.Do(req)
	if err != nil {
		return reply{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return reply{}, err
	}
	r := reply{status: resp.StatusCode, location: resp.Header.Get("Location"), body: string(b)}
	if strings.HasPrefix(r.location, "/login") {
		r.status = http.StatusUnauthorized
	}
	return r, nil
}

// mustPost sends a form and fails the test unless it is acknowledged with
// a 303; it returns where the server redirected.
func (m *member) mustPost(t testing.TB, path string, v url.Values) string {
	t.Helper()
	r, err := m.post(path, v)
	if err != nil || r.status != http.StatusSeeOther {
		t.Fatalf("POST %s: %d %v\n%s", path, r.status, err, shorten(r.body, 600))
	}
	return r.location
}

// importProject imports the project file at path through the web form and
// returns the new project's address, /p/N.
func (m *member) importProject(t testing.TB, path string) string {
	t.Helper()
	content, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	v, err := m.formOf("/")
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	mw.WriteField("csrf_token", v.Get("csrf_token"))
	fw, _ := mw.CreateFormFile("file", filepath.Base(path))
	fw.Write(content)
	mw.Close()
	r, err := m.send("/import", mw.FormDataContentType(), &buf)
	if err != nil || r.status != http.StatusSeeOther || !projectAddrRE.MatchString(r.location) {
		t.Fatalf("import %s: %d %s %v\n%s", path, r.status, r.location, err, shorten(r.body, 600))
	}
	return r.location
}

var projectAddrRE = regexp.MustCompile(`^/p/(\d+)$`)

// projectID is the number in a project's address.
func projectID(path string) int64 {
	m := projectAddrRE.FindStringSubmatch(path)
	if m == nil {
		return 0
	}
	n, _ := strconv.ParseInt(m[1], 10, 64)
	return n
}

// team is the accounts and projects the HTTP tests work in: ann, the
// administrator, owns every project; bob is an approver of the sign-off
// project.
type team struct {
	ann, bob *member
	// servers is an empty project ann adds servers to; answers and signoff
	// are the example project imported twice, one to change answers in,
	// one to sign off unchanged (any change would move its revision).
	servers, answers, signoff string
}

// setUpTeam creates the accounts through the setup link and the accounts
// page, and the projects through the web forms.
func setUpTeam(t testing.TB, base, setup string) *team {
	t.Helper()
	tm := &team{ann: newMember(base), bob: newMember(base)}
	u, err := url.Parse(setup)
	if err != nil {
		t.Fatal(err)
	}
	v, err := tm.ann.formOf(u.RequestURI())
	if err != nil {
		t.Fatal(err)
	}
	v.Set("token", u.Query().Get("token"))
	v.Set("username", "ann")
	v.Set("password", memberPass)
	v.Set("confirm", memberPass)
	tm.ann.mustPost(t, "/setup", v)

	v, err = tm.ann.formOf("/")
	if err != nil {
		t.Fatal(err)
	}
	v.Set("name", "Crash")
	tm.servers = tm.ann.mustPost(t, "/projects", v)
	tm.answers = tm.ann.importProject(t, exampleProject)
	tm.signoff = tm.ann.importProject(t, exampleProject)

	v, _ = tm.ann.formOf("/accounts")
	v.Set("username", approverName)
	v.Set("password", memberPass)
	tm.ann.mustPost(t, "/accounts", v)
	v, _ = tm.ann.formOf(tm.signoff + "/members")
	v.Set("username", approverName)
	v.Set("role", "approver")
	tm.ann.mustPost(t, tm.signoff+"/members", v)

	v, err = tm.bob.formOf("/login")
	if err != nil {
		t.Fatal(err)
	}
	v.Set("username", approverName)
	v.Set("password", memberPass)
	tm.bob.mustPost(t, "/login", v)
	return tm
}

func (tm *team) moveTo(base string) {
	tm.ann.moveTo(base)
	tm.bob.moveTo(base)
}

// serverForm is the form adding server number n, with a name and an
// address no other number has and no example server uses.
func serverForm(n int) (name string, v url.Values) {
	name = fmt.Sprintf("S%05d", n)
	return name, url.Values{"name": {name}, "fqdn": {strings.ToLower(name) + ".corp.example.com"},
		"addrs": {fmt.Sprintf("172.%d.%d.%d", 16+n/62500, (n/250)%250, 1+n%250)},
		"os":    {"win2000"}, "roles": {"exchange-be"}}
}

// addServer adds server number n to project; ok is true when the server
// acknowledged the save.
func (m *member) addServer(project string, n int) (name string, r reply, err error) {
	v, err := m.formOf(project + "/servers")
	if err != nil {
		return "", reply{}, err
	}
	name, form := serverForm(n)
	form.Set("csrf_token", v.Get("csrf_token"))
	r, err = m.post(project+"/servers", form)
	return name, r, err
}

// saveAnswer saves value as the answer to question on its page of step,
// with the version the page was opened at.
func (m *member) saveAnswer(project, step, question, value string) (reply, error) {
	path := project + "/steps/" + step + "/" + question
	v, err := m.formOf(path, "version."+question)
	if err != nil {
		return reply{}, err
	}
	v.Set(question, value)
	return m.post(path, v)
}

// signOff signs off the project's current revision.
func (m *member) signOff(project string) (reply, error) {
	v, err := m.formOf(project+"/signoff", "revision", "digest")
	if err != nil {
		return reply{}, err
	}
	v.Set("password", memberPass)
	return m.post(project+"/signoff", v)
}
