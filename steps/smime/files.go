package smime

import (
	"embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps/script/text"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// sheetTemplate prints values only through text.FuncMap; a test checks it
// with script.CheckTemplate.
var sheetTemplate = script.MustParseTemplate(templateFS, "instructions.txt.tmpl", text.FuncMap())

func files(in steps.Input) ([]steps.File, error) {
	c, err := load(in)
	if err != nil {
		return nil, err
	}
	sheet, err := renderSheet(in, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SheetFile, err)
	}
	return []steps.File{{Target: steps.TargetClients, Name: SheetFile, Kind: steps.FileGuide, Body: sheet}}, nil
}

// sheetSection is one numbered part of the instruction sheet, its steps
// already numbered and wrapped.
type sheetSection struct {
	Title string
	Lines []string
}

type sheetData struct {
	Internet bool
	Sections []sheetSection
}

func renderSheet(in steps.Input, c config) ([]byte, error) {
	d := sheetData{Internet: c.internet}
	var get []string
	var getNote string
	if c.internalCA() {
		get = append(get, getCertificateInternal(c)...)
	}
	if c.publicCA() {
		if c.internalCA() {
			getNote = "If you send signed or encrypted mail to people outside the organisation, also get a Digital ID from a public provider (steps " +
				strconv.Itoa(len(get)+1) + " onwards)."
		}
		get = append(get, getCertificatePublic()...)
	}
	getSection := section("1. GET A CERTIFICATE", getNote, get)
	if c.gal() {
		getSection.Lines = append(getSection.Lines, "")
		getSection.Lines = append(getSection.Lines, text.Wrap("If your administrator sends you a security token for the Key Management Service, follow the administrator's enrolment instructions for your certificate instead of the steps above.", "  ", "  ", 74)...)
	}
	d.Sections = append(d.Sections,
		getSection,
		section("2. SET UP OUTLOOK", "", setupSteps(c)),
		section("3. SWAP PUBLIC KEYS WITH YOUR CORRESPONDENTS", "You can encrypt a message only to people whose public key Outlook already has.", exchangeSteps(c)),
		section("4. SEND SIGNED AND ENCRYPTED MESSAGES", "", sendSteps()),
		section("5. BACK UP YOUR CERTIFICATE", "", backupSteps()),
	)
	h := script.Header{
		Product: in.Product, Version: in.Version, Procedures: []string{ID},
		Project: in.Project, Target: steps.TargetClients, AnswersHash: in.AnswersHash,
		Purpose:  "Instructions for each user: get a certificate, then sign and encrypt messages in Outlook",
		RunFirst: "the certificate authority or Digital ID arrangements in the runbook before this sheet is handed out",
	}
	var b strings.Builder
	b.WriteString(text.Header(h))
	if err := sheetTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return text.File(b.String())
}

func section(title, intro string, stepTexts []string) sheetSection {
	s := sheetSection{Title: title}
	if intro != "" {
		s.Lines = append(text.Wrap(intro, "  ", "  ", 74), "")
	}
	for i, t := range stepTexts {
		n := strconv.Itoa(i+1) + ". "
		if i+1 < 10 {
			n = " " + n
		}
		s.Lines = append(s.Lines, text.Wrap(t, "  "+n, "      ", 74)...)
	}
	return s
}
