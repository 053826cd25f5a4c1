// Package proxypublish is the current platform's counterpart of the
// guide's OWA publishing through ISA Server, of the reverse proxy's half
// of its SSL listener, and of the front-end topology the guide built
// around them: Outlook on the web, Autodiscover, Exchange Web Services,
// MAPI over HTTP and ActiveSync (and the admin center only if the
// administrator chooses) are published from the Internet through a
// reverse proxy to the Mailbox servers.
//
// Every step is manual. psapply writes objects with New-, Get- and
// Remove-<Noun>, and Web Application Proxy publishes an application with
// Add-WebApplicationProxyApplication, which psapply cannot express; a
// proxy from another vendor has no cmdlets at all. The plan prints the
// exact Web Application Proxy commands instead, every typed value quoted,
// and the tests check them against Microsoft's reference.
package proxypublish

import (
	"fmt"
	"net/netip"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/exchangecert"
	"github.com/secex/wizard/steps/extendedprotection"
	"github.com/secex/wizard/steps/script/powershell"
)

// ID is the procedure's stable identifier.
const ID = "current-proxy-publishing"

// Replaces lists the guide's procedures this one stands for: the ISA
// Server publishing rule, the proxy's side of the SSL listener (the
// certificate's side is the Exchange certificate procedure's), and the
// retired front-end topology, whose Internet-facing hop this is.
var Replaces = []string{"isa-owa-publishing", "isa-ssl-listener", "owa-topology"}

// Question IDs.
const (
	QProxy       = "proxy"            // the reverse proxy server
	QProduct     = "product"          // wap or other
	QMailbox     = "mailbox"          // Mailbox servers behind the proxy
	QBackendHost = "backend-host"     // name the proxy connects to
	QPublicAddr  = "public-address"   // the proxy's Internet address
	QECP         = "publish-ecp"      // publish the Exchange admin center
	QTLS         = "tls-mode"         // passthrough, reencrypt or terminate
	QSameCert    = "same-certificate" // re-encrypting with Exchange's certificate
	QThumbprint  = "thumbprint"       // the published certificate on Web Application Proxy
	QHTTP        = "http"             // what plain HTTP on port 80 does
	QPreauth     = "preauth"          // passthrough or adfs
	QRelyingPart = "relying-party"    // AD FS relying party for Outlook on the web
)

// Answers of QProduct, QTLS, QHTTP and QPreauth.
const (
	ProductWAP   = "wap"
	ProductOther = "other"

	TLSPassthrough = "passthrough"
	TLSReencrypt   = "reencrypt"
	TLSTerminate   = "terminate"

	HTTPRedirect = "redirect"
	HTTPClosed   = "closed"
	HTTPForward  = "forward"

	PreauthPassthrough = "passthrough"
	PreauthADFS        = "adfs"
)

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Platform: steps.PlatformCurrent,
	Title:    "Publish Outlook on the web and the Exchange client paths through the reverse proxy",
	Section:  "Current platform, for the guide\u2019s \u201cPublishing OWA with ISA Server\u201d, the reverse proxy\u2019s part of its SSL listener, and its front-end topology",
	Summary:  "Publish Outlook on the web, Autodiscover, EWS, MAPI over HTTP and ActiveSync (the admin center only by choice) from the reverse proxy to the Mailbox servers, keep TLS unbroken for Extended Protection, test from the Internet and move the public DNS names to the proxy.",
	Rationale: []string{
		"The guide put an ISA Server in the perimeter so that no Exchange server took connections from the Internet directly, and built a front-end server tier behind it. Exchange Server 2019 and SE have no front-end tier: every Mailbox server runs the client access services. The perimeter hop remains worth having, and a reverse proxy such as Web Application Proxy now takes the ISA Server's place: it answers on the public names and forwards only the Exchange paths that are listed, so the rest of IIS on the Mailbox servers is never reachable from outside.",
		"Each path is a separate publication: /owa for browsers, /autodiscover for clients finding their settings, /ews and /mapi for Outlook, /Microsoft-Server-ActiveSync for phones. Publishing them one by one keeps the door as narrow as what the organisation uses.",
		"The Exchange admin center (/ecp) lets whoever signs in change the organisation. Microsoft and the DISA Exchange STIG both advise keeping it off the Internet, so this plan leaves it unpublished unless the administrator decides otherwise and records why.",
		"Extended Protection, on by default from Exchange Server 2019 CU14, ties Windows authentication to the TLS channel the client opened. A proxy that ends TLS and talks plain HTTP, or re-encrypts with a different certificate, breaks that tie and Exchange refuses the sign-in. The proxy must therefore pass TLS through untouched or re-encrypt with the very certificate the Mailbox servers present.",
	},
	Notes: []string{
		"Web Application Proxy always ends the client's TLS session and opens a new one to the Mailbox servers, so with it the certificate on the proxy and the one on the Mailbox servers must be the same (same thumbprint). That means the certificate's private key is exported from where it was issued and imported on the proxy, and on the Mailbox servers; protect the exported file with a strong password and delete it afterwards. The Exchange certificate procedure does this when asked for one certificate for all its servers: it leaves the exported file for this procedure's certificate step, which imports it on the proxy and deletes every copy.",
		"When the proxy re-encrypts, the plan warns unless the Exchange certificate procedure gives every Mailbox server behind the proxy one shared certificate with an exportable key.",
		"AD FS pre-authentication applies to Outlook on the web and the admin center only, and only after their virtual directories accept AD FS tokens (a separate change on the Mailbox servers, not made by this plan). Outlook and ActiveSync cannot sign in through an AD FS form, so their paths are always published with pass-through pre-authentication and authenticate at Exchange.",
		"Basic authentication is acceptable only inside TLS: plain HTTP must be redirected to HTTPS or refused at the proxy, never forwarded. Exchange Online retired Basic authentication; on premises it remains available and is still the default of ActiveSync, so keep it confined to TLS and prefer Modern authentication where the organisation has it.",
		"Outlook Anywhere (/rpc) is not published: Outlook connects with MAPI over HTTP, the default since Exchange Server 2016. Publish /rpc too only if old Outlook clients still need it.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	// Every step is done by hand on the proxy: Web Application Proxy adds
	// an application with Add-WebApplicationProxyApplication, which a
	// psapply script cannot express, and another vendor's proxy has no
	// cmdlets. The commands, every value quoted, are in the plan's steps.
	Files: func(steps.Input) ([]steps.File, error) { return nil, nil },
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleMailbox)) == 0 {
		return false, "No server has the role " + steps.RoleMailbox.Label() + ". The reverse proxy publishes the Mailbox servers' services, so add them to the servers page first."
	}
	if len(t.WithRole(steps.RoleProxy)) == 0 {
		return false, "No server has the role " + steps.RoleProxy.Label() + ". Add the reverse proxy to the servers page to plan publishing through it."
	}
	return true, ""
}

