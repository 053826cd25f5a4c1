package steps

import (
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// Role is what a server does in the organisation's mail system.
type Role string

// The roles of the guide's environment model (procedures.md, "The
// environment model").
const (
	RoleISA      Role = "isa"
	RoleFrontEnd Role = "owa-fe"
	RoleBackEnd  Role = "exchange-be"
	RoleGateway  Role = "smtp-gw"
	RoleScreener Role = "screener"
	RoleCA       Role = "ca"
	RoleKMS      Role = "kms"
	RoleDC       Role = "dc"

	// The roles of the current platform (see PlatformCurrent). The
	// domain controller and the certificate authority (an AD CS issuing
	// CA) are the same roles as the guide's.
	RoleMailbox Role = "exchange-mbx"
	RoleEdge    Role = "exchange-edge"
	RoleProxy   Role = "reverse-proxy"
)

// Roles lists every role of every platform in the order forms show them;
// RolesFor gives one platform's.
var Roles = []Role{RoleDC, RoleCA, RoleBackEnd, RoleKMS, RoleFrontEnd, RoleISA, RoleGateway, RoleScreener, RoleMailbox, RoleEdge, RoleProxy}

// Label is the role's name as administrators know it.
func (r Role) Label() string {
	switch r {
	case RoleISA:
		return "ISA Server (firewall)"
	case RoleFrontEnd:
		return "OWA front-end"
	case RoleBackEnd:
		return "Exchange back-end"
	case RoleGateway:
		return "SMTP gateway"
	case RoleScreener:
		return "Message Screener host"
	case RoleCA:
		return "Certificate authority"
	case RoleKMS:
		return "Key Management Service"
	case RoleDC:
		return "Domain controller / global catalog"
	case RoleMailbox:
		return "Exchange Mailbox server"
	case RoleEdge:
		return "Exchange Edge Transport server"
	case RoleProxy:
		return "Reverse proxy (Web Application Proxy or another)"
	}
	return string(r)
}

// ParseRole accepts a role's slug or, ignoring case, its label.
func ParseRole(s string) (Role, error) { return parseRole(Roles, s) }

// ParseRoleFor accepts a role of platform p only.
func ParseRoleFor(p Platform, s string) (Role, error) { return parseRole(RolesFor(p), s) }

func parseRole(known []Role, s string) (Role, error) {
	s = strings.TrimSpace(s)
	for _, r := range known {
		if strings.EqualFold(s, string(r)) || strings.EqualFold(s, r.Label()) {
			return r, nil
		}
	}
	var slugs []string
	for _, r := range known {
		slugs = append(slugs, string(r))
	}
	return "", fmt.Errorf("%q is not a role; use one of %s", s, strings.Join(slugs, ", "))
}

// OS is a server's operating system family; it decides which tools a
// generated script may use.
type OS string

// The operating systems the wizard knows.
const (
	OSWindows2000 OS = "win2000"
	OSWindows2003 OS = "win2003"
	OSLater       OS = "later"

	// The current platform's (see PlatformCurrent).
	OSWindows2019 OS = "ws2019"
	OSWindows2022 OS = "ws2022"
	OSWindows2025 OS = "ws2025"
)

// OSes lists every OS of every platform in the order forms show them;
// OSesFor gives one platform's.
var OSes = []OS{OSWindows2000, OSWindows2003, OSLater, OSWindows2019, OSWindows2022, OSWindows2025}

// Label is the operating system's name.
func (o OS) Label() string {
	switch o {
	case OSWindows2000:
		return "Windows 2000 Server SP4"
	case OSWindows2003:
		return "Windows Server 2003"
	case OSLater:
		return "Windows Server 2008 or later"
	case OSWindows2019:
		return "Windows Server 2019"
	case OSWindows2022:
		return "Windows Server 2022"
	case OSWindows2025:
		return "Windows Server 2025"
	}
	return string(o)
}

// ParseOS accepts an OS slug or label.
func ParseOS(s string) (OS, error) { return parseOS(OSes, s) }

// ParseOSFor accepts an OS slug or label of platform p only.
func ParseOSFor(p Platform, s string) (OS, error) { return parseOS(OSesFor(p), s) }

func parseOS(known []OS, s string) (OS, error) {
	s = strings.TrimSpace(s)
	for _, o := range known {
		if strings.EqualFold(s, string(o)) || strings.EqualFold(s, o.Label()) {
			return o, nil
		}
	}
	var use []string
	for _, o := range known {
		use = append(use, fmt.Sprintf("%s (%s)", o, o.Label()))
	}
	return "", fmt.Errorf("%q is not an operating system the wizard knows; use %s", s, strings.Join(use, ", "))
}

// Server is one computer of the organisation, described once and used by
// every procedure.
type Server struct {
	Name  NetBIOSName
	FQDN  FQDN
	Addrs []netip.Addr
	OS    OS
	Roles []Role

	ISA      ISAFacts      `json:",omitzero"`
	FrontEnd FrontEndFacts `json:",omitzero"`
	BackEnd  BackEndFacts  `json:",omitzero"`
	Gateway  GatewayFacts  `json:",omitzero"`
	CA       CAFacts       `json:",omitzero"`
	Exchange ExchangeFacts `json:",omitzero"`
}

// Has reports whether s has role r.
func (s Server) Has(r Role) bool { return slices.Contains(s.Roles, r) }

// ISAFacts are what the guide needs to know about an ISA Server.
type ISAFacts struct {
	ExternalAddrs  []netip.Addr // addresses that publish OWA and SMTP
	ServicePack    int          // 0 for none; SP1 is needed for SSL bridging
	ArrayMember    bool         // an array member cannot publish outgoing SMTP
	InsideFirewall bool         // inside the inner firewall with 443/25 passed, not between two firewalls
}

// FrontEndFacts are what the guide needs to know about an OWA front-end.
type FrontEndFacts struct {
	SiteID int // IIS web site instance; 1 is the Default Web Site
	OU     ObjectName
}

// BackEndFacts are what the guide needs to know about an Exchange back-end.
type BackEndFacts struct {
	OU ObjectName
}

// GatewayFacts are what the guide needs to know about an SMTP gateway.
type GatewayFacts struct {
	DomainMember bool
	AntiVirus    bool
}

// CAFacts are what the guide needs to know about a certification authority.
type CAFacts struct {
	Config         CAConfig
	ThirdPartyRoot bool // subordinate to a third-party (public) root
}

// Facts are the project-wide facts every procedure may use.
type Facts struct {
	ADDomain     FQDN
	PublicDomain FQDN
	OWAHost      FQDN
	OWAPath      string // URL path users type after the host, such as /exchange
	MXHost       FQDN
	POP3IMAP4    bool
	Platform     Platform `json:",omitzero"`
}

// Topology is the organisation as the wizard knows it.
type Topology struct {
	Facts   Facts
	Servers []Server
}

// WithRole lists the servers that have role r, in inventory order.
func (t Topology) WithRole(r Role) []Server {
	n := 0
	for i := range t.Servers {
		if t.Servers[i].Has(r) {
			n++
		}
	}
	if n == 0 {
		return nil
	}
	out := make([]Server, 0, n)
	for i := range t.Servers {
		if t.Servers[i].Has(r) {
			out = append(out, t.Servers[i])
		}
	}
	return out
}

// Server finds a server by NetBIOS name.
func (t Topology) Server(name string) (Server, bool) {
	for _, s := range t.Servers {
		if strings.EqualFold(string(s.Name), name) {
			return s, true
		}
	}
	return Server{}, false
}

// Conflicts lists what s would duplicate in t: the same NetBIOS name, FQDN
// or address as another server. replacing names the server s is an edit of,
// which is not compared with itself.
func (t Topology) Conflicts(s Server, replacing NetBIOSName) Problems {
	var ps Problems
	for _, o := range t.Servers {
		if o.Name == replacing {
			continue
		}
		if o.Name == s.Name {
			ps.Add("name", fmt.Sprintf("There is already a server named %s", s.Name))
		}
		if o.FQDN == s.FQDN {
			ps.Add("fqdn", fmt.Sprintf("%s already has the FQDN %s", o.Name, s.FQDN))
		}
		for _, a := range s.Addrs {
			if slices.Contains(o.Addrs, a) {
				ps.Add("addrs", fmt.Sprintf("%s already has the address %s", o.Name, a))
			}
		}
	}
	return ps
}

// ServerForm is a server as typed into the form, before parsing.
type ServerForm struct {
	Name, FQDN, Addrs, OS string
	Roles                 []string

	ISAExternal, ISAServicePack, ISAArray, ISAInside string
	FESiteID, FEOU                                   string
	BEOU                                             string
	GWDomainMember, GWAntiVirus                      string
	CAConfig, CAThirdParty                           string
	ExVersion, ExCU                                  string

	// Platform is the project's; it decides which operating systems and
	// roles the form accepts. It is not a field of the form.
	Platform Platform
}

// FormOf gives the form that shows s.
func FormOf(s Server) ServerForm {
	f := ServerForm{
		Name: string(s.Name), FQDN: string(s.FQDN), Addrs: joinAddrs(s.Addrs), OS: string(s.OS),
		ISAExternal: joinAddrs(s.ISA.ExternalAddrs), ISAServicePack: strconv.Itoa(s.ISA.ServicePack),
		ISAArray: yesNo(s.ISA.ArrayMember), ISAInside: yesNo(s.ISA.InsideFirewall),
		FEOU: string(s.FrontEnd.OU), BEOU: string(s.BackEnd.OU),
		GWDomainMember: yesNo(s.Gateway.DomainMember), GWAntiVirus: yesNo(s.Gateway.AntiVirus),
		CAConfig: string(s.CA.Config), CAThirdParty: yesNo(s.CA.ThirdPartyRoot),
		ExVersion: string(s.Exchange.Version),
	}
	// A server's operating system says which platform's form it came from.
	if slices.Contains(OSesFor(PlatformCurrent), s.OS) {
		f.Platform = PlatformCurrent
	}
	if s.Exchange.Version != "" {
		f.ExCU = strconv.Itoa(s.Exchange.CU)
	}
	if s.FrontEnd.SiteID != 0 {
		f.FESiteID = strconv.Itoa(s.FrontEnd.SiteID)
	}
	for _, r := range s.Roles {
		f.Roles = append(f.Roles, string(r))
	}
	return f
}

func joinAddrs(as []netip.Addr) string {
	var ss []string
	for _, a := range as {
		ss = append(ss, a.String())
	}
	return strings.Join(ss, ", ")
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// The labels of the server form; a message about a field begins with
// its label.
const (
	LabelName           = "NetBIOS name"
	LabelFQDN           = "Fully qualified domain name"
	LabelAddrs          = "IPv4 addresses"
	LabelOS             = "Operating system"
	LabelRoles          = "Roles"
	LabelISAExternal    = "External addresses that publish OWA and SMTP"
	LabelISAServicePack = "ISA Server service pack"
	LabelFESite         = "IIS web site number"
	LabelOU             = "Organisational unit it sits in"
	LabelCAConfig       = "CA configuration string"
	LabelExVersion      = "Exchange Server product"
	LabelExCU           = "Cumulative update"
)

// Parse checks every field of f and returns the server, or the problems
// found, each named by its form field.
func (f ServerForm) Parse() (Server, Problems) {
	var s Server
	var ps Problems
	var err error
	if s.Name, err = ParseNetBIOSName(f.Name); err != nil {
		ps.Add("name", LabelName+": "+err.Error())
	}
	if s.FQDN, err = ParseFQDN(f.FQDN); err != nil {
		ps.Add("fqdn", LabelFQDN+": "+err.Error())
	}
	if s.Addrs, err = parseAddrList(f.Addrs, true); err != nil {
		ps.Add("addrs", LabelAddrs+": "+err.Error())
	}
	if s.OS, err = ParseOSFor(f.Platform, f.OS); err != nil {
		if strings.TrimSpace(f.OS) == "" {
			ps.Add("os", LabelOS+": select the server's Windows version")
		} else {
			ps.Add("os", LabelOS+": "+err.Error())
		}
	}
	for _, r := range f.Roles {
		role, err := ParseRoleFor(f.Platform, r)
		if err != nil {
			ps.Add("roles", LabelRoles+": "+err.Error())
			continue
		}
		if !slices.Contains(s.Roles, role) {
			s.Roles = append(s.Roles, role)
		}
	}
	slices.SortFunc(s.Roles, func(a, b Role) int { return slices.Index(Roles, a) - slices.Index(Roles, b) })
	if len(f.Roles) == 0 {
		ps.Add("roles", LabelRoles+": select at least one role")
	}
	if s.Has(RoleISA) {
		if s.ISA.ExternalAddrs, err = parseAddrList(f.ISAExternal, true); err != nil {
			ps.Add("isa-external", LabelISAExternal+": "+err.Error())
		}
		if n, err := strconv.Atoi(strings.TrimSpace(f.ISAServicePack)); err != nil || n < 0 || n > 9 {
			ps.Add("isa-sp", LabelISAServicePack+": enter the service pack as a number from 0 to 9, 0 for none")
		} else {
			s.ISA.ServicePack = n
		}
		s.ISA.ArrayMember = f.ISAArray == "yes"
		s.ISA.InsideFirewall = f.ISAInside == "yes"
	}
	if s.Has(RoleFrontEnd) {
		s.FrontEnd.SiteID = 1
		if v := strings.TrimSpace(f.FESiteID); v != "" {
			if n, err := strconv.Atoi(v); err != nil || n < 1 || n > 999999 {
				ps.Add("fe-site", LabelFESite+": enter the site's number as IIS Manager shows it, 1 for the Default Web Site")
			} else {
				s.FrontEnd.SiteID = n
			}
		}
		if strings.TrimSpace(f.FEOU) != "" {
			if s.FrontEnd.OU, err = ParseObjectName(f.FEOU); err != nil {
				ps.Add("fe-ou", LabelOU+": "+err.Error())
			}
		}
	}
	if s.Has(RoleBackEnd) && strings.TrimSpace(f.BEOU) != "" {
		if s.BackEnd.OU, err = ParseObjectName(f.BEOU); err != nil {
			ps.Add("be-ou", LabelOU+": "+err.Error())
		}
	}
	if s.Has(RoleGateway) {
		s.Gateway.DomainMember = f.GWDomainMember == "yes"
		s.Gateway.AntiVirus = f.GWAntiVirus == "yes"
	}
	if s.Has(RoleCA) {
		// The configuration string may be filled in later; procedures that
		// need it report a finding until it is.
		if strings.TrimSpace(f.CAConfig) != "" {
			if s.CA.Config, err = ParseCAConfig(f.CAConfig); err != nil {
				ps.Add("ca-config", LabelCAConfig+": "+err.Error())
			}
		}
		s.CA.ThirdPartyRoot = f.CAThirdParty == "yes"
	}
	if s.Has(RoleMailbox) || s.Has(RoleEdge) {
		if s.Exchange.Version, err = ParseExchangeVersion(f.ExVersion); err != nil {
			if strings.TrimSpace(f.ExVersion) == "" {
				ps.Add("ex-version", LabelExVersion+": select the Exchange Server product this server runs")
			} else {
				ps.Add("ex-version", LabelExVersion+": "+err.Error())
			}
		} else if s.Exchange.CU, err = ParseExchangeCU(s.Exchange.Version, f.ExCU); err != nil {
			ps.Add("ex-cu", LabelExCU+": "+err.Error())
		}
	}
	return s, ps
}

func parseAddrList(s string, required bool) ([]netip.Addr, error) {
	var out []netip.Addr
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == ';' }) {
		a, err := ParseIPv4(f)
		if err != nil {
			return nil, fmt.Errorf("%q: %w", f, err)
		}
		if !slices.Contains(out, a) {
			out = append(out, a)
		}
	}
	if required && len(out) == 0 {
		return nil, fmt.Errorf("Enter at least one IPv4 address in the form 192.168.10.25")
	}
	return out, nil
}

