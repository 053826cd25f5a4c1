// Package extendedprotection is the current platform's counterpart of the
// guide's IPSec between the OWA front-end and back-end servers: the hop
// is gone, and what protects the connections to and between Exchange
// Server 2019 and SE is TLS with Windows Extended Protection, checked on
// each Mailbox server; IPsec server isolation between the Mailbox servers
// remains an option.
package extendedprotection

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/psapply"
)

// ID is the procedure's stable identifier.
const ID = "current-extended-protection"

// Replaces lists the guide's procedures this one stands for.
var Replaces = []string{"owa-ipsec"}

// Question IDs.
const (
	QServers  = "servers"    // Mailbox servers checked
	QProxy    = "proxy-tls"  // how the reverse proxy passes HTTPS on
	QIPsec    = "ipsec"      // add IPsec server isolation between the Mailbox servers
	QRuleName = "ipsec-rule" // the IPsec rule's name
)

// How a reverse proxy or load balancer in front of the Mailbox servers
// handles TLS.
const (
	ProxyNone        = "none"
	ProxyPassthrough = "passthrough"
	ProxyReencrypt   = "reencrypt"
	ProxyOffload     = "offload"
)

// FilePrefix names the IPsec files: server-isolation-apply.ps1 and so on.
const FilePrefix = "server-isolation"

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Platform: steps.PlatformCurrent,
	Title:    "Protect connections to and between the Mailbox servers with TLS and Extended Protection",
	Section:  "Current platform, for the guide's \u201cUsing IPSec between the front-end and back-end servers\u201d",
	Summary:  "Check that Extended Protection is on for every Mailbox server's web services, that nothing in front of them ends TLS, and optionally require IPsec between the Mailbox servers.",
	Rationale: []string{
		"The guide encrypted the plain HTTP between its OWA front-end and back-end servers with IPSec, because the front end ended SSL. Exchange Server 2019 and SE have no such hop in clear text: the Client Access services on each Mailbox server take the client's TLS connection and proxy it to the server holding the mailbox over TLS again.",
		"What an attacker in the network can still try is to relay a user's authentication to an Exchange server. Windows Extended Protection stops it by binding Windows authentication to the TLS channel it came in on (a channel binding token). Exchange Server 2019 CU14 and later, and Exchange Server SE, turn it on by default in IIS for Exchange's virtual directories; this procedure checks that it is still on.",
		"Extended Protection works only when the TLS connection runs from the client to Exchange: a reverse proxy or load balancer may pass TLS through or end it and open a new TLS connection to Exchange, but must not end TLS and pass plain HTTP on.",
		"Where policy asks for more between the servers themselves (replication of a database availability group, proxying between sites), IPsec server isolation can require authenticated, protected traffic between the Mailbox servers, the guide's measure applied to today's hop.",
	},
	Notes: []string{
		"Microsoft's support of Extended Protection has limits it publishes and updates: among them TLS offloading, a re-encrypting device that presents a different certificate from the Exchange servers', and some hybrid configurations. Read Microsoft's Extended Protection page for Exchange before turning it off anywhere.",
		"Extended Protection needs NTLMv2 from clients (LmCompatibilityLevel 3 or higher on Windows, the default today); older settings make sign-in fail.",
		"IPsec isolation as planned here uses the default authentication of Windows Firewall, Kerberos between domain computers. The Mailbox servers refuse unprotected traffic from each other as soon as each has its rule, so the rules are applied one server after the other within minutes.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleMailbox)) == 0 {
		return false, "No server has the role " + steps.RoleMailbox.Label() + ". Extended Protection is checked on the Mailbox servers, so add them to the servers page first."
	}
	return true, ""
}