var pages = []steps.Page{
	{
		ID:    "servers",
		Title: "Proxy and Mailbox servers",
		Questions: []steps.Question{
			{ID: QProxy, Label: "Reverse proxy that publishes Exchange", Kind: steps.KindServer, Role: steps.RoleProxy, DefaultFrom: firstProxy},
			{ID: QProduct, Label: "Which reverse proxy product is it?", Kind: steps.KindChoice, Default: ProductWAP, Choices: []steps.Choice{
				{Value: ProductWAP, Label: "Web Application Proxy (Windows Server)", Hint: "The plan prints the exact Add-WebApplicationProxyApplication commands."},
				{Value: ProductOther, Label: "Another product (a load balancer or a third-party reverse proxy)", Hint: "The plan lists the paths and settings to enter in that product's own tools."},
			}},
			{ID: QMailbox, Label: "Mailbox servers behind the proxy", Kind: steps.KindServers, Role: steps.RoleMailbox, DefaultFrom: allMailbox},
			{ID: QBackendHost, Label: "Name the proxy connects to for the Mailbox servers", Kind: steps.KindFQDN, DefaultFrom: defaultBackend,
				Hint: "Resolved on the proxy to the Mailbox servers or their load balancer. With Extended Protection it must be a name on the Mailbox servers' certificate; the public host name with internal DNS is usual."},
			{ID: QPublicAddr, Label: "The proxy's public IPv4 address (where the public DNS names will point)", Kind: steps.KindIPv4,
				Hint: "The address the Internet reaches the proxy on (the firewall's translated address, if there is one). The DNS change points the public names at it, and the outside-in test connects to it before the change."},
		},
	},
	{
		ID:    "paths",
		Title: "Published paths",
		Intro: "Outlook on the web, Autodiscover, EWS, MAPI over HTTP and ActiveSync are always published.",
		Questions: []steps.Question{
			{ID: QECP, Label: "Also publish the Exchange admin center (/ecp) to the Internet?", Kind: steps.KindYesNo, Default: "no",
				Hint: "Microsoft and the DISA Exchange STIG advise against it: administrators can work from inside the network or over a VPN."},
		},
	},
	{
		ID:    "tls",
		Title: "TLS and authentication",
		Questions: []steps.Question{
			{ID: QTLS, Label: "How does the proxy handle the client's TLS connection?", Kind: steps.KindChoice, Default: TLSReencrypt, Choices: []steps.Choice{
				{Value: TLSPassthrough, Label: "Passes it through untouched (TCP or SNI routing)", Hint: "The Mailbox servers end TLS themselves; the proxy sees no content."},
				{Value: TLSReencrypt, Label: "Ends it and re-encrypts to the Mailbox servers", Hint: "What Web Application Proxy does. Needs the same certificate on the proxy and the Mailbox servers."},
				{Value: TLSTerminate, Label: "Ends it and forwards plain HTTP", Hint: "Breaks Extended Protection; refused."},
			}},
			{ID: QSameCert, Label: "Does the proxy present the same certificate (same thumbprint) as the Mailbox servers?", Kind: steps.KindYesNo, Default: "yes"},
			{ID: QThumbprint, Label: "Thumbprint of that certificate on the proxy (Web Application Proxy only)", Kind: steps.KindList, Item: parseThumbprint, MaxItems: 1, Optional: true,
				Hint: "40 hexadecimal digits, from the certificate's Details tab in the proxy's Local Computer Personal store."},
			{ID: QHTTP, Label: "What does the proxy do with plain HTTP on port 80?", Kind: steps.KindChoice, Default: HTTPRedirect, Choices: []steps.Choice{
				{Value: HTTPRedirect, Label: "Redirects it to HTTPS"},
				{Value: HTTPClosed, Label: "Refuses it (port 80 closed)"},
				{Value: HTTPForward, Label: "Forwards it to the Mailbox servers", Hint: "Basic authentication would cross the Internet in clear; refused."},
			}},
			{ID: QPreauth, Label: "Pre-authentication for Outlook on the web", Kind: steps.KindChoice, Default: PreauthPassthrough, Choices: []steps.Choice{
				{Value: PreauthPassthrough, Label: "Pass-through: Exchange signs users in", Hint: "Works for every client and with Extended Protection."},
				{Value: PreauthADFS, Label: "AD FS: the proxy signs users in before forwarding", Hint: "Only Outlook on the web and the admin center; their virtual directories must accept AD FS tokens."},
			}},
		},
	},
	{
		ID:    "adfs",
		Title: "AD FS",
		When:  func(a steps.Answers) bool { return a.Is(QPreauth, PreauthADFS) },
		Questions: []steps.Question{
			{ID: QRelyingPart, Label: "AD FS relying party trust for Outlook on the web", Kind: steps.KindObjectName, Default: "Outlook on the web",
				Hint: "The name of the relying party trust on the AD FS farm, as AD FS Management lists it."},
		},
	},
}

