package isapublish

import (
	"embed"
	"fmt"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/isalistener"
	"github.com/secex/wizard/steps/owatopology"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/powershell"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// verifyTemplate prints values only through powershell.FuncMap; a test
// checks it with script.CheckTemplate, and the golden file parses with the
// PowerShell grammar check.
var verifyTemplate = script.MustParseTemplate(templateFS, "outside-in-verify.ps1.tmpl", powershell.FuncMap())

func files(in steps.Input) ([]steps.File, error) {
	c, err := Load(in)
	if err != nil {
		return nil, err
	}
	body, err := renderVerify(in, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", VerifyFile, err)
	}
	return []steps.File{{Target: string(c.Listener.ISA.Name), Name: VerifyFile, Kind: steps.FileVerify, Body: body}}, nil
}

type verifyData struct {
	Host    steps.FQDN
	Path    string
	Address string
}

func renderVerify(in steps.Input, c Config) ([]byte, error) {
	d := verifyData{Host: c.Topology.OWAHost, Path: c.Topology.OWAPath, Address: c.Topology.DNSTarget().String()}
	var b strings.Builder
	b.WriteString(powershell.Comment(owatopology.Header(in, []string{owatopology.ID, isalistener.ID, ID}, string(c.Listener.ISA.Name),
		"read-only, nothing to back out: test the published OWA site from the Internet (certificate, SSL, Basic challenge, no clear HTTP)",
		"the web publishing rule and its bridging settings; the firewall paths").Lines()))
	if err := verifyTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return powershell.File(b.String()), nil
}
