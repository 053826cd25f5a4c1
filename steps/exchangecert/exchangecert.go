// Package exchangecert is the current platform's counterpart of the
// guide's front-end certificate and the certificate part of its ISA
// Server SSL listener: each Mailbox server gets a certificate for its
// Exchange services (IIS and SMTP) from the organisation's AD CS issuing
// CA, with the names clients use. Either every server gets its own, or,
// when a reverse proxy re-encrypts to them, one certificate is requested
// on the first server, exported with its key and imported on the others,
// because Extended Protection needs the proxy and every server behind it
// to present the same certificate.
//
// Every step is manual. psapply sets properties and creates objects found
// again by a name the plan knows; an Exchange certificate is known by a
// thumbprint that exists only once the CA has signed the request, it is
// completed by a file that comes back from the CA, and enabling it is
// additive (Enable-ExchangeCertificate cannot take a service away again),
// so no apply, verify and backout triple could describe it honestly. The
// plan prints the exact commands instead, every typed value quoted.
package exchangecert

import (
	"errors"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script/powershell"
)

// ID is the procedure's stable identifier.
const ID = "current-exchange-certificate"

// Replaces lists the guide's procedures this one stands for; the reverse
// proxy's side of the SSL listener is the publishing procedure's.
var Replaces = []string{"owa-front-end-certificate", "isa-ssl-listener"}

// Question IDs.
const (
	QServers      = "servers"            // Mailbox servers that get a certificate
	QShared       = "shared-certificate" // one certificate for all of them
	QNames        = "names"              // DNS names every certificate carries
	QServerFQDN   = "server-fqdn"        // add each server's own FQDN
	QCountry      = "country"            // C= of the subject
	QOrganisation = "organisation"       // O= of the subject
	QTemplate     = "template"           // the CA's certificate template
	QKeySize      = "key-size"           // 2048 or 4096
	QExportable   = "key-exportable"     // PrivateKeyExportable
)

// Folder is where the request and the issued certificate are kept on each
// server and on the CA, and the shared certificate's exported .pfx on the
// server it is requested on.
const Folder = `C:\CertRequests`

// PFX is the file the shared certificate is exported to, with its
// private key, on the first selected server.
const PFX = Folder + `\shared-exchange.pfx`

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Platform: steps.PlatformCurrent,
	Title:    "Give each Mailbox server a certificate from the organisation's CA",
	Section:  "Current platform, for the guide's \u201cInstalling a Certificate on the OWA Front-End Server\u201d and the certificate of its ISA Server SSL listener",
	Summary:  "Request a certificate with the names clients use (the Outlook on the web host, Autodiscover, the server's own name) on each Mailbox server, or one shared by all of them, have the AD CS issuing CA issue it, and assign it to IIS and SMTP.",
	Rationale: []string{
		"The guide requested a web server certificate in IIS on the OWA front-end server and installed another on the ISA Server listener. In Exchange Server 2019 and SE the Mailbox server holds the client access services itself, and Exchange manages its certificates with its own cmdlets: New-ExchangeCertificate writes the request with every name the clients use, Import-ExchangeCertificate completes it with the CA's answer, and Enable-ExchangeCertificate assigns it to IIS (Outlook on the web, Outlook, ActiveSync, Autodiscover) and SMTP (STARTTLS).",
		"Setup gives each server a self-signed certificate that no client trusts. A certificate from the organisation's AD CS CA is trusted by every domain member, and carries the names the clients connect to, so a user never learns to click through a certificate warning.",
		"The reverse proxy in front of Exchange, the guide's ISA Server, takes its certificate in the publishing procedure. A proxy that ends TLS and re-encrypts to the Mailbox servers, as Web Application Proxy does, must present the very certificate they present, or Extended Protection refuses the sign-ins: the plan can then issue one certificate for every selected server, export it with its key to a password-protected file, and import it on the others; the proxy imports the same file.",
	},
	Notes: []string{
		"Since the 2022 H1 cumulative updates, New-ExchangeCertificate no longer writes the request to a file itself (the RequestFile parameter was removed, as it accepted network paths) and Import-ExchangeCertificate reads the certificate's bytes (FileData) rather than a file name; the commands in this plan follow that.",
		"A CA-issued certificate is trusted by domain members only. Devices outside the domain (phones, home computers) need a certificate from a public CA on the published names, normally on the reverse proxy.",
		"Certificates expire: the CA's template decides for how long (Web Server issues for two years by default). Put the expiry date in the operations calendar; renewing is a new request with the same names.",
		"A shared certificate's private key exists on every server that imported it and in the exported .pfx until that is deleted. The file is written to a folder only administrators can read, its password is passed on by another channel than the file, and it is deleted once the last server and the reverse proxy have imported it.",
	},
	Applies: applies,
	Pages:   pages,
	Upgrade: upgrade,
	Check:   check,
	Plan:    plan,
	// Every step is done by hand in the Exchange Management Shell and on
	// the CA: the request waits for the CA between writing and importing,
	// which a script with one capture and one backout cannot hold. The
	// commands, with every value quoted, are in the plan's steps.
	Files: func(steps.Input) ([]steps.File, error) { return nil, nil },
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleMailbox)) == 0 {
		return false, "No server has the role " + steps.RoleMailbox.Label() + ". The certificate is for the Mailbox servers' services, so add them to the servers page first."
	}
	return true, ""
}

