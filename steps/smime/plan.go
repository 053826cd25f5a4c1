package smime

import (
	"github.com/secex/wizard/steps"
)

// SheetFile is the name of the user instruction sheet.
const SheetFile = "smime-user-instructions.txt"

// The user procedure, step by step. The plan and the instruction sheet print
// the same sentences, so what the administrator approves is what users read.

func getCertificateInternal(c config) []string {
	where := "the certificate pages of your organisation's certification authority"
	if name := c.ca.caName(); name != "" {
		where = "the certificate pages of " + name
	}
	return []string{
		"Log on to your own computer as yourself.",
		"In Internet Explorer, go to http://" + string(c.ca.fqdn) + "/certsrv, " + where + ".",
		"Select Request a certificate and click Next.",
		"Select User certificate request, then User Certificate, and click Next.",
		"Click Submit. When the page says the certificate was issued, click Install this certificate.",
	}
}

func getCertificatePublic() []string {
	return []string{
		"In Outlook, on the Tools menu click Options, then the Security tab, then Get a Digital ID.",
		"Outlook opens a web page of certificate providers. Use the provider your administrator names, and request the Digital ID for the e-mail address you send from.",
		"Follow the provider's steps to install the Digital ID on your own computer, logged on as yourself.",
	}
}

func setupSteps(c config) []string {
	s := []string{
		"In Outlook, on the Tools menu click Options, then the Security tab.",
		"Under Secure e-mail, click Settings.",
		"Type a name for the settings, leave Secure Message Format at S/MIME, and tick Default Security Setting for this Secure Message Format.",
	}
	switch {
	case c.internalCA() && c.publicCA():
		s = append(s, "Next to Signing Certificate click Choose and select your certificate, then do the same for Encryption Certificate. For mail to the Internet, create a second set of settings the same way with your Digital ID.")
	default:
		s = append(s, "Next to Signing Certificate click Choose and select your certificate, then do the same for Encryption Certificate.")
	}
	if c.algorithm == Algorithm3DES {
		s = append(s, "Set Encryption Algorithm to 3DES.")
	}
	s = append(s, "Make sure Send these certificates with signed messages is ticked, then click OK.")
	if c.internet {
		s = append(s, "Tick Send clear text signed message when sending signed messages, so that people whose mail program cannot check signatures can still read your signed messages. Click OK to close the Options dialog.")
	} else {
		s = append(s, "Click OK to close the Options dialog.")
	}
	return s
}

func exchangeSteps(c config) []string {
	var s []string
	if c.signedExchange() {
		s = append(s,
			"To give someone your public key, send them a signed message: in the new message click Options, then Security Settings, tick Add digital signature to this message, click OK, then Close, and send it.",
			"When someone sends you a signed message, open it, right-click their name in the From box and click Add to Outlook Contacts. If they are in your contacts already, update the existing contact. Their certificate is then on the contact's Certificates tab.",
		)
	}
	if c.gal() {
		s = append(s, "Colleagues enrolled in the Key Management Service need no exchange: Outlook finds their public key in the global address list.")
	}
	return s
}

func sendSteps() []string {
	return []string{
		"To encrypt a message, click Options in the new message, then Security Settings, and tick Encrypt message contents and attachments. Tick Add digital signature to this message as well to sign it. Click OK, then Close, and send it.",
		"If Outlook says it has no certificate for a recipient, that person has to send you a signed message first, and you add it to your contacts.",
		"Signed messages you receive show a seal icon and encrypted ones a padlock. If Outlook warns that a signature is not valid or not trusted, do not rely on the message and tell the helpdesk.",
	}
}

func backupSteps() []string {
	return []string{
		"Once your certificate works, back it up with its private key: Tools, Options, Security tab, Import/Export, then Export your Digital ID to a file.",
		"Choose a strong password for the file and store the file where your administrator tells you, never in a shared folder. Without the private key, messages encrypted to you cannot be read again.",
	}
}

