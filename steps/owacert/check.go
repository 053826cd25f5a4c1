package owacert

import (
	"slices"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/isalistener"
	"github.com/secex/wizard/steps/isapublish"
	"github.com/secex/wizard/steps/owatopology"
)

// Finding codes.
const (
	CodeAnswerInvalid            = steps.CodeAnswerInvalid
	CodeServerInvalid            = owatopology.CodeServerInvalid
	CodeEarlierUnusable          = owatopology.CodeEarlierUnusable
	CodeTargetWithoutCertificate = "redirect-target-without-certificate"
	CodeCAConfigMissing          = "ca-config-missing"
	CodeCAConfigInvalid          = "ca-config-invalid"
	CodeISADoesNotTrustCA        = "isa-does-not-trust-ca"
	CodeFrontEndOSUnsupported    = "front-end-os-unsupported"
	CodeFrontEndSiteInvalid      = "front-end-site-invalid"
	CodeCountryInvalid           = "country-invalid"
	CodeISATrustDomainThirdParty = "isa-trust-domain-needs-enterprise-root"
)

const frontEndOSUnsupportedExplains = "no Exchange front-end of the guide's era (Exchange 2000 or Exchange Server 2003) runs there"

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	fs = append(fs, owatopology.CheckHosts(in.Topology, steps.RoleFrontEnd, steps.RoleCA)...)
	if len(in.Of(ID)) > 0 {
		fs = append(fs, owatopology.CheckEarlier(in, isapublish.Step, func(in steps.Input) error { _, err := isapublish.Load(in); return err })...)
	}
	chosen := a.Values(QFrontEnds)
	isa, _ := isalistener.ISAOf(in)
	if target, ok := isapublish.TargetOf(in); ok && a[QFrontEnds] != "" && !slices.Contains(chosen, string(target.Name)) {
		fs = append(fs, steps.Finding{
			Code:     CodeTargetWithoutCertificate,
			Severity: steps.Error,
			Message: "ISA Server's publishing rule redirects to " + string(target.FQDN) + " (" + string(target.Name) + "), but that front-end gets no certificate here, so nothing on it would carry the name ISA Server checks when it bridges: OWA through ISA Server would fail. " +
				"Select " + string(target.Name) + " here, or change the front-end in the publishing procedure.",
			Fix:     []string{QFrontEnds},
			Servers: nonEmpty(string(target.Name), string(isa.Name)),
		})
	}
	for _, name := range chosen {
		s, _ := in.Topology.Server(name)
		if s.OS == steps.OSLater {
			fs = append(fs, steps.Finding{
				Code:     CodeFrontEndOSUnsupported,
				Severity: steps.Error,
				Message: string(s.Name) + " is recorded as " + s.OS.Label() + ", but " + frontEndOSUnsupportedExplains + ". " +
					"Correct the operating system on the server's page, or leave it out here.",
				Fix:     []string{QFrontEnds},
				Servers: []string{string(s.Name)},
			})
		}
		if s.FrontEnd.SiteID < 1 || s.FrontEnd.SiteID > 999999 {
			fs = append(fs, steps.Finding{
				Code:     CodeFrontEndSiteInvalid,
				Severity: steps.Error,
				Message:  "The IIS web site number of " + string(s.Name) + " is not recorded. Enter it on the server's page (1 for the Default Web Site, where Exchange installs OWA).",
				Fix:      []string{QFrontEnds},
				Servers:  []string{string(s.Name)},
			})
		}
	}
	if name := a[QCA]; name != "" {
		ca, _ := in.Topology.Server(name)
		switch {
		case ca.CA.Config == "":
			fs = append(fs, steps.Finding{
				Code:     CodeCAConfigMissing,
				Severity: steps.Error,
				Message: "The configuration string of " + string(ca.Name) + " is not known. Enter it on the server's page, in the form " + string(ca.FQDN) + `\` +
					"name of the CA: the certificate request is sent to it.",
				Fix:     []string{QCA},
				Servers: []string{string(ca.Name)},
			})
		default:
			if _, err := steps.ParseCAConfig(string(ca.CA.Config)); err != nil {
				fs = append(fs, steps.Finding{
					Code:     CodeCAConfigInvalid,
					Severity: steps.Error,
					Message:  "The configuration string recorded for " + string(ca.Name) + " cannot be used: " + err.Error() + ". Correct it on the server's page.",
					Fix:      []string{QCA},
					Servers:  []string{string(ca.Name)},
				})
			}
		}
		if a.Is(QISATrust, TrustDomain) && ca.CA.ThirdPartyRoot {
			fs = append(fs, steps.Finding{
				Code:     CodeISATrustDomainThirdParty,
				Severity: steps.Warning,
				Message: string(ca.Name) + " is recorded as subordinate to a third-party root, so Active Directory does not hand out its root for it: ISA Server trusts it only if that third-party root is in its Trusted Root store. " +
					"Choose to import the certificate, or record that you have checked the root is there.",
				Fix:     []string{QISATrust},
				Servers: nonEmpty(string(ca.Name), string(isa.Name)),
			})
		}
	}
	if a.Is(QISATrust, TrustNone) {
		fs = append(fs, steps.Finding{
			Code:     CodeISADoesNotTrustCA,
			Severity: steps.Error,
			Message: "Nothing would make " + orISA(string(isa.Name)) + " trust certificates from " + a[QCA] + ". ISA Server checks the front-end certificate's trust chain when it bridges and refuses a certificate from a root it does not trust, so OWA through ISA Server would fail. " +
				"Choose to import the CA's certificate, or confirm that ISA Server trusts it already.",
			Fix:     []string{QISATrust},
			Servers: nonEmpty(string(isa.Name), a[QCA]),
		})
	}
	if v, ok := a[QCountry]; ok && !validCountry(v) {
		fs = append(fs, steps.Finding{
			Code:     CodeCountryInvalid,
			Severity: steps.Error,
			Message:  "The country " + v + " is not a two-letter code. Certificates name the country by its ISO 3166 code, such as US, GB or DE.",
			Fix:      []string{QCountry},
		})
	}
	return fs
}

func nonEmpty(names ...string) []string {
	var out []string
	for _, n := range names {
		if n != "" && !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	return out
}

func orISA(name string) string {
	if name == "" {
		return "ISA Server"
	}
	return name
}
