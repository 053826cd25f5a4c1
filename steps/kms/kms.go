package kms

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smime"
)

// ID is the procedure's stable identifier.
const ID = "key-management-service"

// Question IDs.
const (
	QUse          = "use"            // use KMS for routine signed and encrypted mail
	QServer       = "kms-server"     // the Exchange server that runs KMS
	QCA           = "ca"             // the CA KMS requests certificates from
	QCAThirdParty = "ca-third-party" // that CA is subordinate to a third-party CA
)

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Title:    "Set up the Key Management Service",
	Section:  "Securing Communications in Outlook 2002: Key Management Service",
	Summary:  "Enrol users centrally for signed and encrypted mail, publish their certificates in the address list and keep their encryption keys recoverable.",
	Requires: []string{smime.ID},
	Rationale: []string{
		"When signed and encrypted mail is routine inside the organisation, swapping signed messages by hand does not scale, and a user who loses a private key loses every message ever encrypted to it.",
		"Exchange 2000's Key Management Service asks the organisation's Windows 2000 certification authority for each user's certificates, publishes them in the global address list so anyone can encrypt to any enrolled colleague, and keeps a protected copy of each encryption key so that an administrator can recover it.",
	},
	Notes: []string{
		"If the CA that KMS uses is subordinate to a third-party CA that mail programs trust, certificates issued through KMS are trusted by correspondents on the Internet as well; otherwise they are trusted only inside the organisation.",
		"The KMS database holds a copy of every enrolled user's encryption key. Whoever controls it and the KMS passwords can read any encrypted mail, so its backups and passwords need the same care as the CA's.",
		"Exchange Server 2003 and later no longer include KMS; key archival moves to a Windows Server 2003 or later certification authority.",
	},
	Pages: pages,
	Check: check,
	Plan:  plan,
	Files: files,
}

func used(a steps.Answers) bool { return a.Is(QUse, "yes") }

var pages = []steps.Page{
	{
		ID: "use",
		Questions: []steps.Question{{
			ID:    QUse,
			Label: "Will users routinely send signed and encrypted messages to each other inside the organisation?",
			Hint:  "If so, the Key Management Service enrols them centrally and keeps their encryption keys recoverable. If not, the S/MIME procedure alone is enough.",
			Kind:  steps.KindYesNo,
		}},
	},
	{
		ID:   "kms-server",
		When: used,
		Questions: []steps.Question{{
			ID:          QServer,
			Label:       "Which Exchange server runs the Key Management Service?",
			Hint:        "An Exchange 2000 server on Windows 2000. Give it the role " + steps.RoleKMS.Label() + " on the servers page.",
			Kind:        steps.KindServer,
			Role:        steps.RoleKMS,
			DefaultFrom: firstWith(steps.RoleKMS),
		}},
	},
	{
		ID:   "ca",
		When: used,
		Questions: []steps.Question{{
			ID:          QCA,
			Label:       "Which certification authority will KMS request users' certificates from?",
			Hint:        "An enterprise CA (Windows 2000 Certificate Services). Its configuration string, entered on its server page, is used to check that it answers.",
			Kind:        steps.KindServer,
			Role:        steps.RoleCA,
			DefaultFrom: firstWith(steps.RoleCA),
		}},
	},
	{
		ID:   "ca-third-party",
		When: used,
		Questions: []steps.Question{{
			ID:          QCAThirdParty,
			Label:       "Is that certification authority subordinate to a third-party CA?",
			Hint:        "For example a CA whose certificate was issued by a public certificate provider. Then correspondents on the Internet trust the certificates KMS hands out.",
			Kind:        steps.KindYesNo,
			DefaultFrom: firstCAThirdParty,
		}},
	},
}

func firstWith(r steps.Role) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		if s := t.WithRole(r); len(s) > 0 {
			return string(s[0].Name)
		}
		return ""
	}
}

// firstCAThirdParty pre-fills the answer from the server page of the CA
// chosen on the earlier page (or the first CA, before one is chosen). The
// check reports any later disagreement with that CA's server page.
func firstCAThirdParty(t steps.Topology, a steps.Answers) string {
	ca, ok := t.Server(a[QCA])
	if !ok {
		cas := t.WithRole(steps.RoleCA)
		if len(cas) == 0 {
			return ""
		}
		ca = cas[0]
	}
	if ca.CA.ThirdPartyRoot {
		return "yes"
	}
	return "no"
}