func firstProxy(t steps.Topology, _ steps.Answers) string {
	if ps := t.WithRole(steps.RoleProxy); len(ps) > 0 {
		return string(ps[0].Name)
	}
	return ""
}

func allMailbox(t steps.Topology, _ steps.Answers) string {
	var names []string
	for _, s := range t.WithRole(steps.RoleMailbox) {
		names = append(names, string(s.Name))
	}
	return strings.Join(names, "\n")
}

func defaultBackend(t steps.Topology, _ steps.Answers) string { return string(t.Facts.OWAHost) }

func parseThumbprint(s string) (string, error) {
	t, err := steps.ParseThumbprint(s)
	if err != nil {
		return "", fmt.Errorf("thumbprint: %w", err)
	}
	return string(t), nil
}

// Path is one published Exchange path.
type Path struct {
	App  string // the publication's name on the proxy
	Host string // the public host name
	Path string // with leading and trailing slash
	What string // who uses it, for the instructions
	ADFS bool   // takes AD FS pre-authentication when chosen
}

// config is the answers as the plan uses them.
type config struct {
	proxy      steps.Server
	hasProxy   bool
	product    string
	mailbox    []steps.Server
	backend    string
	public     netip.Addr
	ecp        bool
	tls        string
	sameCert   bool
	thumbprint string
	http       string
	preauth    string
	rp         string
	owaHost    string
	autoHost   string
	bad        []steps.Finding
}

func load(in steps.Input) config {
	a := in.Of(ID)
	c := config{product: a[QProduct], ecp: a.Is(QECP, "yes"), tls: a[QTLS], sameCert: !a.Is(QSameCert, "no"),
		http: a[QHTTP], preauth: a[QPreauth], owaHost: string(in.Topology.Facts.OWAHost)}
	if d := in.Topology.Facts.PublicDomain; d != "" {
		c.autoHost = "autodiscover." + string(d)
	}
	refuse := func(q, msg string) {
		c.bad = append(c.bad, steps.Finding{Code: CodeBadValue, Severity: steps.Error, Fix: []string{q}, Message: msg})
	}
	if s, ok := in.Topology.Server(a[QProxy]); ok && s.Has(steps.RoleProxy) {
		c.proxy, c.hasProxy = s, true
	}
	for _, name := range a.Values(QMailbox) {
		if s, ok := in.Topology.Server(name); ok && s.Has(steps.RoleMailbox) {
			c.mailbox = append(c.mailbox, s)
		}
	}
	if h, err := steps.ParseFQDN(a[QBackendHost]); err != nil {
		refuse(QBackendHost, "Name the proxy connects to: "+err.Error())
	} else {
		c.backend = string(h)
	}
	if ip, err := steps.ParseIPv4(a[QPublicAddr]); err != nil {
		refuse(QPublicAddr, "The proxy's public address: "+err.Error())
	} else {
		c.public = ip
	}
	if v := a[QThumbprint]; v != "" {
		if t, err := parseThumbprint(v); err != nil {
			refuse(QThumbprint, fmt.Sprintf("%q is refused: %v", v, err))
		} else {
			c.thumbprint = t
		}
	}
	if c.preauth == PreauthADFS {
		if rp, err := steps.ParseObjectName(a[QRelyingPart]); err != nil {
			refuse(QRelyingPart, "AD FS relying party trust: "+err.Error())
		} else {
			c.rp = string(rp)
		}
	}
	for q, ok := range map[string]bool{
		QProduct: c.product == ProductWAP || c.product == ProductOther,
		QTLS:     c.tls == TLSPassthrough || c.tls == TLSReencrypt || c.tls == TLSTerminate,
		QHTTP:    c.http == HTTPRedirect || c.http == HTTPClosed || c.http == HTTPForward,
		QPreauth: c.preauth == PreauthPassthrough || c.preauth == PreauthADFS,
		// A yes-or-no answer that is neither is refused rather than
		// read as one of them.
		QECP:      a[QECP] == "yes" || a[QECP] == "no",
		QSameCert: a[QSameCert] == "yes" || a[QSameCert] == "no",
	} {
		if !ok {
			refuse(q, "Choose one of the offered answers.")
		}
	}
	slices.SortFunc(c.bad, func(x, y steps.Finding) int { return strings.Compare(x.Fix[0], y.Fix[0]) })
	return c
}

