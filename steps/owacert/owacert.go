package owacert

import (
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/isapublish"
	"github.com/secex/wizard/steps/owatopology"
)

// ID is the procedure's stable identifier.
const ID = "owa-front-end-certificate"

// Question IDs.
const (
	QFrontEnds = "front-ends"   // the front-ends that get a certificate
	QCA        = "ca"           // the enterprise CA that issues them
	QCertName  = "cert-name"    // the name the IIS wizard gives the certificate
	QOrg       = "organisation" // O
	QOrgUnit   = "org-unit"     // OU, optional
	QCity      = "city"         // L
	QState     = "state"        // S
	QCountry   = "country"      // C
	QISATrust  = "isa-trust"    // how ISA Server comes to trust the CA
)

// Answer values of QISATrust.
const (
	TrustDomain = "domain" // ISA Server already trusts the enterprise CA through Active Directory
	TrustImport = "import" // the CA's certificate is imported into ISA Server's Trusted Root store
	TrustNone   = "none"   // nothing is done
)

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Title:    "Encrypt from ISA Server to the OWA front-ends",
	Section:  "Securing OWA Communications: Encryption between ISA Servers and OWA Front-End Servers",
	Summary:  "Give each front-end a certificate from the internal CA in its own name, then require SSL with 128-bit encryption and Basic authentication only.",
	Requires: []string{isapublish.ID},
	Rationale: []string{
		"With bridging, ISA Server opens a second SSL connection to the front-end. The front-end needs its own certificate for that, and because ISA Server and the front-ends both belong to the organisation, the organisation's enterprise CA can issue it.",
		"When ISA Server bridges, it checks that the front-end's certificate carries the name the publishing rule redirects to, that it chains to a root ISA Server trusts, and that it has not expired. Once bridging works, the front-end can refuse anything but SSL, and Basic authentication (the only one that works through ISA Server for OWA) is the only method it offers.",
	},
	Notes: []string{
		"Exchange 2000 keeps the settings of its virtual directories in Active Directory and copies them over the IIS metabase about every 15 minutes (the DS2MB process). Authentication for the Exchange and Public virtual directories is therefore set in Exchange System Manager; a change made only in IIS would silently come undone.",
		"Exchange 2000 does not run on Windows Server 2003: a front-end on Windows Server 2003 runs Exchange Server 2003, which can serve as front-end for Exchange 2000 back-ends.",
		"Once a front-end requires SSL, users inside the organisation who open OWA on it with http:// get an error and must use https:// with the front-end's name.",
	},
	Applies: owatopology.Applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

var pages = []steps.Page{
	{
		ID: "front-ends",
		Questions: []steps.Question{{
			ID:          QFrontEnds,
			Label:       "Which front-ends get a certificate and require SSL?",
			Hint:        "Each certificate carries the front-end's own FQDN as its common name. The front-end ISA Server publishes must be among them.",
			Kind:        steps.KindServers,
			Role:        steps.RoleFrontEnd,
			DefaultFrom: allFrontEnds,
		}},
	},
	{
		ID: "ca",
		Questions: []steps.Question{{
			ID:          QCA,
			Label:       "Which enterprise certification authority issues the front-end certificates?",
			Hint:        "An online enterprise CA of the domain. Its configuration string, entered on its server page, is used by the request.",
			Kind:        steps.KindServer,
			Role:        steps.RoleCA,
			DefaultFrom: firstCA,
		}},
	},
	{
		ID:    "subject",
		Title: "The name on the certificates",
		Intro: "The common name of each certificate is the front-end's FQDN from its server page. The other parts describe the organisation, as the IIS certificate wizard asks for them.",
		Questions: []steps.Question{
			{ID: QCertName, Label: "Name the certificate is known by in IIS", Kind: steps.KindSubjectText, Default: "OWA front-end certificate"},
			{ID: QOrg, Label: "Organisation", Hint: "For example, Example Corporation", Kind: steps.KindSubjectText},
			{ID: QOrgUnit, Label: "Organisational unit", Hint: "For example, IT Services", Kind: steps.KindSubjectText, Optional: true},
			{ID: QCity, Label: "City or locality", Kind: steps.KindSubjectText},
			{ID: QState, Label: "State or province", Hint: "Written out in full, as certificate authorities expect", Kind: steps.KindSubjectText},
			{ID: QCountry, Label: "Country", Hint: "The two-letter code, such as US, GB or DE", Kind: steps.KindSubjectText},
		},
	},
	{
		ID: "isa-trust",
		Questions: []steps.Question{{
			ID:    QISATrust,
			Label: "How will ISA Server come to trust certificates from this CA?",
			Hint:  "ISA Server refuses to bridge to a front-end whose certificate does not chain to a root it trusts.",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: TrustImport, Label: "Import the CA's certificate into ISA Server's Trusted Root Certification Authorities store as part of this change", Hint: "Safe in every case; the runbook skips it if the certificate is already there."},
				{Value: TrustDomain, Label: "It trusts it already: ISA Server is a member of the domain and the CA is an enterprise root CA", Hint: "Active Directory then hands the CA's certificate to every member computer."},
				{Value: TrustNone, Label: "Do nothing about it"},
			},
			Default: TrustImport,
		}},
	},
}

func allFrontEnds(t steps.Topology, _ steps.Answers) string {
	var names []string
	for _, s := range t.WithRole(steps.RoleFrontEnd) {
		names = append(names, string(s.Name))
	}
	return strings.Join(names, "\n")
}

func firstCA(t steps.Topology, _ steps.Answers) string {
	if s := t.WithRole(steps.RoleCA); len(s) > 0 {
		return string(s[0].Name)
	}
	return ""
}
