// Package exchangecert is the current platform's counterpart of the
// guide's front-end certificate and the certificate part of its ISA
// Server SSL listener: each Mailbox server gets a certificate for its
// Exchange services (IIS and SMTP) from the organisation's AD CS issuing
// CA, with the names clients use.
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
	QServers      = "servers"        // Mailbox servers that get a certificate
	QNames        = "names"          // DNS names every certificate carries
	QServerFQDN   = "server-fqdn"    // add each server's own FQDN
	QCountry      = "country"        // C= of the subject
	QOrganisation = "organisation"   // O= of the subject
	QTemplate     = "template"       // the CA's certificate template
	QKeySize      = "key-size"       // 2048 or 4096
	QExportable   = "key-exportable" // PrivateKeyExportable
)

// Folder is where the request and the issued certificate are kept on each
// server and on the CA.
const Folder = `C:\CertRequests`

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Platform: steps.PlatformCurrent,
	Title:    "Give each Mailbox server a certificate from the organisation's CA",
	Section:  "Current platform, for the guide's \u201cInstalling a Certificate on the OWA Front-End Server\u201d and the certificate of its ISA Server SSL listener",
	Summary:  "Request a certificate with the names clients use (the Outlook on the web host, Autodiscover, the server's own name) on each Mailbox server, have the AD CS issuing CA issue it, and assign it to IIS and SMTP.",
	Rationale: []string{
		"The guide requested a web server certificate in IIS on the OWA front-end server and installed another on the ISA Server listener. In Exchange Server 2019 and SE the Mailbox server holds the client access services itself, and Exchange manages its certificates with its own cmdlets: New-ExchangeCertificate writes the request with every name the clients use, Import-ExchangeCertificate completes it with the CA's answer, and Enable-ExchangeCertificate assigns it to IIS (Outlook on the web, Outlook, ActiveSync, Autodiscover) and SMTP (STARTTLS).",
		"Setup gives each server a self-signed certificate that no client trusts. A certificate from the organisation's AD CS CA is trusted by every domain member, and carries the names the clients connect to, so a user never learns to click through a certificate warning.",
		"The reverse proxy in front of Exchange, the guide's ISA Server, presents its own certificate to the internet; that is the publishing procedure's part.",
	},
	Notes: []string{
		"Since the 2022 H1 cumulative updates, New-ExchangeCertificate no longer writes the request to a file itself (the RequestFile parameter was removed, as it accepted network paths) and Import-ExchangeCertificate reads the certificate's bytes (FileData) rather than a file name; the commands in this plan follow that.",
		"A CA-issued certificate is trusted by domain members only. Devices outside the domain (phones, home computers) need a certificate from a public CA on the published names, normally on the reverse proxy.",
		"Certificates expire: the CA's template decides for how long (Web Server issues for two years by default). Put the expiry date in the operations calendar; renewing is a new request with the same names.",
	},
	Applies: applies,
	Pages:   pages,
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
			{ID: QNames, Label: "Names on every certificate (one a line; the first is the subject)", Kind: steps.KindList, Item: parseName, MaxItems: 50, DefaultFrom: defaultNames,
				Hint: "The names clients connect to: the Outlook on the web and Outlook host (such as mail.contoso.com) and autodiscover.<your e-mail domain>."},
			{ID: QServerFQDN, Label: "Add each server's own FQDN to its certificate?", Kind: steps.KindYesNo, Default: "yes",
				Hint: "Lets administrators and the other servers reach the server by its own name without a certificate warning."},
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
			{ID: QExportable, Label: "Allow the private key to be exported?", Kind: steps.KindYesNo, Default: "no",
				Hint: "Only needed to copy the same certificate to other servers or a load balancer; each server here gets its own."},
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
	c := config{serverFQDN: a.Is(QServerFQDN, "yes"), exportable: a.Is(QExportable, "yes"), keySize: a[QKeySize]}
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
	for _, yn := range []struct{ q, label string }{{QServerFQDN, "Each server's own FQDN"}, {QExportable, "Exportable private key"}} {
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
	if c.exportable {
		fs = append(fs, steps.Finding{Code: CodeExportable, Severity: steps.Warning, Fix: []string{QExportable},
			Message: "An exportable private key can be copied off the server by any administrator, and with it the server impersonated. Each server here gets its own certificate, so none needs to be exported. Choose no, or accept it with a reason (for example, the certificate also goes on a load balancer)."})
	}
	if a[QCountry] == "" {
		fs = append(fs, steps.Finding{Code: CodeNoCountry, Severity: steps.Warning, Fix: []string{QCountry},
			Message: "Microsoft advises a country in every certificate request's subject, and some CA policies require one. Enter the two-letter code, or accept it with a reason (the CA's template does not need it)."})
	}
	return fs
}