// owaPath is the facts page's Outlook on the web path, /owa when empty.
func owaPath(t steps.Topology) string {
	if t.Facts.OWAPath != "" {
		return t.Facts.OWAPath
	}
	return "/owa"
}

// Paths lists what is published, in the order the plan publishes it.
func (c config) Paths(t steps.Topology) []Path {
	ps := []Path{{App: "Exchange Outlook on the web", Host: c.owaHost, Path: owaPath(t) + "/", What: "browsers", ADFS: true}}
	if c.ecp {
		ps = append(ps, Path{App: "Exchange admin center", Host: c.owaHost, Path: "/ecp/", What: "administrators' browsers", ADFS: true})
	}
	return append(ps,
		Path{App: "Exchange Autodiscover", Host: c.autoHost, Path: "/autodiscover/", What: "Outlook and phones finding their settings"},
		Path{App: "Exchange Web Services", Host: c.owaHost, Path: "/ews/", What: "Outlook for Mac, free/busy and other EWS clients"},
		Path{App: "Exchange MAPI over HTTP", Host: c.owaHost, Path: "/mapi/", What: "Outlook for Windows"},
		Path{App: "Exchange ActiveSync", Host: c.owaHost, Path: "/Microsoft-Server-ActiveSync/", What: "phones and tablets"},
	)
}

// Finding codes.
const (
	CodeBadValue       = "value-refused"
	CodeNoProxy        = "no-proxy"
	CodeNoMailbox      = "no-mailbox-servers"
	CodeServerMissing  = "server-missing"
	CodeNoOWAHost      = "no-owa-host"
	CodeNoPublicDomain = "no-public-domain"
	CodeTLSTerminated  = "tls-terminated"
	CodeOtherCert      = "different-certificate"
	CodeWAPPassthrough = "wap-cannot-pass-through"
	CodeNoThumbprint   = "no-thumbprint"
	CodeHTTPForwarded  = "http-forwarded"
	CodeECPPublished   = "ecp-published"
	CodeADFS           = "adfs-owa-only"
	CodeCertNotShared  = "certificate-not-shared"
	CodeHostsOnly      = "passthrough-cannot-filter-paths"
	CodeADFSNeedsTLS   = "adfs-needs-tls-at-proxy"
	CodeEPDisagrees    = "extended-protection-answer-differs"
)

// epAnswer is the Extended Protection procedure's answer that describes
// the same proxy as each answer of QTLS.
var epAnswer = map[string]string{
	TLSPassthrough: extendedprotection.ProxyPassthrough,
	TLSReencrypt:   extendedprotection.ProxyReencrypt,
	TLSTerminate:   extendedprotection.ProxyOffload,
}

// crossChecks compares the answers with the other current-platform
// procedures that describe the same proxy and certificates: a plan whose
// procedures disagree about them would fail at the first sign-in.
func crossChecks(in steps.Input, c config) []steps.Finding {
	var fs []steps.Finding
	if ep := in.Of(extendedprotection.ID)[extendedprotection.QProxy]; ep != "" && epAnswer[c.tls] != "" && ep != epAnswer[c.tls] {
		fs = append(fs, steps.Finding{Code: CodeEPDisagrees, Severity: steps.Warning, Fix: []string{QTLS},
			Message: "The Extended Protection procedure describes the proxy's TLS handling as " + ep + ", this one as " + c.tls + ". Both describe the same proxy: correct whichever is wrong, or accept it with a reason (for example, a second device in front of the Mailbox servers)."})
	}
	if c.tls != TLSReencrypt || len(in.Of(exchangecert.ID)) == 0 {
		return fs
	}
	cert := exchangecert.Planned(in)
	var uncovered []string
	for _, s := range c.mailbox {
		if !slices.Contains(cert.Servers, string(s.Name)) {
			uncovered = append(uncovered, string(s.Name))
		}
	}
	if cert.One() && len(uncovered) == 0 {
		return fs
	}
	var why string
	switch {
	case len(cert.Servers) == 0:
		why = "The Exchange certificate procedure gives no Mailbox server a certificate"
	case len(cert.Servers) > 1 && !cert.Shared:
		why = "The Exchange certificate procedure gives " + andList(cert.Servers) + " each a certificate of its own"
	case !cert.Exportable:
		why = "The Exchange certificate procedure gives " + andList(cert.Servers) + " a certificate"
	default:
		why = "The Exchange certificate procedure gives " + andList(cert.Servers) + " one certificate"
	}
	if !cert.Exportable && len(cert.Servers) > 0 {
		why += ", with a private key that cannot be exported"
	}
	if len(uncovered) > 0 && len(cert.Servers) > 0 {
		why += ", and none to " + andList(uncovered) + ", which " + map[bool]string{true: "is", false: "are"}[len(uncovered) == 1] + " behind the proxy"
	}
	fs = append(fs, steps.Finding{Code: CodeCertNotShared, Severity: steps.Warning, Fix: []string{QTLS, QMailbox},
		Message: why + ", so the proxy cannot present the certificate every Mailbox server behind it presents. Re-encrypting under Extended Protection needs one certificate, the same on the proxy and on each of those servers. In the Exchange certificate procedure, select every Mailbox server behind the proxy and answer yes to \u201cOne certificate for all the selected servers?\u201d and to \u201cAllow the private key to be exported?\u201d, or let a proxy that can pass TLS through do so; accept this with a reason once the shared certificate is planned elsewhere."})
	return fs
}

