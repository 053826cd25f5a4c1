// Package relayconnector is the current platform's counterpart of the
// guide's SMTP relay restrictions: a receive connector of its own, on the
// Frontend Transport service of chosen Mailbox servers, through which
// only the listed applications and devices may send mail to any
// recipient.
package relayconnector

import (
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/psapply"
	"github.com/secex/wizard/steps/stig"
)

// ID is the procedure's stable identifier.
const ID = "current-relay-connector"

// Replaces lists the guide's procedures this one stands for.
var Replaces = []string{"smtp-relay"}

// Question IDs.
const (
	QServers   = "servers"        // Mailbox servers that get the connector
	QName      = "connector-name" // the connector's name
	QClients   = "relay-clients"  // RemoteIPRanges
	QAccess    = "access"         // AccessAnonymous or AccessAuthenticated
	QBinding   = "binding"        // BindAll or BindDedicated
	QAddresses = "addresses"      // the dedicated address of each server
	QPort      = "port"           // the port the connector listens on
)

// How relay clients are let in.
const (
	AccessAnonymous     = "anonymous"
	AccessAuthenticated = "authenticated"
)

// Where the connector listens.
const (
	BindDedicated = "dedicated"
	BindAll       = "all"
)

// FilePrefix names the files: relay-connector-apply.ps1 and so on.
const FilePrefix = "relay-connector"

// AnonymousLogon is the account Exchange gives an unauthenticated SMTP
// session, and AcceptAnyRecipient the extended right that lets a session
// send to recipients outside the organisation.
const (
	AnonymousLogon     = `NT AUTHORITY\ANONYMOUS LOGON`
	AcceptAnyRecipient = "Ms-Exch-SMTP-Accept-Any-Recipient"
)

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Platform: steps.PlatformCurrent,
	Title:    "Give relaying applications and devices a connector of their own",
	Section:  "Current platform, for the guide's \u201cRestricting SMTP relay\u201d",
	Summary:  "Create a receive connector on the Frontend Transport service of chosen Mailbox servers that only the listed application and device addresses reach, and let exactly those relay.",
	Rationale: []string{
		"The guide closed the SMTP virtual server's relay to everyone but a list of computers. Exchange Server 2019 and SE never relay for an anonymous sender on their default connectors; scanners, monitoring systems and line-of-business applications that must send to outside addresses get a receive connector of their own instead, scoped to their addresses by RemoteIPRanges.",
		"Microsoft documents two ways to let them relay: anonymously, where the connector admits anonymous sessions and the anonymous account is given the right to send to any recipient, for devices that cannot sign in; or authenticated, where each client signs in over TLS with an account, and a session of an Exchange user may send to any recipient. Both are offered here; the second is the stronger and what the DISA STIG prefers.",
		"A dedicated address on each server keeps the connector apart from the Default Frontend connector, which every other sender on port 25 keeps reaching.",
	},
	Notes: []string{
		"RemoteIPRanges is only as good as the network: anyone who can use a listed address can relay. List single addresses where possible, and keep the relay clients' network filtered.",
		"Mail relayed anonymously carries no sender authentication: Exchange accepts whatever sender address the device gives. Use the authenticated way wherever the client supports it.",
		"The dedicated address must be configured on the server's network adapter first; this procedure does not add it.",
		"Authenticated relay starts TLS with a certificate enabled for SMTP on the server; devices that check it need its name (the connector's FQDN, the server's name by default) to match the name they connect to.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleMailbox)) == 0 {
		return false, "No server has the role " + steps.RoleMailbox.Label() + ". The relay connector runs on the Mailbox servers' Frontend Transport service, so add them to the servers page first."
	}
	return true, ""
}

