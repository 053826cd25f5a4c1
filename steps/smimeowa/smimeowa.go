// Package smimeowa is the current platform's counterpart of the guide's
// S/MIME procedure: Outlook on the web signs and encrypts with S/MIME as
// the organisation's S/MIME configuration (Set-SmimeConfig) says, and the
// Mailbox servers trust the certification authorities that issue the
// users' certificates.
package smimeowa

import (
	"errors"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/psapply"
	"github.com/secex/wizard/steps/script/powershell"
)

// ID is the procedure's stable identifier.
const ID = "current-smime-owa"

// Replaces lists the guide's procedures this one stands for.
var Replaces = []string{"smime"}

// Question IDs.
const (
	QServer     = "server"               // the Mailbox server the organisation-wide setting is made from
	QAlwaysSign = "always-sign"          // OWAAlwaysSign
	QAlwaysEnc  = "always-encrypt"       // OWAAlwaysEncrypt
	QEncAlg     = "encryption-algorithm" // OWAEncryptionAlgorithms
	QSignAlg    = "signing-algorithm"    // OWASigningAlgorithms
	QUserChoice = "user-choice"          // OWAAllowUserChoiceOfSigningCertificate
	QCRL        = "crl-check"            // OWADisableCRLCheck and OWACheckCRLOnSend
	QTrustChain = "trust-chain"          // upload the users' CA chain (SMIMECertificateIssuingCA)
)

// FilePrefix names the files: smime-owa-apply.ps1 and so on.
const FilePrefix = "smime-owa"

// The CRL answers.
const (
	CRLEnforce = "enforce" // check, and refuse to send when a CRL cannot be read
	CRLCheck   = "check"   // check, and send with a warning when a CRL cannot be read
	CRLOff     = "off"     // no revocation check at all
)

// algorithm is one choice of algorithm and the identifier Set-SmimeConfig
// takes for it.
type algorithm struct {
	choice steps.Choice
	id     string
	weak   bool
}

// encryptionAlgorithms are the symmetric algorithms offered, strongest
// first; the identifiers are those of Microsoft's Set-SmimeConfig
// reference.
var encryptionAlgorithms = []algorithm{
	{steps.Choice{Value: "aes256", Label: "AES-256", Hint: "Exchange's own default; every current S/MIME client reads it."}, "6610", false},
	{steps.Choice{Value: "aes192", Label: "AES-192"}, "660F", false},
	{steps.Choice{Value: "aes128", Label: "AES-128"}, "660E", false},
	{steps.Choice{Value: "3des", Label: "Triple DES (168-bit)", Hint: "Only for recipients whose clients cannot read AES; a legacy algorithm."}, "6603", true},
}

// signingAlgorithms are the hash algorithms offered for signatures.
var signingAlgorithms = []algorithm{
	{steps.Choice{Value: "sha256", Label: "SHA-256", Hint: "Read by every current S/MIME client."}, "800C", false},
	{steps.Choice{Value: "sha384", Label: "SHA-384"}, "800D", false},
	{steps.Choice{Value: "sha512", Label: "SHA-512"}, "800E", false},
	{steps.Choice{Value: "sha1", Label: "SHA-1", Hint: "Exchange's default when nothing is set; broken for signatures and refused by current clients' policies."}, "8004", true},
}

func choices(as []algorithm) []steps.Choice {
	var cs []steps.Choice
	for _, a := range as {
		cs = append(cs, a.choice)
	}
	return cs
}