func check(in steps.Input) []steps.Finding {
	a := in.Of(ID)
	c := load(in)
	fs := append([]steps.Finding{}, c.bad...)
	if !c.hasProxy {
		fs = append(fs, steps.Finding{Code: CodeNoProxy, Severity: steps.Error, Fix: []string{QProxy},
			Message: "Select the reverse proxy: " + map[bool]string{true: "none is selected", false: a[QProxy] + " is not a server with the role " + steps.RoleProxy.Label() + " in the inventory"}[a[QProxy] == ""] + "."})
	}
	for _, name := range a.Values(QMailbox) {
		if s, ok := in.Topology.Server(name); !ok || !s.Has(steps.RoleMailbox) {
			fs = append(fs, steps.Finding{Code: CodeServerMissing, Severity: steps.Error, Fix: []string{QMailbox},
				Message: name + " is not a Mailbox server of the inventory any more. Select the Mailbox servers again."})
		}
	}
	if len(c.mailbox) == 0 {
		fs = append(fs, steps.Finding{Code: CodeNoMailbox, Severity: steps.Error, Fix: []string{QMailbox},
			Message: "Select at least one Mailbox server for the proxy to forward to."})
	}
	if c.owaHost == "" {
		fs = append(fs, steps.Finding{Code: CodeNoOWAHost, Severity: steps.Error,
			Message: "The facts page has no public Outlook on the web host name, so the plan cannot say which name to publish. Enter it there."})
	}
	if c.autoHost == "" {
		fs = append(fs, steps.Finding{Code: CodeNoPublicDomain, Severity: steps.Error,
			Message: "The facts page has no public DNS domain, so the plan cannot name the Autodiscover host (autodiscover.<domain>). Enter it there."})
	}
	if c.tls == TLSTerminate {
		fs = append(fs, steps.Finding{Code: CodeTLSTerminated, Severity: steps.Error, Fix: []string{QTLS},
			Message: "A proxy that ends TLS and forwards plain HTTP breaks Extended Protection, which is on by default from Exchange Server 2019 CU14: the Mailbox servers refuse Windows sign-ins that arrive without the client's TLS channel, and credentials would cross the perimeter network in clear. Let the proxy pass TLS through, or re-encrypt with the Mailbox servers' certificate."})
	}
	if c.tls == TLSReencrypt && !c.sameCert {
		fs = append(fs, steps.Finding{Code: CodeOtherCert, Severity: steps.Error, Fix: []string{QSameCert, QTLS},
			Message: "Re-encrypting with a certificate other than the Mailbox servers' breaks Extended Protection: the channel binding the client computes does not match the one Exchange sees. Install the same certificate (same thumbprint) on the proxy and on the Mailbox servers, or let the proxy pass TLS through."})
	}
	if c.product == ProductWAP && c.tls == TLSPassthrough {
		fs = append(fs, steps.Finding{Code: CodeWAPPassthrough, Severity: steps.Error, Fix: []string{QTLS, QProduct},
			Message: "Web Application Proxy cannot pass TLS through: it always ends the client's connection and opens its own to the Mailbox servers. Choose re-encrypt with the same certificate, or name the other product that passes TLS through."})
	}
	if c.product == ProductWAP && a[QThumbprint] == "" {
		fs = append(fs, steps.Finding{Code: CodeNoThumbprint, Severity: steps.Error, Fix: []string{QThumbprint},
			Message: "Web Application Proxy needs the thumbprint of the certificate it presents for each publication. Import the Mailbox servers' certificate on the proxy first and enter its thumbprint."})
	}
	if c.tls == TLSPassthrough {
		fs = append(fs, steps.Finding{Code: CodeHostsOnly, Severity: steps.Warning, Fix: []string{QTLS},
			Message: "A proxy that passes TLS through sees host names only, never paths, so it forwards every path of " + c.owaHost + " to the Mailbox servers: /ecp and /powershell included, whatever this plan publishes. Keep them off the Internet on Exchange or the firewall instead, or let the proxy end TLS and re-encrypt with the Mailbox servers' certificate so it can filter by path; accept this with a reason."})
		if c.preauth == PreauthADFS {
			fs = append(fs, steps.Finding{Code: CodeADFSNeedsTLS, Severity: steps.Error, Fix: []string{QPreauth, QTLS},
				Message: "AD FS pre-authentication happens inside HTTPS at the proxy, which a proxy passing TLS through never opens. Choose pass-through pre-authentication, or let the proxy re-encrypt."})
		}
	}
	if c.http == HTTPForward {
		fs = append(fs, steps.Finding{Code: CodeHTTPForwarded, Severity: steps.Error, Fix: []string{QHTTP},
			Message: "Forwarding plain HTTP lets a client send Basic authentication credentials across the Internet in clear. Redirect port 80 to HTTPS, or close it."})
	}
	if c.ecp {
		fs = append(fs, steps.Finding{Code: CodeECPPublished, Severity: steps.Warning, Fix: []string{QECP},
			Message: "Publishing the Exchange admin center puts the sign-in page of organisation-wide administration on the Internet. Microsoft advises against it, and the DISA Exchange STIG expects it to be reachable from the internal network only. Choose no, or accept it with a reason (for example, AD FS pre-authentication with multi-factor sign-in in front of it)."})
	}
	if c.preauth == PreauthADFS {
		fs = append(fs, steps.Finding{Code: CodeADFS, Severity: steps.Warning, Fix: []string{QPreauth},
			Message: "AD FS pre-authentication covers Outlook on the web and the admin center only, and needs their virtual directories set to accept AD FS tokens (Set-OwaVirtualDirectory and Set-EcpVirtualDirectory with -AdfsAuthentication) and the AD FS relying party trust, neither planned here. Autodiscover, EWS, MAPI and ActiveSync stay pass-through. Accept it with a reason once those changes are planned, or choose pass-through."})
	}
	return append(fs, crossChecks(in, c)...)
}

