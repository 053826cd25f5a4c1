package isalistener

import (
	"github.com/secex/wizard/steps"
)

// VerifyFile is the read-only check generated for the ISA Server.
const VerifyFile = "isa-listener-verify.cmd"

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
	isa := string(c.ISA.Name)
	cn := string(c.CertCN)
	ip := c.ListenerIP.String()
	issuer := "a certification authority that browsers trust"
	if c.Issuer == IssuerInternal {
		issuer = "the organisation's own certification authority"
	}
	array := ""
	if c.ISA.Server.ISA.ArrayMember {
		array = " " + isa + " is a member of an ISA array: repeat this on every member of the array, each with its own external address."
	}
	var as []steps.Action
	as = append(as, steps.Action{
		ID:     "isa-backup",
		Phase:  steps.PhasePrerequisites,
		Target: isa,
		Title:  "Back up the configuration of " + isa,
		Do: []string{
			"Start ISA Management on " + string(c.ISA.FQDN) + ". Right-click the array (on a stand-alone server, the server) and click Back Up.",
			"Save the backup file away from the server and note its name in the change record. It is the way back for every ISA Server step of this change.",
		},
		Expect:  "The backup completes and the file is written.",
		Verify:  "The file exists where it was saved, dated today.",
		Backout: "Nothing to undo. To undo later ISA Server steps, right-click the same object, click Restore and choose this file.",
	})
	as = append(as, steps.Action{
		ID:     "isa-service-pack",
		Phase:  steps.PhasePrerequisites,
		Target: isa,
		Title:  "Confirm " + isa + " runs ISA Server Service Pack 1 or later",
		Do: []string{
			"In Add/Remove Programs on " + string(c.ISA.FQDN) + " (or in ISA Management, Help, About), confirm that Service Pack 1 or later of ISA Server 2000 is installed. Bridging SSL to the front-ends does not work without it.",
		},
		Expect:  "Service Pack 1 or later is installed.",
		Verify:  "The server's page in the wizard records the same service pack.",
		Backout: "Nothing to undo: this only reads the version.",
	})
	as = append(as, steps.Action{
		ID:     "obtain-certificate",
		Phase:  steps.PhasePrerequisites,
		Target: isa,
		Title:  "Obtain the certificate for " + cn,
		Do: []string{
			"Request a server certificate with the common name " + cn + " from " + issuer + ". Make the request on a computer that can export the private key afterwards (for example with the IIS Server Certificate wizard).",
			"Once it is issued, export the certificate with its private key to a .pfx file protected by a password. Carry the file to " + isa + " yourself; never put it in the change bundle or send the password with it.",
		},
		Expect: "A .pfx file for " + cn + " and its password, kept apart.",
		// The certificate alone (exported without its key) can be
		// checked as a file before it is imported.
		Probe:   &steps.Probe{Kind: steps.ProbeCert, Name: cn},
		Verify:  "Opening the .pfx on a workstation shows the common name " + cn + ", a validity period that covers the next year, and the issuer's full chain.",
		Backout: "Nothing to undo; revoke the certificate with its issuer if it is lost.",
	})
	importDo := []string{
		"On " + string(c.ISA.FQDN) + ", start mmc, add the Certificates snap-in for the computer account (local computer).",
		"Right-click Personal, point to All Tasks, click Import, and choose the .pfx file. Type its password and tick Mark the private key as exportable, as the guide asks, so the certificate can be moved to a replacement server.",
		"Let the wizard place it in the Personal store, finish, then delete the .pfx copy from the server.",
	}
	if c.Accelerator {
		importDo = append(importDo, "The server has an SSL accelerator card: check in Device Manager that the card and its driver are working before SSL is turned on, and follow the card maker's notes on using certificates from the Personal store.")
	}
	as = append(as, steps.Action{
		ID:      "import-certificate",
		Phase:   steps.PhaseISA,
		Target:  isa,
		Title:   "Import the certificate for " + cn + " into the computer's Personal store on " + isa,
		Do:      appendNote(importDo, array),
		Expect:  "Under Personal, Certificates, the certificate issued to " + cn + " is listed.",
		Verify:  "Open it: the General tab says you have a private key that corresponds to this certificate, and the Certification Path tab shows no error.",
		Backout: "Once no listener uses it any more, delete the certificate from the Personal store.",
	})
	as = append(as, steps.Action{
		ID:     "incoming-listener",
		Phase:  steps.PhaseISA,
		Target: isa,
		Title:  "Listen for SSL on " + ip + " with the certificate for " + cn,
		Do: appendNote([]string{
			"In ISA Management, right-click " + isa + " and click Properties. Note the current settings of the Incoming Web Requests tab for the backout.",
			"On the Incoming Web Requests tab, select Configure listeners individually per IP address and click Add.",
			"Select " + isa + " and the external address " + ip + ".",
			"Select Use a server certificate to authenticate web clients, click Select and choose the certificate issued to " + cn + ". Click OK.",
			"Tick Enable SSL listeners (SSL port 443) and click OK.",
			"When ISA Management asks, choose to save the changes and restart the services, and click OK.",
		}, array),
		Script:     VerifyFile,
		Expect:     VerifyFile + ", run on " + isa + ", reports that it listens for SSL on " + ip + ":443.",
		Verify:     "The outside-in test of the publishing procedure shows the certificate for " + cn + " from the Internet.",
		Backout:    "Put the Incoming Web Requests tab back as noted, save and restart the services; or restore the backup taken first.",
		Interrupts: "Web publishing through " + isa + " while its services restart",
		Minutes:    5,
	})
	if c.Outgoing {
		as = append(as, steps.Action{
			ID:     "outgoing-lockdown",
			Phase:  steps.PhaseISA,
			Target: isa,
			Title:  "Remove the listeners for outgoing web requests on " + isa,
			Do: appendNote([]string{
				"In ISA Management, right-click " + isa + " and click Properties. Note the current settings of the Outgoing Web Requests tab for the backout.",
				"On the Outgoing Web Requests tab, select Configure listeners individually per IP address, make sure no address is listed (remove any that is), and click OK.",
				"Choose to save the changes and restart the services, and click OK.",
			}, array),
			Script:     VerifyFile,
			Expect:     VerifyFile + " reports that nothing listens on TCP 8080.",
			Verify:     "A browser on the internal network set to use " + isa + " as its proxy can no longer open any web site.",
			Backout:    "Put the Outgoing Web Requests tab back as noted, save and restart the services.",
			Interrupts: "Web publishing through " + isa + " while its services restart, and any use of " + isa + " as a web proxy from then on",
			Minutes:    5,
		})
	}
	return as
}

func appendNote(do []string, note string) []string {
	if note == "" {
		return do
	}
	return append(do, note[1:])
}
