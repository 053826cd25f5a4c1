// Package pdf prints the runbook to PDF with a Chromium binary on the
// server, for organisations that file change tickets as PDF. It is
// optional: without a configured browser the wizard offers browser
// printing only.
//
// The document printed is the standalone runbook with its style sheet
// inside, written to a private temporary file: the browser opens no
// network connection and needs no session with the wizard.
package pdf

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/chromedp/chromedp"
)

// Printer prints HTML documents to PDF with one Chromium binary. At most
// one document is printed at a time: a browser per print is heavy, and a
// queue keeps a burst of requests from exhausting the server's memory.
type Printer struct {
	path string
	sem  chan struct{}
}

// New returns a printer using the Chromium binary at path.
func New(path string) (*Printer, error) {
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("pdf: %w", err)
	}
	return &Printer{path: path, sem: make(chan struct{}, 1)}, nil
}

// Print renders html, a complete document, to PDF. The page size comes
// from the document's @page rules.
func (p *Printer) Print(ctx context.Context, html []byte) ([]byte, error) {
	select {
	case p.sem <- struct{}{}:
		defer func() { <-p.sem }()
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	dir, err := os.MkdirTemp("", "wizard-pdf-")
	if err != nil {
		return nil, err
	}
	defer os.RemoveAll(dir)
	file := filepath.Join(dir, "runbook.html")
	if err := os.WriteFile(file, html, 0o600); err != nil {
		return nil, err
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(p.path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.UserDataDir(filepath.Join(dir, "profile")),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
	)
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	defer cancelAlloc()
	bctx, cancelTab := chromedp.NewContext(actx)
	defer cancelTab()
	if _, err := chromedp.Run(bctx, chromedp.Navigate("file://"+file)); err != nil {
		return nil, fmt.Errorf("pdf: opening the document: %w", err)
	}
	out, err := chromedp.Run(bctx, chromedp.PrintToPDF(chromedp.PDFPreferCSSPageSize(), chromedp.PDFPrintBackground()))
	if err != nil {
		return nil, fmt.Errorf("pdf: printing: %w", err)
	}
	if len(out) < 4 || string(out[:4]) != "%PDF" {
		return nil, errors.New("pdf: the browser returned no PDF")
	}
	return out, nil
}