var pages = []steps.Page{
	{
		ID:    "servers",
		Title: "Mailbox servers and what is in front of them",
		Questions: []steps.Question{
			{ID: QServers, Label: "Mailbox servers to check", Kind: steps.KindServers, Role: steps.RoleMailbox, DefaultFrom: allMailbox},
			{ID: QProxy, Label: "How does the reverse proxy or load balancer in front of the Mailbox servers handle HTTPS?", Kind: steps.KindChoice, DefaultFrom: defaultProxy, Choices: []steps.Choice{
				{Value: ProxyNone, Label: "There is none: clients reach the Mailbox servers directly"},
				{Value: ProxyPassthrough, Label: "It passes TLS through unopened (layer 4)"},
				{Value: ProxyReencrypt, Label: "It ends TLS and opens a new TLS connection to Exchange with the same certificate (bridging)"},
				{Value: ProxyOffload, Label: "It ends TLS and passes plain HTTP to Exchange (offloading)", Hint: "Incompatible with Extended Protection."},
			}},
		},
	},
	{
		ID:    "ipsec",
		Title: "IPsec between the Mailbox servers",
		Questions: []steps.Question{
			{ID: QIPsec, Label: "Also require IPsec for all TCP traffic between the Mailbox servers?", Kind: steps.KindYesNo, Default: "no",
				Hint: "A Windows Firewall connection security rule on each server, naming the others' addresses. Traffic with clients, domain controllers and the Edge is not affected."},
			{ID: QRuleName, Label: "Name of the IPsec rule", Kind: steps.KindObjectName, Default: "Exchange-Mailbox-Isolation", Optional: true},
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

func defaultProxy(t steps.Topology, _ steps.Answers) string {
	if len(t.WithRole(steps.RoleProxy)) > 0 {
		return ProxyReencrypt
	}
	return ProxyNone
}

type config struct {
	servers []steps.Server
	proxy   string
	ipsec   bool
	rule    string
	bad     []steps.Finding
}

func load(in steps.Input) config {
	a := in.Of(ID)
	c := config{proxy: a[QProxy], ipsec: a.Is(QIPsec, "yes"), rule: strings.TrimSpace(a[QRuleName])}
	for _, name := range a.Values(QServers) {
		if s, ok := in.Topology.Server(name); ok && s.Has(steps.RoleMailbox) {
			c.servers = append(c.servers, s)
		}
	}
	if c.ipsec {
		if _, err := steps.ParseObjectName(c.rule); err != nil {
			c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QRuleName},
				Message: fmt.Sprintf("Name of the IPsec rule: %v.", err)})
		}
	}
	return c
}

// Finding codes.
const (
	CodeBadValue      = "value-refused"
	CodeNoServers     = "no-servers"
	CodeServerMissing = "server-missing"
	CodeProxyUnknown  = "proxy-unknown"
	CodeOffload       = "tls-offloading"
	CodeProxyMissing  = "proxy-not-in-inventory"
	CodeProxyIgnored  = "proxy-said-none"
	CodeIPsecAlone    = "ipsec-one-server"
	CodeNoAddress     = "server-without-address"
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
			Message: "Select at least one Mailbox server to check."})
	}
	proxies := in.Topology.WithRole(steps.RoleProxy)
	var proxyNames []string
	for _, s := range proxies {
		proxyNames = append(proxyNames, string(s.Name))
	}
	switch c.proxy {
	case ProxyOffload:
		fs = append(fs, steps.Finding{Code: CodeOffload, Severity: steps.Error, Fix: []string{QProxy}, Servers: proxyNames,
			Message: "Extended Protection cannot work behind TLS offloading: the channel binding the client signs is that of its TLS connection to the proxy, which Exchange never sees, so Windows sign-in through the proxy fails. Make the proxy pass TLS through, or end it and re-encrypt to Exchange with the same certificate the Exchange servers use."})
	case ProxyNone:
		if len(proxies) > 0 {
			fs = append(fs, steps.Finding{Code: CodeProxyIgnored, Severity: steps.Error, Fix: []string{QProxy}, Servers: proxyNames,
				Message: "The servers page lists a reverse proxy (" + strings.Join(proxyNames, ", ") + "). Say how it passes HTTPS to the Mailbox servers."})
		}
	case ProxyPassthrough, ProxyReencrypt:
		if len(proxies) == 0 {
			fs = append(fs, steps.Finding{Code: CodeProxyMissing, Severity: steps.Warning, Fix: []string{QProxy},
				Message: "A reverse proxy or load balancer is named, but the servers page lists none. Add it there, or accept it with a reason (for example, a load balancer the team does not manage)."})
		}
	default:
		fs = append(fs, steps.Finding{Code: CodeProxyUnknown, Severity: steps.Error, Fix: []string{QProxy},
			Message: "Say how a reverse proxy or load balancer in front of the Mailbox servers handles HTTPS, or that there is none."})
	}
	if c.ipsec {
		if len(c.servers) < 2 {
			fs = append(fs, steps.Finding{Code: CodeIPsecAlone, Severity: steps.Error, Fix: []string{QIPsec, QServers},
				Message: "IPsec isolation protects traffic between Mailbox servers, so it needs at least two. Select more servers, or choose no."})
		}
		for _, s := range c.servers {
			if len(s.Addrs) == 0 {
				fs = append(fs, steps.Finding{Code: CodeNoAddress, Severity: steps.Error, Servers: []string{string(s.Name)},
					Message: string(s.Name) + " has no address on the servers page; the other servers' IPsec rules need it. Add it there."})
			}
		}
	}
	return fs
}

