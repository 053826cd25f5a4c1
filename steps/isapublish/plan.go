package isapublish

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
)

// VerifyFile is the outside-in test generated for the ISA Server.
const VerifyFile = "owa-outside-in-verify.ps1"

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
	isa := string(c.Listener.ISA.Name)
	target := string(c.Target.FQDN)
	host := string(c.Topology.OWAHost)
	rule := string(c.RuleName)
	var as []steps.Action

	do := []string{
		"In ISA Management on " + string(c.Listener.ISA.FQDN) + ", expand the array (or the server), then Publishing.",
	}
	if c.Destinations == DestinationsOWAName {
		do = append(do, "First create the destination set: expand Policy Elements, right-click Destination Sets, click New, then Set. Name it OWA public name, click Add, enter the destination "+host+" with no path, and click OK twice.")
	}
	do = append(do,
		"Right-click Web Publishing Rules, point to New and click Rule. Type the name "+rule+" and click Next.",
	)
	if c.Destinations == DestinationsOWAName {
		do = append(do, "Choose Specified destination set, select OWA public name, and click Next.")
	} else {
		do = append(do, "Leave All destinations selected, as the guide does, and click Next.")
	}
	do = append(do,
		"Leave Any request selected and click Next.",
		"Select Redirect the request to this internal Web server (name or IP address), click Browse and choose "+target+" by name.",
	)
	if c.HostHeader {
		do = append(do, "Tick Send the original host header to the publishing server instead of the actual one, then click Next and Finish.")
	} else {
		do = append(do, "Leave Send the original host header cleared (the deviation recorded for this procedure), then click Next and Finish.")
	}
	as = append(as, steps.Action{
		ID:      "publishing-rule",
		Phase:   steps.PhaseISA,
		Target:  isa,
		Title:   "Create the web publishing rule " + rule,
		Do:      do,
		Expect:  "Web Publishing Rules lists " + rule + ", redirecting to " + target + ".",
		Verify:  "The rule's Action tab shows " + target + " as the internal Web server.",
		Backout: "Right-click " + rule + " and click Delete; or restore the ISA Server backup taken first.",
	})
	as = append(as, steps.Action{
		ID:     "bridging",
		Phase:  steps.PhaseISA,
		Target: isa,
		Title:  "Require SSL, 128-bit encryption and SSL to the front-end on " + rule,
		Do: []string{
			"In the details pane of Web Publishing Rules, double-click " + rule + " and click the Bridging tab.",
			"Under Redirect SSL requests as, select SSL requests (a new secure channel to the site), so ISA Server re-encrypts to " + target + ".",
			"Tick Require secure channel (SSL) for published site, so clear HTTP for the site is refused.",
			"Tick Require 128-bit encryption.",
			"Leave Use a certificate to authenticate to the SSL Web server cleared, and click OK.",
			"From now on ISA Server checks " + target + "'s certificate name, trust chain and expiry on every connection; the front-end certificate procedure issues that certificate before this step.",
		},
		Expect:  "The Bridging tab shows SSL requests redirected as SSL requests, with secure channel and 128-bit encryption required.",
		Verify:  "Run " + VerifyFile + " from a computer on the Internet with -BeforeDnsChange: every check except the DNS one passes.",
		Backout: "Clear the two boxes and choose the previous redirection on the same tab; or restore the ISA Server backup.",
	})
	as = append(as, steps.Action{
		ID:     "outside-in-before-dns",
		Phase:  steps.PhaseISA,
		Target: isa,
		Title:  "Test the published site from the Internet before the DNS switch",
		Do: []string{
			"Copy " + VerifyFile + " to a Windows computer on the Internet, outside the organisation, with PowerShell 2.0 or later, and run: powershell -ExecutionPolicy Bypass -File " + VerifyFile + " -BeforeDnsChange",
			"It connects to " + c.Topology.DNSTarget().String() + " directly, presents the name " + host + ", and reads what a browser would see. It changes nothing.",
		},
		Script: VerifyFile,
		Probe: &steps.Probe{Kind: steps.ProbeTLS, Host: c.Topology.DNSTarget().String(), Port: 443, Name: host,
			Path: c.Topology.OWAPath, HTTPPort: 80},
		Expect:  "All checks pass, except that the DNS check only reports where the name points today.",
		Verify:  "In a browser on the same computer, https://" + host + c.Topology.OWAPath + " asks for a user name and password once DNS points at " + isa + ".",
		Backout: "Nothing to undo: the test only reads.",
	})
	as = append(as, owatopology.DNSCutover(c.Topology))
	as = append(as, steps.Action{
		ID:     "outside-in",
		Phase:  steps.PhaseISA,
		Target: isa,
		Title:  "Test OWA from the Internet through " + isa,
		Do: []string{
			"On the same computer on the Internet, run " + VerifyFile + " again, this time without -BeforeDnsChange.",
			"Log on to https://" + host + c.Topology.OWAPath + " with a test account and open a message.",
		},
		Script:  VerifyFile,
		Expect:  "Every check passes, and the test account's mailbox opens.",
		Verify:  "ISA Server's web proxy log shows the request for " + host + " handled by " + string(c.RuleName) + ".",
		Backout: "Nothing to undo: the test only reads.",
	})
	return as
}
