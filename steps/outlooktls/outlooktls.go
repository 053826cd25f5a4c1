// Package outlooktls is the current platform's counterpart of the guide's
// Outlook RPC encryption: Outlook reaches Exchange Server 2019 and SE over
// MAPI over HTTP inside TLS, and the Mailbox servers refuse an Outlook
// Anywhere (RPC over HTTP) connection that does not ask for encryption.
package outlooktls

import (
	"errors"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/psapply"
	"github.com/secex/wizard/steps/stig"
)

// ID is the procedure's stable identifier.
const ID = "current-outlook-encryption"

// Replaces lists the guide's procedures this one stands for.
var Replaces = []string{"outlook-rpc-encryption"}

// Question IDs.
const (
	QServers  = "servers"             // Mailbox servers Outlook connects to
	QMapiHTTP = "mapi-http"           // turn MAPI over HTTP on for the organisation
	QRequire  = "encryption-required" // refuse unencrypted RPC connections
)

// FilePrefix names the files: outlook-encryption-apply.ps1 and so on.
const FilePrefix = "outlook-encryption"

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Platform: steps.PlatformCurrent,
	Title:    "Encrypt Outlook's connection to Exchange",
	Section:  "Current platform, for the guide's \u201cEncrypting the MAPI Connection from Outlook 2002 to Exchange Server\u201d",
	Summary:  "Make Outlook connect with MAPI over HTTP inside TLS, and have every Mailbox server refuse an Outlook connection that is not encrypted.",
	Rationale: []string{
		"The guide's Outlook spoke RPC straight to the server running Exchange 2000, and encryption was a box in each profile that the server could not insist on. Exchange Server 2019 and SE take Outlook connections over HTTPS: MAPI over HTTP, or the older Outlook Anywhere (RPC over HTTP). TLS protects both on the wire.",
		"MAPI over HTTP is the protocol Microsoft develops further; with it turned on for the organisation, Outlook 2013 SP1 and later use it by themselves. The RPC Client Access setting EncryptionRequired makes each Mailbox server refuse a client that asks for an unencrypted RPC session, the switch the guide's platform did not have.",
	},
	Notes: []string{
		"TLS on these connections is only as strong as the server's TLS configuration: keep TLS 1.2 (and TLS 1.3 on Windows Server 2022 and 2025) on and the older protocols off, as Microsoft's Exchange TLS guidance describes. That registry change is outside this procedure's scripts.",
		"Outlook versions older than Outlook 2013 SP1 cannot use MAPI over HTTP and are out of support; they fall back to Outlook Anywhere, which still needs encryption.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleMailbox)) == 0 {
		return false, "No server has the role " + steps.RoleMailbox.Label() + ". Outlook connects to the Mailbox servers, so add them to the servers page first."
	}
	return true, ""
}

var pages = []steps.Page{{
	ID:    "servers",
	Title: "Mailbox servers and settings",
	Questions: []steps.Question{
		{ID: QServers, Label: "Mailbox servers Outlook connects to", Kind: steps.KindServers, Role: steps.RoleMailbox, DefaultFrom: allMailbox},
		{ID: QMapiHTTP, Label: "Turn MAPI over HTTP on for the whole organisation?", Kind: steps.KindYesNo, Default: "yes",
			Hint: "An organisation-wide setting, applied once from the first server. Outlook picks it up at its next Autodiscover lookup and asks the user to restart Outlook."},
		{ID: QRequire, Label: "Refuse Outlook Anywhere (RPC) connections that do not ask for encryption?", Kind: steps.KindYesNo, Default: "yes",
			Hint: "Set-RpcClientAccess -EncryptionRequired on each server. Every supported Outlook asks for encryption; only very old or misconfigured clients are refused."},
	},
}}

func allMailbox(t steps.Topology, _ steps.Answers) string {
	var names []string
	for _, s := range t.WithRole(steps.RoleMailbox) {
		names = append(names, string(s.Name))
	}
	return strings.Join(names, "\n")
}

// config is the answers as the plan uses them.
type config struct {
	servers  []steps.Server
	mapiHTTP bool
	require  bool
}

func load(in steps.Input) config {
	a := in.Of(ID)
	c := config{mapiHTTP: a.Is(QMapiHTTP, "yes"), require: a.Is(QRequire, "yes")}
	for _, name := range a.Values(QServers) {
		for _, s := range in.Topology.Servers {
			if strings.EqualFold(string(s.Name), name) && s.Has(steps.RoleMailbox) {
				c.servers = append(c.servers, s)
			}
		}
	}
	return c
}

// Finding codes.
const (
	CodeNothingToDo   = "nothing-to-do"
	CodeNoEncryption  = "rpc-encryption-not-required"
	CodeNoServers     = "no-servers"
	CodeMapiHTTPOff   = "mapi-http-off"
	CodeServerMissing = "server-missing"
)

