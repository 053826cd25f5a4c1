package owatopology

import (
	"embed"
	"fmt"
	"net/netip"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/batch"
	"github.com/secex/wizard/steps/script/text"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The templates print values only through encoders: text.FuncMap for the
// hop table, batch.FuncMap for the DNS check. A test checks both with
// script.CheckTemplate.
var (
	hopsTemplate      = script.MustParseTemplate(templateFS, "hops.txt.tmpl", text.FuncMap())
	dnsVerifyTemplate = script.MustParseTemplate(templateFS, "dns-verify.cmd.tmpl", batch.FuncMap())
)

func files(in steps.Input) ([]steps.File, error) {
	c, err := Load(in)
	if err != nil {
		return nil, err
	}
	hops, err := renderHops(in, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", HopsFile, err)
	}
	dns, err := renderDNSVerify(in, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", DNSVerifyFile, err)
	}
	return []steps.File{
		{Target: TargetNetwork, Name: HopsFile, Kind: steps.FileGuide, Body: hops},
		{Target: TargetNetwork, Name: DNSVerifyFile, Kind: steps.FileVerify, Body: dns},
	}, nil
}

// Header is the file header for a file of the OWA procedures.
func Header(in steps.Input, procedures []string, target, purpose, runFirst string) script.Header {
	return script.Header{
		Product: in.Product, Version: in.Version, Procedures: procedures,
		Project: in.Project, Target: target, AnswersHash: in.AnswersHash,
		Purpose: purpose, RunFirst: runFirst,
	}
}

type hopsData struct {
	Host     steps.FQDN
	Path     string
	Table    []string
	DNS      []string
	Firewall []string
}

func renderHops(in steps.Input, c Config) ([]byte, error) {
	d := hopsData{Host: c.OWAHost, Path: c.OWAPath}
	for i, h := range Hops(c) {
		n := strconv.Itoa(i + 1)
		d.Table = append(d.Table, "")
		d.Table = append(d.Table, text.Wrap(h.From+" -> "+h.To, "  "+n+". ", "     ", 74)...)
		d.Table = append(d.Table, "     Protocol:   "+h.Protocol+" on "+h.Port)
		d.Table = append(d.Table, text.Wrap(h.Protection, "     Protection: ", "                 ", 74)...)
		d.Table = append(d.Table, "     [ ] Agreed")
	}
	target := c.DNSTarget().String()
	switch {
	case c.NeedsDNSChange():
		old := "has no record"
		if c.DNSCurrent.IsValid() {
			old = "resolves to " + c.DNSCurrent.String()
		}
		d.DNS = text.Wrap("Today "+string(c.OWAHost)+" "+old+". After ISA Server publishes OWA and the outside-in test passes, the A record changes to "+target+". Lower its time to live a day ahead.", "  ", "  ", 74)
	default:
		d.DNS = text.Wrap(string(c.OWAHost)+" already resolves to "+target+"; nothing changes in DNS.", "  ", "  ", 74)
	}
	d.DNS = append(d.DNS, "", "  Check it with "+DNSVerifyFile+" from a computer outside the organisation.")
	for _, r := range FirewallRules(c) {
		d.Firewall = append(d.Firewall, "")
		d.Firewall = append(d.Firewall, text.Wrap(r, "  - ", "    ", 74)...)
	}
	var b strings.Builder
	b.WriteString(text.Header(Header(in, []string{ID}, TargetNetwork,
		"the hops of the OWA path with their protection, the external DNS change and the firewall paths",
		"nothing")))
	if err := hopsTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return text.File(b.String())
}

// FindstrAddress returns findstr regular expressions that match addr as a
// whole address in nslookup's answer lines: at the end of a line, inside a
// comma-separated list, or alone on a continuation line.
func FindstrAddress(addr netip.Addr) (atEnd, inList, alone string) {
	esc := strings.ReplaceAll(addr.String(), ".", `\.`)
	return "[ :,]" + esc + "$", "[ :,]" + esc + ",", "^" + esc + "$"
}

type dnsVerifyData struct {
	Host                 steps.FQDN
	Target               string
	AtEnd, InList, Alone string
}

func renderDNSVerify(in steps.Input, c Config) ([]byte, error) {
	d := dnsVerifyData{Host: c.OWAHost, Target: c.DNSTarget().String()}
	d.AtEnd, d.InList, d.Alone = FindstrAddress(c.DNSTarget())
	var b strings.Builder
	b.WriteString(batch.Prologue())
	b.WriteString(batch.Comment(Header(in, []string{ID}, TargetNetwork,
		"read-only, nothing to back out: check that the public OWA name resolves to the address ISA Server publishes",
		"the DNS change in the runbook, and its old time to live").Lines()))
	if err := dnsVerifyTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return batch.File(b.String())
}
