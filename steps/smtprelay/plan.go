package smtprelay

import (
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
)

// File names of this procedure's files.
const (
	ChecklistFile         = "smtp-relay-checklist.txt"
	ExchangeTestSheetName = "exchange-relay-test.txt"
)

func plan(in steps.Input) []steps.Action {
	c, err := load(in)
	if err != nil {
		// Produce never plans a step whose answers do not parse: check
		// reports them as errors first.
		return nil
	}
	return actions(in, c)
}

// esmVS is the Exchange System Manager path to a server's SMTP virtual
// servers.
func esmVS(s steps.Server) string {
	return "In Exchange System Manager, expand Administrative Groups, the administrative group of " + string(s.Name) +
		" (shown only when the organisation's properties display administrative groups), Servers, " + string(s.Name) + ", Protocols and SMTP"
}

func listText(ps []netip.Prefix) string {
	var ss []string
	for _, p := range ps {
		ss = append(ss, Describe(p))
	}
	return strings.Join(ss, "; ")
}

func actions(in steps.Input, c config) []steps.Action {
	var as []steps.Action
	wait := "Wait 15 minutes, so that Exchange copies the settings into the IIS metabase, then run " + ExchangeVerifyName + " on the server: cscript //nologo " + ExchangeVerifyName + "."
	// Every Exchange server gets the same lists, written out once here.
	connectList, relayList := listText(c.connect), listText(c.relay)
	for _, s := range c.exchange {
		name := string(s.Name)
		do := []string{
			"Before changing anything, note the current settings of the three dialogs below in the change record: they are the backout.",
			esmVS(s) + "; right-click Default SMTP Virtual Server and click Properties, then the Access tab.",
		}
		if c.auth == AuthAnonymousWindows {
			do = append(do, "Click Authentication. Tick Anonymous access and Integrated Windows Authentication; clear Basic authentication. Click OK.")
		} else {
			do = append(do, "Click Authentication. Tick Anonymous access only; clear Basic authentication and Integrated Windows Authentication. Click OK.")
		}
		if c.connectAll {
			do = append(do, "Click Connection. Select All except the list below and leave the list as it is. Click OK.")
		} else {
			do = append(do, "Click Connection. Select Only the list below and make the list exactly: "+connectList+
				". Add a single address with Single computer, a network with Group of computers (its address and mask). Click OK.")
		}
		relay := "Click Relay. Select Only the list below and make the list exactly: " + relayList + "."
		if len(c.relay) == 0 {
			relay = "Click Relay. Select Only the list below and remove every entry, so that the list is empty."
		}
		do = append(do, relay,
			"In the same dialog, clear Allow all computers which successfully authenticate to relay, regardless of the list above. Click OK, then OK again.",
		)
		as = append(as, steps.Action{
			ID:      "lockdown-" + strings.ToLower(name),
			Phase:   steps.PhaseSMTP,
			Target:  name,
			Title:   "Lock down the Default SMTP Virtual Server of " + name,
			Do:      do,
			Expect:  "The three dialogs show the settings above when opened again.",
			Verify:  wait + " Every line reads OK.",
			Backout: "Set the three dialogs back to the values noted in the change record; Exchange copies them into the metabase within 15 minutes.",
		})
	}
	if cl := c.client; cl != nil {
		s := cl.server
		do := []string{
			esmVS(s) + ". Open the properties of Default SMTP Virtual Server, General tab, and set IP address to " + s.Addrs[0].String() + " instead of (All Unassigned), so that it no longer claims " + cl.addr.String() + ". Click OK.",
			"Right-click SMTP, point to New and click SMTP Virtual Server. Name it Client submission, and choose the address " + cl.addr.String() + ".",
			"Open its properties, Access tab. Under Secure communication click Certificate and install a server certificate for the name users configure as their outgoing server.",
			"Click Authentication: clear Anonymous access, tick Basic authentication and Requires TLS encryption (and Integrated Windows Authentication if you wish). Click OK.",
			"Click Relay: select Only the list below with an empty list, and tick Allow all computers which successfully authenticate to relay, regardless of the list above. Click OK, then OK.",
			"Give users the outgoing server name, with My server requires authentication and encryption (SSL) ticked in their mail program.",
		}
		if c.roaming {
			do = append(do, "For users outside the network, publish this address through ISA Server with a second SMTP server publishing rule on an external address of its own, so that the Default SMTP Virtual Server stays unpublished.")
		}
		as = append(as, steps.Action{
			ID:         "client-vs",
			Phase:      steps.PhaseSMTP,
			Target:     string(s.Name),
			Title:      "Create the SMTP virtual server for users who log on, on " + cl.addr.String(),
			Do:         do,
			Expect:     "Both virtual servers show Running in Exchange System Manager, each on its own address.",
			Verify:     "From a POP3 or IMAP4 user's computer, send a test message to an outside address: it arrives, and the mail program reports an encrypted connection. A telnet session to " + cl.addr.String() + " port 25 shows STARTTLS in the reply to EHLO.",
			Backout:    "Delete the Client submission virtual server and set the Default SMTP Virtual Server back to (All Unassigned).",
			Interrupts: "Inbound mail to " + string(s.Name) + " (while the Default SMTP Virtual Server changes address)",
			Minutes:    2,
		})
	}
	outsideTarget, outsideSheet := outsideTest(c)
	for _, s := range c.exchange {
		name := string(s.Name)
		h := TestHost{Server: s, Domain: in.Topology.Facts.PublicDomain, ConnectAll: c.connectAll, Connect: c.connect, Relay: c.relay}
		as = append(as, steps.Action{
			ID:     "verify-" + strings.ToLower(name),
			Phase:  steps.PhaseSMTP,
			Target: name,
			Title:  "Check that " + name + " relays for nobody it should not",
			Do:     append([]string{wait}, insideSteps(in.Topology, h)...),
			Script: ExchangeVerifyName,
			// The wizard's own relay attempt, from the computer it runs
			// on, which must be on no relay list for the test to count.
			Probe:   &steps.Probe{Kind: steps.ProbeSMTP, Host: s.Addrs[0].String(), Port: 25, Name: string(s.FQDN), OutsideFrom: probeFrom, OutsideTo: probeTo},
			Expect:  ExchangeVerifyName + " ends with All checks passed, and the outside address is refused with 550 5.7.1 at RCPT TO. " + ExchangeTestSheetName + " has every test of this server with boxes to tick.",
			Verify:  "Send mail from a mailbox on " + name + " to an outside address and back: both arrive, so mail flow still works.",
			Backout: "Nothing to undo: the checks only read and the telnet session sends nothing.",
		})
	}
	if g := c.others.gateway; g != nil {
		p := IISPolicy{Prefix: "gateway", Instance: max(c.others.gatewayInstance, 1)}
		as = append(as, steps.Action{
			ID:     "gateway-minimum-opening",
			Phase:  steps.PhaseSMTP,
			Target: string(g.Name),
			Title:  "Confirm that the gateway " + string(g.Name) + " is open no further than mail flow needs",
			Do: []string{
				"The gateway was locked down before it went into service (its lists come from the separate gateway procedure). Run " + p.VerifyName() + " again: cscript //nologo " + p.VerifyName() + ".",
				"Send a message from the Internet to a mailbox, and from a mailbox to an outside address. Both must arrive.",
				"If one does not, read the SMTP log of the gateway (%SystemRoot%\\System32\\LogFiles\\SMTPSVC" + strconv.Itoa(p.Instance) + "; turn logging on in the virtual server's General tab if it is off) to see which address was refused, add only that address to the gateway's list in the wizard, and run the new " + p.ApplyName() + ". Open nothing else.",
			},
			Script:  p.VerifyName(),
			Expect:  "All checks passed, and both test messages arrive.",
			Verify:  "The outside-in relay test at the end of this procedure is refused at RCPT TO.",
			Backout: "Run " + p.BackoutName() + " to restore the lists saved before the gateway's change.",
		})
	}
	var outsideProbe *steps.Probe
	if host := OutsideHost(in); host != "" {
		outsideProbe = &steps.Probe{Kind: steps.ProbeSMTP, Host: host, Port: 25, Name: host, OutsideFrom: probeFrom, OutsideTo: probeTo}
	}
	as = append(as, steps.Action{
		ID:      "outside-relay-test",
		Phase:   steps.PhaseSMTP,
		Target:  outsideTarget,
		Title:   "Relay test from outside, through ISA Server and the MX record",
		Do:      OutsideSteps(in),
		Script:  outsideSheet,
		Probe:   outsideProbe,
		Expect:  "The outside recipient is refused with 550 5.7.1 at RCPT TO, and the postmaster of " + string(in.Topology.Facts.PublicDomain) + " is accepted with 250.",
		Verify:  "Repeat the test after every change to an SMTP server, and at least once a month; an open relay test service on the Internet gives a second opinion.",
		Backout: "Nothing to undo: the conversation ends before DATA, so no message is sent.",
	})
	return as
}