var pages = []steps.Page{
	{
		ID:    "connector",
		Title: "The relay connector",
		Questions: []steps.Question{
			{ID: QServers, Label: "Mailbox servers the applications and devices send through", Kind: steps.KindServers, Role: steps.RoleMailbox, DefaultFrom: allMailbox},
			{ID: QName, Label: "Name of the connector", Kind: steps.KindObjectName, Default: "Relay for applications",
				Hint: "Made on each server; its identity is SERVER\\name."},
			{ID: QClients, Label: "Addresses of the applications and devices that relay (one a line)", Kind: steps.KindList, Item: parseRemoteLine, MaxItems: 200,
				Hint: "An address (10.10.5.20), a network (10.10.5.0/28) or a range (10.10.5.20-10.10.5.29). Only these reach the connector; keep the list as short as the devices."},
		},
	},
	{
		ID:    "access",
		Title: "How relay clients are admitted",
		Questions: []steps.Question{
			{ID: QAccess, Label: "How do the applications and devices send?", Kind: steps.KindChoice, Default: AccessAuthenticated, Choices: []steps.Choice{
				{Value: AccessAuthenticated, Label: "They sign in with an account, over TLS", Hint: "The connector accepts only authenticated Exchange users (TLS, then Basic authentication inside TLS); an Exchange user's session may send to any recipient. The DISA STIG's preferred way."},
				{Value: AccessAnonymous, Label: "They cannot sign in: relay anonymously from the listed addresses", Hint: "Microsoft's documented anonymous relay: the connector admits anonymous sessions and ANONYMOUS LOGON gets Ms-Exch-SMTP-Accept-Any-Recipient on it. The DISA STIG counts it as a finding."},
			}},
		},
	},
	{
		ID:    "binding",
		Title: "Where the connector listens",
		Questions: []steps.Question{
			{ID: QBinding, Label: "Which address of each server does the connector listen on?", Kind: steps.KindChoice, Default: BindDedicated, Choices: []steps.Choice{
				{Value: BindDedicated, Label: "A dedicated address of each server", Hint: "Best: the relay clients are pointed at it, and it cannot be confused with the Default Frontend connector."},
				{Value: BindAll, Label: "All of the server's addresses (0.0.0.0)", Hint: "Works, because the more specific RemoteIPRanges win over the Default Frontend connector's, but a mistake in the list affects the main connector's port."},
			}},
			{ID: QPort, Label: "Port", Kind: steps.KindNumber, Min: 1, Max: 65535, Default: "25"},
		},
	},
	{
		ID:    "addresses",
		Title: "Dedicated addresses",
		When:  func(a steps.Answers) bool { return a.Is(QBinding, BindDedicated) },
		Questions: []steps.Question{
			{ID: QAddresses, Label: "The dedicated address of each server (one a line)", Kind: steps.KindList, Item: parseAddress, MaxItems: 50, DefaultFrom: firstAddrs,
				Hint: "One of the addresses the servers page lists for each selected server, one per server."},
		},
	},
}

func allMailbox(t steps.Topology, _ steps.Answers) string {
	var names []string
	for _, s := range t.WithRole(steps.RoleMailbox) {
		names = append(names, string(s.Name))
	}
	return strings.Join(names, "\n")
}

// firstAddrs proposes each selected server's last listed address, the
// one most often added for a service.
func firstAddrs(t steps.Topology, a steps.Answers) string {
	var out []string
	for _, name := range a.Values(QServers) {
		if s, ok := t.Server(name); ok && len(s.Addrs) > 0 {
			out = append(out, s.Addrs[len(s.Addrs)-1].String())
		}
	}
	return strings.Join(out, "\n")
}

func parseAddress(s string) (string, error) {
	a, err := steps.ParseIPv4(s)
	if err != nil {
		return "", fmt.Errorf("dedicated addresses: %w", err)
	}
	return a.String(), nil
}

// config is the answers as the plan uses them.
type config struct {
	servers []steps.Server
	name    string
	clients []RemoteRange
	access  string
	binding string
	port    int
	bind    map[steps.NetBIOSName]netip.Addr
	bad     []steps.Finding
}

