package web

import (
	"fmt"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/secex/wizard/steps/catalog"
)

// hostileValues are what a form must either refuse, naming the field, or
// store and show escaped: markup and script, NUL and other controls,
// invalid UTF-8, CRLF, bidirectional controls and a 1 MB value.
var hostileValues = map[string]string{
	"script":       `<script>alert(1)</script>"'><img src=x onerror=alert(1)>`,
	"nul":          "a\x00b",
	"invalid":      "caf\xe9",
	"crlf":         "line\r\nSet-Cookie: x=1",
	"c1-control":   "a\u0085b",
	"bidi":         "a\u202eb",
	"one-megabyte": strings.Repeat("x", 1<<20),
}

// hostileForm is one form field: where its form posts, the other fields
// it needs, and the id the page gives the field's error.
type hostileForm struct {
	name   string
	path   string // under /p/{pid} unless it starts with /
	field  string
	errID  string
	values url.Values
	// accepts lists the hostile values the field may take: markup is
	// always stored as typed and escaped when shown; a name folds line
	// breaks and other white space into single spaces; a note keeps its
	// line breaks.
	accepts []string
}

// TestHostileInputThroughEveryForm posts each hostile value into each
// free-text and typed field of the web forms. Every answer must be below
// 500; a refusal (422) names the field; a value the form accepts must be
// shown escaped on the page it leads to; nothing may be stored that is
// not valid text.
func TestHostileInputThroughEveryForm(t *testing.T) {
	env := newEnv(t, catalog.All)
	owner := env.mustUser("olivia", true)
	f, err := os.Open("../docs/examples/fleet.json")
	if err != nil {
		t.Fatal(err)
	}
	p, problems, err := env.srv.Import(t.Context(), owner.ID, f)
	f.Close()
	if err != nil || len(problems) > 0 {
		t.Fatalf("import: %v %v", problems, err)
	}
	pp := fmt.Sprintf("/p/%d", p.ID)
	c := env.signIn("olivia")
	tok := c.token(pp + "/facts")
	ticket := url.Values{"version": {"-1"}, "number": {"CHG1"}, "title": {"T"}, "requester": {"R"}, "implementers": {"I"}, "reviewer": {"V"},
		"approvers": {"A"}, "window-start": {"2026-12-05 22:00"}, "window-end": {"2026-12-06 02:00"}, "time-zone": {"Europe/London"},
		"risk": {"low"}, "risk-reason": {"r"}, "affected-users": {"u"}}
	facts := url.Values{"version": {"-1"}, "ad-domain": {"corp.contoso.com"}, "public-domain": {"contoso.com"}, "owa-host": {"mail.contoso.com"},
		"owa-path": {"/exchange"}, "mx-host": {""}, "pop3imap4": {"no"}, "platform": {"guide"}}
	server := url.Values{"name": {"NEW01"}, "fqdn": {"new01.corp.contoso.com"}, "addrs": {"10.9.9.9"}, "os": {"win2003"}, "roles": {"dc"}}
	var forms []hostileForm
	for _, fld := range []string{"ad-domain", "public-domain", "owa-host", "owa-path", "mx-host", "platform"} {
		forms = append(forms, hostileForm{"facts " + fld, "/facts", fld, fld + "-error", facts, nil})
	}
	for _, fld := range []string{"name", "fqdn", "addrs", "os"} {
		forms = append(forms, hostileForm{"server " + fld, "/servers", fld, fld + "-error", server, nil})
	}
	forms = append(forms, hostileForm{"pasted servers", "/servers", "list", "", url.Values{"add": {"list"}}, nil})
	for _, fld := range []string{"number", "title", "requester", "implementers", "reviewer", "approvers", "risk-reason", "affected-users", "communication", "time-zone"} {
		forms = append(forms, hostileForm{"ticket " + fld, "/ticket", fld, fld + "-error", ticket, []string{"script"}})
	}
	forms = append(forms,
		hostileForm{"project name", "/projects", "name", "name-error", url.Values{}, []string{"script", "crlf", "c1-control"}},
		hostileForm{"rename", "/settings/rename", "name", "name-error", url.Values{}, []string{"script", "crlf", "c1-control"}},
		hostileForm{"member", "/members", "username", "username-error", url.Values{"role": {"viewer"}}, nil},
		hostileForm{"closure note", "/close", "closure-note", "closure-note-error", url.Values{"outcome": {"partial"}}, []string{"script", "crlf"}},
	)
	for _, hf := range forms {
		for vname, v := range hostileValues {
			t.Run(hf.name+"/"+vname, func(t *testing.T) {
				form := url.Values{"csrf_token": {tok}}
				for k, vs := range hf.values {
					form[k] = vs
				}
				form.Set(hf.field, v)
				path := pp + hf.path
				if strings.HasPrefix(hf.path, "/projects") {
					path = hf.path
				}
				resp, body := c.post(path, form)
				switch {
				case resp.StatusCode >= 500:
					t.Fatalf("%d", resp.StatusCode)
				case resp.StatusCode == http.StatusUnprocessableEntity:
					d := doc(t, body)
					if hf.errID != "" && d.Find("#"+hf.errID).Length() == 0 {
						t.Errorf("refused without naming the field: %q", d.Find(".error-summary").Text())
					}
					if d.Find(".error-summary").Length() == 0 {
						t.Error("refused without an error summary")
					}
				case resp.StatusCode == http.StatusSeeOther, resp.StatusCode == http.StatusOK, resp.StatusCode == http.StatusConflict:
					// Accepted (or a conflict with a newer save): whatever
					// is shown must be escaped.
					if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "onerror=alert(1)>") {
						t.Error("the value is shown unescaped")
					}
					if !slices.Contains(hf.accepts, vname) && resp.StatusCode == http.StatusSeeOther {
						t.Errorf("a %s value was accepted", vname)
					}
				default:
					t.Errorf("status %d", resp.StatusCode)
				}
			})
		}
	}
	// Every page that shows stored text shows it escaped.
	for _, page := range []string{"/", "/facts", "/servers", "/ticket", "/execute", "/runbook", "/runbook/document", "/history", "/members", "/settings"} {
		_, body := c.get(pp + page)
		if strings.Contains(body, "<script>alert(1)") || strings.Contains(body, "onerror=alert(1)>") {
			t.Errorf("%s shows a stored value unescaped", page)
		}
	}
}