func find(as []algorithm, value string) (algorithm, bool) {
	i := slices.IndexFunc(as, func(a algorithm) bool { return a.choice.Value == value })
	if i < 0 {
		return algorithm{}, false
	}
	return as[i], true
}

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Platform: steps.PlatformCurrent,
	Title:    "Set S/MIME for Outlook on the web",
	Section:  "Current platform, for the guide's \u201cS/MIME\u201d",
	Summary:  "Choose how Outlook on the web signs and encrypts with S/MIME (algorithms, defaults, revocation checks) for the whole organisation, and make the Mailbox servers trust the CA that issues the users' certificates.",
	Rationale: []string{
		"In the guide, S/MIME was a matter for each Outlook 2002 profile and the Key Management Service; Outlook Web Access on Exchange 2000 had no S/MIME of its own. Exchange Server 2019 and SE keep one S/MIME configuration for the whole organisation in Active Directory. It decides what Outlook on the web does: the algorithms it encrypts and signs with, whether it signs or encrypts every message by default, and whether it checks revocation.",
		"Left alone, that configuration signs with SHA-1, which is no longer a safe signature hash. This procedure sets the algorithms the administrator chooses, and the other behaviour, with one script run from one Mailbox server; the change reaches every Mailbox server through Active Directory.",
		"Outlook on the web validates the users' and their correspondents' certificates on the Mailbox server, so the servers must trust the chain of the CA that issues them. A manual step uploads that chain as a serialized certificate store.",
	},
	Notes: []string{
		"Users still need a certificate of their own (issued by the organisation's CA, for example through auto-enrolment) and the S/MIME control in their browser; on current browsers that is Microsoft's S/MIME extension, deployed by browser policy. Which browsers Outlook on the web's S/MIME supports depends on the Exchange build: check Microsoft's documentation for the build in use.",
		"The setting applies to Outlook on the web only. Outlook for Windows keeps its own S/MIME settings in each profile or in Group Policy.",
		"Encrypting every message by default only works for recipients whose certificates Exchange can find (in the directory or the user's contacts); messages to other recipients need the user to turn encryption off.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleMailbox)) == 0 {
		return false, "No server has the role " + steps.RoleMailbox.Label() + ". Outlook on the web runs on the Mailbox servers, so add them to the servers page first."
	}
	return true, ""
}

var pages = []steps.Page{
	{
		ID:    "server",
		Title: "Where the setting is made",
		Questions: []steps.Question{
			{ID: QServer, Label: "Mailbox server to run the script on", Kind: steps.KindServer, Role: steps.RoleMailbox, DefaultFrom: firstMailbox,
				Hint: "The S/MIME configuration is one setting for the whole organisation; it is made once, from this server, and reaches the others through Active Directory."},
		},
	},
	{
		ID:    "defaults",
		Title: "What Outlook on the web does by default",
		Questions: []steps.Question{
			{ID: QAlwaysSign, Label: "Sign every new message by default?", Kind: steps.KindYesNo, Default: "no",
				Hint: "Users can still turn signing off for a message. Users without an S/MIME certificate cannot send signed mail."},
			{ID: QAlwaysEnc, Label: "Encrypt every new message by default?", Kind: steps.KindYesNo, Default: "no",
				Hint: "Encryption needs every recipient's certificate; mail to recipients without one cannot be sent encrypted."},
			{ID: QUserChoice, Label: "Let users choose which of their certificates signs a message?", Kind: steps.KindYesNo, Default: "no",
				Hint: "No: Outlook on the web takes the newest eligible certificate. Yes: users pick one, which helps while a certificate is being renewed."},
		},
	},
	{
		ID:    "algorithms",
		Title: "Algorithms and revocation",
		Questions: []steps.Question{
			{ID: QEncAlg, Label: "Encryption algorithm", Kind: steps.KindChoice, Choices: choices(encryptionAlgorithms), Default: "aes256"},
			{ID: QSignAlg, Label: "Signature hash algorithm", Kind: steps.KindChoice, Choices: choices(signingAlgorithms), Default: "sha256"},
			{ID: QCRL, Label: "Revocation checks on certificates", Kind: steps.KindChoice, Default: CRLEnforce, Choices: []steps.Choice{
				{Value: CRLEnforce, Label: "Check, and refuse to send signed or encrypted mail when a revocation list cannot be read"},
				{Value: CRLCheck, Label: "Check, but send with a warning when a revocation list cannot be read", Hint: "Exchange's default."},
				{Value: CRLOff, Label: "Do not check revocation", Hint: "Signatures by revoked certificates are then shown as valid."},
			}},
		},
	},
	{
		ID:    "trust",
		Title: "The users' certification authority",
		Questions: []steps.Question{
			{ID: QTrustChain, Label: "Upload the certificate chain of the CA that issues the users' S/MIME certificates?", Kind: steps.KindYesNo, Default: "yes",
				Hint: "Needed once, and again when the CA's certificate is renewed. Answer no only if the chain is uploaded already (Get-SmimeConfig shows SMIMECertificateIssuingCA)."},
		},
	},
}