// script is server s's IPsec rule, naming the other servers' addresses.
func script(c config, s steps.Server) psapply.Script {
	var remote []string
	for _, o := range c.servers {
		if o.Name == s.Name {
			continue
		}
		for _, a := range o.Addrs {
			remote = append(remote, a.String())
		}
	}
	slices.Sort(remote)
	o := psapply.Object{Noun: "NetIPsecRule", Identity: c.rule, IdentityParam: "Name",
		Params: []psapply.Param{
			{Name: "Name", Value: psapply.Text(c.rule)},
			{Name: "DisplayName", Value: psapply.Text("Exchange Mailbox server isolation")},
			{Name: "Description", Value: psapply.Text("Requires IPsec for TCP from the other Mailbox servers and asks for it towards them.")},
			{Name: "InboundSecurity", Value: psapply.Text("Require")},
			{Name: "OutboundSecurity", Value: psapply.Text("Request")},
			{Name: "Protocol", Value: psapply.Text("TCP")},
			{Name: "RemoteAddress", Value: psapply.List(remote...)},
		},
		Checks: []psapply.Check{
			{Property: "InboundSecurity", Value: psapply.Text("Require")},
			{Property: "OutboundSecurity", Value: psapply.Text("Request")},
			{Property: "Enabled", Value: psapply.Text("True")},
		},
		What: "TCP from " + strings.Join(remote, ", ") + " must be IPsec-authenticated; TCP to them asks for it.",
	}
	return psapply.Script{Procedure: ID, Server: s, Prefix: FilePrefix, Objects: []psapply.Object{o},
		Purpose: "Requires IPsec for TCP between " + string(s.Name) + " and the other Mailbox servers."}
}

// Virtual directories whose Extended Protection the manual check reads:
// those of the front end (Default Web Site) and of the back end.
var vdirs = []string{
	"Default Web Site/OWA", "Default Web Site/ECP", "Default Web Site/EWS", "Default Web Site/mapi",
	"Default Web Site/Microsoft-Server-ActiveSync", "Default Web Site/Rpc",
	"Exchange Back End/OWA", "Exchange Back End/ECP", "Exchange Back End/EWS", "Exchange Back End/mapi/emsmdb",
}

func readCommand() string {
	var q []string
	for _, v := range vdirs {
		q = append(q, "'"+v+"'")
	}
	return "Import-Module WebAdministration; foreach ($v in " + strings.Join(q, ", ") + ") { $t = Get-WebConfigurationProperty -PSPath 'MACHINE/WEBROOT/APPHOST' -Location $v -Filter 'system.webServer/security/authentication/windowsAuthentication/extendedProtection' -Name 'tokenChecking'; $v + ': ' + $t }"
}

