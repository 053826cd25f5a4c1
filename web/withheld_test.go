package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"

	"github.com/secex/wizard/steps/catalog"
)

// TestUnacceptedWarningWithholdsOutput: a warning raised after its
// procedure was completed (here a server page contradicting an answer)
// withholds the runbook, every download and the sign-off until it is
// accepted with a reason; the runbook page names it and links to where it
// is accepted.
func TestUnacceptedWarningWithholdsOutput(t *testing.T) {
	env := newEnv(t, catalog.All)
	u := env.mustUser("olivia", true)
	c := env.signIn("olivia")
	ctx := context.Background()
	f, err := os.Open("../docs/examples/small.json")
	if err != nil {
		t.Fatal(err)
	}
	p, problems, err := env.srv.Import(ctx, u.ID, f)
	f.Close()
	if err != nil || len(problems) > 0 {
		t.Fatalf("import: %v %v", problems, err)
	}
	pp := fmt.Sprintf("/p/%d", p.ID)
	_, body := c.get(pp + "/runbook")
	bundle := doc(t, body).Find(`[data-testid="bundle-change"]`).AttrOr("href", "")
	file := doc(t, body).Find(`table.files a`).First().AttrOr("href", "")
	if bundle == "" || file == "" {
		t.Fatalf("the clean project's runbook offers no downloads:\n%s", body)
	}

	// CA01 becomes subordinate to a third-party root on its server page,
	// while the completed KMS procedure says it is not.
	recs, err := env.st.Servers(ctx, p.ID)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs {
		if r.Server.Name == "CA01" {
			s := r.Server
			s.CA.ThirdPartyRoot = true
			if err := env.st.UpdateServer(ctx, u.ID, p.ID, r.ID, r.Version, s); err != nil {
				t.Fatal(err)
			}
		}
	}
	_, body = c.get(pp + "/runbook")
	d := doc(t, body)
	item := d.Find(`[data-testid="runbook-withheld"][data-key="key-management-service/ca-third-party-mismatch"]`)
	if item.Length() != 1 {
		t.Fatalf("runbook does not name the warning:\n%s", d.Find("main").Text())
	}
	if href := item.Find("a").AttrOr("href", ""); href != pp+"/steps/key-management-service/check" {
		t.Errorf("the warning links to %q", href)
	}
	if !strings.Contains(item.Text(), "CA01") {
		t.Errorf("the warning does not name its server: %s", item.Text())
	}
	for _, path := range []string{bundle, file} {
		if resp, _ := c.get(path); resp.StatusCode != http.StatusNotFound {
			t.Errorf("%s with an unaccepted warning: %d", path, resp.StatusCode)
		}
	}
	_, body = c.get(pp + "/signoff")
	if !strings.Contains(body, "a finding that blocks the runbook") {
		t.Errorf("sign-off page does not say it is withheld")
	}

	// Accepting it with a reason on the procedure's check page brings the
	// downloads back, and the runbook lists the deviation.
	tok := c.token(pp + "/steps/key-management-service/check")
	_, body = c.get(pp + "/steps/key-management-service/check")
	form := url.Values{"csrf_token": {tok}, "complete": {"yes"}}
	doc(t, body).Find(`input[name^="ack-key-"]`).Each(func(_ int, s *goquery.Selection) {
		name, _ := s.Attr("name")
		form.Set(name, s.AttrOr("value", ""))
		form.Set(strings.Replace(name, "ack-key-", "ack-", 1), "The CA's server page is being corrected under CHG0012399")
	})
	if resp, body := c.post(pp+"/steps/key-management-service/check", form); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("accept: %d\n%s", resp.StatusCode, doc(t, body).Find("main").Text())
	}
	_, body = c.get(pp + "/runbook")
	if n := doc(t, body).Find(`[data-testid="runbook-withheld"]`).Length(); n != 0 {
		t.Errorf("%d findings still withheld after accepting", n)
	}
	for _, path := range []string{bundle, file} {
		if resp, _ := c.get(path); resp.StatusCode != http.StatusOK {
			t.Errorf("%s after accepting: %d", path, resp.StatusCode)
		}
	}
	_, body = c.get(pp + "/runbook/document")
	if !strings.Contains(body, "CHG0012399") {
		t.Errorf("the printed runbook does not list the accepted warning's reason")
	}
}