func firstMailbox(t steps.Topology, _ steps.Answers) string {
	if ms := t.WithRole(steps.RoleMailbox); len(ms) > 0 {
		return string(ms[0].Name)
	}
	return ""
}

// config is the answers as the plan uses them.
type config struct {
	server     steps.Server
	found      bool
	alwaysSign bool
	alwaysEnc  bool
	userChoice bool
	enc, sign  algorithm
	crl        string
	trustChain bool
}

func load(in steps.Input) config {
	a := in.Of(ID)
	c := config{alwaysSign: a.Is(QAlwaysSign, "yes"), alwaysEnc: a.Is(QAlwaysEnc, "yes"), userChoice: a.Is(QUserChoice, "yes"),
		crl: a[QCRL], trustChain: a.Is(QTrustChain, "yes")}
	c.enc, _ = find(encryptionAlgorithms, a[QEncAlg])
	c.sign, _ = find(signingAlgorithms, a[QSignAlg])
	for _, s := range in.Topology.WithRole(steps.RoleMailbox) {
		if strings.EqualFold(string(s.Name), a[QServer]) {
			c.server, c.found = s, true
		}
	}
	return c
}

// Finding codes.
const (
	CodeServerMissing   = "server-missing"
	CodeBadAlgorithm    = "algorithm-unknown"
	CodeBadCRL          = "crl-answer-unknown"
	CodeWeakEncryption  = "weak-encryption-algorithm"
	CodeWeakSigning     = "weak-signing-algorithm"
	CodeCRLOff          = "crl-check-off"
	CodeEncryptNoSign   = "encrypt-without-sign"
	CodeNoCA            = "no-ca-in-inventory"
	CodeChainNotUpload  = "trust-chain-not-uploaded"
	CodeAlwaysEncExtern = "always-encrypt-external"
)

func check(in steps.Input) []steps.Finding {
	a := in.Of(ID)
	c := load(in)
	var fs []steps.Finding
	if !c.found {
		fs = append(fs, steps.Finding{Code: CodeServerMissing, Severity: steps.Error, Fix: []string{QServer},
			Message: "Choose the Mailbox server to run the script on: " + quoteName(a[QServer]) + " is not a Mailbox server of the inventory."})
	}
	if c.enc.id == "" || c.sign.id == "" {
		fs = append(fs, steps.Finding{Code: CodeBadAlgorithm, Severity: steps.Error, Fix: []string{QEncAlg, QSignAlg},
			Message: "Choose the encryption and the signature algorithm again: a saved answer is not one of those offered."})
	}
	if c.crl != CRLEnforce && c.crl != CRLCheck && c.crl != CRLOff {
		fs = append(fs, steps.Finding{Code: CodeBadCRL, Severity: steps.Error, Fix: []string{QCRL},
			Message: "Choose how revocation is checked: the saved answer is not one of those offered."})
	}
	if c.enc.weak {
		fs = append(fs, steps.Finding{Code: CodeWeakEncryption, Severity: steps.Warning, Fix: []string{QEncAlg},
			Message: "Triple DES is a legacy algorithm with a 64-bit block; every current S/MIME client reads AES. Choose AES-256, or accept it with a reason (the recipients who cannot read AES)."})
	}
	if c.sign.weak {
		fs = append(fs, steps.Finding{Code: CodeWeakSigning, Severity: steps.Warning, Fix: []string{QSignAlg},
			Message: "SHA-1 signatures can be forged with practical collision attacks, and current clients may refuse them. Choose SHA-256, or accept it with a reason."})
	}
	if c.crl == CRLOff {
		fs = append(fs, steps.Finding{Code: CodeCRLOff, Severity: steps.Warning, Fix: []string{QCRL},
			Message: "Without revocation checks Outlook on the web shows a signature by a revoked certificate as valid. Choose one of the checks, or accept it with a reason (for example, the CA publishes no reachable revocation list)."})
	}
	if c.alwaysEnc && !c.alwaysSign {
		fs = append(fs, steps.Finding{Code: CodeEncryptNoSign, Severity: steps.Warning, Fix: []string{QAlwaysSign, QAlwaysEnc},
			Message: "Messages would be encrypted by default but not signed: the recipient cannot tell who encrypted them. Sign by default as well, or accept it with a reason."})
	}
	if c.alwaysEnc {
		fs = append(fs, steps.Finding{Code: CodeAlwaysEncExtern, Severity: steps.Warning, Fix: []string{QAlwaysEnc},
			Message: "With encryption on by default, users must turn it off for every recipient without a certificate Exchange can find (most external recipients). Choose no, or accept it with a reason (for example, mail leaves the organisation rarely)."})
	}
	if c.trustChain && len(in.Topology.WithRole(steps.RoleCA)) == 0 {
		fs = append(fs, steps.Finding{Code: CodeNoCA, Severity: steps.Warning, Fix: []string{QTrustChain},
			Message: "The inventory has no certification authority, so the plan cannot name the CA whose chain is uploaded; the step then asks for the chain of the CA that issues the users' certificates, wherever it is. Add the CA to the servers page, or accept it with a reason."})
	}
	if !c.trustChain {
		fs = append(fs, steps.Finding{Code: CodeChainNotUpload, Severity: steps.Warning, Fix: []string{QTrustChain},
			Message: "Without the issuing CA's chain, Outlook on the web cannot validate the users' certificates and shows their signatures as untrusted. Choose yes, or accept it with a reason (the chain is uploaded already: Get-SmimeConfig shows SMIMECertificateIssuingCA)."})
	}
	return fs
}

