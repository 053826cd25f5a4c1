// Package antispam is the current platform's counterpart of the guide's
// SMTP Message Screener: Exchange's own anti-spam agents (content, sender
// and recipient filtering) on the Edge Transport server, or, without one,
// installed on the Mailbox servers.
package antispam

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/psapply"
	"github.com/secex/wizard/steps/screener"
	"github.com/secex/wizard/steps/stig"
)

// ID is the procedure's stable identifier.
const ID = "current-antispam"

// Replaces lists the guide's procedures this one stands for.
var Replaces = []string{"smtp-message-screener"}

// Question IDs.
const (
	QWhere           = "filter-on"            // WhereEdge or WhereMailbox
	QServers         = "servers"              // Mailbox servers the agents are installed on
	QInternal        = "internal-smtp"        // Set-TransportConfig -InternalSMTPServers
	QContent         = "content-filter"       // Set-ContentFilterConfig -Enabled
	QReject          = "scl-reject"           // SCLRejectThreshold; 0 turns rejection off
	QDelete          = "scl-delete"           // SCLDeleteThreshold; 0 turns deletion off
	QSender          = "sender-filter"        // Set-SenderFilterConfig -Enabled
	QBlockedSenders  = "blocked-senders"      // BlockedSenders
	QBlockedDomains  = "blocked-domains"      // BlockedDomains
	QRecipient       = "recipient-filter"     // Set-RecipientFilterConfig -Enabled
	QRecipientVerify = "recipient-validation" // RecipientValidationEnabled
)

// Where the agents filter.
const (
	WhereEdge    = "edge"
	WhereMailbox = "mailbox"
)

// FilePrefix names the files: antispam-apply.ps1 and so on.
const FilePrefix = "antispam"

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Platform: steps.PlatformCurrent,
	Title:    "Filter spam with Exchange's anti-spam agents",
	Section:  "Current platform, for the guide's \u201cUsing the SMTP Message Screener\u201d",
	Summary:  "Turn on content, sender and recipient filtering where mail from the internet arrives: on the Edge Transport server, or, without one, on the Mailbox servers after installing the agents there.",
	Rationale: []string{
		"The guide screened inbound mail with ISA Server's SMTP Message Screener, a separate add-on with its own keyword and sender lists. Exchange Server 2019 and SE filter mail themselves with transport agents: the Content Filter agent rates each message with a spam confidence level (SCL) and acts on thresholds, the Sender Filter agent refuses listed senders and domains, and the Recipient Filter agent refuses mail for recipients that do not exist, which also stops directory harvesting.",
		"On an Edge Transport server those agents are installed and on already, and each Edge server keeps its own settings in its AD LDS instance (EdgeSync does not copy them), so the script runs on every Edge server. On Mailbox servers the agents are not installed: a script from Exchange's Scripts folder installs them and the transport service is restarted, and the settings, kept in Active Directory, are made once for the organisation.",
	},
	Notes: []string{
		"Microsoft stopped producing spam definition updates for the content filter (SmartScreen) in November 2016; the filter keeps working on the definitions it has, and becomes less effective with time. The sender and recipient filters do not depend on definitions. For current protection put a filtering service or gateway in front of Exchange; these agents then add the organisation's own lists and recipient validation.",
		"Content filtering applies to mail from unauthenticated (outside) connections only; mail between the organisation's servers is not rated.",
		"The spam quarantine mailbox and connection filtering (IP block lists, on the Edge only) are outside this procedure.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.ExchangeServers()) == 0 {
		return false, "No server has the role " + steps.RoleMailbox.Label() + " or " + steps.RoleEdge.Label() + ". The anti-spam agents run on Exchange's transport, so add the Exchange servers to the servers page first."
	}
	return true, ""
}

