package kms

import (
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smime"
)

// Finding codes.
const (
	CodeAnswerInvalid      = steps.CodeAnswerInvalid
	CodeCAConfigMissing    = "ca-config-missing"
	CodeCAConfigInvalid    = "ca-config-invalid"
	CodeThirdPartyMismatch = "ca-third-party-mismatch"
	CodeKMSNotWindows2000  = "kms-server-not-windows-2000"
	CodeCADiffersFromSMIME = "ca-differs-from-smime"
	CodeSMIMEPublicOnly    = "smime-public-certificates-only"
)

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	if !a.Is(QUse, "yes") {
		return fs
	}
	if name := a[QServer]; name != "" {
		s, _ := in.Topology.Server(name)
		if s.OS != steps.OSWindows2000 {
			fs = append(fs, steps.Finding{
				Code:     CodeKMSNotWindows2000,
				Severity: steps.Error,
				Message: "The Key Management Service is part of Exchange 2000, which runs only on Windows 2000 Server, but " + string(s.Name) +
					" is recorded as " + s.OS.Label() + ". Exchange Server 2003 has no Key Management Service; there, key archival is done by a Windows Server 2003 certification authority instead. " +
					"Correct the server's operating system on its page, choose another KMS server, or answer No and plan key archival on the CA.",
				Fix:     []string{QServer, QUse},
				Servers: []string{string(s.Name)},
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
				Message: "The configuration string of " + string(ca.Name) + " is not known. Enter it on the server's page, in the form " +
					string(ca.FQDN) + `\` + "name of the CA (the CA's name as the Certification Authority console shows it): the verification file asks the CA to answer with it.",
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
		if tp, answered := a[QCAThirdParty]; answered && (tp == "yes") != ca.CA.ThirdPartyRoot {
			is, page := "is", "is not"
			if tp != "yes" {
				is, page = "is not", "is"
			}
			fs = append(fs, steps.Finding{
				Code:     CodeThirdPartyMismatch,
				Severity: steps.Warning,
				Message: "You answered that " + string(ca.Name) + " " + is + " subordinate to a third-party CA, but its server page says it " + page + ". " +
					"Correct whichever is wrong: the check of Internet mail in the S/MIME procedure relies on it.",
				Fix:     []string{QCAThirdParty},
				Servers: []string{string(ca.Name)},
			})
		}
		sm := in.Of(smime.ID)
		switch {
		case sm.Is(smime.QCertSource, smime.SourcePublicCA):
			fs = append(fs, steps.Finding{
				Code:     CodeSMIMEPublicOnly,
				Severity: steps.Warning,
				Message: "The S/MIME procedure says users get certificates only from a public CA, but users enrolled in KMS get theirs from " + string(ca.Name) +
					", your own CA. Enrolled users would hold two sets of certificates; change the S/MIME answer to certificates from both, or record why.",
				Fix:     []string{QUse, QCA},
				Servers: []string{string(ca.Name)},
			})
		case sm[smime.QIssuingCA] != "" && sm[smime.QCertSource] != smime.SourcePublicCA && !strings.EqualFold(sm[smime.QIssuingCA], name):
			fs = append(fs, steps.Finding{
				Code:     CodeCADiffersFromSMIME,
				Severity: steps.Warning,
				Message: "The S/MIME procedure names " + sm[smime.QIssuingCA] + " as the CA that issues users' certificates, but KMS will request them from " + string(ca.Name) +
					". Choose the same CA in both, or record why two CAs issue mail certificates.",
				Fix:     []string{QCA},
				Servers: []string{string(ca.Name)},
			})
		}
	}
	return fs
}