func plan(in steps.Input) []steps.Action {
	c := load(in)
	var as []steps.Action
	for _, s := range c.servers {
		name := string(s.Name)
		as = append(as, steps.Action{
			ID: "extended-protection-" + strings.ToLower(name), Phase: steps.PhaseTransport, Target: name,
			Title: "Check Extended Protection on " + name,
			Do: []string{
				"On " + string(s.FQDN) + ", open Windows PowerShell as an administrator. Nothing in this step changes the server.",
				"Run: " + readCommand(),
				"For the full picture, run Microsoft's ExchangeExtendedProtectionManagement.ps1 (from the CSS-Exchange releases) with -ShowExtendedProtection, or the Exchange Health Checker, which report Extended Protection for every virtual directory against Microsoft's recommended values.",
			},
			Expect:  "Each virtual directory shows Require or Allow (as Microsoft's table for it recommends); none shows None. The script or Health Checker reports Extended Protection as configured, with no virtual directory flagged.",
			Verify:  "From a domain computer, sign in to Outlook on the web at https://" + string(in.Topology.Facts.OWAHost) + in.Topology.Facts.OWAPath + " and open a mailbox in Outlook: both work. A sign-in prompt that keeps returning through the proxy points at TLS being ended in front of Exchange.",
			Backout: "Nothing to undo: the step only reads IIS's configuration. If a virtual directory shows None, turn Extended Protection on again with Microsoft's script rather than by hand.",
		})
	}
	if c.ipsec && len(c.servers) >= 2 {
		for _, s := range c.servers {
			sc := script(c, s)
			name := string(s.Name)
			as = append(as, steps.Action{
				ID: "server-isolation-" + strings.ToLower(name), Phase: steps.PhaseTransport, Target: name,
				Title: "Require IPsec between " + name + " and the other Mailbox servers",
				Do: []string{
					"On " + string(s.FQDN) + ", open the Exchange Management Shell as an administrator and go to this server's folder of the bundle. Apply the rule on every Mailbox server of this step one after the other, within minutes: until each partner has its rule, traffic from it is refused.",
					"Run .\\" + sc.ApplyName() + " -Prerequisites: it checks the computer, the Exchange build and the role, and changes nothing.",
					"Run .\\" + sc.ApplyName() + " -WhatIf and compare what it would create with this step; then run .\\" + sc.ApplyName() + ".",
				},
				Script:     sc.ApplyName(),
				Expect:     sc.ApplyName() + " creates the connection security rule " + c.rule + " and ends with \"All checks passed.\" from " + sc.VerifyName() + ".",
				Verify:     "Once every server has its rule, Get-NetIPsecMainModeSA and Get-NetIPsecQuickModeSA on " + name + " list security associations with the other Mailbox servers, and Get-MailboxDatabaseCopyStatus shows the copies healthy.",
				Backout:    "Run .\\" + sc.BackoutName() + " from the bundle's backout folder on each server: it removes the rule it created, and traffic between the servers flows without IPsec again.",
				Interrupts: "Traffic between Mailbox servers (database copies, proxying)",
				Minutes:    5,
			})
		}
	}
	return as
}

// files writes the IPsec scripts when asked for; the Extended Protection
// check is a manual, read-only step and has none.
func files(in steps.Input) ([]steps.File, error) {
	if _, bad := steps.Reparse(ID, pages, in); len(bad) > 0 {
		return nil, errors.New(bad[0].Message)
	}
	c := load(in)
	if len(c.bad) > 0 {
		return nil, errors.New(c.bad[0].Message)
	}
	if !c.ipsec {
		return nil, nil
	}
	if len(c.servers) < 2 {
		return nil, errors.New("IPsec isolation needs at least two Mailbox servers")
	}
	var out []steps.File
	for _, s := range c.servers {
		fs, err := script(c, s).Files(in)
		if err != nil {
			return nil, err
		}
		out = append(out, fs...)
	}
	return out, nil
}