var pages = []steps.Page{
	{
		ID:    "names",
		Title: "Servers and names",
		Questions: []steps.Question{
			{ID: QServers, Label: "Mailbox servers that get a certificate", Kind: steps.KindServers, Role: steps.RoleMailbox, DefaultFrom: allMailbox},
			{ID: QShared, Label: "One certificate for all the selected servers?", Kind: steps.KindYesNo, DefaultFrom: sharedWithProxy,
				Hint: "Yes when a reverse proxy ends TLS and re-encrypts to these servers (Web Application Proxy always does): Extended Protection then needs the proxy and every server behind it to present the same certificate, so it is requested on the first server, exported with its key and imported on the others. No gives each server its own, whose key never leaves it."},
			{ID: QNames, Label: "Names on every certificate (one a line; the first is the subject)", Kind: steps.KindList, Item: parseName, MaxItems: 50, DefaultFrom: defaultNames,
				Hint: "The names clients connect to: the Outlook on the web and Outlook host (such as mail.contoso.com) and autodiscover.<your e-mail domain>."},
			{ID: QServerFQDN, Label: "Add each server's own FQDN to its certificate?", Kind: steps.KindYesNo, Default: "yes",
				Hint: "Lets administrators and the other servers reach the server by its own name without a certificate warning. A shared certificate carries every selected server's FQDN."},
		},
	},
	{
		ID:    "subject",
		Title: "Subject and key",
		Questions: []steps.Question{
			{ID: QCountry, Label: "Country (two-letter code, such as US or DE)", Kind: steps.KindList, Item: parseCountry, MaxItems: 1, Optional: true},
			{ID: QOrganisation, Label: "Organisation name", Kind: steps.KindSubjectText, Optional: true},
			{ID: QTemplate, Label: "Certificate template on the CA", Kind: steps.KindObjectName, Default: "WebServer",
				Hint: "The template's name (not its display name). It must let the requester supply the subject, as Web Server does, and let the account that submits it enrol."},
			{ID: QKeySize, Label: "RSA key size", Kind: steps.KindChoice, Default: "2048", Choices: []steps.Choice{
				{Value: "2048", Label: "2048 bits", Hint: "Exchange's default, and what every client accepts."},
				{Value: "4096", Label: "4096 bits", Hint: "Stronger, and slower on each TLS handshake."},
			}},
			{ID: QExportable, Label: "Allow the private key to be exported?", Kind: steps.KindYesNo, DefaultFrom: exportableIfShared,
				Hint: "Needed for one shared certificate, which is copied with its key to the other servers and the reverse proxy. With a certificate for each server, no keeps every key on its server."},
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

// sharedWithProxy proposes one shared certificate when the inventory has
// a reverse proxy, the case where Extended Protection needs it.
func sharedWithProxy(t steps.Topology, _ steps.Answers) string {
	if len(t.WithRole(steps.RoleProxy)) > 0 {
		return "yes"
	}
	return "no"
}

// exportableIfShared proposes an exportable key exactly when the
// certificate is shared, as sharing needs one and nothing else does.
func exportableIfShared(_ steps.Topology, a steps.Answers) string {
	if a.Is(QShared, "yes") {
		return "yes"
	}
	return "no"
}

func defaultNames(t steps.Topology, _ steps.Answers) string {
	var names []string
	if t.Facts.OWAHost != "" {
		names = append(names, string(t.Facts.OWAHost))
	}
	if t.Facts.PublicDomain != "" {
		names = append(names, "autodiscover."+string(t.Facts.PublicDomain))
	}
	return strings.Join(names, "\n")
}

func parseName(s string) (string, error) {
	d, err := steps.ParseDNSName(s, "mail.contoso.com")
	if err != nil {
		return "", fmt.Errorf("names on the certificate: %w", err)
	}
	return string(d), nil
}

var countryCode = regexp.MustCompile(`^[A-Z]{2}$`)

func parseCountry(s string) (string, error) {
	c := strings.ToUpper(strings.TrimSpace(s))
	if !countryCode.MatchString(c) {
		return "", errors.New("country: enter the two-letter ISO 3166 code, such as US, GB or DE")
	}
	return c, nil
}

// config is the answers as the plan uses them.
type config struct {
	servers    []steps.Server
	shared     bool
	names      []string
	serverFQDN bool
	country    string
	org        string
	template   string
	keySize    string
	exportable bool
	ca         steps.Server
	hasCA      bool
	bad        []steps.Finding
}

func load(in steps.Input) config {
	a := in.Of(ID)
	c := config{shared: a.Is(QShared, "yes"), serverFQDN: a.Is(QServerFQDN, "yes"), exportable: a.Is(QExportable, "yes"), keySize: a[QKeySize]}
	for _, name := range a.Values(QServers) {
		if s, ok := in.Topology.Server(name); ok && s.Has(steps.RoleMailbox) {
			c.servers = append(c.servers, s)
		}
	}
	for _, v := range a.Values(QNames) {
		n, err := parseName(v)
		if err != nil {
			c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QNames},
				Message: fmt.Sprintf("%q is refused: %v", v, err)})
			continue
		}
		if !slices.Contains(c.names, n) {
			c.names = append(c.names, n)
		}
	}
	if v := a[QCountry]; v != "" {
		if cc, err := parseCountry(v); err != nil {
			c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QCountry}, Message: fmt.Sprintf("%q is refused: %v", v, err)})
		} else {
			c.country = cc
		}
	}
	if v := a[QOrganisation]; v != "" {
		if o, err := steps.ParseSubjectText(v); err != nil {
			c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QOrganisation}, Message: "Organisation name: " + err.Error()})
		} else {
			c.org = string(o)
		}
	}
	if t, err := steps.ParseObjectName(a[QTemplate]); err != nil {
		c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QTemplate}, Message: "Certificate template: " + err.Error()})
	} else {
		c.template = string(t)
	}
	if c.keySize != "2048" && c.keySize != "4096" {
		c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{QKeySize}, Message: "RSA key size: choose 2048 or 4096 bits."})
	}
	// A yes-or-no answer that is neither is refused rather than read as
	// no: the plan must follow what was chosen, not a stale or corrupt
	// value.
	for _, yn := range []struct{ q, label string }{{QShared, "One certificate for all the selected servers"}, {QServerFQDN, "Each server's own FQDN"}, {QExportable, "Exportable private key"}} {
		if v := a[yn.q]; v != "yes" && v != "no" {
			c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{yn.q}, Message: yn.label + ": choose yes or no."})
		}
	}
	for _, s := range in.Topology.WithRole(steps.RoleCA) {
		if s.CA.Config != "" && !c.hasCA {
			c.ca, c.hasCA = s, true
		}
	}
	return c
}