// ParseServerList reads a pasted inventory, one server a line:
//
//	NAME FQDN ADDRESS[,ADDRESS] OS ROLE[,ROLE] [EXCHANGE]
//
// EXCHANGE is the Exchange product and update of a current-platform
// Mailbox or Edge Transport server, as in 2019-CU14 or SE-RTM. Blank lines and lines starting with # are ignored. Every bad line is
// reported with its number; role facts keep their defaults and are edited
// per server afterwards.
func ParseServerList(text string, t Topology) ([]Server, Problems) {
	var out []Server
	var ps Problems
	for i, line := range strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		n := i + 1
		f := strings.Fields(line)
		current := t.Facts.Platform == PlatformCurrent
		switch {
		case current && len(f) != 5 && len(f) != 6:
			ps.Add("list", fmt.Sprintf("Line %d: expected 5 or 6 parts (name, FQDN, addresses, OS, roles, and for an Exchange server its product and update such as 2019-CU14 or SE-RTM) separated by spaces, found %d", n, len(f)))
			continue
		case !current && len(f) != 5:
			ps.Add("list", fmt.Sprintf("Line %d: expected 5 parts (name, FQDN, addresses, OS, roles) separated by spaces, found %d", n, len(f)))
			continue
		}
		form := ServerForm{Name: f[0], FQDN: f[1], Addrs: f[2], OS: f[3], Roles: strings.Split(f[4], ","),
			ISAServicePack: "1", Platform: t.Facts.Platform}
		if len(f) == 6 {
			form.ExVersion, form.ExCU, _ = strings.Cut(f[5], "-")
		}
		s, sp := form.Parse()
		// A pasted line has no room for an ISA Server's external addresses;
		// they are entered on the server's page, and the OWA and SMTP
		// procedures report an ISA Server without them.
		sp = slices.DeleteFunc(sp, func(p Problem) bool { return p.Field == "isa-external" && strings.TrimSpace(form.ISAExternal) == "" })
		for _, p := range sp {
			ps.Add("list", fmt.Sprintf("Line %d: %s", n, p.Message))
		}
		if len(sp) > 0 {
			continue
		}
		all := Topology{Facts: t.Facts, Servers: append(slices.Clone(t.Servers), out...)}
		if c := all.Conflicts(s, ""); len(c) > 0 {
			for _, p := range c {
				ps.Add("list", fmt.Sprintf("Line %d: %s", n, p.Message))
			}
			continue
		}
		out = append(out, s)
	}
	if len(out) == 0 && len(ps) == 0 {
		ps.Add("list", "Paste at least one server, one a line")
	}
	return out, ps
}

// Problem is one thing wrong with what the administrator entered, tied to
// the form field that fixes it.
type Problem struct {
	Field   string
	Message string
}

// Problems is an ordered list of problems, in the order of the form.
type Problems []Problem

// Add appends a problem.
func (ps *Problems) Add(field, msg string) { *ps = append(*ps, Problem{field, msg}) }

// For returns the first message for field, or "".
func (ps Problems) For(field string) string {
	for _, p := range ps {
		if p.Field == field {
			return p.Message
		}
	}
	return ""
}
