package kms

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
// checklist, batch.FuncMap for the verification file. A test checks both
// with script.CheckTemplate.
var (
	checklistTemplate = script.MustParseTemplate(templateFS, "checklist.txt.tmpl", text.FuncMap())
	verifyTemplate    = script.MustParseTemplate(templateFS, "verify.cmd.tmpl", batch.FuncMap())
)

func files(in steps.Input) ([]steps.File, error) {
	c, err := load(in)
	if err != nil {
		return nil, err
	}
	if !c.use {
		return nil, nil
	}
	checklist, err := renderChecklist(in, c)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ChecklistFile, err)
	}
	verifyKMS, err := renderVerify(in, c, string(c.kms.name), false)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", VerifyFile, err)
	}
	verifyClients, err := renderVerify(in, c, steps.TargetClients, true)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", VerifyFile, err)
	}
	return []steps.File{
		{Target: string(c.kms.name), Name: ChecklistFile, Kind: steps.FileGuide, Body: checklist},
		{Target: string(c.kms.name), Name: VerifyFile, Kind: steps.FileVerify, Body: verifyKMS},
		{Target: steps.TargetClients, Name: VerifyFile, Kind: steps.FileVerify, Body: verifyClients},
	}, nil
}

func header(in steps.Input, target, purpose, runFirst string) script.Header {
	return script.Header{
		Product: in.Product, Version: in.Version, Procedures: []string{ID},
		Project: in.Project, Target: target, AnswersHash: in.AnswersHash,
		Purpose: purpose, RunFirst: runFirst,
	}
}

// checklistItem is one action of the plan, wrapped for the checklist.
type checklistItem struct {
	Title []string
	Lines []string
}

func renderChecklist(in steps.Input, c config) ([]byte, error) {
	var items []checklistItem
	for i, a := range actions(c) {
		title := strconv.Itoa(i+1) + ". " + a.Title + " (on " + a.Target + ")"
		it := checklistItem{Title: text.Wrap(title, "", "   ", 74)}
		it.Lines = append(it.Lines, "")
		n := 0
		for _, d := range a.Do {
			if strings.HasPrefix(d, "certutil ") {
				// A command is copied as typed, so it is never wrapped.
				it.Lines = append(it.Lines, "        "+d)
				continue
			}
			n++
			it.Lines = append(it.Lines, text.Wrap(d, "   "+strconv.Itoa(n)+". ", "      ", 74)...)
		}
		add := func(label, body string) {
			if body != "" {
				it.Lines = append(it.Lines, "")
				it.Lines = append(it.Lines, text.Wrap(body, "   "+label+" ", "   ", 74)...)
			}
		}
		add("Run:", a.Script)
		if a.Interrupts != "" {
			add("Interrupts:", a.Interrupts+", about "+minutes(a.Minutes))
		}
		add("Expect:", a.Expect)
		add("Verify:", a.Verify)
		add("Backout:", a.Backout)
		items = append(items, it)
	}
	var b strings.Builder
	b.WriteString(text.Header(header(in, string(c.kms.name),
		"Administrator's checklist: set up the Key Management Service on "+string(c.kms.name)+" with "+c.caName(),
		"the S/MIME procedure's certificate authority checks")))
	if err := checklistTemplate.Execute(&b, items); err != nil {
		return nil, err
	}
	return text.File(b.String())
}

type verifyData struct {
	CAConfig    steps.CAConfig
	CAName      string
	IssuerMatch string // what the issuer line of an enrolled user's certificate contains
	UserCheck   bool   // also list the current user's certificates
}

func renderVerify(in steps.Input, c config, target string, userCheck bool) ([]byte, error) {
	purpose := "read-only, nothing to back out: check that the certification authority KMS uses answers"
	runFirst := "nothing"
	if userCheck {
		purpose = "read-only, nothing to back out: check that the CA answers and that the user running it holds certificates from it"
		runFirst = "the user's enrolment in advanced security (see the runbook)"
	}
	var b strings.Builder
	b.WriteString(batch.Prologue())
	b.WriteString(batch.Comment(header(in, target, purpose, runFirst).Lines()))
	d := verifyData{CAConfig: c.caConfig, CAName: c.caName(), IssuerMatch: "CN=" + c.caName(), UserCheck: userCheck}
	if err := verifyTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return batch.File(b.String())
}

// minutes writes a length of time in minutes, "1 minute" or "5 minutes".
func minutes(n int) string {
	if n == 1 {
		return "1 minute"
	}
	return strconv.Itoa(n) + " minutes"
}
