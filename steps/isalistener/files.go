package isalistener

import (
	"embed"
	"fmt"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/batch"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// verifyTemplate prints values only through batch.FuncMap; a test checks it
// with script.CheckTemplate.
var verifyTemplate = script.MustParseTemplate(templateFS, "listener-verify.cmd.tmpl", batch.FuncMap())

func files(in steps.Input) ([]steps.File, error) {
	c, err := Load(in)
	if err != nil {
		return nil, err
	}
	body, err := renderVerify(in, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", VerifyFile, err)
	}
	return []steps.File{{Target: string(c.ISA.Name), Name: VerifyFile, Kind: steps.FileVerify, Body: body}}, nil
}

type verifyData struct {
	Listener   string
	Listen443  string // findstr pattern for the SSL listener
	Listen8080 string // findstr pattern for an outgoing web request listener
	ListenAny  string // findstr pattern for any listening TCP port: proof that netstat listed them
	Outgoing   bool
}

func renderVerify(in steps.Input, c Config) ([]byte, error) {
	d := verifyData{
		Listener:   c.ListenerIP.String(),
		Listen443:  "TCP  *" + strings.ReplaceAll(c.ListenerIP.String(), ".", `\.`) + ":443 .*LISTENING",
		Listen8080: "TCP  *[0-9.]*:8080 .*LISTENING",
		ListenAny:  "TCP  *[0-9.]*:[0-9]* .*LISTENING",
		Outgoing:   c.Outgoing,
	}
	var b strings.Builder
	b.WriteString(batch.Prologue())
	b.WriteString(batch.Comment(owatopology.Header(in, []string{ID}, string(c.ISA.Name),
		"read-only, nothing to back out: check that ISA Server listens for SSL on "+c.ListenerIP.String()+", the address that publishes OWA",
		"the Incoming Web Requests change in the runbook").Lines()))
	if err := verifyTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return batch.File(b.String())
}
