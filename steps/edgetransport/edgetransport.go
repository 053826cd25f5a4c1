// Package edgetransport is the current platform's counterpart of the
// guide's SMTP publishing through ISA Server and its SMTP gateway: an
// Edge Transport server in the perimeter network, subscribed to the
// Mailbox servers' Active Directory site with EdgeSync, that takes the
// internet's mail with TLS offered.
package edgetransport

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/psapply"
	"github.com/secex/wizard/steps/stig"
)

// ID is the procedure's stable identifier.
const ID = "current-edge-transport"

// Replaces lists the guide's procedures this one stands for.
var Replaces = []string{"smtp-isa-publishing", "smtp-gateway"}

// Question IDs.
const (
	QEdges      = "edge-servers" // Edge Transport servers subscribed
	QMailbox    = "mailbox"      // the Mailbox server the subscription is imported on
	QSite       = "site"         // the Mailbox servers' AD site
	QConnectors = "connectors"   // SERVER\name of each Edge's internet-facing receive connector
	QRequireTLS = "require-tls"  // refuse senders without TLS
)

// FilePrefix names the files: edge-tls-apply.ps1 and so on.
const FilePrefix = "edge-tls"

// DefaultConnector is the name Exchange Setup gives the Edge Transport
// server's receive connector on port 25, which takes mail from the
// internet and from the Mailbox servers.
func DefaultConnector(edge steps.NetBIOSName) string {
	return "Default internal receive connector " + string(edge)
}

// authMechanisms is what the Edge's default connector offers, as the
// flags value prints: TLS for every sender, and Exchange server
// authentication for the subscribed Mailbox servers, which must stay.
const authMechanisms = "Tls, ExchangeServer"

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Platform: steps.PlatformCurrent,
	Title:    "Receive the internet's mail on an Edge Transport server",
	Section:  "Current platform, for the guide's \u201cPublishing SMTP through ISA Server\u201d and \u201cUsing an SMTP gateway\u201d",
	Summary:  "Subscribe the Edge Transport server in the perimeter network to the Mailbox servers' site with EdgeSync, open only the ports it needs, and make sure its internet-facing connector offers TLS.",
	Rationale: []string{
		"The guide put ISA Server's SMTP publishing and a relay gateway between the internet and the Exchange 2000 servers, so that no outside computer spoke to a server holding mailboxes. Exchange Server 2019 and SE have a role made for that place: the Edge Transport server, which is not a member of the domain, keeps what it needs in its own AD LDS instance and passes mail to and from the Mailbox servers.",
		"An Edge subscription ties it to one Active Directory site: EdgeSync then copies recipients, accepted domains and send connectors from the Mailbox servers to the Edge over LDAP with TLS (port 50636), and sets up the connectors that carry mail both ways with Exchange server authentication. The subscription is made with a file written on the Edge and imported on a Mailbox server, which the cmdlets allow only by hand.",
		"Mail from the internet should be offered TLS, so that senders who can encrypt do; the Edge's connector does so with its certificate.",
	},
	Notes: []string{
		"The subscription file holds a bootstrap account's credentials; it is valid for 24 hours after it is written (by default) and must be copied over a protected path and deleted once imported.",
		"Subscribing deletes accepted domains, remote domains, send connectors and similar settings made by hand on the Edge server: EdgeSync owns them from then on.",
		"The certificate the Edge uses for TLS with outside senders is chosen by Exchange from the certificates enabled for SMTP on the Edge; a certificate from a public CA whose names include the host name the domain's MX record gives is needed for senders that check it. Requesting and enabling it is outside this procedure.",
		"Requiring TLS from every internet sender refuses mail from servers that cannot encrypt; most large providers can, some small ones cannot.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleEdge)) == 0 {
		return false, "No server has the role " + steps.RoleEdge.Label() + ". Add the Edge Transport server in the perimeter network to the servers page first."
	}
	if len(t.WithRole(steps.RoleMailbox)) == 0 {
		return false, "No server has the role " + steps.RoleMailbox.Label() + ". The Edge Transport server is subscribed to the Mailbox servers' site, so add them to the servers page first."
	}
	return true, ""
}

