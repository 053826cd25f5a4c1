package web

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

// TestFullDiskKeepsTheForm: when the database cannot grow, a save answers
// 503 with the same form, every typed value in it and a sentence saying
// the server is out of space; nothing saved before changes, and once
// there is room the same form saves without a restart.
func TestFullDiskKeepsTheForm(t *testing.T) {
	env := newEnv(t, nil)
	owner := env.mustUser("olivia", false)
	pid := env.project(owner)
	c := env.signIn("olivia")
	path := fmt.Sprintf("/p/%d/facts", pid)
	// The form as the page gives it (its hidden fields say which version
	// it was read at), with new values typed.
	formOf := func(host string) url.Values {
		_, body := c.get(path)
		v := url.Values{}
		doc(t, body).Find(`form[method="post"] input[type="hidden"]`).Each(func(_ int, s *goquery.Selection) {
			v.Set(s.AttrOr("name", ""), s.AttrOr("value", ""))
		})
		for k, x := range map[string]string{"ad-domain": "corp.contoso.com", "public-domain": "contoso.com",
			"owa-host": host, "owa-path": "/exchange", "mx-host": "mx.contoso.com", "pop3imap4": "no"} {
			v.Set(k, x)
		}
		return v
	}
	ctx := context.Background()
	if env.st.Shared() {
		t.Skip("the size limit is SQLite's; on PostgreSQL a full disk is the same ErrFull, mapped from SQLSTATE 53100 (store's TestPostgresErrors)")
	}
	if err := env.st.LimitSize(ctx, 1); err != nil {
		t.Fatal(err)
	}
	// The team goes on saving until the database cannot grow.
	var resp *http.Response
	var body, saved, typed string
	for i := 0; i < 5000; i++ {
		typed = fmt.Sprintf("webmail%d.contoso.com", i)
		resp, body = c.post(path, formOf(typed))
		if resp.StatusCode != http.StatusSeeOther {
			break
		}
		saved = typed
	}
	d := doc(t, body)
	if resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("save on a full disk: %d\n%s", resp.StatusCode, d.Find("main").Text())
	}
	if !strings.Contains(d.Find("main").Text(), "out of disk space") {
		t.Errorf("no out-of-space sentence: %s", d.Find("main").Text())
	}
	for id, want := range map[string]string{"ad-domain": "corp.contoso.com", "owa-host": typed, "mx-host": "mx.contoso.com"} {
		if got := d.Find("#"+id).AttrOr("value", ""); got != want {
			t.Errorf("%s shows %q after the failed save, want %q", id, got, want)
		}
	}
	p, err := env.st.Project(ctx, pid)
	if err != nil || saved == "" || string(p.Facts.OWAHost) != saved {
		t.Errorf("facts after the failed save: %+v %v, want the last acknowledged %s", p.Facts, err, saved)
	}

	// Signing in writes nothing to the database (sessions live in signed
	// cookies), so it still works on a full disk.
	other := env.client()
	ltok := other.token("/login")
	if resp, _ := other.post("/login", url.Values{"csrf_token": {ltok}, "username": {"olivia"}, "password": {"correct horse staple olivia"}}); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("sign-in on a full disk: %d", resp.StatusCode)
	}

	if err := env.st.LimitSize(ctx, 0); err != nil {
		t.Fatal(err)
	}
	if resp, _ := c.post(path, formOf(typed)); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("save after space returned: %d", resp.StatusCode)
	}
	if p, _ := env.st.Project(ctx, pid); string(p.Facts.OWAHost) != typed {
		t.Errorf("facts after space returned: %+v", p.Facts)
	}
}
