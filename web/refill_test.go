package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/PuerkitoBio/goquery"
)

const refillPage = `<!DOCTYPE html><html><head><title>t</title></head><body><main id="main"><h1>Page</h1>
<form method="post" action="/a"><input type="hidden" name="add" value="list"><textarea name="list">old</textarea></form>
<form method="post" action="/a" novalidate>
<input type="hidden" name="csrf_token" value="NEW">
<input type="hidden" name="version" value="3">
<input id="name" name="name" type="text" value="saved">
<input name="addr" value="a1"><input name="addr" value="a2">
<input type="password" name="password" value="">
<input type="file" name="file">
<input type="radio" name="os" value="win2000" checked><input type="radio" name="os" value="win2003">
<input type="checkbox" name="roles" value="ca"><input type="checkbox" name="roles" value="dc" checked><input type="checkbox" name="roles" value="kms">
<select name="risk"><option value="low" selected>Low</option><option value="high">High</option></select>
<textarea name="notes" rows="3">saved notes</textarea>
<button type="submit" name="go" value="1">Save</button>
</form>
<form method="post" action="/b"><input name="name" value="other"></form>
</main></body></html>`

func TestRefill(t *testing.T) {
	vals := url.Values{
		"csrf_token": {"OLD"}, "version": {"2"}, "name": {`Ada "&" <Lovelace>`}, "addr": {"10.0.0.1", "10.0.0.2"},
		"password": {"secret"}, "os": {"win2003"}, "roles": {"ca", "kms"}, "risk": {"high"},
		"notes": {"\nfirst line was empty\n</textarea><b>x</b>"},
	}
	out, ok := refill([]byte(refillPage), "/a", vals, []byte(`<p id="note">Note</p>`))
	if !ok {
		t.Fatal("the form posting to /a was not found")
	}
	d := doc(t, string(out))
	form := d.Find("form").Eq(1)
	for sel, want := range map[string]string{
		`input[name="csrf_token"]`: "NEW", // the new page's token stays
		`input[name="version"]`:    "2",   // the version the user saw: a change since is a conflict
		`#name`:                    `Ada "&" <Lovelace>`,
		`input[name="password"]`:   "",
	} {
		if got, _ := form.Find(sel).Attr("value"); got != want {
			t.Errorf("%s = %q, want %q", sel, got, want)
		}
	}
	if a := form.Find(`input[name="addr"]`); a.Eq(0).AttrOr("value", "") != "10.0.0.1" || a.Eq(1).AttrOr("value", "") != "10.0.0.2" {
		t.Errorf("repeated fields: %q %q", a.Eq(0).AttrOr("value", ""), a.Eq(1).AttrOr("value", ""))
	}
	got := []string{}
	form.Find("input[checked]").Each(func(_ int, s *goquery.Selection) { got = append(got, s.AttrOr("value", "")) })
	if strings.Join(got, ",") != "win2003,ca,kms" {
		t.Errorf("checked: %v, want win2003, ca, kms", got)
	}
	if v := form.Find("option[selected]").AttrOr("value", ""); v != "high" || form.Find("option[selected]").Length() != 1 {
		t.Errorf("selected option %q", v)
	}
	if v := form.Find(`textarea[name="notes"]`).Text(); v != vals.Get("notes") {
		t.Errorf("textarea %q, want %q", v, vals.Get("notes"))
	}
	if form.Find("b").Length() != 0 {
		t.Error("a typed value became markup")
	}
	// The other forms are left alone, and the note opens <main>.
	if v := d.Find("form").Eq(0).Find("textarea").Text(); v != "old" {
		t.Errorf("the paste form was changed: %q", v)
	}
	if v := d.Find("form").Eq(2).Find("input").AttrOr("value", ""); v != "other" {
		t.Errorf("the form to /b was changed: %q", v)
	}
	if d.Find("main").Children().First().AttrOr("id", "") != "note" {
		t.Errorf("the note is not first in main")
	}

	// Of two forms to the same address, the hidden fields choose.
	out, ok = refill([]byte(refillPage), "/a", url.Values{"add": {"list"}, "list": {"EXBE01"}}, nil)
	if d := doc(t, string(out)); !ok || d.Find("form").Eq(0).Find("textarea").Text() != "EXBE01" || d.Find("#name").AttrOr("value", "") != "saved" {
		t.Errorf("the paste form's values did not go to the paste form")
	}
	if _, ok := refill([]byte(refillPage), "/c", vals, nil); ok {
		t.Error("a form was found for an address no form posts to")
	}
}