var pages = []steps.Page{
	{
		ID:    "subscription",
		Title: "Edge subscription",
		Questions: []steps.Question{
			{ID: QEdges, Label: "Edge Transport servers to subscribe", Kind: steps.KindServers, Role: steps.RoleEdge, DefaultFrom: allWithRole(steps.RoleEdge)},
			{ID: QMailbox, Label: "Mailbox server the subscription files are imported on", Kind: steps.KindServer, Role: steps.RoleMailbox, DefaultFrom: firstWithRole(steps.RoleMailbox),
				Hint: "Any Mailbox server of the site; the subscription covers every Mailbox server there."},
			{ID: QSite, Label: "Active Directory site of the Mailbox servers", Kind: steps.KindObjectName, Default: "Default-First-Site-Name",
				Hint: "As Active Directory Sites and Services names it; Get-ADSite on a Mailbox server lists it."},
		},
	},
	{
		ID:    "tls",
		Title: "TLS for mail from the internet",
		Questions: []steps.Question{
			{ID: QConnectors, Label: "Internet-facing receive connector of each Edge server (SERVER\\name, one a line)", Kind: steps.KindList, Item: parseConnector, MaxItems: 20, DefaultFrom: defaultConnectors,
				Hint: "Exchange Setup names it Default internal receive connector <server>; Get-ReceiveConnector on the Edge server lists the names."},
			{ID: QRequireTLS, Label: "Refuse mail from internet senders that do not use TLS?", Kind: steps.KindYesNo, Default: "no",
				Hint: "Senders whose servers cannot encrypt are refused and their mail bounces."},
		},
	},
}

func allWithRole(r steps.Role) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		var names []string
		for _, s := range t.WithRole(r) {
			names = append(names, string(s.Name))
		}
		return strings.Join(names, "\n")
	}
}

func firstWithRole(r steps.Role) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		if ss := t.WithRole(r); len(ss) > 0 {
			return string(ss[0].Name)
		}
		return ""
	}
}