var pages = []steps.Page{
	{
		ID:    "where",
		Title: "Where mail is filtered",
		Questions: []steps.Question{
			{ID: QWhere, Label: "Which servers filter mail from the internet?", Kind: steps.KindChoice, DefaultFrom: defaultWhere, Choices: []steps.Choice{
				{Value: WhereEdge, Label: "The Edge Transport servers", Hint: "Their agents are installed already; each Edge server gets the settings."},
				{Value: WhereMailbox, Label: "The Mailbox servers", Hint: "Only when no Edge Transport server receives the internet's mail: the agents are installed on each Mailbox server first, which restarts its transport service."},
			}},
		},
	},
	{
		ID:    "mailbox",
		Title: "Mailbox servers",
		When:  func(a steps.Answers) bool { return a.Is(QWhere, WhereMailbox) },
		Questions: []steps.Question{
			{ID: QServers, Label: "Mailbox servers that receive mail from the internet", Kind: steps.KindServers, Role: steps.RoleMailbox, DefaultFrom: allMailbox,
				Hint: "The agents are installed on each; the settings are the organisation's and are made once, from the first."},
			{ID: QInternal, Label: "Internal SMTP servers (IPv4 addresses, one a line)", Kind: steps.KindList, Item: parseInternal, MaxItems: 100, DefaultFrom: mailboxAddrs,
				Hint: "Every server inside the organisation that passes mail to these Mailbox servers: the Mailbox servers themselves and any gateway in front of them. Sender ID and the filters then judge the sending server outside, not the last hop. The list replaces the current one (the capture keeps it for the backout)."},
		},
	},
	{
		ID:    "content",
		Title: "Content filtering",
		Questions: []steps.Question{
			{ID: QContent, Label: "Rate incoming messages with the content filter?", Kind: steps.KindYesNo, Default: "yes"},
			{ID: QReject, Label: "Reject messages rated at or above this SCL (0 for never)", Kind: steps.KindNumber, Min: 0, Max: 9, Default: "7",
				Hint: "The sender receives a non-delivery report. 9 is the most certain spam; 7 is a common start."},
			{ID: QDelete, Label: "Delete messages rated at or above this SCL, without telling the sender (0 for never)", Kind: steps.KindNumber, Min: 0, Max: 9, Default: "0",
				Hint: "Deleted messages cannot be recovered; keep it above the rejection level, or at 0."},
		},
	},
	{
		ID:    "sender",
		Title: "Sender filtering",
		Questions: []steps.Question{
			{ID: QSender, Label: "Refuse mail from blocked senders and domains?", Kind: steps.KindYesNo, Default: "yes"},
			{ID: QBlockedSenders, Label: "Blocked senders (addresses, one a line)", Kind: steps.KindList, Item: parseBlockedSender, MaxItems: 800, Optional: true,
				Hint: "Replaces the current list when given; left empty, the current list is kept."},
			{ID: QBlockedDomains, Label: "Blocked sender domains (one a line)", Kind: steps.KindList, Item: parseBlockedDomain, MaxItems: 800, Optional: true,
				Hint: "Exactly these domains, not their subdomains. Replaces the current list when given; left empty, the current list is kept."},
		},
	},
	{
		ID:    "recipient",
		Title: "Recipient filtering",
		Questions: []steps.Question{
			{ID: QRecipient, Label: "Run the recipient filter?", Kind: steps.KindYesNo, Default: "yes"},
			{ID: QRecipientVerify, Label: "Refuse mail for recipients that do not exist in the organisation?", Kind: steps.KindYesNo, Default: "yes",
				Hint: "Stops directory harvesting and backscatter. On an Edge server it needs EdgeSync, which copies the recipients."},
		},
	},
}

func defaultWhere(t steps.Topology, _ steps.Answers) string {
	if len(t.WithRole(steps.RoleEdge)) > 0 {
		return WhereEdge
	}
	return WhereMailbox
}

func allMailbox(t steps.Topology, _ steps.Answers) string {
	var names []string
	for _, s := range t.WithRole(steps.RoleMailbox) {
		names = append(names, string(s.Name))
	}
	return strings.Join(names, "\n")
}

func mailboxAddrs(t steps.Topology, _ steps.Answers) string {
	var addrs []string
	for _, s := range t.WithRole(steps.RoleMailbox) {
		for _, a := range s.Addrs {
			addrs = append(addrs, a.String())
		}
	}
	return strings.Join(addrs, "\n")
}

// The line parsers name their field, so that a refusal reads the same on
// the form and in a finding.

func parseInternal(s string) (string, error) {
	a, err := steps.ParseIPv4(s)
	if err != nil {
		return "", fmt.Errorf("internal SMTP servers: %w", err)
	}
	return a.String(), nil
}

func parseBlockedSender(s string) (string, error) {
	v, err := screener.ParseSender(s)
	if err != nil {
		return "", fmt.Errorf("blocked senders: %w", err)
	}
	return v, nil
}