func (c config) quote(s string) string {
	v, err := powershell.Quote(s)
	if err != nil {
		panic(err) // unreachable: every value is parsed before use
	}
	return v
}

// Commands are the Web Application Proxy commands of one published path.
type Commands struct {
	Add, Show, Remove string
}

// commands gives the Web Application Proxy commands of p.
func (c config) commands(p Path) Commands {
	preauth := "PassThrough"
	rp := ""
	if p.ADFS && c.preauth == PreauthADFS {
		preauth = "ADFS"
		rp = " -ADFSRelyingPartyName " + c.quote(c.rp)
	}
	ext := "https://" + p.Host + p.Path
	back := "https://" + c.backend + p.Path
	redirect := ""
	if c.http == HTTPRedirect {
		redirect = " -EnableHTTPRedirect"
	}
	return Commands{
		Add: "Add-WebApplicationProxyApplication -Name " + c.quote(p.App) + " -ExternalUrl " + c.quote(ext) + " -BackendServerUrl " + c.quote(back) +
			" -ExternalCertificateThumbprint " + c.quote(c.thumbprint) + " -ExternalPreauthentication " + c.quote(preauth) + rp +
			" -BackendServerCertificateValidation 'ValidateCertificate'" + redirect,
		Show:   "Get-WebApplicationProxyApplication -Name " + c.quote(p.App),
		Remove: "Remove-WebApplicationProxyApplication -Name " + c.quote(p.App),
	}
}

// probeHost is where the outside-in test connects: the proxy's public
// address, so that the test can run before the public names move.
func (c config) probeHost() string { return c.public.String() }