func quoteName(s string) string {
	if s == "" {
		return "no server"
	}
	return "\u201c" + s + "\u201d"
}

// script is the organisation-wide setting, made from the chosen server.
func script(c config) psapply.Script {
	sc := psapply.Script{Procedure: ID, Server: c.server, Prefix: FilePrefix,
		Purpose: "Sets the organisation's S/MIME configuration for Outlook on the web."}
	set := func(property string, v psapply.Value, what string) {
		sc.Settings = append(sc.Settings, psapply.Setting{Noun: "SmimeConfig", Property: property, Value: v, What: what})
	}
	set("OWAEncryptionAlgorithms", psapply.Text(c.enc.id), "Outlook on the web encrypts with "+c.enc.choice.Label+".")
	set("OWASigningAlgorithms", psapply.Text(c.sign.id), "Outlook on the web signs with "+c.sign.choice.Label+".")
	set("OWAAlwaysSign", psapply.Bool(c.alwaysSign), "Whether every new message is signed unless the user turns it off.")
	set("OWAAlwaysEncrypt", psapply.Bool(c.alwaysEnc), "Whether every new message is encrypted unless the user turns it off.")
	set("OWAAllowUserChoiceOfSigningCertificate", psapply.Bool(c.userChoice), "Whether users pick the certificate that signs, instead of the newest eligible one.")
	set("OWADisableCRLCheck", psapply.Bool(c.crl == CRLOff), "Whether revocation lists are ignored when certificates are validated.")
	if c.crl != CRLOff {
		set("OWACheckCRLOnSend", psapply.Bool(c.crl == CRLEnforce), "Whether a signed or encrypted message is held back when a revocation list cannot be read.")
	}
	return sc
}

// SSTName is the file the trusted chain is exported to.
const SSTName = "smime-issuing-ca.sst"