func parseBlockedDomain(s string) (string, error) {
	d, err := steps.ParseDNSName(s, "spam.example.net")
	if err != nil {
		return "", fmt.Errorf("blocked sender domains: %w", err)
	}
	return string(d), nil
}

// config is the answers as the plan uses them.
type config struct {
	where          string
	servers        []steps.Server // Mailbox servers the agents are installed on
	targets        []steps.Server // servers the settings are made on
	internal       []string
	content        bool
	reject, delete int
	sender         bool
	blockedSenders []string
	blockedDomains []string
	recipient      bool
	validate       bool
	bad            []steps.Finding
}

// list parses the lines of a list answer and reports each that does not
// parse as an error finding on its question.
func (c *config) list(a steps.Answers, id string, parse func(string) (string, error)) []string {
	var out []string
	for _, v := range a.Values(id) {
		p, err := parse(v)
		if err != nil {
			c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{id},
				Message: fmt.Sprintf("%q is refused: %v. Correct the line or remove it.", v, err)})
			continue
		}
		if !slices.Contains(out, p) {
			out = append(out, p)
		}
	}
	return out
}

func (c *config) number(a steps.Answers, id string) int {
	n, err := strconv.Atoi(a[id])
	if err != nil || n < 0 || n > 9 {
		label := map[string]string{QReject: "SCL for rejection", QDelete: "SCL for deletion"}[id]
		c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{id},
			Message: fmt.Sprintf("%s: %q is not a whole number from 0 to 9.", label, a[id])})
		return 0
	}
	return n
}

func load(in steps.Input) config {
	a := in.Of(ID)
	c := config{where: a[QWhere], content: a.Is(QContent, "yes"), sender: a.Is(QSender, "yes"),
		recipient: a.Is(QRecipient, "yes"), validate: a.Is(QRecipientVerify, "yes")}
	if c.content {
		c.reject = c.number(a, QReject)
		c.delete = c.number(a, QDelete)
	}
	if c.sender {
		c.blockedSenders = c.list(a, QBlockedSenders, parseBlockedSender)
		c.blockedDomains = c.list(a, QBlockedDomains, parseBlockedDomain)
	}
	switch c.where {
	case WhereEdge:
		c.targets = in.Topology.WithRole(steps.RoleEdge)
	case WhereMailbox:
		for _, name := range a.Values(QServers) {
			if s, ok := in.Topology.Server(name); ok && s.Has(steps.RoleMailbox) {
				c.servers = append(c.servers, s)
			}
		}
		if len(c.servers) > 0 {
			c.targets = c.servers[:1]
		}
		c.internal = c.list(a, QInternal, parseInternal)
	}
	return c
}

// Finding codes.
const (
	CodeBadValue         = "value-refused"
	CodeWhereUnknown     = "where-unknown"
	CodeNoEdge           = "no-edge-server"
	CodeEdgeBypassed     = "edge-server-not-used"
	CodeNoServers        = "no-servers"
	CodeServerMissing    = "server-missing"
	CodeNoInternal       = "no-internal-smtp-servers"
	CodeInternalMissing  = "mailbox-not-internal"
	CodeNothingToDo      = "nothing-to-do"
	CodeThresholdOrder   = "delete-not-above-reject"
	CodeNoAction         = "content-filter-stamps-only"
	CodeOwnDomainBlocked = "own-domain-blocked"
	CodeNoValidation     = "recipient-validation-off"
	CodeValidationSTIG   = "recipient-validation-against-stig"
)