// outsideTest is where the outside-in test is filed (see OutsideSteps for
// what it connects to): the server its sheet is filed under and the
// sheet's name: the gateway if there is one, else the host ISA Server
// publishes, else the first Exchange server.
func outsideTest(c config) (target, sheet string) {
	switch {
	case c.others.gateway != nil:
		return string(c.others.gateway.Name), IISPolicy{Prefix: "gateway"}.TestSheetName()
	case c.others.publishedHost != nil && c.others.publishedTo == publishToScreener:
		return string(c.others.publishedHost.Name), IISPolicy{Prefix: "screener"}.TestSheetName()
	case c.others.publishedHost != nil && c.others.publishedHost.Has(steps.RoleBackEnd) &&
		slices.ContainsFunc(c.exchange, func(s steps.Server) bool { return s.Name == c.others.publishedHost.Name }):
		return string(c.others.publishedHost.Name), ExchangeTestSheetName
	}
	return string(c.exchange[0].Name), ExchangeTestSheetName
}

// insideSteps is the main test from inside the network: from a computer
// that may connect but not relay.
func insideSteps(t steps.Topology, h TestHost) []string {
	server, addr := string(h.Server.Name), h.Server.Addrs[0].String()
	from := "Then, from a workstation whose address is in no relay list, test the relay of " + server + ":"
	if !h.ConnectAll {
		var connectOnly []netip.Prefix
		for _, p := range h.Connect {
			if !Within(p, h.Relay) {
				connectOnly = append(connectOnly, p)
			}
		}
		if len(connectOnly) == 0 {
			return []string{"Then, from a workstation, telnet " + addr + " 25: no 220 greeting may appear, because no computer outside the connection list may connect."}
		}
		from = "Then, from a computer in the connection list but not in the relay list (" + hostsOf(t, connectOnly) + "), test the relay of " + server + ":"
	}
	return TelnetSteps(from, addr, RelayProbes(h.Domain, false))
}
