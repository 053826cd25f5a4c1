package pdf

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"testing"
)

func chromium(t *testing.T) string {
	path := os.Getenv("CHROMIUM")
	if path == "" {
		path = "/usr/bin/chromium"
	}
	if _, err := exec.LookPath(path); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatalf("no Chromium at %s: %v", path, err)
		}
		t.Skipf("no Chromium at %s: %v", path, err)
	}
	return path
}

func TestPrint(t *testing.T) {
	p, err := New(chromium(t))
	if err != nil {
		t.Fatal(err)
	}
	html := []byte(`<!DOCTYPE html><html lang="en"><head><title>T</title><style>@page { size: A4; }</style></head><body><h1>CHG0012345 runbook</h1></body></html>`)
	out, err := p.Print(context.Background(), html)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(out, []byte("%PDF")) {
		t.Fatalf("not a PDF: %q", out[:min(len(out), 16)])
	}
	// A4 in points is 595 x 842: the document's @page size was used.
	if !bytes.Contains(out, []byte("/MediaBox [0 0 595")) && !bytes.Contains(out, []byte("/MediaBox [0 0 594.")) {
		t.Errorf("page size is not A4")
	}
}

func TestNewRefusesAMissingBrowser(t *testing.T) {
	if _, err := New("/nonexistent/chromium"); err == nil {
		t.Error("New accepted a missing binary")
	}
}