func check(in steps.Input) []steps.Finding {
	a := in.Of(ID)
	c := load(in)
	fs := append([]steps.Finding{}, c.bad...)
	edges := in.Topology.WithRole(steps.RoleEdge)
	switch c.where {
	case WhereEdge:
		if len(edges) == 0 {
			fs = append(fs, steps.Finding{Code: CodeNoEdge, Severity: steps.Error, Fix: []string{QWhere},
				Message: "The inventory has no Edge Transport server. Choose the Mailbox servers, or add the Edge Transport server to the servers page."})
		}
	case WhereMailbox:
		if len(edges) > 0 {
			var names []string
			for _, s := range edges {
				names = append(names, string(s.Name))
			}
			fs = append(fs, steps.Finding{Code: CodeEdgeBypassed, Severity: steps.Warning, Fix: []string{QWhere}, Servers: names,
				Message: "The inventory has an Edge Transport server (" + strings.Join(names, ", ") + "), where the agents are installed already and filter mail before it enters the organisation; on the Mailbox servers they would only see what the Edge let through. Choose the Edge Transport servers, or accept it with a reason (for example, the Edge does not receive the internet's mail)."})
		}
		for _, name := range a.Values(QServers) {
			if s, ok := in.Topology.Server(name); !ok || !s.Has(steps.RoleMailbox) {
				fs = append(fs, steps.Finding{Code: CodeServerMissing, Severity: steps.Error, Fix: []string{QServers},
					Message: name + " is not a Mailbox server of the inventory any more. Select the Mailbox servers again."})
			}
		}
		if len(c.servers) == 0 {
			fs = append(fs, steps.Finding{Code: CodeNoServers, Severity: steps.Error, Fix: []string{QServers},
				Message: "Select at least one Mailbox server to install the agents on."})
		}
		if len(c.internal) == 0 {
			fs = append(fs, steps.Finding{Code: CodeNoInternal, Severity: steps.Error, Fix: []string{QInternal},
				Message: "Internal SMTP servers: give at least the Mailbox servers' addresses; without them the filters judge the organisation's own servers as the senders."})
		}
		for _, s := range c.servers {
			for _, addr := range s.Addrs {
				if !slices.Contains(c.internal, addr.String()) {
					fs = append(fs, steps.Finding{Code: CodeInternalMissing, Severity: steps.Warning, Fix: []string{QInternal}, Servers: []string{string(s.Name)},
						Message: "Internal SMTP servers: " + addr.String() + " of " + string(s.Name) + " is not in the list, so mail it passes on is judged as coming from it. Add it, or accept it with a reason."})
				}
			}
		}
	default:
		fs = append(fs, steps.Finding{Code: CodeWhereUnknown, Severity: steps.Error, Fix: []string{QWhere},
			Message: "Choose which servers filter mail from the internet."})
	}
	if !c.content && !c.sender && !c.recipient {
		fs = append(fs, steps.Finding{Code: CodeNothingToDo, Severity: steps.Error, Fix: []string{QContent, QSender, QRecipient},
			Message: "With every filter off this procedure changes nothing. Turn at least one on, or leave the procedure out of the change."})
	}
	if c.content && c.reject > 0 && c.delete > 0 && c.delete <= c.reject {
		fs = append(fs, steps.Finding{Code: CodeThresholdOrder, Severity: steps.Error, Fix: []string{QReject, QDelete},
			Message: fmt.Sprintf("Messages rated %d or more would be deleted without a report, so rejection at %d would never be reached: set deletion above rejection, or to 0.", c.delete, c.reject)})
	}
	if c.content && c.reject == 0 && c.delete == 0 {
		fs = append(fs, steps.Finding{Code: CodeNoAction, Severity: steps.Warning, Fix: []string{QReject, QDelete},
			Message: "The content filter would only rate messages; none is rejected or deleted, and spam reaches the mailboxes (Outlook moves high ratings to Junk Email). Set a rejection level, or accept it with a reason."})
	}
	for _, d := range c.blockedDomains {
		for _, own := range []steps.FQDN{in.Topology.Facts.PublicDomain, in.Topology.Facts.ADDomain} {
			if own != "" && d == string(own) {
				fs = append(fs, steps.Finding{Code: CodeOwnDomainBlocked, Severity: steps.Error, Fix: []string{QBlockedDomains},
					Message: "Blocked sender domains: " + d + " is the organisation's own domain; mail claiming to be from it would be refused, including replies from partners quoting it. Remove it."})
			}
		}
	}
	if c.recipient && !c.validate {
		fs = append(fs, steps.Finding{Code: CodeNoValidation, Severity: steps.Warning, Fix: []string{QRecipientVerify},
			Message: "Mail for recipients that do not exist is accepted and bounced later, which lets senders probe for valid addresses and sends bounces to forged senders. Choose yes, or accept it with a reason."})
	}
	if c.recipient && c.validate && slices.ContainsFunc(c.targets, func(s steps.Server) bool { return s.Has(steps.RoleEdge) }) {
		fs = append(fs, steps.Finding{Code: CodeValidationSTIG, Severity: steps.Warning, Fix: []string{QRecipientVerify},
			Message: "The Edge Transport servers will refuse mail for recipients that do not exist. The " + stig.EdgeRecipientValidationOff.String() + " counts that as a finding: a refusal during the SMTP session tells a sender which addresses exist, so the STIG wants such mail accepted and dropped later. Microsoft's recipient lookup and the STIG disagree; the servers' checklists will show the rule as open with the reason given here. Choose no to follow the STIG, or accept it with a reason."})
	}
	return fs
}