func plan(in steps.Input) []steps.Action {
	c, err := load(in)
	if err != nil {
		// Produce never plans a step whose answers do not parse: check
		// reports them as errors first.
		return nil
	}
	var as []steps.Action
	if c.internalCA() {
		caLabel := string(c.ca.name)
		if name := c.ca.caName(); name != "" {
			caLabel = name + " on " + string(c.ca.name)
		}
		as = append(as, steps.Action{
			ID:     "ca-user-template",
			Phase:  steps.PhasePrerequisites,
			Target: string(c.ca.name),
			Title:  "Make sure " + caLabel + " issues certificates for secure e-mail",
			Do: []string{
				"On " + string(c.ca.fqdn) + ", open Certification Authority from Administrative Tools and expand the CA.",
				"Open Policy Settings. The User template (its purposes include Secure Email) must be listed.",
				"If it is not, right-click Policy Settings, click New, then Certificate to Issue, and select User.",
				"Check that the certificate pages answer: http://" + string(c.ca.fqdn) + "/certsrv opens from a client computer.",
			},
			Expect:  "User is listed under Policy Settings and the certificate pages open.",
			Verify:  "On a domain client, Internet Explorer, Tools, Internet Options, Content, Certificates, Trusted Root Certification Authorities lists the root of this CA: enterprise CAs reach every domain member's trusted roots through Active Directory.",
			Backout: "If User was added only for this change, right-click it under Policy Settings and delete it; certificates already issued stay valid until revoked.",
		})
	}
	if c.publicCA() {
		do := []string{
			"Choose the certificate provider and list the users who send signed or encrypted mail to the Internet.",
			"Each Digital ID must be issued for the exact e-mail address the user sends from; most are valid for a year, so record the renewal date.",
			"Tell those users which provider to use; the instruction sheet " + SheetFile + " has the steps.",
		}
		as = append(as, steps.Action{
			ID:      "public-digital-ids",
			Phase:   steps.PhasePrerequisites,
			Target:  steps.TargetClients,
			Title:   "Arrange Digital IDs from a publicly trusted CA for Internet mail",
			Do:      do,
			Expect:  "Every user on the list can obtain a Digital ID for their own address.",
			Verify:  "A test user's Digital ID shows, under the certificate's Certification Path tab, a root that Windows trusts without any import.",
			Backout: "Revoke the Digital IDs through the provider if they are no longer wanted.",
		})
	}

	var get []string
	if c.internalCA() {
		get = append(get, getCertificateInternal(c)...)
	}
	if c.publicCA() {
		if c.internalCA() {
			get = append(get, "Users who send signed or encrypted mail to the Internet also get a Digital ID:")
		}
		get = append(get, getCertificatePublic()...)
	}
	if c.gal() {
		get = append(get, "Users enrolled in the Key Management Service receive their certificates through that enrolment instead; see that procedure.")
	}
	as = append(as, steps.Action{
		ID:      "user-certificate",
		Phase:   steps.PhaseClients,
		Target:  steps.TargetClients,
		Title:   "Each user gets a certificate",
		Do:      append([]string{"Hand out " + SheetFile + "; it holds these steps for users:"}, get...),
		Expect:  "The certificate is listed in Internet Explorer, Tools, Internet Options, Content, Certificates, Personal tab.",
		Verify:  "Open the certificate from that list: it says You have a private key that corresponds to this certificate, and its purposes include secure e-mail.",
		Backout: "Revoke the certificate at the CA that issued it if it must be withdrawn. Keep the backup of its private key, or mail already encrypted to the user can no longer be read.",
	})

	setup := append([]string{"Users follow part 2 of " + SheetFile + ":"}, setupSteps(c)...)
	if c.algorithm == Algorithm3DES {
		setup = append(setup, `Administrators can set the default centrally instead: the value UseAlternateDefaultEncryptionAlg under HKCU\Software\Microsoft\Office\10.0\Outlook\Security is documented for this in Microsoft Knowledge Base article 307472. No file for it is generated; test it on pilot computers before deploying it by policy.`)
	}
	as = append(as, steps.Action{
		ID:      "outlook-security-settings",
		Phase:   steps.PhaseClients,
		Target:  steps.TargetClients,
		Title:   "Each user sets up Outlook's security settings",
		Do:      setup,
		Expect:  "Outlook's Security tab shows the new settings as the default.",
		Verify:  "A message sent with a signature shows a seal icon at the recipient.",
		Backout: "In the same dialog click Delete to remove the settings; the certificate stays installed.",
	})

	as = append(as, steps.Action{
		ID:      "key-exchange",
		Phase:   steps.PhaseClients,
		Target:  steps.TargetClients,
		Title:   "Users exchange public keys",
		Do:      append([]string{"Users follow part 3 of " + SheetFile + ":"}, exchangeSteps(c)...),
		Expect:  "Each correspondent's contact has a certificate on its Certificates tab, or the recipient is found in the global address list.",
		Verify:  "Encrypting a test message to the correspondent gives no warning about a missing certificate.",
		Backout: "Remove the certificate from the contact's Certificates tab.",
	})

	as = append(as, steps.Action{
		ID:     "key-backup",
		Phase:  steps.PhaseClients,
		Target: steps.TargetClients,
		Title:  "Back up each user's private key",
		Do: append([]string{"Decide where the exported files and their passwords are kept, and tell users; a lost key makes every message encrypted to that user unreadable.",
			"Users follow part 5 of " + SheetFile + ":"}, backupSteps()...),
		Expect:  "A password-protected .pfx file per user, kept in the agreed place.",
		Verify:  "Import one backup on a test computer (Tools, Options, Security, Import/Export, Import existing Digital ID) and open an encrypted message with it.",
		Backout: "Delete the exported files if the certificates are revoked.",
	})

	test := []string{
		"Two pilot users send each other a signed message and add each other to Contacts (or find each other in the global address list).",
		"Each then sends the other a message that is both signed and encrypted, following part 4 of " + SheetFile + ":",
	}
	if c.internet {
		test = append(test, "Repeat with a mailbox outside the organisation, opened in another mail program that supports S/MIME: the signature must show as valid and trusted there.")
	}
	as = append(as, steps.Action{
		ID:      "test-signed-encrypted",
		Phase:   steps.PhaseClients,
		Target:  steps.TargetClients,
		Title:   "Test signed and encrypted mail between two pilot users",
		Do:      append(test, sendSteps()...),
		Expect:  "The recipient opens the message without a warning; the seal shows the signature is valid and the padlock that it was encrypted.",
		Verify:  "In the recipient's message, the signature and encryption icons open a dialog that names the sender's certificate and says it is valid and trusted.",
		Backout: "Nothing to undo: test messages can be deleted.",
	})
	return as
}
