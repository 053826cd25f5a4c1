package smtppublish

import (
	"embed"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/batch"
	"github.com/secex/wizard/steps/smtprelay"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// dnsTemplate prints values only through batch.FuncMap; a test checks it
// with script.CheckTemplate.
var dnsTemplate = script.MustParseTemplate(templateFS, "dns-verify.cmd.tmpl", batch.FuncMap())

func files(in steps.Input) ([]steps.File, error) {
	c, err := load(in)
	if errors.Is(err, steps.ErrNoAnswers) {
		// Nothing was answered, so there is nothing to generate; a
		// procedure can only be completed with answers.
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	as := actions(c)
	var out []steps.File
	var targets []string
	for _, a := range as {
		if !slices.Contains(targets, a.Target) {
			targets = append(targets, a.Target)
		}
	}
	for _, target := range targets {
		var mine []steps.Action
		for _, a := range as {
			if a.Target == target {
				mine = append(mine, a)
			}
		}
		body, err := smtprelay.Checklist(in, ID, target, "Publishing SMTP through ISA Server: "+target,
			"Administrator's checklist: publish SMTP through "+string(c.isa.Name)+" to "+string(c.published.Name),
			"the gateway and Message Screener set-up (prerequisites of the runbook)", mine)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ChecklistFile, err)
		}
		out = append(out, steps.File{Target: target, Name: ChecklistFile, Kind: steps.FileGuide, Body: body})
	}
	if c.mxHost != "" {
		dns, err := renderDNS(in, c)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", DNSVerifyFile, err)
		}
		out = append(out, steps.File{Target: string(c.isa.Name), Name: DNSVerifyFile, Kind: steps.FileVerify, Body: dns})
	}
	return out, nil
}

type dnsData struct {
	Domain, MXHost steps.FQDN
	// DomainQuery and MXQuery are the names with a final dot, so that
	// nslookup asks for exactly them and adds no search suffix.
	DomainQuery, MXQuery string
	MXLine               string // findstr pattern for the line nslookup prints for the MX record
	Address              string
	AddressPattern       string // findstr pattern matching the address at the end of a line
}

func renderDNS(in steps.Input, c config) ([]byte, error) {
	addr := c.mx.String()
	d := dnsData{
		Domain: c.domain, MXHost: c.mxHost,
		DomainQuery: string(c.domain) + ".", MXQuery: string(c.mxHost) + ".",
		// The end anchor keeps smtp.contoso.com from matching
		// smtp.contoso.com.example.net.
		MXLine:  "mail exchanger = " + strings.ReplaceAll(string(c.mxHost), ".", `\.`) + `\.* *$`,
		Address: addr,
		// nslookup ends each address line with the address; the space in
		// front and the end anchor keep 10.0.0.1 from matching 10.0.0.10.
		AddressPattern: " " + strings.ReplaceAll(addr, ".", `\.`) + " *$",
	}
	h := script.Header{
		Product: in.Product, Version: in.Version, Procedures: []string{ID},
		Project: in.Project, Target: string(c.isa.Name), AnswersHash: in.AnswersHash,
		Purpose:  "read-only, nothing to back out: check that public DNS sends mail for " + string(c.domain) + " to " + addr,
		RunFirst: "the DNS change in the runbook; optionally pass a public DNS server's address",
	}
	var b strings.Builder
	b.WriteString(batch.Prologue())
	b.WriteString(batch.Comment(h.Lines()))
	if err := dnsTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return batch.File(b.String())
}
