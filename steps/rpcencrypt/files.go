package rpcencrypt

import (
	"embed"
	"fmt"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps/script/text"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/batch"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The templates print values only through encoders: text.FuncMap for the
// instruction sheet, batch.FuncMap for the capture helpers. A test checks
// both with script.CheckTemplate.
var (
	sheetTemplate   = script.MustParseTemplate(templateFS, "instructions.txt.tmpl", text.FuncMap())
	captureTemplate = script.MustParseTemplate(templateFS, "capture.cmd.tmpl", batch.FuncMap())
)

func files(in steps.Input) ([]steps.File, error) {
	c, err := load(in)
	if err != nil {
		return nil, err
	}
	sheet, err := renderSheet(in, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", SheetFile, err)
	}
	before, err := renderCapture(in, false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", CaptureBeforeFile, err)
	}
	after, err := renderCapture(in, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", CaptureAfterFile, err)
	}
	return []steps.File{
		{Target: steps.TargetClients, Name: SheetFile, Kind: steps.FileGuide, Body: sheet},
		{Target: steps.TargetClients, Name: CaptureBeforeFile, Kind: steps.FileHelper, Body: before},
		{Target: steps.TargetClients, Name: CaptureAfterFile, Kind: steps.FileHelper, Body: after},
	}, nil
}

func header(in steps.Input, purpose, runFirst string) script.Header {
	return script.Header{
		Product: in.Product, Version: in.Version, Procedures: []string{ID},
		Project: in.Project, Target: steps.TargetClients, AnswersHash: in.AnswersHash,
		Purpose: purpose, RunFirst: runFirst,
	}
}

// sheetSection is one Outlook version's part of the instruction sheet,
// already numbered and wrapped.
type sheetSection struct {
	Title string
	Lines []string
}

type sheetData struct {
	ServersTitle string
	Servers      []steps.FQDN
	Sections     []sheetSection
}

func renderSheet(in steps.Input, c config) ([]byte, error) {
	d := sheetData{ServersTitle: "Your Exchange server"}
	if len(c.servers) > 1 {
		d.ServersTitle = "Your Exchange server is one of these"
	}
	for _, s := range c.servers {
		d.Servers = append(d.Servers, s.fqdn)
	}
	if c.has2002() {
		d.Sections = append(d.Sections, section("IF YOU USE OUTLOOK 2002 (OFFICE XP)", userSteps2002(c)))
	}
	if c.has2003() {
		d.Sections = append(d.Sections, section("IF YOU USE OUTLOOK 2003", userSteps2003()))
	}
	if c.hasLater() {
		d.Sections = append(d.Sections, section("IF YOU USE OUTLOOK 2007 OR LATER", userStepsLater()))
	}
	var b strings.Builder
	b.WriteString(text.Header(header(in,
		"Instructions for each Outlook user: turn on encryption of the connection to Exchange",
		"the pilot in the runbook (capture-before.cmd, then capture-after.cmd) before this sheet is handed out")))
	if err := sheetTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return text.File(b.String())
}

func section(title string, stepTexts []string) sheetSection {
	s := sheetSection{Title: title}
	for i, t := range stepTexts {
		n := strconv.Itoa(i+1) + ". "
		if i+1 < 10 {
			n = " " + n
		}
		s.Lines = append(s.Lines, text.Wrap(t, "  "+n, "      ", 74)...)
	}
	return s
}

type captureData struct {
	After bool
}

func renderCapture(in steps.Input, after bool) ([]byte, error) {
	var h script.Header
	if after {
		h = header(in,
			"read-only, nothing to back out: export the user's Outlook profiles to after.reg and compare them with before.reg",
			"capture-before.cmd, then tick the encryption box and close Outlook")
	} else {
		h = header(in,
			"read-only, nothing to back out: export the user's Outlook profiles to before.reg, before the encryption box is ticked",
			"nothing; close Outlook first")
	}
	var b strings.Builder
	b.WriteString(batch.Prologue())
	b.WriteString(batch.Comment(h.Lines()))
	if err := captureTemplate.Execute(&b, captureData{After: after}); err != nil {
		return nil, err
	}
	return batch.File(b.String())
}
