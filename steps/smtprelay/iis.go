package smtprelay

import (
	"embed"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
	"text/template"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/text"
	"github.com/secex/wizard/steps/script/vbscript"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The templates print values only through vbscript.FuncMap's encoders; a
// test checks every one with script.CheckTemplate. Sheets are written line
// by line through the text encoder (see Sheet).
var (
	applyTemplate   = script.MustParseTemplate(templateFS, "apply.vbs.tmpl", vbscript.FuncMap())
	verifyTemplate  = script.MustParseTemplate(templateFS, "verify.vbs.tmpl", vbscript.FuncMap())
	backoutTemplate = script.MustParseTemplate(templateFS, "backout.vbs.tmpl", vbscript.FuncMap())
)

// IISPolicy is what the wizard sets on one SMTP virtual server of a server
// that runs the plain IIS SMTP service and no Exchange: an SMTP gateway or
// a Message Screener host. There, unlike on Exchange 2000 (see
// ExchangePolicy), the metabase is the only copy of the settings, so a
// script that writes it through ADSI is the supported way to change them.
type IISPolicy struct {
	Server     steps.NetBIOSName
	FQDN       steps.FQDN
	Instance   int            // SMTP virtual server number, 1 for the default one
	Relay      []netip.Prefix // the only addresses that may relay
	ConnectAll bool           // accept connections from every address (deny list left as found)
	Connect    []netip.Prefix // otherwise, the only addresses that may connect
	Prefix     string         // start of the file names, such as "gateway"
	Step       string         // the procedure that generates the files
	Purpose    string         // what the server is, for headers: "the SMTP gateway"
}

// ApplyName is the name of the script that changes the lists.
func (p IISPolicy) ApplyName() string { return p.Prefix + "-relay-apply.vbs" }

// VerifyName is the name of the script that only reads the lists.
func (p IISPolicy) VerifyName() string { return p.Prefix + "-relay-verify.vbs" }

// BackoutName is the name of the script that restores the saved lists.
func (p IISPolicy) BackoutName() string { return p.Prefix + "-relay-backout.vbs" }

// TestSheetName is the name of the sheet of relay tests typed by hand.
func (p IISPolicy) TestSheetName() string { return p.Prefix + "-relay-test.txt" }

// BackupName is the file the apply script saves the previous settings to,
// beside itself, and the backout script restores from.
func (p IISPolicy) BackupName() string {
	return p.Prefix + "-relay-backup-SMTPSVC" + strconv.Itoa(p.Instance) + ".txt"
}

// Path is the ADSI path of the virtual server.
func (p IISPolicy) Path() string { return vsPath(p.Instance) }

func vsPath(instance int) string { return "IIS://localhost/SMTPSVC/" + strconv.Itoa(instance) }

// vbsData is what the .vbs templates print. Every string in it was built
// from parsed values: a NetBIOS name, a number and network prefixes.
type vbsData struct {
	Path, Server, Backup               string
	ApplyName, VerifyName, BackoutName string
	Relay, Connect                     []string
	ConnectAll                         bool
	Exchange                           bool
	AuthFlags                          string
}

func entries(ps []netip.Prefix) []string {
	out := []string{}
	for _, p := range ps {
		out = append(out, Entry(p))
	}
	return out
}

func describeList(ps []netip.Prefix) string {
	if len(ps) == 0 {
		return "nobody"
	}
	var ss []string
	for _, p := range ps {
		ss = append(ss, Describe(p))
	}
	return strings.Join(ss, ", ")
}

func relayText(ps []netip.Prefix) string {
	if len(ps) == 0 {
		return "Relaying: for no address at all, and none by domain name."
	}
	return "Relaying: only for " + describeList(ps) + "; none by domain name."
}

func checkInstance(n int) error {
	if n < 1 || n > 999999 {
		return fmt.Errorf("SMTP virtual server number %d is out of range", n)
	}
	return nil
}

// IISFiles returns the apply, verify and backout scripts for p.
//
// The apply script refuses to run on any other computer than p.Server and
// refuses to run twice: the first run saves the lists and the
// authenticated-relay setting it found to BackupName beside itself, and
// that file is what the backout script restores, exactly. The verify
// script only reads.
func IISFiles(in steps.Input, p IISPolicy) ([]steps.File, error) {
	if _, err := steps.ParseNetBIOSName(string(p.Server)); err != nil {
		return nil, fmt.Errorf("server %s: %w", p.Server, err)
	}
	if err := checkInstance(p.Instance); err != nil {
		return nil, err
	}
	d := vbsData{Path: p.Path(), Server: string(p.Server), Backup: p.BackupName(),
		ApplyName: p.ApplyName(), VerifyName: p.VerifyName(), BackoutName: p.BackoutName(),
		Relay: entries(p.Relay), Connect: entries(p.Connect), ConnectAll: p.ConnectAll}
	connect := "Connections: accepted from every address (any refused addresses already listed stay as they are)."
	if !p.ConnectAll {
		connect = "Connections: accepted only from " + describeList(p.Connect) + "."
	}
	lists := []string{
		relayText(p.Relay),
		"Computers that log on may not relay.",
		connect,
	}
	target := string(p.Server)
	apply, err := renderVBS(applyTemplate, d, p.ApplyName(), header(in, p.Step, target,
		"change "+p.Purpose+"'s relay and connection lists on "+p.Path()+"; backout: "+p.BackoutName(),
		"nothing; run it from the folder it is in, which must be writable"),
		slices.Concat([]string{"What this file does"},
			indent([]string{
				"1. Reads the relay list, the connection list and the setting that lets computers that log on relay, and stops if any cannot be read.",
				"2. Saves them to " + p.BackupName() + " beside this file. If that file already exists it stops: the first saved state is the one to restore.",
				"3. Writes the new settings and reads them back:",
			}, "  "),
			indent(lists, "     ")))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.ApplyName(), err)
	}
	verify, err := renderVBS(verifyTemplate, d, p.VerifyName(), header(in, p.Step, target,
		"read-only, nothing to back out: check "+p.Purpose+"'s relay and connection lists on "+p.Path(),
		"nothing (before "+p.ApplyName()+" it shows what is set now)"),
		append([]string{"What this file checks (it changes nothing)"}, indent(lists, "  ")...))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.VerifyName(), err)
	}
	backout, err := renderVBS(backoutTemplate, d, p.BackoutName(), header(in, p.Step, target,
		"restore "+p.Purpose+"'s relay and connection lists saved by "+p.ApplyName(),
		p.ApplyName()+", which writes "+p.BackupName()),
		append([]string{"What this file does"}, indent([]string{
			"Restores exactly what " + p.ApplyName() + " saved in " + p.BackupName() + " (beside this file): both lists, with their deny entries and domain names, and the setting for computers that log on. It refuses a file that is missing, cut off or holds unknown settings.",
		}, "  ")...))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", p.BackoutName(), err)
	}
	return []steps.File{
		{Target: target, Name: p.ApplyName(), Kind: steps.FileApply, Body: apply},
		{Target: target, Name: p.VerifyName(), Kind: steps.FileVerify, Body: verify},
		{Target: target, Name: p.BackoutName(), Kind: steps.FileBackout, Body: backout},
	}, nil
}

