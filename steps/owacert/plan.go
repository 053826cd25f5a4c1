package owacert

import (
	"strconv"

	"github.com/secex/wizard/steps"
)

// File names of the generated files.
const (
	VerifyFile  = "owa-fe-verify.cmd"
	INFFile     = "owa-fe-cert.inf"
	RequestFile = "owa-fe-cert-request.cmd"
	BackoutFile = "owa-fe-cert-backout.cmd"
)

// usesCertreq reports whether the front-end's operating system has
// certreq -new, which Windows 2000 lacks.
func usesCertreq(fe FrontEnd) bool { return fe.OS != steps.OSWindows2000 }

// iisManager is the name of the IIS console on the front-end's Windows.
func iisManager(fe FrontEnd) string {
	if fe.OS == steps.OSWindows2000 {
		return "Internet Services Manager"
	}
	return "Internet Information Services (IIS) Manager"
}

func siteName(fe FrontEnd) string {
	if fe.SiteID == 1 {
		return "the Default Web Site"
	}
	return "web site number " + strconv.Itoa(fe.SiteID)
}

func plan(in steps.Input) []steps.Action {
	c, err := Load(in)
	if err != nil {
		// Produce never plans a step whose answers do not parse: check
		// reports them as errors first.
		return nil
	}
	return actions(c)
}

