package main

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web"
)

// signedIn is a real server over a real database with a signed-in
// administrator, driven in-process.
type signedIn struct {
	h      *web.Server
	st     *store.Store
	cookie string
}

func newSignedIn(t *testing.T) *signedIn {
	t.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, filepath.Join(t.TempDir(), "wizard.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h := web.NewServer(web.Config{Product: product, Version: version}, st, catalog.All, nil)
	link, err := h.SetupLink(ctx, "http://127.0.0.1")
	if err != nil {
		t.Fatal(err)
	}
	token, _ := url.QueryUnescape(link[strings.Index(link, "token=")+len("token="):])
	si := &signedIn{h: h, st: st}
	rec := si.do("GET", "/setup?token="+url.QueryEscape(token), nil)
	si.cookie = strings.Split(rec.Header().Get("Set-Cookie"), ";")[0]
	csrf := csrfRE.FindStringSubmatch(rec.Body.String())[1]
	pw := "render test pass phrase"
	rec = si.do("POST", "/setup", url.Values{"csrf_token": {csrf}, "token": {token}, "username": {"ann"}, "password": {pw}, "confirm": {pw}})
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("setup: %d", rec.Code)
	}
	si.cookie = strings.Split(rec.Header().Get("Set-Cookie"), ";")[0]
	return si
}

func (si *signedIn) do(method, path string, form url.Values) *httptest.ResponseRecorder {
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		req = httptest.NewRequest(method, "http://127.0.0.1"+path, nil)
	}
	if si.cookie != "" {
		req.Header.Set("Cookie", si.cookie)
	}
	rec := httptest.NewRecorder()
	si.h.ServeHTTP(rec, req)
	return rec
}

// TestRenderEqualsWebDownloads exports a project from the web, renders the
// file on the command line, and compares every bundle with the web's
// download of it, byte for byte.
func TestRenderEqualsWebDownloads(t *testing.T) {
	si := newSignedIn(t)
	ctx := context.Background()
	u, _, _ := si.st.UserByName(ctx, "ann")
	f, _ := os.Open("../../docs/examples/small.json")
	defer f.Close()
	p, problems, err := si.h.Import(ctx, u.ID, f)
	if err != nil || len(problems) > 0 {
		t.Fatalf("import: %v %v", problems, err)
	}
	rec := si.do("GET", "/p/1/export", nil)
	if rec.Code != http.StatusOK {
		t.Fatalf("export: %d", rec.Code)
	}
	exported := filepath.Join(t.TempDir(), "exported.json")
	os.WriteFile(exported, rec.Body.Bytes(), 0o600)

	out := t.TempDir()
	var stdout, stderr bytes.Buffer
	if err := run(ctx, []string{"render", "-out", out, exported}, env(nil), &stdout, &stderr); err != nil {
		t.Fatalf("render: %v\n%s", err, stderr.String())
	}
	names, _ := filepath.Glob(filepath.Join(out, "*.zip"))
	if len(names) < 3 {
		t.Fatalf("render wrote %v", names)
	}
	for _, n := range names {
		want, _ := os.ReadFile(n)
		rec := si.do("GET", "/p/1/bundles/"+url.PathEscape(filepath.Base(n)), nil)
		if rec.Code != http.StatusOK {
			t.Errorf("download %s: %d", filepath.Base(n), rec.Code)
			continue
		}
		if !bytes.Equal(rec.Body.Bytes(), want) {
			t.Errorf("%s: web download (%d bytes) differs from wizard render (%d bytes)", filepath.Base(n), rec.Body.Len(), len(want))
		}
	}
	// Rendering again gives the same bytes.
	out2 := t.TempDir()
	if err := run(ctx, []string{"render", exported, "-out", out2}, env(nil), &stdout, &stderr); err != nil {
		t.Fatal(err)
	}
	for _, n := range names {
		a, _ := os.ReadFile(n)
		b, _ := os.ReadFile(filepath.Join(out2, filepath.Base(n)))
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs between two renders", filepath.Base(n))
		}
	}
	_ = p
}

// TestRenderRefusesWhatImportRefuses renders a file whose answers fail a
// procedure's cross-check and one with a bad field: each is refused with
// its problem named, and nothing is written.
func TestRenderRefusesWhatImportRefuses(t *testing.T) {
	doc, err := os.ReadFile("../../docs/examples/small.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, c := range map[string]struct{ old, new, want string }{
		"cross-check": {`"recipients": "internal"`, `"recipients": "internet"`, "answers.smime: "},
		"bad field":   {`"kms-server": "EXBE02"`, `"kms-server": "NOSUCH"`, "answers.key-management-service.kms-server: "},
	} {
		t.Run(name, func(t *testing.T) {
			bad := strings.Replace(string(doc), c.old, c.new, 1)
			if bad == string(doc) {
				t.Fatalf("the example has no %s", c.old)
			}
			file := filepath.Join(t.TempDir(), "bad.json")
			os.WriteFile(file, []byte(bad), 0o600)
			out := filepath.Join(t.TempDir(), "out")
			var stdout, stderr bytes.Buffer
			err := run(context.Background(), []string{"render", "-out", out, file}, env(nil), &stdout, &stderr)
			if err == nil || !strings.Contains(err.Error(), "nothing was rendered") || !strings.Contains(stderr.String(), c.want) {
				t.Errorf("render: %v\n%s", err, stderr.String())
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("render of a refused file made %s", out)
			}
		})
	}
}