// script is the settings of one target server.
func script(c config, s steps.Server) (psapply.Script, error) {
	sc := psapply.Script{Procedure: ID, Server: s, Prefix: FilePrefix}
	if s.Has(steps.RoleEdge) {
		sc.Purpose = "Sets the anti-spam agents of the Edge Transport server " + string(s.Name) + " (its own settings, not copied by EdgeSync)."
	} else {
		sc.Purpose = "Sets the organisation's anti-spam agents for the Mailbox servers, from " + string(s.Name) + "."
	}
	edge := s.Has(steps.RoleEdge)
	add := func(noun, property string, v psapply.Value, what string, refs ...steps.ControlRef) {
		sc.Settings = append(sc.Settings, psapply.Setting{Noun: noun, Property: property, Value: v, What: what, Refs: refs})
	}
	// on names an Edge Server STIG rule the setting meets, on an Edge
	// server only: the Mailbox servers' agents have no such rules.
	on := func(c *steps.Control) []steps.ControlRef {
		if !edge {
			return nil
		}
		return []steps.ControlRef{{Control: c}}
	}
	var contentRefs []steps.ControlRef
	if c.content {
		contentRefs = on(stig.EdgeContentFilter)
	}
	add("ContentFilterConfig", "Enabled", psapply.Bool(c.content), "The Content Filter agent rates each message from outside with a spam confidence level (SCL).", contentRefs...)
	if c.content {
		if c.reject > 0 {
			add("ContentFilterConfig", "SCLRejectThreshold", psapply.Int(c.reject), "Messages rated at or above it are refused with a non-delivery report.")
		}
		add("ContentFilterConfig", "SCLRejectEnabled", psapply.Bool(c.reject > 0), "Whether rejection by rating is on.")
		if c.delete > 0 {
			add("ContentFilterConfig", "SCLDeleteThreshold", psapply.Int(c.delete), "Messages rated at or above it are dropped without a report.")
		}
		add("ContentFilterConfig", "SCLDeleteEnabled", psapply.Bool(c.delete > 0), "Whether deletion by rating is on.")
	}
	var senderRefs []steps.ControlRef
	if c.sender {
		senderRefs = on(stig.EdgeSenderFilter)
	}
	add("SenderFilterConfig", "Enabled", psapply.Bool(c.sender), "The Sender Filter agent acts on blocked senders and domains.", senderRefs...)
	if c.sender {
		add("SenderFilterConfig", "Action", psapply.Text("Reject"), "Mail from a blocked sender is refused during the SMTP session.", on(stig.EdgeSenderFilterReject)...)
		if len(c.blockedSenders) > 0 {
			add("SenderFilterConfig", "BlockedSenders", psapply.List(c.blockedSenders...), "The blocked sender addresses; the list replaces the one before.")
		}
		if len(c.blockedDomains) > 0 {
			add("SenderFilterConfig", "BlockedDomains", psapply.List(c.blockedDomains...), "The blocked sender domains, exactly as listed; the list replaces the one before.")
		}
	}
	var recipientRefs []steps.ControlRef
	if c.recipient {
		recipientRefs = on(stig.EdgeRecipientFilter)
	}
	add("RecipientFilterConfig", "Enabled", psapply.Bool(c.recipient), "The Recipient Filter agent checks each recipient during the SMTP session.", recipientRefs...)
	if c.recipient {
		validation := on(stig.EdgeRecipientValidationOff)
		if c.validate && edge {
			validation[0].Deviation = ID + "/" + CodeValidationSTIG
		}
		add("RecipientFilterConfig", "RecipientValidationEnabled", psapply.Bool(c.validate), "Whether mail for recipients that do not exist is refused.", validation...)
	}
	if !edge && len(c.internal) > 0 {
		add("TransportConfig", "InternalSMTPServers", psapply.List(c.internal...), "The organisation's own SMTP servers, which Sender ID and the filters look past to the outside sender.",
			steps.ControlRef{Control: stig.InternalSMTPServers})
	}
	if len(sc.Settings) == 0 {
		return sc, errors.New("nothing to set")
	}
	return sc, nil
}