func load(in steps.Input) config {
	a := in.Of(ID)
	c := config{name: strings.TrimSpace(a[QName]), access: a[QAccess], binding: a[QBinding], bind: map[steps.NetBIOSName]netip.Addr{}}
	for _, name := range a.Values(QServers) {
		if s, ok := in.Topology.Server(name); ok && s.Has(steps.RoleMailbox) {
			c.servers = append(c.servers, s)
		}
	}
	if _, err := steps.ParseObjectName(c.name); err != nil {
		c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QName},
			Message: fmt.Sprintf("Name of the connector: %v.", err)})
	}
	for _, v := range a.Values(QClients) {
		r, err := ParseRemoteRange(v)
		if err != nil {
			code := CodeBadValue
			if r.text != "" {
				code = CodeOpenRelay
			}
			c.bad = append(c.bad, steps.Finding{Code: code, Severity: steps.Error, Fix: []string{QClients},
				Message: fmt.Sprintf("Relay clients: %q is refused: %v.", v, err)})
			continue
		}
		if !slices.ContainsFunc(c.clients, func(o RemoteRange) bool { return o.text == r.text }) {
			c.clients = append(c.clients, r)
		}
	}
	port, err := strconv.Atoi(a[QPort])
	if err != nil || port < 1 || port > 65535 {
		c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QPort},
			Message: fmt.Sprintf("Port: %q is not a port number from 1 to 65535.", a[QPort])})
	}
	c.port = port
	// The addresses are judged against the servers chosen; without any,
	// the missing servers are the finding.
	if c.binding == BindDedicated && len(c.servers) > 0 {
		for _, v := range a.Values(QAddresses) {
			addr, err := steps.ParseIPv4(v)
			if err != nil {
				c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QAddresses},
					Message: fmt.Sprintf("Dedicated addresses: %q is refused: %v.", v, err)})
				continue
			}
			owner, ok := ownerOf(c.servers, addr)
			if !ok {
				c.bad = append(c.bad, steps.Finding{Code: CodeAddressNotOwned, Severity: steps.Error, Fix: []string{QAddresses},
					Message: "Dedicated addresses: " + addr.String() + " is not an address of any selected server on the servers page. Add it to the server there first, or correct the line."})
				continue
			}
			if prev, dup := c.bind[owner.Name]; dup && prev != addr {
				c.bad = append(c.bad, steps.Finding{Code: CodeTwoAddresses, Severity: steps.Error, Fix: []string{QAddresses}, Servers: []string{string(owner.Name)},
					Message: "Dedicated addresses: " + string(owner.Name) + " has two (" + prev.String() + " and " + addr.String() + "); give one per server."})
				continue
			}
			c.bind[owner.Name] = addr
		}
	}
	return c
}

func ownerOf(servers []steps.Server, a netip.Addr) (steps.Server, bool) {
	for _, s := range servers {
		if slices.Contains(s.Addrs, a) {
			return s, true
		}
	}
	return steps.Server{}, false
}

// Finding codes.
const (
	CodeBadValue        = "value-refused"
	CodeOpenRelay       = "open-relay"
	CodeNoServers       = "no-servers"
	CodeServerMissing   = "server-missing"
	CodeNoClients       = "no-relay-clients"
	CodeAccessUnknown   = "access-unknown"
	CodeAnonymousRelay  = "anonymous-relay"
	CodePublicClients   = "relay-clients-public"
	CodeBindingUnknown  = "binding-unknown"
	CodeAddressNotOwned = "address-not-on-server"
	CodeTwoAddresses    = "two-addresses"
	CodeNoAddress       = "server-without-address"
	CodeSharedBinding   = "listens-on-all-addresses"
)