func actions(c Config) []steps.Action {
	ca, caName := string(c.CA.Name), c.caName()
	isa := string(c.Publish.Listener.ISA.Name)
	var as []steps.Action
	as = append(as, steps.Action{
		ID:     "ca-ready",
		Phase:  steps.PhasePrerequisites,
		Target: ca,
		Title:  "Make sure " + caName + " issues Web Server certificates",
		Do: []string{
			"On " + string(c.CA.FQDN) + ", open Certification Authority from Administrative Tools, expand " + caName + " and click Policy Settings.",
			"The Web Server template must be listed. If it is not, right-click Policy Settings, click New, then Certificate to Issue, and select Web Server.",
		},
		Expect:  "Web Server is listed under Policy Settings and the CA is running.",
		Verify:  "After the front-end requests, Issued Certificates lists one certificate per front-end, with its FQDN as the requester's common name.",
		Backout: "If Web Server was added here and nothing else uses it, delete it from Policy Settings again; certificates already issued stay valid until revoked.",
	})
	trust := steps.Action{
		ID:     "isa-trust-ca",
		Phase:  steps.PhaseFrontEndCert,
		Target: isa,
	}
	store := "On " + string(c.Publish.Listener.ISA.FQDN) + ", start mmc and add the Certificates snap-in for the computer account (local computer). Expand Trusted Root Certification Authorities, then Certificates."
	if c.ISATrust == TrustImport {
		trust.Title = "Make " + isa + " trust certificates issued by " + caName
		trust.Do = []string{
			"On any computer, open http://" + string(c.CA.FQDN) + "/certsrv, choose to retrieve the CA certificate, and save it as a .cer file.",
			store,
			"If " + caName + " (or the root it chains to) is listed already, note that in the change record and stop here: nothing needs importing.",
			"Otherwise right-click Certificates, point to All Tasks, click Import, choose the .cer file and let the wizard place it in Trusted Root Certification Authorities.",
		}
		trust.Backout = "If the certificate was imported in this step, delete it from Trusted Root Certification Authorities again, once ISA Server no longer bridges to a front-end certificate from this CA."
	} else {
		trust.Title = "Confirm that " + isa + " trusts certificates issued by " + caName
		trust.Do = []string{
			store,
			caName + " (or the root it chains to) must be listed: as a member of the domain, " + isa + " receives the enterprise CA's certificate from Active Directory.",
		}
		trust.Backout = "Nothing to undo: this step only looks."
	}
	trust.Expect = caName + " is listed under Trusted Root Certification Authorities on " + isa + "."
	trust.Verify = "After the front-end certificates are installed, https://" + string(c.Publish.Target.FQDN) + "/exchange opens on " + isa + " without a certificate warning."
	as = append(as, trust)

	for _, fe := range c.FrontEnds {
		name, fqdn := string(fe.Name), string(fe.FQDN)
		a := steps.Action{
			ID:     "certificate-" + name,
			Phase:  steps.PhaseFrontEndCert,
			Target: name,
			Title:  "Give " + name + " a certificate issued to " + fqdn,
			Expect: "On the Directory Security tab of " + siteName(fe) + ", View Certificate shows a certificate issued to " + fqdn + " by " + caName + ".",
			Verify: "On " + isa + ", https://" + fqdn + "/exchange opens the logon prompt without a certificate warning: the name matches and " + isa + " trusts the chain.",
			// The issued certificate can be checked as a file before it
			// is assigned to the site.
			Probe: &steps.Probe{Kind: steps.ProbeCert, Name: fqdn},
		}
		ou := ""
		if c.OrgUnit != "" {
			ou = "; Organizational unit: " + string(c.OrgUnit)
		}
		if usesCertreq(fe) {
			a.Script = RequestFile
			a.Do = []string{
				"Copy " + INFFile + ", " + RequestFile + " and " + BackoutFile + " from this server's folder into one folder on " + fqdn + " and run " + RequestFile + " as an administrator.",
				"It makes a 2048-bit machine key and a request from " + INFFile + " (common name " + fqdn + "), sends it to " + string(c.CAConfig) + " with the Web Server template and installs the issued certificate in the computer's Personal store.",
				"Then start " + iisManager(fe) + ", open the properties of " + siteName(fe) + ", Directory Security tab, click Server Certificate, choose Assign an existing certificate, select the certificate issued to " + fqdn + ", keep SSL port 443, and finish.",
			}
			a.Backout = "In the same wizard choose Remove the current certificate, then run " + BackoutFile + " from the same folder; revoke the certificate on " + caName + " (Issued Certificates, All Tasks, Revoke)."
		} else {
			a.Do = []string{
				"Windows 2000 has no certreq -new, so the request is made with the IIS certificate wizard. On " + fqdn + ", start " + iisManager(fe) + ", right-click " + siteName(fe) + ", click Properties, then the Directory Security tab, then Server Certificate.",
				"Click Next, select Create a new certificate, Next; select Send the request immediately to an online certification authority, Next.",
				"Name: " + string(c.CertName) + "; Bit length: 2048 if the CA accepts it, else 1024; Next.",
				"Organization: " + string(c.Org) + ou + "; Next.",
				"Common name: " + fqdn + ", exactly: ISA Server checks this name. Next.",
				"Country/Region: " + c.Country + "; State/province: " + string(c.State) + "; City/locality: " + string(c.City) + "; Next.",
				"Certification authorities: " + string(c.CAConfig) + "; Next, then Next to submit, then Finish.",
			}
			a.Backout = "In the same wizard choose Remove the current certificate; revoke the certificate on " + caName + " (Issued Certificates, All Tasks, Revoke)."
		}
		as = append(as, a)
	}
	for _, fe := range c.FrontEnds {
		name, fqdn := string(fe.Name), string(fe.FQDN)
		ssl := "In " + iisManager(fe) + ", open the properties of the Default Web Site, Directory Security tab. Under Secure communications click Edit, tick Require secure channel (SSL) and Require 128-bit encryption, and click OK. When Inheritance Overrides lists child nodes, select all of them and click OK, so that Exchange, Public, Exchweb and the rest require SSL too."
		if fe.SiteID != 1 {
			ssl = "OWA on " + name + " lives in " + siteName(fe) + ", an additional HTTP virtual server, where DS2MB overwrites SSL settings made in IIS. Set Require secure channel (SSL) and Require 128-bit encryption in Exchange System Manager, on the Access tab of that HTTP virtual server's Exchange and Public virtual directories; set them in " + iisManager(fe) + " only for what Exchange System Manager does not show."
		}
		as = append(as, steps.Action{
			ID:     "require-ssl-" + name,
			Phase:  steps.PhaseISA,
			Target: name,
			Title:  "Require SSL, 128-bit encryption and Basic authentication on " + name,
			Do: []string{
				"Do this only once ISA Server bridges to the front-ends over SSL (the publishing steps above). Note the current Secure communications and Authentication settings first, for the backout.",
				ssl,
				"On the same Directory Security tab, under Anonymous access and authentication control click Edit. Tick Basic authentication and accept the warning (SSL now protects the password), clear every other method (Anonymous access, Digest, Integrated Windows authentication), and click OK. Accept the Inheritance Overrides for all child nodes as before.",
				"DS2MB would undo that on the Exchange virtual directories, so set it in Exchange System Manager as well: expand the administrative group, Servers, " + name + ", Protocols, HTTP, Exchange Virtual Server. For Exchange and for Public: right-click, Properties, Access tab, Authentication; tick Basic authentication only, clear the others, OK.",
				"Wait at least 15 minutes, so that DS2MB has copied the settings, then run " + VerifyFile + " from this server's folder on " + fqdn + ".",
			},
			Script:     VerifyFile,
			Expect:     VerifyFile + " reports that SSL with 128-bit encryption and Basic authentication only are required on the site and on the Exchange, Public and Exchweb virtual directories.",
			Verify:     "http://" + fqdn + "/exchange answers 403.4 (SSL required); https://" + fqdn + "/exchange asks for a user name and password; OWA through ISA Server still works.",
			Backout:    "Put the noted settings back in the same dialogs and in Exchange System Manager, then run " + VerifyFile + " again after 15 minutes to see which settings hold.",
			Interrupts: "OWA on " + name + " for anyone using http:// from now on, and briefly while IIS applies the change",
			Minutes:    2,
		})
	}
	return as
}
