package smime

import (
	"github.com/secex/wizard/steps"
)

// ID is the procedure's stable identifier.
const ID = "smime"

// Question IDs.
const (
	QRecipients  = "recipients"   // internal only, or Internet too
	QCertSource  = "cert-source"  // internal CA, public CA or both
	QIssuingCA   = "issuing-ca"   // the enterprise CA that issues internal certificates
	QKeyExchange = "key-exchange" // how correspondents get each other's public keys
	QAlgorithm   = "algorithm"    // default encryption algorithm
)

// Answer values of the choice questions.
const (
	RecipientsInternal = "internal"
	RecipientsInternet = "internet"

	SourceInternalCA = "internal-ca"
	SourcePublicCA   = "public-ca"
	SourceBoth       = "both"

	ExchangeSignedMessage = "signed-message"
	ExchangeGAL           = "gal-kms"

	Algorithm3DES  = "3des"
	AlgorithmRC240 = "rc2-40"
)

// The Key Management Service procedure's answers that this procedure reads.
// That procedure requires this one, so it may import this package but not
// the other way round; a test checks these names against it.
const (
	kmsStepID       = "key-management-service"
	kmsUse          = "use"
	kmsCA           = "ca"
	kmsCAThirdParty = "ca-third-party"
)

// Step is the procedure.
var Step = &steps.Step{
	ID:      ID,
	Title:   "Sign and encrypt messages with S/MIME",
	Section: "Securing Communications in Outlook 2002: Signing and Encrypting Messages",
	Summary: "Give users certificates so they can sign messages and encrypt them end to end, inside the organisation and, if needed, to the Internet.",
	Rationale: []string{
		"Encrypting the Outlook connection protects a message only while it travels between the desk and the Exchange server. In the mailbox store, on the way to other servers and across the Internet, it is readable by anyone with access to those places, and nothing proves who wrote it.",
		"An S/MIME signature lets the recipient check who sent a message and that nobody changed it on the way; S/MIME encryption makes the message readable only by the recipients it was encrypted for, wherever it is kept. Both need a certificate per user, and encryption needs the recipient's public key before the first message is sent.",
	},
	Notes: []string{
		"Certificates from the organisation's own CA are trusted automatically only inside the organisation. People on the Internet see signatures made with them as untrusted unless the CA is subordinate to a publicly trusted root; for Internet mail users need a certificate (a Digital ID) from a CA that the recipients' mail programs already trust.",
		"A message encrypted to a user can be read only with that user's private key. If the key is lost (a reinstalled computer, a forgotten password) and no copy exists, every message encrypted to that user stays unreadable; back the key up, or let the Key Management Service archive it.",
	},
	Pages: pages,
	Check: check,
	Plan:  plan,
	Files: files,
}

func usesInternalCA(a steps.Answers) bool {
	return a.Is(QCertSource, SourceInternalCA) || a.Is(QCertSource, SourceBoth)
}

var pages = []steps.Page{
	{
		ID: "recipients",
		Questions: []steps.Question{{
			ID:    QRecipients,
			Label: "Who will users send signed or encrypted messages to?",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: RecipientsInternal, Label: "Only people inside our Exchange organisation"},
				{Value: RecipientsInternet, Label: "People on the Internet as well", Hint: "Their mail programs must trust the certificates your users sign with."},
			},
		}},
	},
	{
		ID: "cert-source",
		Questions: []steps.Question{{
			ID:    QCertSource,
			Label: "Where will users' certificates come from?",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: SourceInternalCA, Label: "Our own enterprise certification authority", Hint: "Windows 2000 Certificate Services; trusted inside the organisation."},
				{Value: SourcePublicCA, Label: "A Digital ID bought from a publicly trusted CA", Hint: "Trusted by mail programs on the Internet; one per user, usually for a yearly fee."},
				{Value: SourceBoth, Label: "Both: our CA for internal mail, a Digital ID for Internet mail"},
			},
		}},
	},
	{
		ID:   "issuing-ca",
		When: usesInternalCA,
		Questions: []steps.Question{{
			ID:          QIssuingCA,
			Label:       "Which of your certification authorities issues the users' certificates?",
			Hint:        "Record on the CA's server page whether it is subordinate to a third-party root: that decides whether Internet recipients trust its certificates.",
			Kind:        steps.KindServer,
			Role:        steps.RoleCA,
			DefaultFrom: firstCA,
		}},
	},
	{
		ID: "key-exchange",
		Questions: []steps.Question{{
			ID:    QKeyExchange,
			Label: "How will correspondents get each other's public keys?",
			Hint:  "A user can encrypt a message only to people whose public key Outlook already has.",
			Kind:  steps.KindChoices,
			Choices: []steps.Choice{
				{Value: ExchangeSignedMessage, Label: "Each sends the other a signed message, which the other adds to Contacts", Hint: "Works with anyone, inside or outside."},
				{Value: ExchangeGAL, Label: "Published in the global address list by the Key Management Service", Hint: "Only for users inside the organisation enrolled in KMS."},
			},
			Default: ExchangeSignedMessage,
		}},
	},
	{
		ID: "algorithm",
		Questions: []steps.Question{{
			ID:    QAlgorithm,
			Label: "Which encryption algorithm should Outlook use by default?",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: Algorithm3DES, Label: "Triple DES (3DES)", Hint: "Recommended. Set once per user in Outlook's security settings."},
				{Value: AlgorithmRC240, Label: "Leave Outlook 2002's default, 40-bit RC2", Hint: "Weak: a 40-bit key can be found by trying every possible key."},
			},
			Default: Algorithm3DES,
		}},
	},
}

func firstCA(t steps.Topology, _ steps.Answers) string {
	if cas := t.WithRole(steps.RoleCA); len(cas) > 0 {
		return string(cas[0].Name)
	}
	return ""
}