func plan(in steps.Input) []steps.Action {
	c := load(in)
	var as []steps.Action
	if c.where == WhereMailbox {
		for _, s := range c.servers {
			name := string(s.Name)
			as = append(as, steps.Action{
				ID: "install-agents-" + strings.ToLower(name), Phase: steps.PhaseSMTP, Target: name,
				Title: "Install the anti-spam agents on " + name,
				Do: []string{
					"On " + string(s.FQDN) + ", open the Exchange Management Shell as a member of Organization Management and of the local Administrators group.",
					"Run: & $env:ExchangeInstallPath\\Scripts\\Install-AntiSpamAgents.ps1 (a script Exchange Setup puts in its Scripts folder, not a cmdlet; it registers the agents on this server).",
					"Run: Restart-Service -Name MSExchangeTransport. The server takes no mail from outside while the transport service restarts; senders retry.",
				},
				Expect:     "The script lists the agents it installed (Content Filter, Sender Id, Sender Filter, Recipient Filter and Protocol Analysis agents) and the transport service starts again.",
				Verify:     "Get-TransportAgent on " + name + " lists Content Filter Agent, Sender Filter Agent and Recipient Filter Agent with Enabled True.",
				Backout:    "Run & $env:ExchangeInstallPath\\Scripts\\Uninstall-AntiSpamAgents.ps1 and then Restart-Service -Name MSExchangeTransport: the agents are removed again, with the same short interruption.",
				Interrupts: "Inbound mail",
				Minutes:    2,
				Controls:   []steps.ControlRef{{Control: stig.MailboxAntiSpamPresent}},
			})
		}
	}
	for _, s := range c.targets {
		sc, err := script(c, s)
		if err != nil {
			continue
		}
		name := string(s.Name)
		where := "Run it once the anti-spam agents are installed on this server (the step before). The settings are the organisation's: they are made once, from this server, and apply to every Mailbox server with the agents installed."
		verify := "Get-ContentFilterConfig, Get-SenderFilterConfig and Get-RecipientFilterConfig on any Mailbox server show the values of this step."
		if s.Has(steps.RoleEdge) {
			where = "The inventory has an Edge Transport server, so the filters run there, where the agents are installed already; the Mailbox servers' agents are left uninstalled. Each Edge server keeps its own settings: this step is made on every one."
			verify = "Get-ContentFilterConfig, Get-SenderFilterConfig and Get-RecipientFilterConfig on " + name + " show the values of this step."
		}
		if c.recipient && c.validate {
			verify += " From a computer outside, send a message to an address that does not exist in the organisation through " + name + ": the SMTP session refuses the recipient (550 5.1.10)."
		}
		as = append(as, steps.Action{
			ID: "antispam-settings-" + strings.ToLower(name), Phase: steps.PhaseSMTP, Target: name,
			Title: "Set the anti-spam filters on " + name,
			Do: []string{
				"On " + string(s.FQDN) + ", open the Exchange Management Shell as an administrator and go to this server's folder of the bundle. " + where,
				"Run .\\" + sc.ApplyName() + " -Prerequisites: it checks the computer, the Exchange build and the role, and changes nothing.",
				"Run .\\" + sc.ApplyName() + " -WhatIf and compare what it would change with this step; then run .\\" + sc.ApplyName() + ".",
			},
			Script:   sc.ApplyName(),
			Expect:   sc.ApplyName() + " saves " + sc.CaptureName() + ", makes the changes and ends with \"All checks passed.\" from " + sc.VerifyName() + ". No service restarts: the agents read their settings as they change.",
			Verify:   verify,
			Backout:  "Run .\\" + sc.BackoutName() + " from the bundle's backout folder: it puts each setting, the lists included, back as " + sc.CaptureName() + " recorded it. No service restarts.",
			Controls: sc.Controls(),
		})
	}
	return as
}

// files refuses, as generation does everywhere, any saved answer that no
// longer parses with its question's parser, and answers that leave no
// server to set.
func files(in steps.Input) ([]steps.File, error) {
	if _, bad := steps.Reparse(ID, pages, in); len(bad) > 0 {
		return nil, errors.New(bad[0].Message)
	}
	c := load(in)
	if len(c.bad) > 0 {
		return nil, errors.New(c.bad[0].Message)
	}
	if len(c.targets) == 0 {
		return nil, errors.New("no server to set the anti-spam agents on")
	}
	var out []steps.File
	for _, s := range c.targets {
		sc, err := script(c, s)
		if err != nil {
			return nil, err
		}
		fs, err := sc.Files(in)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}