// Finding codes.
const (
	CodeBadValue      = "value-refused"
	CodeServerMissing = "server-missing"
	CodeNoServers     = "no-servers"
	CodeNoNames       = "no-names"
	CodeOWAHostAbsent = "owa-host-not-on-certificate"
	CodeNoCA          = "no-issuing-ca"
	CodeExportable    = "private-key-exportable"
	CodeNoCountry     = "subject-without-country"
	CodeSharedKey     = "shared-certificate-key-not-exportable"
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
			Message: "Select at least one Mailbox server to give a certificate."})
	}
	if len(c.names) == 0 {
		fs = append(fs, steps.Finding{Code: CodeNoNames, Severity: steps.Error, Fix: []string{QNames},
			Message: "Names on the certificate: give at least the name clients connect to, such as mail.contoso.com."})
	}
	if owa := in.Topology.Facts.OWAHost; owa != "" && len(c.names) > 0 && !slices.Contains(c.names, string(owa)) {
		fs = append(fs, steps.Finding{Code: CodeOWAHostAbsent, Severity: steps.Warning, Fix: []string{QNames},
			Message: "Names on the certificate: " + string(owa) + ", the Outlook on the web host of the facts page, is not among them, so browsers connecting to it would warn. Add it, or accept it with a reason (for example, only the reverse proxy answers to that name)."})
	}
	if !c.hasCA {
		fs = append(fs, steps.Finding{Code: CodeNoCA, Severity: steps.Error,
			Message: "The inventory has no certification authority with its configuration string (host\\CA name), so the plan cannot say where to submit the requests. Add the issuing CA on the servers page."})
	}
	switch {
	case c.shared && a.Is(QExportable, "no"):
		fs = append(fs, steps.Finding{Code: CodeSharedKey, Severity: steps.Error, Fix: []string{QExportable, QShared},
			Message: "One certificate for all the selected servers is exported with its private key from the server it is requested on and imported on the others, which a key that cannot be exported does not allow. Answer yes to \u201cAllow the private key to be exported?\u201d, or no to \u201cOne certificate for all the selected servers?\u201d to give each server its own."})
	case c.exportable && !c.shared:
		fs = append(fs, steps.Finding{Code: CodeExportable, Severity: steps.Warning, Fix: []string{QExportable},
			Message: "An exportable private key can be copied off the server by any administrator, and with it the server impersonated. Each server here gets its own certificate, so none needs to be exported. Choose no, or accept it with a reason (for example, the certificate also goes on a load balancer)."})
	}
	if a[QCountry] == "" {
		fs = append(fs, steps.Finding{Code: CodeNoCountry, Severity: steps.Warning, Fix: []string{QCountry},
			Message: "Microsoft advises a country in every certificate request's subject, and some CA policies require one. Enter the two-letter code, or accept it with a reason (the CA's template does not need it)."})
	}
	return fs
}

