package kms

import (
	"github.com/secex/wizard/steps"
)

// File names of the generated files.
const (
	ChecklistFile = "kms-admin-checklist.txt"
	VerifyFile    = "kms-verify.cmd"
)

func plan(in steps.Input) []steps.Action {
	c, err := load(in)
	if err != nil || !c.use {
		// Produce never plans a step whose answers do not parse: check
		// reports them as errors first. Without KMS there is nothing to do.
		return nil
	}
	return actions(c)
}

func actions(c config) []steps.Action {
	kms, kmsFQDN := string(c.kms.name), string(c.kms.fqdn)
	ca, caFQDN := string(c.ca.name), string(c.ca.fqdn)
	caName := c.caName()
	ping := `certutil -config "` + string(c.caConfig) + `" -ping`

	var as []steps.Action
	as = append(as, steps.Action{
		ID:     "ca-reachable",
		Phase:  steps.PhasePrerequisites,
		Target: kms,
		Title:  "Check that " + kms + " reaches the certification authority " + caName,
		Do: []string{
			"On " + kmsFQDN + ", run " + VerifyFile + " from this server's folder. It runs this command:",
			ping,
			caName + " must be an enterprise CA (Windows 2000 Certificate Services installed as an enterprise CA) in the same forest, online whenever users are enrolled.",
		},
		Script:  VerifyFile,
		Expect:  `certutil reports that the CA's request interface "is alive" and that the -ping command completed successfully.`,
		Verify:  "In Certification Authority on " + caFQDN + ", the CA is shown running (green mark).",
		Backout: "Nothing to undo: the check only asks the CA to answer.",
	})
	as = append(as, steps.Action{
		ID:     "ca-templates",
		Phase:  steps.PhasePrerequisites,
		Target: ca,
		Title:  "Make sure " + caName + " issues the certificates KMS requests",
		Do: []string{
			"On " + caFQDN + ", open Certification Authority from Administrative Tools, expand " + caName + " and open Policy Settings.",
			"The templates Exchange User and Exchange Signature Only must be listed: KMS requests the encryption and the signing certificate of each enrolled user with them.",
			"If one is missing, right-click Policy Settings, click New, then Certificate to Issue, and select it.",
		},
		Expect:  "Both Exchange templates are listed under Policy Settings.",
		Verify:  "After the first enrolment, Issued Certificates on " + caName + " lists the user's two certificates.",
		Backout: "Delete a template from Policy Settings again only if it was added for this change and nobody has been enrolled; issued certificates stay valid until revoked.",
	})
	as = append(as, steps.Action{
		ID:     "install-kms",
		Phase:  steps.PhaseClients,
		Target: kms,
		Title:  "Install the Key Management Service on " + kms,
		Do: []string{
			"Log on to " + kmsFQDN + " with an account that has Exchange Full Administrator rights. The account that installs KMS is at first its only administrator, so use the account that will administer it.",
			"Run Setup from the Exchange 2000 CD. On Component Selection, set Microsoft Exchange Key Management Service to Install and complete Setup.",
			"When Setup asks how the service gets its startup password, choose between typing it in at each start and a password disk. Record the password, or lock the disk away: the service cannot start without it.",
			"Apply the Exchange 2000 service pack the server already runs again, because components added from the CD are at the CD's level.",
			"In Exchange System Manager, expand Advanced Security, right-click Key Manager and click Properties. Log on with the default administrator password (the word password) and change it at once; then add the other KMS administrators on the Administrators tab.",
			"Open the properties of Encryption Configuration under Advanced Security: select " + kms + " as the Key Management server and choose 3DES as the default encryption algorithm and S/MIME as the message format.",
		},
		Expect:     "Key Manager opens with the new password, and the Key Management service is started in Services on " + kms + ".",
		Verify:     "Run " + VerifyFile + " on " + kms + " again: the CA still answers.",
		Backout:    "Run Exchange Setup again and set the component to Remove, then reapply the service pack. If anyone was enrolled, back up the folder Exchsrvr\\KMSData first: it holds their archived keys.",
		Interrupts: "Outlook (mailboxes on " + kms + ", while Setup stops the Exchange services)",
		Minutes:    30,
	})
	as = append(as, steps.Action{
		ID:     "enrol-users",
		Phase:  steps.PhaseClients,
		Target: kms,
		Title:  "Enrol users in advanced security",
		Do: []string{
			"Start with two test users. In Exchange System Manager, expand Advanced Security, right-click Key Manager, point to All Tasks and click Enroll Users; select them by user, group, administrative group or server, and type the KMS administrator password.",
			"KMS creates a temporary key (a token) for each user. Send it by e-mail only if that is allowed on the Enrollment tab of Key Manager's properties; otherwise hand it over in person, after checking the user's identity.",
			"Each user then, in Outlook: Tools, Options, Security tab, Get a Digital ID, Set up security for me on the Exchange Server, enters the token and clicks OK. Outlook sends a request to KMS.",
			"When KMS's reply arrives, the user opens it and sets a password for the new keys. The signing key is made on the user's computer; the encryption key is made by KMS, which keeps a copy.",
		},
		Expect:  "The user's Outlook Security tab shows the new security settings, and Key Manager lists the user as enrolled.",
		Verify:  "Run " + VerifyFile + " on the user's computer, logged on as the user: it finds certificates issued by " + caName + ".",
		Backout: "In Key Manager, revoke the user's advanced security (under All Tasks). The archived encryption key stays in KMS, so old encrypted mail can still be recovered.",
	})
	as = append(as, steps.Action{
		ID:     "gal-publication",
		Phase:  steps.PhaseClients,
		Target: kms,
		Title:  "Check that enrolled users' certificates are in the global address list",
		Do: []string{
			"KMS stores each enrolled user's certificates on the user's object in Active Directory, from where Outlook finds them in the global address list.",
			"In Active Directory Users and Computers, turn on View, Advanced Features, open a test user's properties and the Published Certificates tab.",
		},
		Expect:  "The tab lists the user's certificates, issued by " + caName + ".",
		Verify:  "Another enrolled user can encrypt a message to the test user, chosen from the global address list, without a warning about a missing certificate.",
		Backout: "Nothing to undo: revoking a user's advanced security removes what KMS published.",
	})
	as = append(as, steps.Action{
		ID:     "verify-test-message",
		Phase:  steps.PhaseClients,
		Target: steps.TargetClients,
		Title:  "Send a signed and encrypted test message between two enrolled users",
		Do: []string{
			"On each test user's computer, logged on as that user, run " + VerifyFile + " from the Outlook clients folder.",
			"The first user writes to the second, chosen from the global address list; in the message, Options, Security Settings, ticks both Encrypt message contents and attachments and Add digital signature to this message, and sends it.",
			"The second user opens it and replies the same way.",
		},
		Script:  VerifyFile,
		Expect:  "Both messages open without warnings, showing the padlock and the seal, and " + VerifyFile + " passes for both users.",
		Verify:  "The seal's dialog on each message names a certificate issued by " + caName + " and says the signature is valid.",
		Backout: "Nothing to undo: delete the test messages.",
	})
	as = append(as, steps.Action{
		ID:     "kms-backup",
		Phase:  steps.PhaseClients,
		Target: kms,
		Title:  "Protect the KMS database and passwords",
		Do: []string{
			"Include the folder Exchsrvr\\KMSData on " + kms + " in the server's backup, and test a restore on a lab server.",
			"Keep the KMS startup password (or its disk) and the administrator passwords apart from the backup media, in the same way as the CA's keys.",
			"Ask for more than one administrator password for the sensitive tasks (key recovery, adding administrators) on Key Manager's properties, so no single person can recover keys alone.",
		},
		Expect:  "The next backup report lists Exchsrvr\\KMSData.",
		Verify:  "A restore of the folder on a lab server succeeds.",
		Backout: "Nothing to undo.",
	})
	return as
}