func indent(lines []string, prefix string) []string {
	var out []string
	for _, l := range lines {
		out = append(out, text.Wrap(l, prefix, prefix+"  ", 76)...)
	}
	return out
}

func header(in steps.Input, step, target, purpose, runFirst string) script.Header {
	return script.Header{
		Product: in.Product, Version: in.Version, Procedures: []string{step},
		Project: in.Project, Target: target, AnswersHash: in.AnswersHash,
		Purpose: purpose, RunFirst: runFirst,
	}
}

func renderVBS(t *template.Template, d vbsData, name string, h script.Header, about []string) ([]byte, error) {
	var b strings.Builder
	b.WriteString(vbscript.Comment(h.Lines()))
	b.WriteString(vbscript.Comment(append(append([]string{""}, about...),
		"",
		"Run it from a command prompt on the server itself, as an administrator:",
		"  cscript //nologo "+name,
		"Exit code 0 means success, 1 that it stopped or a check failed (the",
		"messages say which), 2 that it was not started with cscript.",
		"")))
	if err := t.Execute(&b, d); err != nil {
		return nil, err
	}
	return vbscript.File(b.String())
}

// ExchangePolicy is what an Exchange 2000 server's SMTP virtual server is
// set to in Exchange System Manager.
//
// Exchange 2000 keeps these settings in Active Directory, and its System
// Attendant copies them into the IIS metabase about every 15 minutes,
// overwriting whatever was written there directly (DS2MB). A script that
// edits the metabase would seem to work and then silently revert, so the
// change is a manual step in Exchange System Manager and the generated file
// only reads the metabase afterwards, to show that the copy arrived.
type ExchangePolicy struct {
	Server     steps.NetBIOSName
	Instance   int
	Relay      []netip.Prefix
	ConnectAll bool
	Connect    []netip.Prefix
	AuthFlags  int // 1 anonymous only; 5 anonymous and Integrated Windows
	Step       string
}