func check(in steps.Input) []steps.Finding {
	a := in.Of(ID)
	c := load(in)
	fs := append([]steps.Finding{}, c.bad...)
	for _, name := range a.Values(QServers) {
		if s, ok := in.Topology.Server(name); !ok || !s.Has(steps.RoleMailbox) {
			fs = append(fs, steps.Finding{Code: CodeServerMissing, Severity: steps.Error, Fix: []string{QServers},
				Message: name + " is not a Mailbox server of the inventory any more. Select the Mailbox servers again."})
		}
	}
	if len(c.servers) == 0 {
		fs = append(fs, steps.Finding{Code: CodeNoServers, Severity: steps.Error, Fix: []string{QServers},
			Message: "Select at least one Mailbox server for the relay connector."})
	}
	if len(c.clients) == 0 && !slices.ContainsFunc(c.bad, func(f steps.Finding) bool { return f.Fix[0] == QClients }) {
		fs = append(fs, steps.Finding{Code: CodeNoClients, Severity: steps.Error, Fix: []string{QClients},
			Message: "List at least one application or device address: a relay connector without RemoteIPRanges would take every address."})
	}
	var public []string
	for _, r := range c.clients {
		if !r.Private() {
			public = append(public, r.text)
		}
	}
	if len(public) > 0 {
		fs = append(fs, steps.Finding{Code: CodePublicClients, Severity: steps.Warning, Fix: []string{QClients},
			Message: "Relay clients: " + strings.Join(public, ", ") + " lie outside the private networks (10/8, 172.16/12, 192.168/16). Anyone on the internet who can use such an address could relay through the organisation. Correct the list, or accept it with a reason (for example, the organisation's own public range, filtered at the firewall)."})
	}
	switch c.access {
	case AccessAnonymous:
		fs = append(fs, steps.Finding{Code: CodeAnonymousRelay, Severity: steps.Warning, Fix: []string{QAccess},
			Message: "Microsoft documents anonymous relay for devices that cannot sign in: the connector admits anonymous sessions from the listed addresses and ANONYMOUS LOGON is given " + AcceptAnyRecipient + ". The DISA Exchange 2019 Mailbox Server STIG (V-259687) counts any receive connector that admits anonymous senders as a finding and prefers relay clients that authenticate; the server's checklist will show the rule as open, with the reason given here. Choose the authenticated way, or accept it with a reason naming the devices that cannot sign in."})
	case AccessAuthenticated:
	default:
		fs = append(fs, steps.Finding{Code: CodeAccessUnknown, Severity: steps.Error, Fix: []string{QAccess},
			Message: "Choose how the applications and devices are admitted."})
	}
	switch c.binding {
	case BindDedicated:
		for _, s := range c.servers {
			if _, ok := c.bind[s.Name]; !ok {
				fs = append(fs, steps.Finding{Code: CodeNoAddress, Severity: steps.Error, Fix: []string{QAddresses}, Servers: []string{string(s.Name)},
					Message: "Dedicated addresses: give one of " + string(s.Name) + "'s addresses, or choose all addresses."})
			}
		}
	case BindAll:
		fs = append(fs, steps.Finding{Code: CodeSharedBinding, Severity: steps.Warning, Fix: []string{QBinding},
			Message: "The connector listens on every address of the servers, beside the Default Frontend connector; Exchange picks the relay connector for the listed addresses only because its ranges are more specific. Choose a dedicated address, or accept it with a reason."})
	default:
		fs = append(fs, steps.Finding{Code: CodeBindingUnknown, Severity: steps.Error, Fix: []string{QBinding},
			Message: "Choose the address the connector listens on."})
	}
	return fs
}