// request is what one server's certificate carries.
type request struct {
	server       steps.Server
	subject      string
	names        []string
	friendlyName string
	requestFile  string
	certFile     string
}

func (c config) request(s steps.Server) request {
	r := request{server: s, names: slices.Clone(c.names), friendlyName: "Exchange services " + string(s.Name),
		requestFile: Folder + `\` + string(s.Name) + "-exchange.req", certFile: Folder + `\` + string(s.Name) + "-exchange.cer"}
	if c.serverFQDN && !slices.Contains(r.names, string(s.FQDN)) {
		r.names = append(r.names, string(s.FQDN))
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
// against Microsoft's reference.
type Commands struct {
	Request, SaveRequest, FindPending, RemovePending   []string
	Submit, Revoke                                     []string // run on the CA
	Import, ShowCurrent, Enable, RestoreOld, RemoveNew []string
}

// Exchange returns the commands run in the Exchange Management Shell.
func (cm Commands) Exchange() []string {
	return slices.Concat(cm.Request, cm.SaveRequest, cm.FindPending, cm.RemovePending, cm.Import, cm.ShowCurrent, cm.Enable, cm.RestoreOld, cm.RemoveNew)
}

func (c config) commands(r request) (Commands, error) {
	q := func(s string) string {
		v, err := powershell.Quote(s)
		if err != nil {
			panic(err) // unreachable: every value is checked below before use
		}
		return v
	}
	for _, v := range append([]string{r.subject, r.friendlyName, c.template, string(c.ca.CA.Config)}, r.names...) {
		if _, err := powershell.Quote(v); err != nil {
			return Commands{}, err
		}
	}
	names, _ := powershell.QuoteList(r.names)
	srv := q(string(r.server.Name))
	exportable := "$false"
	if c.exportable {
		exportable = "$true"
	}
	pending := "Get-ExchangeCertificate -Server " + srv + " | Where-Object { $_.FriendlyName -eq " + q(r.friendlyName) + " -and $_.Status -eq 'PendingRequest' }"
	return Commands{
		Request: []string{"$request = New-ExchangeCertificate -Server " + srv + " -GenerateRequest -SubjectName " + q(r.subject) + " -DomainName " + names +
			" -KeySize " + c.keySize + " -PrivateKeyExportable " + exportable + " -FriendlyName " + q(r.friendlyName)},
		SaveRequest:   []string{"[System.IO.File]::WriteAllText(" + q(r.requestFile) + ", $request)"},
		FindPending:   []string{"$pending = " + pending},
		RemovePending: []string{"$pending = " + pending, "Remove-ExchangeCertificate -Server " + srv + " -Thumbprint $pending.Thumbprint"},
		Submit:        []string{"certreq -submit -config " + q(string(c.ca.CA.Config)) + " -attrib " + q("CertificateTemplate:"+c.template) + " " + q(r.requestFile) + " " + q(r.certFile)},
		Revoke:        []string{"certutil -config " + q(string(c.ca.CA.Config)) + " -revoke <serial number> 5"},
		Import:        []string{"$cert = Import-ExchangeCertificate -Server " + srv + " -FileData ([System.IO.File]::ReadAllBytes(" + q(r.certFile) + "))"},
		ShowCurrent:   []string{"Get-ExchangeCertificate -Server " + srv + " | Where-Object { $_.Services -match 'IIS' }"},
		Enable:        []string{"Enable-ExchangeCertificate -Server " + srv + " -Thumbprint $cert.Thumbprint -Services 'IIS,SMTP'"},
		RestoreOld:    []string{"Enable-ExchangeCertificate -Server " + srv + " -Thumbprint $old -Services 'IIS'"},
		RemoveNew:     []string{"Remove-ExchangeCertificate -Server " + srv + " -Thumbprint $cert.Thumbprint"},
	}, nil
}

func plan(in steps.Input) []steps.Action {
	c := load(in)
	if len(c.bad) > 0 || !c.hasCA || len(c.names) == 0 {
		return nil
	}
	ca := string(c.ca.Name)
	var as []steps.Action
	for _, s := range c.servers {
		r := c.request(s)
		cm, err := c.commands(r)
		if err != nil {
			continue
		}
		name, fqdn := string(s.Name), string(s.FQDN)
		shell := "On " + fqdn + ", open the Exchange Management Shell as a member of Organization Management and create the folder " + Folder + " if it does not exist."
		as = append(as,
			steps.Action{
				ID: "request-" + strings.ToLower(name), Phase: steps.PhaseCertificates, Target: name,
				Title: "Write the certificate request on " + name,
				Do: []string{
					shell,
					"Run: " + cm.Request[0],
					"Run: " + cm.SaveRequest[0] + " — the request, with the names " + strings.Join(r.names, ", ") + ", is now in " + r.requestFile + ". Copy it to " + Folder + " on " + ca + ".",
				},
				Expect:  "$request holds a block of text from -----BEGIN NEW CERTIFICATE REQUEST----- to -----END NEW CERTIFICATE REQUEST-----; Get-ExchangeCertificate -Server " + name + " lists an entry with Status PendingRequest and the friendly name " + r.friendlyName + ".",
				Verify:  "On " + ca + ", certutil -dump " + r.requestFile + " shows the subject " + r.subject + " and every name above under Subject Alternative Name.",
				Backout: "Remove the pending request: " + strings.Join(cm.RemovePending, "; ") + ". The server's current certificate is untouched.",
			},
			steps.Action{
				ID: "issue-" + strings.ToLower(name), Phase: steps.PhaseCertificates, Target: ca,
				Title: "Issue " + name + "'s certificate on the CA",
				Do: []string{
					"On " + string(c.ca.FQDN) + " (or any domain computer that reaches the CA), open PowerShell as an account allowed to enrol for the template " + c.template + ".",
					"Run: " + cm.Submit[0],
					"If the template needs a CA manager's approval, the request waits: approve it in the Certification Authority console (Pending Requests, All Tasks, Issue), then run certreq -retrieve with the request ID it printed and " + r.certFile + ".",
					"Copy " + r.certFile + " back to " + Folder + " on " + name + ".",
				},
				Expect:  "certreq prints the request ID and \"Certificate retrieved(Issued)\", and writes " + r.certFile + ".",
				Verify:  "certutil -dump " + r.certFile + " shows the issuer " + string(c.ca.CA.Config) + ", the subject " + r.subject + " and the names " + strings.Join(r.names, ", ") + ".",
				Backout: "Revoke the certificate if it is not to be used: " + cm.Revoke[0] + " (the serial number is the one certutil -dump shows; reason 5 is cessation of operation).",
			},
			steps.Action{
				ID: "install-" + strings.ToLower(name), Phase: steps.PhaseCertificates, Target: name,
				Title: "Install and assign " + name + "'s certificate to IIS and SMTP",
				Do: []string{
					"On " + fqdn + ", open the Exchange Management Shell as a member of Organization Management.",
					"Record the certificate IIS uses now, for the backout: " + cm.ShowCurrent[0] + " — write down its thumbprint (the table shows Thumbprint, Services and Subject).",
					"Run: " + cm.Import[0] + " — it completes the pending request; $cert.Thumbprint is the new certificate's.",
					"Run: " + cm.Enable[0] + ". When asked whether to overwrite the existing default SMTP certificate, answer No: the self-signed default keeps protecting mail between the organisation's own servers, as Microsoft advises, and the new certificate is offered to servers that connect by its names.",
					"Run iisreset /noforce, so that every client access service and the Outlook on the web sign-in cookies use the new certificate. Outlook on the web, Outlook and mobile clients lose their connection to this server for a minute or two and reconnect by themselves.",
				},
				Expect:     "Get-ExchangeCertificate -Server " + name + " shows the new certificate with Services IIS, SMTP and Status Valid.",
				Verify:     "From a domain computer, open https://" + fqdn + "/owa and https://" + r.names[0] + "/owa (where the name reaches this server) and view the certificate: issued by the organisation's CA, valid, with the names above; no warning is shown.",
				Backout:    "Set $old to the thumbprint recorded before and run " + cm.RestoreOld[0] + ", then " + cm.RemoveNew[0] + " and iisreset /noforce. Enabling is additive, so the old certificate must be enabled again before the new one is removed.",
				Interrupts: "OWA and Outlook",
				Minutes:    2,
			},
		)
	}
	return as
}
