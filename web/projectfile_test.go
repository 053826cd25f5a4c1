package web

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/secex/wizard/steps/catalog"
)

// upload posts a multipart form with the file content under fileField
// (default "file"; the field named by fields["file-field"] if present) and
// the other fields.
func (c *client) upload(path, token, name string, content []byte, fields ...map[string]string) (*http.Response, string) {
	c.env.t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	mw.WriteField("csrf_token", token)
	fileField := "file"
	for _, fs := range fields {
		for k, v := range fs {
			mw.WriteField(k, v)
			if strings.HasSuffix(k, "-status") {
				fileField = strings.TrimSuffix(k, "-status") + "-file"
			}
		}
	}
	if name != "" {
		fw, _ := mw.CreateFormFile(fileField, name)
		fw.Write(content)
	}
	mw.Close()
	req, _ := http.NewRequest(http.MethodPost, c.env.ts.URL+path, &body)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := c.hc.Do(req)
	if err != nil {
		c.env.t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	return resp, string(b)
}

func TestImportExportRoundTrip(t *testing.T) {
	env := newEnv(t, catalog.All)
	env.mustUser("olivia", false)
	c := env.signIn("olivia")
	doc, err := os.ReadFile("../docs/examples/small.json")
	if err != nil {
		t.Fatal(err)
	}
	tok := c.token("/")

	// A broken file imports nothing and names the bad fields.
	bad := bytes.Replace(doc, []byte(`"fqdn": "exbe02.corp.contoso.com"`), []byte(`"fqdn": "exbe02"`), 1)
	resp, body := c.upload("/import", tok, "bad.json", bad)
	if resp.StatusCode != http.StatusUnprocessableEntity || !strings.Contains(doc0(t, body), "servers[3].fqdn") {
		t.Fatalf("bad file: %d %s", resp.StatusCode, doc0(t, body))
	}
	if ps, _ := env.st.Projects(context.Background(), 1); len(ps) != 0 {
		t.Fatalf("a bad file created a project")
	}

	resp, _ = c.upload("/import", tok, "good.json", doc)
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("import: %d", resp.StatusCode)
	}
	loc := resp.Header.Get("Location")
	var pid int64
	fmt.Sscanf(loc, "/p/%d", &pid)
	resp, body = c.get(fmt.Sprintf("/p/%d/export", pid))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d", resp.StatusCode)
	}
	// Everything but the revision survives the round trip.
	norm := func(s string) string {
		lines := strings.Split(s, "\n")
		for i, l := range lines {
			if strings.Contains(l, `"revision"`) || strings.Contains(l, `"updatedAt"`) {
				lines[i] = ""
			}
		}
		return strings.Join(lines, "\n")
	}
	if norm(body) != norm(string(doc)) {
		t.Errorf("export differs from the imported file:\n%s", body)
	}
}

func doc0(t *testing.T, body string) string {
	return doc(t, body).Find(".error-summary").Text()
}
