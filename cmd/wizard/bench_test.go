package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web"
)

// benchProject is a signed-in session on a project of 200 servers with
// every procedure of the catalogue answered and completed, served by the
// real handler over a real database file.
type benchProject struct {
	h      http.Handler
	st     *store.Store
	cookie string
	csrf   string
	pid    int64
	user   int64
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

func newBenchProject(b *testing.B) *benchProject {
	b.Helper()
	ctx := context.Background()
	st, err := store.Open(ctx, b.TempDir()+"/wizard.db")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { st.Close() })
	h := web.NewServer(web.Config{Product: "Bench", Version: "bench"}, st, catalog.All, nil)
	link, err := h.SetupLink(ctx, "http://127.0.0.1")
	if err != nil {
		b.Fatal(err)
	}
	token := link[strings.Index(link, "token=")+len("token="):]
	token, _ = url.QueryUnescape(token)

	bp := &benchProject{h: h, st: st}
	// Create the administrator through the setup page, as a user would.
	resp := bp.do(b, "GET", "/setup?token="+url.QueryEscape(token), nil)
	bp.cookie = cookieOf(resp)
	bp.csrf = csrfRE.FindStringSubmatch(resp.Body.String())[1]
	pw := "timing pass phrase 2026"
	resp = bp.do(b, "POST", "/setup", url.Values{"token": {token}, "username": {"bench"}, "password": {pw}, "confirm": {pw}})
	if resp.Code != http.StatusSeeOther {
		b.Fatalf("setup: %d %s", resp.Code, resp.Body)
	}
	bp.cookie = cookieOf(resp)
	resp = bp.do(b, "GET", "/", nil)
	bp.csrf = csrfRE.FindStringSubmatch(resp.Body.String())[1]
	u, _, err := st.UserByName(ctx, "bench")
	if err != nil {
		b.Fatal(err)
	}
	bp.user = u.ID

	p, err := st.CreateProject(ctx, u.ID, "Benchmark")
	if err != nil {
		b.Fatal(err)
	}
	bp.pid = p.ID
	big := bigProject(b)
	topo := big.Topology
	if err := st.SaveFacts(ctx, u.ID, p.ID, topo.Facts, 0); err != nil {
		b.Fatal(err)
	}
	if err := st.AddServers(ctx, u.ID, p.ID, topo.Servers); err != nil {
		b.Fatal(err)
	}
	for id, a := range big.Answers {
		var cs []store.AnswerChange
		for q, v := range a {
			cs = append(cs, store.AnswerChange{Question: q, Value: v})
		}
		if err := st.SaveAnswers(ctx, u.ID, p.ID, id, cs); err != nil {
			b.Fatal(err)
		}
		if err := st.SetStepComplete(ctx, u.ID, p.ID, id, true); err != nil {
			b.Fatal(err)
		}
	}
	return bp
}

func cookieOf(r *httptest.ResponseRecorder) string {
	for _, c := range r.Result().Cookies() {
		if c.Name == "wizard" {
			return c.Name + "=" + c.Value
		}
	}
	return ""
}

func (bp *benchProject) do(b *testing.B, method, path string, form url.Values) *httptest.ResponseRecorder {
	var req *http.Request
	if form != nil {
		form.Set("csrf_token", bp.csrf)
		req = httptest.NewRequest(method, "http://127.0.0.1"+path, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Sec-Fetch-Site", "same-origin")
	} else {
		req = httptest.NewRequest(method, "http://127.0.0.1"+path, nil)
	}
	if bp.cookie != "" {
		req.Header.Set("Cookie", bp.cookie)
	}
	rec := httptest.NewRecorder()
	bp.h.ServeHTTP(rec, req)
	return rec
}

func (bp *benchProject) get(b *testing.B, path string) {
	if rec := bp.do(b, "GET", path, nil); rec.Code != http.StatusOK {
		b.Logf("%s", rec.Body)
		b.Fatalf("GET %s: %d", path, rec.Code)
	}
}

// BenchmarkTaskList measures the project's task list: session, membership,
// project state and the render, on 200 servers with every procedure done.
func BenchmarkTaskList(b *testing.B) {
	bp := newBenchProject(b)
	path := fmt.Sprintf("/p/%d/", bp.pid)
	bp.get(b, path)
	b.ReportAllocs()
	for b.Loop() {
		bp.get(b, path)
	}
}

// BenchmarkQuestionPage measures one question page: the Outlook servers
// question, which lists every back-end.
func BenchmarkQuestionPage(b *testing.B) {
	bp := newBenchProject(b)
	path := fmt.Sprintf("/p/%d/steps/%s/servers", bp.pid, catalog.All[0].ID)
	bp.get(b, path)
	b.ReportAllocs()
	for b.Loop() {
		bp.get(b, path)
	}
}

// BenchmarkSaveAnswer measures one Continue: parse, save with FULL sync,
// audit row, redirect. The answer alternates so every save writes.
func BenchmarkSaveAnswer(b *testing.B) {
	bp := newBenchProject(b)
	st := catalog.All[0]
	path := fmt.Sprintf("/p/%d/steps/%s/users", bp.pid, st.ID)
	ans, err := bp.st.Answers(context.Background(), bp.pid)
	if err != nil {
		b.Fatal(err)
	}
	// Every save writes a new value, so the version moves by one.
	v := ans[st.ID]["users"].Version
	b.ReportAllocs()
	for b.Loop() {
		rec := bp.do(b, "POST", path, url.Values{"users": {fmt.Sprint(100 + v%2)}, "version.users": {fmt.Sprint(v)}})
		if rec.Code != http.StatusSeeOther {
			b.Fatalf("save: %d %s", rec.Code, rec.Body)
		}
		v++
	}
}

// BenchmarkRunbookPage measures the runbook page: produce every finding,
// action and file of the catalogue for 200 servers, and render.
func BenchmarkRunbookPage(b *testing.B) {
	bp := newBenchProject(b)
	path := fmt.Sprintf("/p/%d/runbook", bp.pid)
	bp.get(b, path)
	b.ReportAllocs()
	for b.Loop() {
		bp.get(b, path)
	}
}

// BenchmarkServerBundle200 measures downloading one front-end's bundle
// from the web on the 200-server project (the runbook is worked out once
// per revision; each download zips that server's files).
func BenchmarkServerBundle200(b *testing.B) {
	bp := newBenchProject(b)
	path := fmt.Sprintf("/p/%d/bundles/change_OWAFE001.zip", bp.pid)
	bp.get(b, path)
	b.ReportAllocs()
	for b.Loop() {
		bp.get(b, path)
	}
}
