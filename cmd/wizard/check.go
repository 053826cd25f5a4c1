package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/steps/projectfile"
	"github.com/secex/wizard/web"
)

// exitError ends the program with its status and no further message: the
// command has already said everything on its outputs.
type exitError struct{ status int }

func (e exitError) Error() string { return fmt.Sprintf("exit status %d", e.status) }

// checkFinding is one line of wizard check's report.
type checkFinding struct {
	Severity string              `json:"severity"`      // error or warning
	Key      string              `json:"key,omitempty"` // procedure/finding, for a procedure's cross-check
	Path     string              `json:"path"`          // where in the file; empty for the whole file
	Fields   []string            `json:"fields,omitempty"`
	Servers  []string            `json:"servers,omitempty"`
	Message  string              `json:"message"`
	Fix      string              `json:"fix"`
	Accepted *checkAcceptedEntry `json:"accepted,omitempty"`
}

type checkAcceptedEntry struct {
	Reason     string    `json:"reason"`
	AcceptedBy string    `json:"acceptedBy,omitempty"`
	At         time.Time `json:"at,omitzero"`
}

type checkReport struct {
	File     string         `json:"file"`
	Usable   bool           `json:"usable"`
	Findings []checkFinding `json:"findings"`
}

// runCheck reports every problem of a project file as import and render
// see it: exit status 0 when nothing stops a render, 1 when an error or a
// warning nobody accepted does, 2 when the file is not a usable project
// file at all.
func runCheck(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("wizard check", flag.ContinueOnError)
	fs.SetOutput(stderr)
	asJSON := fs.Bool("json", false, "print the report as JSON")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "Usage: wizard check [-json] PROJECT.json\n\nLists every error and warning of a project file, with its key, its path in\nthe file and what to do, and the warnings the file accepts as deviations.\nExit status: 0 when the file renders, 1 when a finding stops it (an error,\nor a warning not accepted in deviations), 2 when the file is not usable.")
		fs.PrintDefaults()
	}
	var file string
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		file, args = args[0], args[1:]
	}
	if err := fs.Parse(args); err != nil {
		return asUsage(err)
	}
	if file == "" && fs.NArg() == 1 {
		file = fs.Arg(0)
	} else if fs.NArg() > 0 || file == "" {
		return usageError{errors.New("give one project file; see wizard check -h")}
	}
	rep := checkFile(file)
	if *asJSON {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(rep); err != nil {
			return err
		}
	} else {
		printCheck(stdout, rep)
	}
	switch {
	case !rep.Usable:
		return exitError{2}
	case rep.stops():
		return exitError{1}
	}
	return nil
}

// stops reports whether a finding keeps the file from rendering.
func (r checkReport) stops() bool {
	for _, f := range r.Findings {
		if f.Accepted == nil {
			return true
		}
	}
	return false
}

func checkFile(file string) checkReport {
	rep := checkReport{File: file, Findings: []checkFinding{}}
	fh, err := os.Open(file)
	if err != nil {
		rep.Findings = append(rep.Findings, checkFinding{Severity: "error", Message: "The file could not be opened: " + err.Error(), Fix: "Give the path of a project file (wizard export writes one)"})
		return rep
	}
	defer fh.Close()
	f, ps := projectfile.Read(fh)
	if len(ps) > 0 {
		for _, p := range ps {
			rep.Findings = append(rep.Findings, checkFinding{Severity: "error", Path: p.Field, Message: p.Message, Fix: "Correct the file's form; wizard export writes a file of this form"})
		}
		return rep
	}
	rep.Usable = true
	p, ps := projectfile.Check(f, catalog.All)
	if len(ps) > 0 {
		// The procedures cannot be cross-checked until every value reads.
		for _, pr := range ps {
			rep.Findings = append(rep.Findings, checkFinding{Severity: "error", Path: pr.Field, Message: pr.Message, Fix: "Change the value at " + orWhole(pr.Field) + " as the message says"})
		}
		return rep
	}
	rd, err := web.Render(catalog.All, product, version, p)
	if err != nil {
		rep.Findings = append(rep.Findings, checkFinding{Severity: "error", Path: "answers", Message: err.Error(), Fix: "Change the answer the message names"})
		return rep
	}
	for _, fd := range rd.Findings {
		cf := checkFinding{Severity: fd.Severity.String(), Key: fd.Key(), Path: fd.Path, Fields: fd.Fields, Servers: fd.Servers, Message: fd.Message}
		switch {
		case fd.Accepted != nil:
			cf.Fix = "Accepted in deviations; the runbook lists it"
			cf.Accepted = &checkAcceptedEntry{Reason: fd.Accepted.Reason, AcceptedBy: fd.Accepted.AcceptedBy, At: fd.Accepted.At}
		case fd.Severity.String() == "error":
			cf.Fix = "Change " + orAnswers(fd.Fields, fd.Path)
		default:
			cf.Fix = fmt.Sprintf(`Change %s, or accept it: add {"key": %q, "reason": "why it is acceptable here"} to deviations`, orAnswers(fd.Fields, fd.Path), fd.Key())
		}
		rep.Findings = append(rep.Findings, cf)
	}
	return rep
}

func orWhole(field string) string {
	if field == "" {
		return "the file"
	}
	return field
}

func orAnswers(fields []string, path string) string {
	if len(fields) == 0 {
		return "the answers at " + path
	}
	return strings.Join(fields, ", ")
}

func printCheck(w io.Writer, rep checkReport) {
	var errs, open, accepted int
	for _, f := range rep.Findings {
		word := f.Severity
		switch {
		case f.Accepted != nil:
			word, accepted = "accepted warning", accepted+1
		case f.Severity == "error":
			errs++
		default:
			open++
		}
		where := rep.File
		if f.Path != "" {
			where += ": " + f.Path
		}
		key := ""
		if f.Key != "" {
			key = " " + f.Key
		}
		fmt.Fprintf(w, "%s: %s%s", where, word, key)
		if len(f.Servers) > 0 {
			fmt.Fprintf(w, " (servers %s)", strings.Join(f.Servers, ", "))
		}
		fmt.Fprintf(w, ": %s\n", f.Message)
		if f.Accepted != nil {
			by := ""
			if f.Accepted.AcceptedBy != "" {
				by = " (accepted by " + f.Accepted.AcceptedBy + ")"
			}
			fmt.Fprintf(w, "    reason: %s%s\n", f.Accepted.Reason, by)
		} else {
			fmt.Fprintf(w, "    to fix: %s\n", f.Fix)
		}
	}
	switch {
	case !rep.Usable:
		fmt.Fprintf(w, "%s is not a usable project file.\n", rep.File)
	case errs+open == 0:
		fmt.Fprintf(w, "%s renders: no error, %s.\n", rep.File, count(accepted, "accepted warning", "accepted warnings"))
	default:
		fmt.Fprintf(w, "%s does not render: %s, %s not accepted, %s.\n", rep.File, count(errs, "error", "errors"), count(open, "warning", "warnings"), count(accepted, "accepted warning", "accepted warnings"))
	}
}

func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