func plan(in steps.Input) []steps.Action {
	c := load(in)
	if len(c.bad) > 0 || !c.hasProxy || len(c.mailbox) == 0 || c.owaHost == "" || c.autoHost == "" ||
		c.tls == TLSTerminate || c.http == HTTPForward || (c.tls == TLSReencrypt && !c.sameCert) ||
		(c.tls == TLSPassthrough && c.preauth == PreauthADFS) ||
		(c.product == ProductWAP && (c.tls == TLSPassthrough || c.thumbprint == "")) {
		return nil
	}
	proxy := string(c.proxy.Name)
	var mbx []string
	for _, s := range c.mailbox {
		mbx = append(mbx, string(s.Name))
	}
	mailbox := strings.Join(mbx, ", ")
	paths := c.Paths(in.Topology)
	var as []steps.Action

	if c.tls == TLSReencrypt {
		export := "On a Mailbox server (" + mailbox + "), export the certificate Exchange uses for IIS, with its private key, to a .pfx file protected by a strong password: in the Exchange admin center, Servers, Certificates, select it and choose Export Exchange certificate under More options, or in the Certificates console of the Local Computer (certlm.msc), Personal, All Tasks, Export. Export works only if the certificate was requested with an exportable key. It must carry " + c.owaHost + " and " + c.autoHost + "."
		from, del := "the Mailbox server", "Delete the .pfx from both computers and from anywhere it was copied through."
		if cert := exchangecert.Planned(in); cert.PFXPath != "" {
			// The Exchange certificate procedure has already exported the
			// shared certificate and kept the file for this step.
			export = "Take the .pfx the Exchange certificate procedure exported the shared certificate to: " + cert.PFXPath + " on " + cert.PFXServer + ", readable by administrators only. Its password comes from the administrator who exported it, by another channel than the file."
			from = cert.PFXServer
			del = "Delete the .pfx from " + cert.PFXServer + " ([System.IO.File]::Delete(" + c.quote(cert.PFXPath) + ") in PowerShell there), from " + proxy + " and from anywhere it was copied through, then check with Test-Path -LiteralPath that it is gone."
		}
		as = append(as, steps.Action{
			ID: "certificate", Phase: steps.PhasePublishing, Target: proxy,
			Title: "Install the Mailbox servers' certificate on " + proxy,
			Do: []string{
				export,
				"Copy the .pfx from " + from + " to " + string(c.proxy.FQDN) + " over an administrative share or a remote session, never by e-mail, and import it into the Local Computer's Personal store (certlm.msc, Personal, All Tasks, Import), with the private key marked not exportable.",
				del,
			},
			Expect:  "certlm.msc on " + proxy + " lists the certificate under Personal with a private key, and its thumbprint is the same as on the Mailbox servers" + c.thumbprintNote() + ".",
			Verify:  "Get-ExchangeCertificate on a Mailbox server and the certificate's Details tab on " + proxy + " show the same thumbprint.",
			Backout: "On " + proxy + ", delete the certificate from the Local Computer's Personal store. The Mailbox servers are unchanged.",
		})
	}

	if c.product == ProductWAP {
		for _, p := range paths {
			cm := c.commands(p)
			as = append(as, steps.Action{
				ID: "publish-" + slug(p.Path), Phase: steps.PhasePublishing, Target: proxy,
				Title: "Publish https://" + p.Host + p.Path + " on " + proxy,
				Do: []string{
					"On " + string(c.proxy.FQDN) + ", open Windows PowerShell as an administrator of Web Application Proxy.",
					"Run: " + cm.Add + " — this publishes the path for " + p.What + "; the proxy checks the Mailbox servers' certificate on every connection.",
				},
				Expect:  "The command returns without error and Remote Access Management lists " + p.App + " under Published Web Applications.",
				Verify:  "Run: " + cm.Show + " — it shows the external and backend URLs above, pre-authentication " + c.preauthOf(p) + " and the thumbprint " + c.thumbprint + ".",
				Backout: "Run: " + cm.Remove + ". The path is no longer reachable through the proxy; nothing changes on the Mailbox servers.",
			})
		}
	} else {
		as = append(as, c.otherProduct(in.Topology, paths))
	}

	test := steps.Action{
		ID: "outside-in", Phase: steps.PhasePublishing, Target: proxy,
		Title: "Test the published paths from the Internet",
		Do: []string{
			"From a computer on the Internet, outside the organisation, connect to " + c.probeHost() + " on port 443 with the name " + c.owaHost + " and read the certificate: it is the Mailbox servers' certificate, valid and trusted.",
			"Open https://" + c.owaHost + owaPath(in.Topology) + "/ (with a hosts-file entry pointing " + c.owaHost + " at " + c.probeHost() + ", as DNS has not moved yet) and sign in with a test account; open a message.",
			"Check that http://" + c.owaHost + "/ is " + map[bool]string{true: "redirected to HTTPS", false: "refused"}[c.http == HTTPRedirect] + ", and that https://" + c.owaHost + "/ecp/ " + map[bool]string{true: "shows the admin center's sign-in", false: "is not answered by Exchange"}[c.ecp] + ".",
		},
		Probe: &steps.Probe{Kind: steps.ProbeTLS, Host: c.probeHost(), Port: 443, Name: c.owaHost,
			Path: in.Topology.Facts.OWAPath, HTTPPort: 80, FormsSignIn: true},
		Expect:  "The sign-in page appears without a certificate warning, the test mailbox opens, and no Extended Protection error (HTTP 401 after a correct password) is seen.",
		Verify:  "The Mailbox servers' IIS logs (" + mailbox + ") show the test account's requests arriving from " + proxy + "'s internal address.",
		Backout: "Nothing to undo: the test only reads.",
	}
	dns := steps.Action{
		ID: "dns-cutover", Phase: steps.PhasePublishing, Target: proxy,
		Title: "Point " + c.owaHost + " and " + c.autoHost + " at " + proxy + " in public DNS",
		Do: []string{
			"A day before, lower the time-to-live of the public records for " + c.owaHost + " and " + c.autoHost + " to 5 minutes, so the change and any backout spread quickly.",
			"In the public zone, change the A records of " + c.owaHost + " and " + c.autoHost + " to " + c.public.String() + ". Record the old values first, for the backout.",
			"Internal DNS (or the hosts file on " + proxy + ") keeps resolving " + c.backend + " to the Mailbox servers or their load balancer, so the proxy still reaches them and internal clients never pass through it.",
			"While resolvers still hold the old records (up to one time-to-live), clients outside reach the old address; if nothing serves Exchange there, Outlook on the web, Outlook and phones outside the organisation cannot connect until the new records reach them.",
		},
		Expect:     "nslookup " + c.owaHost + " and nslookup " + c.autoHost + " against a public resolver return " + c.public.String() + ".",
		Verify:     "The outside-in test passes from a computer on the Internet without a hosts-file entry, and the Microsoft Remote Connectivity Analyzer's Outlook Autodiscover and Exchange ActiveSync tests pass with the test account.",
		Backout:    "Change the two A records back to the values recorded before.",
		Interrupts: "Outlook on the web, Outlook and ActiveSync from outside, for users whose resolver still holds the old records",
		Minutes:    5,
	}
	// The test connects to the address, so it runs before the names
	// move: a failure then costs no outage.
	return append(as, test, dns)
}