// ExchangeVerifyName is the name of the read-only check for an Exchange
// server.
const ExchangeVerifyName = "exchange-relay-verify.vbs"

// ExchangeVerifyFile returns the read-only check of p.
func ExchangeVerifyFile(in steps.Input, p ExchangePolicy) (steps.File, error) {
	if _, err := steps.ParseNetBIOSName(string(p.Server)); err != nil {
		return steps.File{}, fmt.Errorf("server %s: %w", p.Server, err)
	}
	if err := checkInstance(p.Instance); err != nil {
		return steps.File{}, err
	}
	if p.AuthFlags != 1 && p.AuthFlags != 5 {
		return steps.File{}, fmt.Errorf("authentication flags %d are not a choice of the wizard", p.AuthFlags)
	}
	d := vbsData{Path: vsPath(p.Instance), Server: string(p.Server), Relay: entries(p.Relay), Connect: entries(p.Connect),
		ConnectAll: p.ConnectAll, Exchange: true, AuthFlags: strconv.Itoa(p.AuthFlags)}
	auth := "Authentication: anonymous access only (AuthFlags 1)."
	if p.AuthFlags == 5 {
		auth = "Authentication: anonymous and Integrated Windows only (AuthFlags 5)."
	}
	connect := "Connections: accepted from every address."
	if !p.ConnectAll {
		connect = "Connections: accepted only from " + describeList(p.Connect) + "."
	}
	lists := []string{
		relayText(p.Relay),
		"Computers that log on may not relay.",
		connect,
		auth,
	}
	body, err := renderVBS(verifyTemplate, d, ExchangeVerifyName, header(in, p.Step, string(p.Server),
		"read-only, nothing to back out: check that the settings made in Exchange System Manager reached "+vsPath(p.Instance),
		"the Exchange System Manager steps in the runbook, then wait 15 minutes"),
		append([]string{
			"What this file checks (it changes nothing)",
			"  Exchange 2000 copies its SMTP settings from Active Directory into the",
			"  IIS metabase about every 15 minutes and overwrites direct edits, so",
			"  the change is made in Exchange System Manager and this file reads the",
			"  metabase afterwards to see that the copy arrived:",
		}, indent(lists, "    ")...))
	if err != nil {
		return steps.File{}, fmt.Errorf("%s: %w", ExchangeVerifyName, err)
	}
	return steps.File{Target: string(p.Server), Name: ExchangeVerifyName, Kind: steps.FileVerify, Body: body}, nil
}