func check(in steps.Input) []steps.Finding {
	a := in.Of(ID)
	c := load(in)
	var fs []steps.Finding
	for _, name := range a.Values(QServers) {
		if !strings.Contains(strings.ToLower(allMailbox(in.Topology, nil)), strings.ToLower(name)) {
			fs = append(fs, steps.Finding{Code: CodeServerMissing, Severity: steps.Error, Fix: []string{QServers},
				Message: name + " is not a Mailbox server of the inventory any more. Select the Mailbox servers again."})
		}
	}
	if len(c.servers) == 0 {
		fs = append(fs, steps.Finding{Code: CodeNoServers, Severity: steps.Error, Fix: []string{QServers},
			Message: "Select at least one Mailbox server: Outlook's connections are set on the servers it reaches."})
	}
	if !c.mapiHTTP && !c.require {
		fs = append(fs, steps.Finding{Code: CodeNothingToDo, Severity: steps.Error, Fix: []string{QMapiHTTP, QRequire},
			Message: "With neither setting chosen this procedure changes nothing. Choose at least one, or leave the procedure out of the change."})
	}
	if a[QRequire] == "no" {
		fs = append(fs, steps.Finding{Code: CodeNoEncryption, Severity: steps.Warning, Fix: []string{QRequire},
			Message: "The Mailbox servers will keep accepting Outlook Anywhere sessions that do not ask for encryption, which is a finding of the " + stig.RPCEncryption.String() + ". Choose yes, or accept it with a reason."})
	}
	if a[QMapiHTTP] == "no" {
		fs = append(fs, steps.Finding{Code: CodeMapiHTTPOff, Severity: steps.Warning, Fix: []string{QMapiHTTP},
			Message: "Outlook keeps using Outlook Anywhere (RPC over HTTP), which Microsoft no longer develops. Choose yes, or accept it with a reason (for example, MAPI over HTTP is already on: verify shows it)."})
	}
	return fs
}

// scripts is each selected server's script: the organisation-wide
// setting on the first.
func scripts(c config) []psapply.Script {
	var out []psapply.Script
	for i, s := range c.servers {
		sc := psapply.Script{Procedure: ID, Server: s, Prefix: FilePrefix,
			Purpose: "Makes Outlook's connections to " + string(s.Name) + " encrypted."}
		if c.mapiHTTP && i == 0 {
			sc.Settings = append(sc.Settings, psapply.Setting{Noun: "OrganizationConfig", Property: "MapiHttpEnabled", Value: psapply.Bool(true),
				What: "MAPI over HTTP for the whole organisation; Outlook 2013 SP1 and later then connect with it, inside TLS."})
		}
		if c.require {
			sc.Settings = append(sc.Settings, psapply.Setting{Noun: "RpcClientAccess", Scope: []psapply.Param{{Name: "Server", Value: psapply.Text(string(s.Name))}},
				Property: "EncryptionRequired", Value: psapply.Bool(true),
				What: "The server refuses an Outlook Anywhere (RPC) session that does not ask for encryption.",
				Refs: []steps.ControlRef{{Control: stig.RPCEncryption}}})
		}
		if len(sc.Settings) > 0 {
			out = append(out, sc)
		}
	}
	return out
}

func plan(in steps.Input) []steps.Action {
	c := load(in)
	var as []steps.Action
	for _, sc := range scripts(c) {
		name := string(sc.Server.Name)
		as = append(as, steps.Action{
			ID: "encrypt-" + strings.ToLower(name), Phase: steps.PhaseClients, Target: name,
			Title: "Require encrypted Outlook connections on " + name,
			Do: []string{
				"On " + string(sc.Server.FQDN) + ", open the Exchange Management Shell as a member of Organization Management and go to this server's folder of the bundle.",
				"Run .\\" + sc.ApplyName() + " -Prerequisites: it checks the computer, the Exchange build and the role, and changes nothing.",
				"Run .\\" + sc.ApplyName() + " -WhatIf and compare what it would change with this step; then run .\\" + sc.ApplyName() + ".",
			},
			Script:   sc.ApplyName(),
			Expect:   sc.ApplyName() + " saves " + sc.CaptureName() + ", makes the changes and ends with \"All checks passed.\" from " + sc.VerifyName() + ".",
			Verify:   "On a user's computer, hold Ctrl, right-click the Outlook icon in the notification area and open Connection Status: every connection to " + name + " shows the protocol HTTP and encryption on.",
			Backout:  "Run .\\" + sc.BackoutName() + " from the bundle's backout folder: it puts each setting back as " + sc.CaptureName() + " recorded it. No service restarts; Outlook reconnects on its own.",
			Controls: sc.Controls(),
		})
	}
	return as
}

// files writes each selected server's scripts. An answer that does not
// parse with its question (a blank or unknown choice, a server no longer
// in the inventory) is an error, not a default: nothing is generated from a
// value the wizard would refuse.
func files(in steps.Input) ([]steps.File, error) {
	if _, bad := steps.Reparse(ID, pages, in); len(bad) > 0 {
		return nil, errors.New(bad[0].Message)
	}
	var out []steps.File
	for _, sc := range scripts(load(in)) {
		fs, err := sc.Files(in)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}
