package owacert

import (
	"embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/batch"
	"github.com/secex/wizard/steps/script/inf"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The templates print values only through encoders: batch.FuncMap for the
// .cmd files, inf.FuncMap for the certreq request. A test checks each with
// script.CheckTemplate.
var (
	verifyTemplate  = script.MustParseTemplate(templateFS, "fe-verify.cmd.tmpl", batch.FuncMap())
	infTemplate     = script.MustParseTemplate(templateFS, "cert.inf.tmpl", inf.FuncMap())
	requestTemplate = script.MustParseTemplate(templateFS, "cert-request.cmd.tmpl", batch.FuncMap())
	backoutTemplate = script.MustParseTemplate(templateFS, "cert-backout.cmd.tmpl", batch.FuncMap())
)

func files(in steps.Input) ([]steps.File, error) {
	c, err := Load(in)
	if err != nil {
		return nil, err
	}
	var out []steps.File
	for _, fe := range c.FrontEnds {
		name := string(fe.Name)
		add := func(file string, kind steps.FileKind, render func() ([]byte, error)) error {
			b, err := render()
			if err != nil {
				return fmt.Errorf("%s/%s: %w", name, file, err)
			}
			out = append(out, steps.File{Target: name, Name: file, Kind: kind, Body: b})
			return nil
		}
		if usesCertreq(fe) {
			if err := add(INFFile, steps.FileHelper, func() ([]byte, error) { return renderINF(in, c, fe) }); err != nil {
				return nil, err
			}
			if err := add(RequestFile, steps.FileApply, func() ([]byte, error) { return renderRequest(in, c, fe) }); err != nil {
				return nil, err
			}
			if err := add(BackoutFile, steps.FileBackout, func() ([]byte, error) { return renderBackout(in, fe) }); err != nil {
				return nil, err
			}
		}
		if err := add(VerifyFile, steps.FileVerify, func() ([]byte, error) { return renderVerify(in, fe) }); err != nil {
			return nil, err
		}
	}
	return out, nil
}

type valueCheck struct {
	What string // what is checked, for the operator
	Path string // metabase path of the value, without /LM
	Want string // the number it must hold
}

type verifyData struct {
	Name     steps.NetBIOSName
	Site     string
	Checks   []valueCheck
	Bindings string
}

// virtualDirectories are Exchange's OWA virtual directories, under the
// site's root.
var virtualDirectories = []string{"Exchange", "Public", "Exchweb"}

func renderVerify(in steps.Input, fe FrontEnd) ([]byte, error) {
	site := strconv.Itoa(fe.SiteID)
	root := "w3svc/" + site + "/root"
	d := verifyData{Name: fe.Name, Site: site, Bindings: "w3svc/" + site + "/SecureBindings"}
	paths := []string{root}
	names := []string{"the site's root"}
	for _, v := range virtualDirectories {
		paths = append(paths, root+"/"+v)
		names = append(names, "the "+v+" virtual directory")
	}
	for i, p := range paths {
		d.Checks = append(d.Checks,
			valueCheck{What: "SSL and 128-bit encryption required on " + names[i] + " (AccessSSLFlags 264)", Path: p + "/AccessSSLFlags", Want: "264"},
			valueCheck{What: "Basic authentication only on " + names[i] + " (AuthFlags 2)", Path: p + "/AuthFlags", Want: "2"},
		)
	}
	var b strings.Builder
	b.WriteString(batch.Prologue())
	b.WriteString(batch.Comment(owatopology.Header(in, []string{ID}, string(fe.Name),
		"read-only, nothing to back out: check SSL, 128-bit encryption and Basic authentication in the IIS metabase, 15 minutes after the change",
		"the SSL and authentication change in IIS and Exchange System Manager, then a 15-minute wait").Lines()))
	if err := verifyTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return batch.File(b.String())
}

type infData struct {
	Subject  []inf.RDN
	Template string
}

// subject is the certificate subject of fe, the common name first as the
// IIS wizard writes it.
func subject(c Config, fe FrontEnd) []inf.RDN {
	rdns := []inf.RDN{{Attr: "CN", Value: string(fe.FQDN)}}
	if c.OrgUnit != "" {
		rdns = append(rdns, inf.RDN{Attr: "OU", Value: string(c.OrgUnit)})
	}
	return append(rdns,
		inf.RDN{Attr: "O", Value: string(c.Org)},
		inf.RDN{Attr: "L", Value: string(c.City)},
		inf.RDN{Attr: "S", Value: string(c.State)},
		inf.RDN{Attr: "C", Value: c.Country},
	)
}

func renderINF(in steps.Input, c Config, fe FrontEnd) ([]byte, error) {
	var b strings.Builder
	b.WriteString(inf.Comment(owatopology.Header(in, []string{ID}, string(fe.Name),
		"the certificate request of this front-end, read by "+RequestFile,
		"nothing; "+RequestFile+" uses this file").Lines()))
	if err := infTemplate.Execute(&b, infData{Subject: subject(c, fe), Template: "WebServer"}); err != nil {
		return nil, err
	}
	return inf.File(b.String())
}

type requestData struct {
	FQDN     steps.FQDN
	CAConfig steps.CAConfig
}

func renderRequest(in steps.Input, c Config, fe FrontEnd) ([]byte, error) {
	var b strings.Builder
	b.WriteString(batch.Prologue())
	b.WriteString(batch.Comment(owatopology.Header(in, []string{ID}, string(fe.Name),
		"request this front-end's certificate from the enterprise CA and install it; "+BackoutFile+" undoes it",
		"the CA and ISA Server trust steps in the runbook").Lines()))
	if err := requestTemplate.Execute(&b, requestData{FQDN: fe.FQDN, CAConfig: c.CAConfig}); err != nil {
		return nil, err
	}
	return batch.File(b.String())
}

func renderBackout(in steps.Input, fe FrontEnd) ([]byte, error) {
	var b strings.Builder
	b.WriteString(batch.Prologue())
	b.WriteString(batch.Comment(owatopology.Header(in, []string{ID}, string(fe.Name),
		"backout of "+RequestFile+": delete exactly the certificate it installed",
		"removing the certificate from the web site in IIS Manager").Lines()))
	if err := backoutTemplate.Execute(&b, struct{ FQDN steps.FQDN }{fe.FQDN}); err != nil {
		return nil, err
	}
	return batch.File(b.String())
}