func defaultConnectors(t steps.Topology, a steps.Answers) string {
	var out []string
	for _, name := range a.Values(QEdges) {
		if s, ok := t.Server(name); ok {
			out = append(out, string(s.Name)+`\`+DefaultConnector(s.Name))
		}
	}
	return strings.Join(out, "\n")
}

// Connector is a receive connector's identity: its server and its name.
type Connector struct {
	Server steps.NetBIOSName
	Name   steps.ObjectName
}

// String is the identity as Get-ReceiveConnector -Identity takes it.
func (c Connector) String() string { return string(c.Server) + `\` + string(c.Name) }

// ParseConnector reads SERVER\name, the server as a NetBIOS name and the
// name with the characters ParseObjectName allows.
func ParseConnector(s string) (Connector, error) {
	server, name, ok := strings.Cut(strings.TrimSpace(s), `\`)
	if !ok {
		return Connector{}, errors.New(`enter the connector as SERVER\name, as in EDGE01\Default internal receive connector EDGE01`)
	}
	n, err := steps.ParseNetBIOSName(server)
	if err != nil {
		return Connector{}, fmt.Errorf("the server part: %w", err)
	}
	o, err := steps.ParseObjectName(name)
	if err != nil {
		return Connector{}, fmt.Errorf("the connector name: %w", err)
	}
	return Connector{Server: n, Name: o}, nil
}

func parseConnector(s string) (string, error) {
	c, err := ParseConnector(s)
	if err != nil {
		return "", fmt.Errorf("receive connectors: %w", err)
	}
	return c.String(), nil
}

// config is the answers as the plan uses them.
type config struct {
	edges      []steps.Server
	mailbox    steps.Server
	hasMailbox bool
	site       steps.ObjectName
	connectors map[steps.NetBIOSName]Connector
	requireTLS bool
	mx         steps.FQDN
	bad        []steps.Finding
}

func load(in steps.Input) config {
	a := in.Of(ID)
	c := config{connectors: map[steps.NetBIOSName]Connector{}, requireTLS: a.Is(QRequireTLS, "yes"), mx: in.Topology.Facts.MXHost}
	for _, name := range a.Values(QEdges) {
		if s, ok := in.Topology.Server(name); ok && s.Has(steps.RoleEdge) {
			c.edges = append(c.edges, s)
		}
	}
	if s, ok := in.Topology.Server(a[QMailbox]); ok && s.Has(steps.RoleMailbox) {
		c.mailbox, c.hasMailbox = s, true
	}
	site, err := steps.ParseObjectName(a[QSite])
	if err != nil {
		c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QSite},
			Message: fmt.Sprintf("Active Directory site: %v.", err)})
	}
	c.site = site
	for _, v := range a.Values(QConnectors) {
		con, err := ParseConnector(v)
		if err != nil {
			c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QConnectors},
				Message: fmt.Sprintf("Receive connectors: %q is refused: %v.", v, err)})
			continue
		}
		if !slices.ContainsFunc(c.edges, func(s steps.Server) bool { return s.Name == con.Server }) {
			c.bad = append(c.bad, steps.Finding{Code: CodeConnectorServer, Severity: steps.Error, Fix: []string{QConnectors, QEdges},
				Message: "Receive connectors: " + con.String() + " is not on a selected Edge Transport server. Correct the server part or remove the line."})
			continue
		}
		if prev, dup := c.connectors[con.Server]; dup && prev != con {
			c.bad = append(c.bad, steps.Finding{Code: CodeTwoConnectors, Severity: steps.Error, Fix: []string{QConnectors}, Servers: []string{string(con.Server)},
				Message: "Receive connectors: " + string(con.Server) + " has two lines; give its internet-facing connector once."})
			continue
		}
		c.connectors[con.Server] = con
	}
	return c
}

// Finding codes.
const (
	CodeBadValue         = "value-refused"
	CodeNoEdges          = "no-edge-servers"
	CodeServerMissing    = "server-missing"
	CodeNoMailbox        = "no-mailbox-server"
	CodeConnectorServer  = "connector-not-on-edge"
	CodeTwoConnectors    = "two-connectors"
	CodeNoConnector      = "edge-without-connector"
	CodeRequireTLS       = "tls-required-from-internet"
	CodeNoMXHost         = "no-mx-host"
	CodeEdgeNotPerimeter = "edge-in-internal-domain"
)

func check(in steps.Input) []steps.Finding {
	a := in.Of(ID)
	c := load(in)
	fs := append([]steps.Finding{}, c.bad...)
	for _, name := range a.Values(QEdges) {
		if s, ok := in.Topology.Server(name); !ok || !s.Has(steps.RoleEdge) {
			fs = append(fs, steps.Finding{Code: CodeServerMissing, Severity: steps.Error, Fix: []string{QEdges},
				Message: name + " is not an Edge Transport server of the inventory any more. Select the Edge servers again."})
		}
	}
	if len(c.edges) == 0 {
		fs = append(fs, steps.Finding{Code: CodeNoEdges, Severity: steps.Error, Fix: []string{QEdges},
			Message: "Select at least one Edge Transport server to subscribe."})
	}
	if !c.hasMailbox {
		fs = append(fs, steps.Finding{Code: CodeNoMailbox, Severity: steps.Error, Fix: []string{QMailbox},
			Message: "Choose the Mailbox server the subscription files are imported on."})
	}
	for _, e := range c.edges {
		if _, ok := c.connectors[e.Name]; !ok {
			fs = append(fs, steps.Finding{Code: CodeNoConnector, Severity: steps.Error, Fix: []string{QConnectors}, Servers: []string{string(e.Name)},
				Message: "Receive connectors: give " + string(e.Name) + "'s internet-facing connector, as in " + string(e.Name) + `\` + DefaultConnector(e.Name) + "."})
		}
		if ad := in.Topology.Facts.ADDomain; ad != "" && strings.HasSuffix(string(e.FQDN), "."+string(ad)) {
			fs = append(fs, steps.Finding{Code: CodeEdgeNotPerimeter, Severity: steps.Warning, Servers: []string{string(e.Name)},
				Message: string(e.Name) + "'s name " + string(e.FQDN) + " is in the internal domain " + string(ad) + ". An Edge Transport server belongs in the perimeter network and must not be a member of the domain. Correct the servers page, or accept it with a reason."})
		}
	}
	if c.requireTLS {
		fs = append(fs, steps.Finding{Code: CodeRequireTLS, Severity: steps.Warning, Fix: []string{QRequireTLS},
			Message: "The Edge servers will refuse mail from every internet server that does not start TLS, and that mail bounces back to its senders. Choose no (TLS stays offered to all), or accept it with a reason."})
	}
	if c.mx == "" {
		fs = append(fs, steps.Finding{Code: CodeNoMXHost, Severity: steps.Error,
			Message: "The servers page gives no MX host, which the outside test connects to. Enter it there."})
	}
	return fs
}

func script(c config, e steps.Server) psapply.Script {
	con := c.connectors[e.Name]
	scope := []psapply.Param{{Name: "Identity", Value: psapply.Text(con.String())}}
	sc := psapply.Script{Procedure: ID, Server: e, Prefix: FilePrefix,
		Purpose: "Makes the internet-facing receive connector of the Edge Transport server " + string(e.Name) + " offer TLS."}
	sc.Settings = append(sc.Settings, psapply.Setting{Noun: "ReceiveConnector", Scope: scope, Property: "AuthMechanism", Value: psapply.Text(authMechanisms),
		What: "TLS offered to every sender, and Exchange server authentication kept for the subscribed Mailbox servers."})
	if c.requireTLS {
		sc.Settings = append(sc.Settings, psapply.Setting{Noun: "ReceiveConnector", Scope: scope, Property: "RequireTLS", Value: psapply.Bool(true),
			What: "Mail is refused from a sender that has not started TLS."})
	}
	return sc
}

func subscriptionFile(e steps.Server) string { return `C:\EdgeSubscription\` + string(e.Name) + `.xml` }

func plan(in steps.Input) []steps.Action {
	c := load(in)
	if !c.hasMailbox {
		return nil
	}
	mbx := string(c.mailbox.Name)
	// With two Edge servers or more, every subscription's import is
	// evidence for each Edge server's redundancy rules: one failed import
	// leaves them open on all.
	var redundancy []steps.ControlRef
	if len(c.edges) >= 2 {
		for _, e := range c.edges {
			redundancy = append(redundancy,
				steps.ControlRef{Control: stig.EdgeSubscriptions, Server: string(e.Name)},
				steps.ControlRef{Control: stig.EdgeRedundancy, Server: string(e.Name)})
		}
	}
	var mbxAddrs []string
	for _, s := range in.Topology.WithRole(steps.RoleMailbox) {
		for _, a := range s.Addrs {
			mbxAddrs = append(mbxAddrs, a.String())
		}
	}
	var as []steps.Action
	for _, e := range c.edges {
		name := string(e.Name)
		low := strings.ToLower(name)
		var edgeAddrs []string
		for _, a := range e.Addrs {
			edgeAddrs = append(edgeAddrs, a.String())
		}
		file := subscriptionFile(e)
		as = append(as, steps.Action{
			ID: "edge-firewall-" + low, Phase: steps.PhasePrerequisites, Target: name,
			Title: "Open the firewall between " + name + " and the Mailbox servers",
			Do: []string{
				"On the firewall between the internal network and the perimeter network, allow TCP 50636 (EdgeSync, LDAP over TLS) from the Mailbox servers (" + strings.Join(mbxAddrs, ", ") + ") to " + name + " (" + strings.Join(edgeAddrs, ", ") + ").",
				"Allow TCP 25 (SMTP) from the Mailbox servers to " + name + " and from " + name + " to the Mailbox servers, for mail both ways.",
				"On the internet-facing firewall, allow TCP 25 from the internet to " + name + " only, and from " + name + " to the internet; no outside address reaches a Mailbox server.",
				"Make sure " + name + " resolves the Mailbox servers' names and they resolve " + string(e.FQDN) + " (a perimeter DNS zone or hosts entries).",
			},
			Expect:  "From " + mbx + ", Test-NetConnection -ComputerName " + string(e.FQDN) + " -Port 50636 and -Port 25 both report TcpTestSucceeded True once the Edge is installed.",
			Verify:  "The firewall's rule list shows exactly these rules for " + name + "; nothing else reaches the internal network from it.",
			Backout: "Remove the rules again; mail from the internet then stops at the firewall.",
		})
		as = append(as, steps.Action{
			ID: "edge-subscribe-" + low, Phase: steps.PhaseSMTP, Target: name,
			Title: "Write the Edge subscription file on " + name,
			Do: []string{
				"On " + string(e.FQDN) + ", open the Exchange Management Shell as a local administrator.",
				"Run: New-Item -ItemType Directory -Path C:\\EdgeSubscription -Force",
				"Run: New-EdgeSubscription -FileName '" + file + "'. It warns that settings made by hand on the Edge (accepted domains, send connectors) are replaced by EdgeSync; answer Yes.",
				"Copy " + file + " to " + mbx + " over a protected path (the administrative share or an encrypted copy), into C:\\EdgeSubscription. Import it within 24 hours: its bootstrap account expires then.",
			},
			Expect:  "The command returns without an error and " + file + " exists.",
			Verify:  "Get-EdgeSubscription on " + name + " is empty until the import; the file opens as XML with an EdgeServerName of " + name + ".",
			Backout: "Delete the file on both servers; nothing was changed on the Mailbox servers yet.",
		})
		as = append(as, steps.Action{
			ID: "edge-import-" + low, Phase: steps.PhaseSMTP, Target: mbx,
			Title: "Import " + name + "'s subscription on " + mbx,
			Do: []string{
				"On " + string(c.mailbox.FQDN) + ", open the Exchange Management Shell as a member of Organization Management.",
				"Run: New-EdgeSubscription -FileData ([System.IO.File]::ReadAllBytes('" + file + "')) -Site '" + string(c.site) + "'",
				"Run: Start-EdgeSynchronization -Server " + mbx + " -ForceFullSync -TargetServer " + name,
				"Delete " + file + " on both servers once the import succeeded: it holds the bootstrap account's credentials.",
			},
			Expect:   "New-EdgeSubscription returns the subscription for " + name + " in site " + string(c.site) + "; Start-EdgeSynchronization reports Result Success for " + name + ".",
			Verify:   "Run: Test-EdgeSynchronization -TargetServer " + name + " on " + mbx + ": SyncStatus Normal and no object out of sync. Get-SendConnector then lists EdgeSync - " + string(c.site) + " to Internet and EdgeSync - Inbound to " + string(c.site) + ".",
			Backout:  "Run Remove-EdgeSubscription -Identity " + name + " on " + mbx + " and on " + name + "; the EdgeSync send connectors go with it, and mail from the internet stops reaching the organisation through " + name + ".",
			Controls: redundancy,
		})
		sc := script(c, e)
		as = append(as, steps.Action{
			ID: "edge-tls-" + low, Phase: steps.PhaseSMTP, Target: name,
			Title: "Offer TLS to internet senders on " + name,
			Do: []string{
				"On " + string(e.FQDN) + ", open the Exchange Management Shell as a local administrator and go to this server's folder of the bundle.",
				"Run .\\" + sc.ApplyName() + " -Prerequisites: it checks the computer, the Exchange build and the Edge role, and changes nothing.",
				"Run .\\" + sc.ApplyName() + " -WhatIf and compare what it would change with this step; then run .\\" + sc.ApplyName() + ".",
			},
			Script:  sc.ApplyName(),
			Expect:  sc.ApplyName() + " saves " + sc.CaptureName() + ", sets " + c.connectors[e.Name].String() + " and ends with \"All checks passed.\" from " + sc.VerifyName() + ". No service restarts.",
			Verify:  "Get-ReceiveConnector -Identity '" + c.connectors[e.Name].String() + "' | Format-List AuthMechanism,RequireTLS shows the values of this step.",
			Backout: "Run .\\" + sc.BackoutName() + " from the bundle's backout folder: it puts each setting back as " + sc.CaptureName() + " recorded it.",
		})
	}
	if c.mx != "" && len(c.edges) > 0 {
		mx := string(c.mx)
		as = append(as, steps.Action{
			ID: "edge-outside-test", Phase: steps.PhaseSMTP, Target: string(c.edges[0].Name),
			Title: "Test " + mx + " from outside",
			Do: []string{
				"From a computer on the internet, connect to " + mx + " port 25 (Test-NetConnection, or telnet " + mx + " 25).",
				"Send EHLO probe.example.net: the list of extensions includes STARTTLS.",
				"Send MAIL FROM:<probe@example.net> and RCPT TO:<probe@example.org>: the outside recipient is refused, because the Edge does not relay.",
				"Send QUIT.",
			},
			Probe:   &steps.Probe{Kind: steps.ProbeSMTP, Host: mx, Port: 25, Name: mx, STARTTLS: true, OutsideFrom: "probe@example.net", OutsideTo: "probe@example.org"},
			Expect:  "The greeting (220) comes from an Edge Transport server, STARTTLS is offered, and the outside recipient is refused with 550 5.7.54 (or 5.7.1).",
			Verify:  "Send a message from an outside mailbox to a user: it arrives, and its headers show it passed the Edge server with TLS.",
			Backout: "Nothing to undo: the conversation ends before DATA. If the outside recipient was accepted, close port 25 at the firewall until the Edge's connectors are corrected.",
		})
	}
	return as
}

func files(in steps.Input) ([]steps.File, error) {
	if _, bad := steps.Reparse(ID, pages, in); len(bad) > 0 {
		return nil, errors.New(bad[0].Message)
	}
	c := load(in)
	if len(c.bad) > 0 {
		return nil, errors.New(c.bad[0].Message)
	}
	var out []steps.File
	for _, e := range c.edges {
		if _, ok := c.connectors[e.Name]; !ok {
			return nil, fmt.Errorf("%s has no receive connector named", e.Name)
		}
		fs, err := script(c, e).Files(in)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	if len(out) == 0 {
		return nil, errors.New("no Edge Transport server selected")
	}
	return out, nil
}
