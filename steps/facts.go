package steps

import (
	"strings"
	"unicode"
)

// The labels of the facts form. A message about a field begins with its
// label, so an administrator reads the same words on the field and in the
// message.
const (
	LabelADDomain     = "Active Directory DNS domain"
	LabelPublicDomain = "Public DNS domain"
	LabelOWAHost      = "Public OWA host name"
	LabelOWAPath      = "OWA path"
	LabelMXHost       = "MX host"
	LabelPlatform     = "Platform"
)

// FactsForm is the project-wide facts as typed into the form.
type FactsForm struct {
	ADDomain, PublicDomain, OWAHost, OWAPath, MXHost, POP3IMAP4 string
	Platform                                                    string
}

// FactsFormOf gives the form that shows f.
func FactsFormOf(f Facts) FactsForm {
	pop := ""
	if f.ADDomain != "" {
		pop = yesNo(f.POP3IMAP4)
	}
	return FactsForm{string(f.ADDomain), string(f.PublicDomain), string(f.OWAHost), f.OWAPath, string(f.MXHost), pop, f.Platform.Slug()}
}

// Parse checks every field and returns the facts, or the problems found,
// each named by its form field.
func (f FactsForm) Parse() (Facts, Problems) {
	var out Facts
	var ps Problems
	var err error
	if out.Platform, err = ParsePlatform(f.Platform); err != nil {
		ps.Add("platform", LabelPlatform+": "+err.Error())
	}
	if out.ADDomain, err = ParseDNSName(f.ADDomain, "corp.example.com"); err != nil {
		ps.Add("ad-domain", LabelADDomain+": "+err.Error())
	}
	if out.PublicDomain, err = ParseDNSName(f.PublicDomain, "example.com"); err != nil {
		ps.Add("public-domain", LabelPublicDomain+": "+err.Error())
	}
	if out.OWAHost, err = ParseDNSName(f.OWAHost, "mail.example.com"); err != nil {
		ps.Add("owa-host", LabelOWAHost+": "+err.Error())
	}
	// An empty path is Exchange's default. Anything else is taken as
	// typed, or refused: a path quietly rewritten would publish an address
	// nobody checked.
	path := strings.TrimSpace(f.OWAPath)
	switch msg := CheckText(LabelOWAPath, path, 200, false); {
	case msg != "":
		ps.Add("owa-path", msg)
	case path == "" && out.Platform == PlatformCurrent:
		path = "/owa"
	case path == "":
		path = "/exchange"
	case strings.Contains(path, "://"):
		ps.Add("owa-path", LabelOWAPath+": enter only the path after the host name, without https:// and the host, as in /exchange")
	case !strings.HasPrefix(path, "/"):
		ps.Add("owa-path", LabelOWAPath+": start the path with a slash, as in /"+strings.TrimLeft(path, "/"))
	case strings.ContainsFunc(path, unicode.IsSpace):
		ps.Add("owa-path", LabelOWAPath+": remove the space; a path has no spaces. Enter it as in /exchange")
	case strings.ContainsAny(path, "?#%\"'<>\\") || strings.Contains(path, "//") || path == "/":
		ps.Add("owa-path", LabelOWAPath+": use letters, digits, hyphens and single slashes only, as in /exchange")
	}
	out.OWAPath = strings.TrimSuffix(path, "/")
	if strings.TrimSpace(f.MXHost) != "" {
		if out.MXHost, err = ParseDNSName(f.MXHost, "smtp.example.com"); err != nil {
			ps.Add("mx-host", LabelMXHost+": "+err.Error())
		}
	}
	switch f.POP3IMAP4 {
	case "yes":
		out.POP3IMAP4 = true
	case "no":
	default:
		ps.Add("pop3imap4", "Select whether users read mail with POP3 or IMAP4")
	}
	return out, ps
}