// chainActions is the manual upload of the users' CA chain, made from the
// chosen server.
func chainActions(in steps.Input, c config) []steps.Action {
	name := string(c.server.Name)
	ca := "the CA that issues the users' S/MIME certificates"
	if cas := in.Topology.WithRole(steps.RoleCA); len(cas) > 0 {
		ca = string(cas[0].Name)
		if cas[0].CA.Config != "" {
			ca += " (" + string(cas[0].CA.Config) + ")"
		}
	}
	path, _ := powershell.Quote(`C:\Temp\` + SSTName)
	oldPath, _ := powershell.Quote(`C:\Temp\smime-issuing-ca-before.xml`)
	return []steps.Action{{
		ID: "trust-chain", Phase: steps.PhaseClients, Target: name,
		Title: "Upload the chain of the users' S/MIME certificate authority",
		Do: []string{
			"On a computer that trusts " + ca + ", open certlm.msc, select the root CA certificate and every intermediate CA certificate of the chain that issues the users' S/MIME certificates (Trusted Root Certification Authorities and Intermediate Certification Authorities), right-click, All Tasks, Export, and choose Microsoft Serialized Certificate Store (.SST). Save it as " + SSTName + " and copy it to C:\\Temp on " + name + ". Every certificate in it must be within its validity: Set-SmimeConfig refuses the file if one has expired.",
			"On " + string(c.server.FQDN) + ", open the Exchange Management Shell as a member of Organization Management and keep what is there now, for the backout: (Get-SmimeConfig).SMIMECertificateIssuingCA | Export-Clixml -LiteralPath " + oldPath + " (an empty result means no chain was uploaded before; note that instead).",
			"Run: Set-SmimeConfig -SMIMECertificateIssuingCA ([System.IO.File]::ReadAllBytes(" + path + "))",
		},
		Expect:  "Set-SmimeConfig returns without an error; (Get-SmimeConfig).SMIMECertificateIssuingCA is no longer empty.",
		Verify:  "Sign in to Outlook on the web as a user with an S/MIME certificate from the CA, send a signed message to yourself and open it: the signature shows as valid and trusted.",
		Backout: "If a chain was kept, run Set-SmimeConfig -SMIMECertificateIssuingCA (Import-Clixml -LiteralPath " + oldPath + "); should the shell not take the kept value, upload the SST file that was used before. If there was none, upload the chain that was trusted before, or leave the new one: Microsoft documents no value that clears the property, and the chain grants no rights of its own. No service restarts.",
	}}
}

func plan(in steps.Input) []steps.Action {
	c := load(in)
	if !c.found {
		return nil
	}
	sc := script(c)
	name := string(c.server.Name)
	var as []steps.Action
	if c.trustChain {
		as = append(as, chainActions(in, c)...)
	}
	as = append(as, steps.Action{
		ID: "smime-config", Phase: steps.PhaseClients, Target: name,
		Title: "Set the organisation's S/MIME configuration for Outlook on the web",
		Do: []string{
			"On " + string(c.server.FQDN) + ", open the Exchange Management Shell as a member of Organization Management and go to this server's folder of the bundle.",
			"Run .\\" + sc.ApplyName() + " -Prerequisites: it checks the computer, the Exchange build and the role, and changes nothing.",
			"Run .\\" + sc.ApplyName() + " -WhatIf and compare what it would change with this step; then run .\\" + sc.ApplyName() + ". The setting is the organisation's: it is made once, from this server only.",
		},
		Script:  sc.ApplyName(),
		Expect:  sc.ApplyName() + " saves " + sc.CaptureName() + ", makes the changes and ends with \"All checks passed.\" from " + sc.VerifyName() + ".",
		Verify:  "Get-SmimeConfig | Format-List OWA* shows the values of this step. In Outlook on the web, a user with an S/MIME certificate opens Settings, Mail, S/MIME: the defaults match, and a new message is signed or encrypted as chosen.",
		Backout: "Run .\\" + sc.BackoutName() + " from the bundle's backout folder: it puts each setting back as " + sc.CaptureName() + " recorded it. No service restarts; users see the change at their next sign-in.",
	})
	return as
}

// files refuses, as generation does everywhere, any saved answer that no
// longer parses with its question's parser.
func files(in steps.Input) ([]steps.File, error) {
	if _, bad := steps.Reparse(ID, pages, in); len(bad) > 0 {
		return nil, errors.New(bad[0].Message)
	}
	c := load(in)
	if !c.found {
		return nil, nil
	}
	return script(c).Files(in)
}