func (c config) thumbprintNote() string {
	if c.thumbprint == "" {
		return ""
	}
	return " (" + c.thumbprint + ")"
}

func (c config) preauthOf(p Path) string {
	if p.ADFS && c.preauth == PreauthADFS {
		return "AD FS (relying party " + c.rp + ")"
	}
	return "pass-through"
}

// otherProduct is the publishing step for a proxy without cmdlets: the
// rules to enter in its own tools. A proxy that passes TLS through routes
// by host name only; one that re-encrypts has a rule for each path.
func (c config) otherProduct(t steps.Topology, paths []Path) steps.Action {
	proxy := string(c.proxy.Name)
	http := "refuse plain HTTP on port 80"
	if c.http == HTTPRedirect {
		http = "answer plain HTTP on port 80 only with a redirect to HTTPS"
	}
	a := steps.Action{ID: "publish-paths", Phase: steps.PhasePublishing, Target: proxy,
		Title:   "Publish the Exchange paths on " + proxy,
		Backout: "Delete the rules created above, or restore the product's configuration backup taken first.",
	}
	if c.tls == TLSPassthrough {
		a.Do = []string{
			"In " + proxy + "'s management tools, create one TCP rule on port 443 for each public name, routing by the name the client sends (SNI): " + c.owaHost + " and " + c.autoHost + " to " + c.backend + " port 443. The proxy does not open the TLS connection, so the Mailbox servers' certificate is what clients see.",
			"Then " + http + ".",
			"The proxy cannot tell paths apart: the paths clients need (" + pathList(paths) + ") and every other path reach the Mailbox servers (see the accepted warning).",
		}
		a.Expect = "The product lists the two rules, each forwarding port 443 to " + c.backend + "."
		a.Verify = "From the Internet, https://" + c.owaHost + owaPath(t) + "/ shows the Mailbox servers' certificate and the sign-in page."
		return a
	}
	var list []string
	for _, p := range paths {
		list = append(list, "https://"+p.Host+p.Path+" to https://"+c.backend+p.Path+" ("+p.What+")")
	}
	preauth := "no pre-authentication at the proxy (Exchange signs users in) on every rule"
	if c.preauth == PreauthADFS {
		preauth = "AD FS pre-authentication with the relying party " + c.rp + " on the Outlook on the web" + map[bool]string{true: " and admin center rules", false: " rule"}[c.ecp] + ", none on the others"
	}
	a.Do = []string{
		"In " + proxy + "'s management tools, create one rule for each of these paths, and no others: " + strings.Join(list, "; ") + ".",
		"For every rule: end TLS with the Mailbox servers' own certificate and open a new TLS connection to " + c.backend + ", checking its certificate, never plain HTTP; " + http + "; send the original host name to the Mailbox servers. Use " + preauth + ".",
		map[bool]string{true: "Leave /powershell and every other path unpublished.", false: "Leave the admin center (/ecp), /powershell and every other path unpublished."}[c.ecp],
	}
	a.Expect = "The product lists exactly the rules above, each forwarding to " + c.backend + "."
	a.Verify = "From the Internet, https://" + c.owaHost + "/powershell/ " + map[bool]string{true: "gets", false: "and https://" + c.owaHost + "/ecp/ get"}[c.ecp] + " no answer from Exchange, while https://" + c.owaHost + owaPath(t) + "/ shows the sign-in page."
	return a
}

// pathList names the paths, as in "/owa/, /ews/ and /mapi/".
func pathList(paths []Path) string {
	var ps []string
	for _, p := range paths {
		ps = append(ps, p.Path)
	}
	return andList(ps)
}

// andList joins names as a sentence does: "EX01, EX02 and EX03".
func andList(names []string) string {
	if len(names) < 2 {
		return strings.Join(names, "")
	}
	return strings.Join(names[:len(names)-1], ", ") + " and " + names[len(names)-1]
}

// slug turns a path such as /Microsoft-Server-ActiveSync/ into an action
// ID part.
func slug(p string) string {
	return strings.ReplaceAll(strings.ToLower(strings.Trim(p, "/")), "/", "-")
}