// request is what one certificate carries: a server's own, or the shared
// one, which is requested and completed on the first selected server.
type request struct {
	server       steps.Server // where it is requested and completed
	subject      string
	names        []string
	friendlyName string
	requestFile  string
	certFile     string
}

// ownRequest is the certificate of s alone.
func (c config) ownRequest(s steps.Server) request {
	return c.newRequest(s, []steps.Server{s}, "Exchange services "+string(s.Name), string(s.Name)+"-exchange")
}

// sharedRequest is the one certificate of every selected server.
func (c config) sharedRequest() request {
	return c.newRequest(c.servers[0], c.servers, "Exchange services (shared)", "shared-exchange")
}

// newRequest is a certificate requested on s for the servers holders,
// whose FQDNs it carries when the answers ask for them.
func (c config) newRequest(s steps.Server, holders []steps.Server, friendlyName, file string) request {
	r := request{server: s, names: slices.Clone(c.names), friendlyName: friendlyName,
		requestFile: Folder + `\` + file + ".req", certFile: Folder + `\` + file + ".cer"}
	for _, h := range holders {
		if c.serverFQDN && !slices.Contains(r.names, string(h.FQDN)) {
			r.names = append(r.names, string(h.FQDN))
		}
	}
	var parts []string
	if c.country != "" {
		parts = append(parts, "C="+c.country)
	}
	if c.org != "" {
		parts = append(parts, "O="+c.org)
	}
	if len(r.names) > 0 {
		parts = append(parts, "CN="+r.names[0])
	}
	r.subject = strings.Join(parts, ",")
	return r
}

// Commands are the PowerShell lines of one server's manual steps, each
// typed value quoted; the tests check every cmdlet and parameter of them
// against Microsoft's reference. A server that imports the shared
// certificate has only the import's lines.
type Commands struct {
	Request, SaveRequest, FindPending, RemovePending   []string
	Submit, Revoke                                     []string // run on the CA
	ReadPassword                                       []string // the .pfx's password, for the export and each import
	Import, ShowCurrent, Enable, RestoreOld, RemoveNew []string
	// The shared certificate's export, on the server it is requested on.
	Protect, ReadThumbprint, Export, CheckPFX, DeletePFX []string
}

// Exchange returns the commands run in the Exchange Management Shell.
func (cm Commands) Exchange() []string {
	return slices.Concat(cm.Request, cm.SaveRequest, cm.FindPending, cm.RemovePending, cm.ReadPassword, cm.Import, cm.ShowCurrent, cm.Enable, cm.RestoreOld, cm.RemoveNew,
		cm.Protect, cm.ReadThumbprint, cm.Export, cm.CheckPFX, cm.DeletePFX)
}

// pfxShare is the exported .pfx as another server reaches it: through
// the administrative share of the server it was written on, which only
// administrators can open.
func pfxShare(on steps.Server) string {
	return `\\` + string(on.FQDN) + `\C$` + strings.TrimPrefix(PFX, `C:`)
}

// commands gives the commands that put r's certificate on the server on:
// for the server r is requested on, the request, its completion and, when
// the certificate is shared, its export; for another server, the import
// of the exported .pfx.
func (c config) commands(r request, on steps.Server) (Commands, error) {
	q := func(s string) string {
		v, err := powershell.Quote(s)
		if err != nil {
			panic(err) // unreachable: every value is checked below before use
		}
		return v
	}
	for _, v := range append([]string{r.subject, r.friendlyName, c.template, string(c.ca.CA.Config), string(on.Name), string(r.server.FQDN)}, r.names...) {
		if _, err := powershell.Quote(v); err != nil {
			return Commands{}, err
		}
	}
	srv := q(string(on.Name))
	cm := Commands{
		ShowCurrent: []string{"Get-ExchangeCertificate -Server " + srv + " | Where-Object { $_.Services -match 'IIS' }"},
		Enable:      []string{"Enable-ExchangeCertificate -Server " + srv + " -Thumbprint $cert.Thumbprint -Services 'IIS,SMTP'"},
		RestoreOld:  []string{"Enable-ExchangeCertificate -Server " + srv + " -Thumbprint $old -Services 'IIS'"},
		RemoveNew:   []string{"Remove-ExchangeCertificate -Server " + srv + " -Thumbprint $cert.Thumbprint"},
	}
	if c.shared {
		cm.ReadPassword = []string{"$pfxPassword = Read-Host 'Password of the .pfx file' -AsSecureString"}
	}
	if on.Name != r.server.Name {
		// PrivateKeyExportable $false: this copy is never exported again;
		// a renewal starts from the server the certificate was requested on.
		cm.Import = []string{"$cert = Import-ExchangeCertificate -Server " + srv + " -FileData ([System.IO.File]::ReadAllBytes(" + q(pfxShare(r.server)) + ")) -Password $pfxPassword -PrivateKeyExportable $false"}
		return cm, nil
	}
	names, _ := powershell.QuoteList(r.names)
	exportable := "$false"
	if c.exportable {
		exportable = "$true"
	}
	pending := "Get-ExchangeCertificate -Server " + srv + " | Where-Object { $_.FriendlyName -eq " + q(r.friendlyName) + " -and $_.Status -eq 'PendingRequest' }"
	cm.Request = []string{"$request = New-ExchangeCertificate -Server " + srv + " -GenerateRequest -SubjectName " + q(r.subject) + " -DomainName " + names +
		" -KeySize " + c.keySize + " -PrivateKeyExportable " + exportable + " -FriendlyName " + q(r.friendlyName)}
	cm.SaveRequest = []string{"[System.IO.File]::WriteAllText(" + q(r.requestFile) + ", $request)"}
	cm.FindPending = []string{"$pending = " + pending}
	cm.RemovePending = []string{"$pending = " + pending, "Remove-ExchangeCertificate -Server " + srv + " -Thumbprint $pending.Thumbprint"}
	cm.Submit = []string{"certreq -submit -config " + q(string(c.ca.CA.Config)) + " -attrib " + q("CertificateTemplate:"+c.template) + " " + q(r.requestFile) + " " + q(r.certFile)}
	cm.Revoke = []string{"certutil -config " + q(string(c.ca.CA.Config)) + " -revoke <serial number> 5"}
	cm.Import = []string{"$cert = Import-ExchangeCertificate -Server " + srv + " -FileData ([System.IO.File]::ReadAllBytes(" + q(r.certFile) + "))"}
	if c.shared {
		cm.Protect = []string{"icacls " + q(Folder) + " /inheritance:r /grant:r 'BUILTIN\\Administrators:(OI)(CI)F' 'NT AUTHORITY\\SYSTEM:(OI)(CI)F'"}
		cm.ReadThumbprint = []string{"$thumbprint = Read-Host 'Thumbprint of the shared certificate'"}
		cm.Export = []string{"$bincert = Export-ExchangeCertificate -Server " + srv + " -Thumbprint $thumbprint -BinaryEncoded -Password $pfxPassword",
			"[System.IO.File]::WriteAllBytes(" + q(PFX) + ", $bincert.FileData)"}
		cm.CheckPFX = []string{"Test-Path -LiteralPath " + q(PFX)}
		cm.DeletePFX = []string{"[System.IO.File]::Delete(" + q(PFX) + ")"}
	}
	return cm, nil
}

// install is one server's part of the plan: the certificate it gets and
// the commands that put it there.
type install struct {
	server steps.Server
	req    request
	cm     Commands
}

// requests reports whether the server is where its certificate is
// requested, rather than one that imports the shared certificate.
func (i install) requests() bool { return i.server.Name == i.req.server.Name }

// installs lists every selected server's part, in the order selected.
func (c config) installs() ([]install, error) {
	var out []install
	for _, s := range c.servers {
		r := c.ownRequest(s)
		if c.shared {
			r = c.sharedRequest()
		}
		cm, err := c.commands(r, s)
		if err != nil {
			return nil, err
		}
		out = append(out, install{server: s, req: r, cm: cm})
	}
	return out, nil
}

// Certificates is what the answers give the Mailbox servers, as the
// publishing procedure needs it to put the same certificate on a
// re-encrypting reverse proxy.
type Certificates struct {
	Servers    []string // the Mailbox servers that get a certificate
	Shared     bool     // one certificate for all of them
	Exportable bool     // its private key can be exported
	// With Shared and Exportable: the server the plan exports the
	// certificate on, and the .pfx it writes there.
	PFXServer, PFXPath string
}

// Planned reads the procedure's answers as its plan does.
func Planned(in steps.Input) Certificates {
	c := load(in)
	p := Certificates{Shared: c.shared, Exportable: c.exportable}
	for _, s := range c.servers {
		p.Servers = append(p.Servers, string(s.Name))
	}
	if c.shared && c.exportable && len(c.servers) > 0 {
		p.PFXServer, p.PFXPath = string(c.servers[0].FQDN), PFX
	}
	return p
}

// One reports whether every server in Servers presents the same
// certificate, and a copy of it, key included, can be made for a proxy.
func (p Certificates) One() bool {
	return p.Exportable && (p.Shared || len(p.Servers) == 1)
}

func plan(in steps.Input) []steps.Action {
	c := load(in)
	if len(c.bad) > 0 || !c.hasCA || len(c.names) == 0 || len(c.servers) == 0 || (c.shared && !c.exportable) {
		return nil
	}
	ins, err := c.installs()
	if err != nil {
		return nil
	}
	var as []steps.Action
	for _, i := range ins {
		if !i.requests() {
			as = append(as, c.importAction(i))
			continue
		}
		as = append(as, c.requestAction(i), c.issueAction(i), c.installAction(i))
		if c.shared {
			as = append(as, c.exportAction(i))
		}
	}
	if c.shared {
		as = append(as, c.handOverAction(in.Topology, ins[0]))
	}
	return as
}

// key is the part of an action's ID that names the certificate.
func (c config) key(i install) string {
	if c.shared {
		return "shared"
	}
	return strings.ToLower(string(i.server.Name))
}

func (c config) requestAction(i install) steps.Action {
	r, cm, name := i.req, i.cm, string(i.server.Name)
	title, key := "Write the certificate request on "+name, ""
	if c.shared {
		title, key = "Write the shared certificate's request on "+name, " — the private key is created exportable, as the other servers and the reverse proxy need a copy of it."
	}
	return steps.Action{
		ID: "request-" + c.key(i), Phase: steps.PhaseCertificates, Target: name,
		Title: title,
		Do: []string{
			"On " + string(i.server.FQDN) + ", open the Exchange Management Shell as a member of Organization Management and create the folder " + Folder + " if it does not exist.",
			"Run: " + cm.Request[0] + key,
			"Run: " + cm.SaveRequest[0] + " — the request, with the names " + strings.Join(r.names, ", ") + ", is now in " + r.requestFile + ". Copy it to " + Folder + " on " + string(c.ca.Name) + ".",
		},
		Expect:  "$request holds a block of text from -----BEGIN NEW CERTIFICATE REQUEST----- to -----END NEW CERTIFICATE REQUEST-----; Get-ExchangeCertificate -Server " + name + " lists an entry with Status PendingRequest and the friendly name " + r.friendlyName + ".",
		Verify:  "On " + string(c.ca.Name) + ", certutil -dump " + r.requestFile + " shows the subject " + r.subject + " and every name above under Subject Alternative Name.",
		Backout: "Remove the pending request: " + strings.Join(cm.RemovePending, "; ") + ". The server's current certificate is untouched.",
	}
}

func (c config) issueAction(i install) steps.Action {
	r, cm, name := i.req, i.cm, string(i.server.Name)
	title := "Issue " + name + "'s certificate on the CA"
	if c.shared {
		title = "Issue the shared certificate on the CA"
	}
	return steps.Action{
		ID: "issue-" + c.key(i), Phase: steps.PhaseCertificates, Target: string(c.ca.Name),
		Title: title,
		Do: []string{
			"On " + string(c.ca.FQDN) + " (or any domain computer that reaches the CA), open PowerShell as an account allowed to enrol for the template " + c.template + ".",
			"Run: " + cm.Submit[0],
			"If the template needs a CA manager's approval, the request waits: approve it in the Certification Authority console (Pending Requests, All Tasks, Issue), then run certreq -retrieve with the request ID it printed and " + r.certFile + ".",
			"Copy " + r.certFile + " back to " + Folder + " on " + name + ".",
		},
		Expect:  "certreq prints the request ID and \"Certificate retrieved(Issued)\", and writes " + r.certFile + ".",
		Verify:  "certutil -dump " + r.certFile + " shows the issuer " + string(c.ca.CA.Config) + ", the subject " + r.subject + " and the names " + strings.Join(r.names, ", ") + ".",
		Backout: "Revoke the certificate if it is not to be used: " + cm.Revoke[0] + " (the serial number is the one certutil -dump shows; reason 5 is cessation of operation).",
	}
}

// smtpNo is the answer to Enable-ExchangeCertificate's question about the
// default SMTP certificate, and why.
const smtpNo = "When asked whether to overwrite the existing default SMTP certificate, answer No: the self-signed default keeps protecting mail between the organisation's own servers, as Microsoft advises, and the new certificate is offered to servers that connect by its names."

// iisReset restarts IIS on the server, and says what users notice.
const iisReset = "Run iisreset /noforce, so that every client access service and the Outlook on the web sign-in cookies use the new certificate. Outlook on the web, Outlook and mobile clients lose their connection to this server for a minute or two and reconnect by themselves."

func (c config) installAction(i install) steps.Action {
	r, cm, name, fqdn := i.req, i.cm, string(i.server.Name), string(i.server.FQDN)
	complete := "Run: " + cm.Import[0] + " — it completes the pending request; $cert.Thumbprint is the new certificate's."
	if c.shared {
		complete += " Write it down: the export and the other servers' steps check against it."
	}
	title := "Install and assign " + name + "'s certificate to IIS and SMTP"
	if c.shared {
		title = "Install the shared certificate on " + name + " and assign it to IIS and SMTP"
	}
	return steps.Action{
		ID: "install-" + strings.ToLower(name), Phase: steps.PhaseCertificates, Target: name,
		Title: title,
		Do: []string{
			"On " + fqdn + ", open the Exchange Management Shell as a member of Organization Management.",
			"Record the certificate IIS uses now, for the backout: " + cm.ShowCurrent[0] + " — write down its thumbprint (the table shows Thumbprint, Services and Subject).",
			complete,
			"Run: " + cm.Enable[0] + ". " + smtpNo,
			iisReset,
		},
		Expect:     "Get-ExchangeCertificate -Server " + name + " shows the new certificate with Services IIS, SMTP and Status Valid.",
		Verify:     "From a domain computer, open https://" + fqdn + "/owa and https://" + r.names[0] + "/owa (where the name reaches this server) and view the certificate: issued by the organisation's CA, valid, with the names above; no warning is shown.",
		Backout:    "Set $old to the thumbprint recorded before and run " + cm.RestoreOld[0] + ", then " + cm.RemoveNew[0] + " and iisreset /noforce. Enabling is additive, so the old certificate must be enabled again before the new one is removed.",
		Interrupts: "OWA and Outlook",
		Minutes:    2,
	}
}

func (c config) exportAction(i install) steps.Action {
	cm, name := i.cm, string(i.server.Name)
	return steps.Action{
		ID: "export-shared", Phase: steps.PhaseCertificates, Target: name,
		Title: "Export the shared certificate with its private key on " + name,
		Do: []string{
			"On " + string(i.server.FQDN) + ", open the Exchange Management Shell as a member of Organization Management and a local administrator.",
			"Let only administrators read " + Folder + ", as the file written next holds the private key: " + cm.Protect[0],
			"Run: " + cm.ReadThumbprint[0] + " and enter the thumbprint written down when the certificate was installed.",
			"Run: " + cm.ReadPassword[0] + " and type a new, strong password (16 characters or more) used for this file only. Pass it to whoever imports the file, the reverse proxy's administrator included, by another channel than the file itself (by telephone, or in the password manager), never in the change ticket or an e-mail. The prompt asks once: a typing mistake shows as a wrong password at the first import, and the export is then run again.",
			"Run: " + cm.Export[0] + ", then " + cm.Export[1] + " — the certificate, its chain and its private key are now in " + PFX + ", encrypted with the password.",
		},
		Expect:  cm.CheckPFX[0] + " returns True, and icacls " + Folder + " lists only BUILTIN\\Administrators and NT AUTHORITY\\SYSTEM.",
		Verify:  "certutil -dump " + PFX + " asks for the password, then shows the certificate with the thumbprint written down and its private key.",
		Backout: "Delete the file: " + cm.DeletePFX[0] + ". Exporting changes no server: the certificate stays installed and in use on " + name + ".",
	}
}

func (c config) importAction(i install) steps.Action {
	cm, name, fqdn := i.cm, string(i.server.Name), string(i.server.FQDN)
	from := string(i.req.server.Name)
	return steps.Action{
		ID: "install-" + strings.ToLower(name), Phase: steps.PhaseCertificates, Target: name,
		Title: "Install the shared certificate on " + name + " and assign it to IIS and SMTP",
		Do: []string{
			"On " + fqdn + ", open the Exchange Management Shell as a member of Organization Management and a local administrator of " + from + ": the import reads the .pfx through " + from + "'s administrative share, so the file is never copied to " + name + ".",
			"Record the certificate IIS uses now, for the backout: " + cm.ShowCurrent[0] + " — write down its thumbprint.",
			"Run: " + cm.ReadPassword[0] + " and type the .pfx's password.",
			"Run: " + cm.Import[0] + " — it installs the certificate with its private key, which cannot be exported again from " + name + "; $cert.Thumbprint is the same as on " + from + ".",
			"Run: " + cm.Enable[0] + ". " + smtpNo,
			iisReset,
		},
		Expect:     "Get-ExchangeCertificate -Server " + name + " shows the certificate with the thumbprint written down on " + from + ", Services IIS, SMTP and Status Valid.",
		Verify:     "From a domain computer, open https://" + fqdn + "/owa and view the certificate: the thumbprint is the one on " + from + ", issued by the organisation's CA, valid; no warning is shown.",
		Backout:    "Set $old to the thumbprint recorded before and run " + cm.RestoreOld[0] + ", then " + cm.RemoveNew[0] + " and iisreset /noforce. Enabling is additive, so the old certificate must be enabled again before the new one is removed; " + from + " and the .pfx are untouched.",
		Interrupts: "OWA and Outlook",
		Minutes:    2,
	}
}

// handOverAction keeps the .pfx for the reverse proxy, or deletes it.
// The proxy's import belongs to the publishing procedure, which comes
// later in the runbook and deletes every copy once the proxy has it.
func (c config) handOverAction(t steps.Topology, first install) steps.Action {
	cm, name := first.cm, string(first.server.Name)
	var proxies []string
	for _, p := range t.WithRole(steps.RoleProxy) {
		proxies = append(proxies, string(p.Name))
	}
	keep := "No reverse proxy is in the inventory, so nothing else needs the file: delete it now."
	if len(proxies) > 0 {
		keep = "If " + strings.Join(proxies, " or ") + " ends TLS and re-encrypts to these servers, leave the file where it is: the publishing procedure's step that installs the Mailbox servers' certificate on the proxy imports it, with the password passed on separately, and then deletes it. Otherwise delete it now."
	}
	return steps.Action{
		ID: "pfx-hand-over", Phase: steps.PhaseCertificates, Target: name,
		Title: "Keep the .pfx for the reverse proxy, or delete it",
		Do: []string{
			"Every selected server now has the shared certificate. " + PFX + " on " + name + " still holds its private key, readable by administrators only.",
			keep,
			"To delete it, in the Exchange Management Shell on " + string(first.server.FQDN) + " run: " + cm.DeletePFX[0] + ". Delete any copy made on the way too (a USB stick, a file share, a download folder).",
		},
		Expect:  "Either the file is kept for the proxy's step, in " + Folder + " with only administrators allowed, or " + cm.CheckPFX[0] + " returns False.",
		Verify:  "Once the proxy's step is done as well, " + cm.CheckPFX[0] + " returns False.",
		Backout: "Nothing to undo: no server changes. A deleted file that is needed again is exported again with the export step.",
	}
}

// upgrade keeps the plan of answers saved before the procedure offered
// one shared certificate: those gave each server a certificate of its
// own, and the team signed that plan, so the choice is recorded as no
// instead of taking the new default.
func upgrade(old steps.Answers) steps.Answers {
	a := maps.Clone(old)
	if _, planned := a[QServers]; planned {
		if _, chosen := a[QShared]; !chosen {
			a[QShared] = "no"
		}
	}
	return a
}