// script is one server's connector.
func script(c config, s steps.Server) psapply.Script {
	bind := "0.0.0.0"
	if c.binding == BindDedicated {
		bind = c.bind[s.Name].String()
	}
	var ranges []string
	for _, r := range c.clients {
		ranges = append(ranges, r.text)
	}
	groups := "ExchangeUsers"
	if c.access == AccessAnonymous {
		groups = "AnonymousUsers"
	}
	params := []psapply.Param{
		{Name: "Name", Value: psapply.Text(c.name)},
		{Name: "Server", Value: psapply.Text(string(s.Name))},
		{Name: "TransportRole", Value: psapply.Text("FrontendTransport")},
		{Name: "Usage", Value: psapply.Text("Custom")},
		{Name: "Bindings", Value: psapply.List(bind + ":" + strconv.Itoa(c.port))},
		{Name: "RemoteIPRanges", Value: psapply.List(ranges...)},
		{Name: "PermissionGroups", Value: psapply.Text(groups)},
	}
	checks := []psapply.Check{
		{Property: "RemoteIPRanges", Value: psapply.List(ranges...)},
		{Property: "PermissionGroups", Value: psapply.Text(groups)},
		{Property: "TransportRole", Value: psapply.Text("FrontendTransport")},
	}
	o := psapply.Object{Noun: "ReceiveConnector", Identity: string(s.Name) + `\` + c.name, Params: params, Checks: checks}
	if c.access == AccessAnonymous {
		o.What = "Admits anonymous sessions from the listed addresses only, and lets them send to any recipient."
		o.Refs = []steps.ControlRef{{Control: stig.AnonymousReceive, Deviation: ID + "/" + CodeAnonymousRelay}}
		o.Then = []psapply.Command{{Cmdlet: "Add-ADPermission", Params: []psapply.Param{
			{Name: "User", Value: psapply.Text(AnonymousLogon)},
			{Name: "ExtendedRights", Value: psapply.Text(AcceptAnyRecipient)},
		}}}
	} else {
		o.What = "Admits only Exchange users who sign in over TLS from the listed addresses; their sessions may send to any recipient."
		o.Params = append(o.Params, psapply.Param{Name: "AuthMechanism", Value: psapply.Text(authMechanisms)})
		o.Checks = append(o.Checks, psapply.Check{Property: "AuthMechanism", Value: psapply.Text(authMechanisms)})
	}
	return psapply.Script{Procedure: ID, Server: s, Prefix: FilePrefix, Objects: []psapply.Object{o},
		Purpose: "Creates the relay connector " + c.name + " on the Frontend Transport service of " + string(s.Name) + "."}
}

// authMechanisms is TLS with Basic authentication allowed only inside
// it, as the flags value prints.
const authMechanisms = "Tls, BasicAuth, BasicAuthRequireTLS"

func plan(in steps.Input) []steps.Action {
	c := load(in)
	var as []steps.Action
	for _, s := range c.servers {
		sc := script(c, s)
		name := string(s.Name)
		bind := "any of its addresses"
		if a, ok := c.bind[s.Name]; ok {
			bind = a.String()
		}
		test := "From one of the listed devices, send a test message to an outside address through " + bind + " port " + strconv.Itoa(c.port)
		if c.access == AccessAuthenticated {
			test += ", signing in with the device's account"
		}
		test += ": it is delivered. From a computer whose address is not listed, the same attempt to an outside address is refused (550 5.7.54 or 5.7.1)."
		as = append(as, steps.Action{
			ID: "relay-connector-" + strings.ToLower(name), Phase: steps.PhaseSMTP, Target: name,
			Title: "Create the relay connector on " + name,
			Do: []string{
				"On " + string(s.FQDN) + ", open the Exchange Management Shell as a member of Organization Management and go to this server's folder of the bundle.",
				"Run .\\" + sc.ApplyName() + " -Prerequisites: it checks the computer, the Exchange build and the role, and changes nothing.",
				"Run .\\" + sc.ApplyName() + " -WhatIf and compare what it would create with this step; then run .\\" + sc.ApplyName() + ".",
				"Point the applications and devices at " + bind + " port " + strconv.Itoa(c.port) + ".",
			},
			Script:   sc.ApplyName(),
			Expect:   sc.ApplyName() + " creates " + sc.Objects[0].Identity + " and ends with \"All checks passed.\" from " + sc.VerifyName() + ". The Frontend Transport service picks the connector up without a restart.",
			Verify:   test,
			Backout:  "Run .\\" + sc.BackoutName() + " from the bundle's backout folder: it removes the connector it created, and its permissions with it. Devices fall back to being refused relay.",
			Controls: sc.Controls(),
		})
	}
	return as
}

// files refuses, as generation does everywhere, any saved answer that no
// longer parses.
func files(in steps.Input) ([]steps.File, error) {
	if _, bad := steps.Reparse(ID, pages, in); len(bad) > 0 {
		return nil, errors.New(bad[0].Message)
	}
	c := load(in)
	if len(c.bad) > 0 {
		return nil, errors.New(c.bad[0].Message)
	}
	if len(c.servers) == 0 || len(c.clients) == 0 {
		return nil, errors.New("no server or no relay client for the relay connector")
	}
	var out []steps.File
	for _, s := range c.servers {
		if c.binding == BindDedicated {
			if _, ok := c.bind[s.Name]; !ok {
				return nil, fmt.Errorf("%s has no dedicated address", s.Name)
			}
		}
		fs, err := script(c, s).Files(in)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}
