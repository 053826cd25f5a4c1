package steps

import "strings"

// FactsForm is the project-wide facts as typed into the form.
type FactsForm struct {
	ADDomain, PublicDomain, OWAHost, OWAPath, MXHost, POP3IMAP4 string
}

// FactsFormOf gives the form that shows f.
func FactsFormOf(f Facts) FactsForm {
	pop := ""
	if f.ADDomain != "" {
		pop = yesNo(f.POP3IMAP4)
	}
	return FactsForm{string(f.ADDomain), string(f.PublicDomain), string(f.OWAHost), f.OWAPath, string(f.MXHost), pop}
}

// Parse checks every field and returns the facts, or the problems found,
// each named by its form field.
func (f FactsForm) Parse() (Facts, Problems) {
	var out Facts
	var ps Problems
	var err error
	if out.ADDomain, err = ParseFQDN(f.ADDomain); err != nil {
		ps.Add("ad-domain", "Active Directory domain: "+strings.Replace(err.Error(), "mail01.corp.example.com", "corp.example.com", 1))
	}
	if out.PublicDomain, err = ParseFQDN(f.PublicDomain); err != nil {
		ps.Add("public-domain", "Public DNS domain: "+strings.Replace(err.Error(), "mail01.corp.example.com", "example.com", 1))
	}
	if out.OWAHost, err = ParseFQDN(f.OWAHost); err != nil {
		ps.Add("owa-host", "Public OWA host name: "+strings.Replace(err.Error(), "mail01.corp.example.com", "mail.example.com", 1))
	}
	path := strings.TrimSpace(f.OWAPath)
	if path == "" {
		path = "/exchange"
	}
	if !strings.HasPrefix(path, "/") {
		path = "/" + path
	}
	path = strings.TrimSuffix(path, "/")
	if path == "" || strings.ContainsAny(path, " ?#%\"'<>\\") || strings.Contains(path, "//") {
		ps.Add("owa-path", "OWA path: enter the path users type after the host name, such as /exchange")
	}
	out.OWAPath = path
	if strings.TrimSpace(f.MXHost) != "" {
		if out.MXHost, err = ParseFQDN(f.MXHost); err != nil {
			ps.Add("mx-host", "MX host: "+strings.Replace(err.Error(), "mail01.corp.example.com", "smtp.example.com", 1))
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
