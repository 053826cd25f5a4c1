package smtppublish

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtprelay"
)

// File names of the generated files.
const (
	ChecklistFile = "smtp-publishing-checklist.txt"
	DNSVerifyFile = "smtp-dns-verify.cmd"
)

func plan(in steps.Input) []steps.Action {
	c, err := load(in)
	if err != nil {
		// Produce never plans a step whose answers do not parse: check
		// reports them as errors first.
		return nil
	}
	return actions(c)
}

// ruleName is the name of the server publishing rule.
func (c config) ruleName() string { return "SMTP to " + string(c.published.Name) }

// isaPath is the path in ISA Management to the ISA Server's settings.
func (c config) isaPath() string {
	return "In ISA Management on " + string(c.isa.FQDN) + ", expand Servers and Arrays, then the array or server " + string(c.isa.Name)
}

// mxName is the name senders connect to. Check refuses a plan without an
// MX host, so the address public DNS is to give stands in only for a plan
// made without checking.
func (c config) mxName() string {
	if c.mxHost != "" {
		return string(c.mxHost)
	}
	return c.mx.String()
}

func actions(c config) []steps.Action {
	isa := string(c.isa.Name)
	pub, pubFQDN := string(c.published.Name), string(c.published.FQDN)
	pubAddr := c.published.Addrs[0].String()
	isaInternal := c.isa.Addrs[0].String()
	var as []steps.Action

	as = append(as, steps.Action{
		ID: "isa-backup", Phase: steps.PhaseSMTP, Target: isa,
		Title: "Back up the ISA Server configuration",
		Do: []string{
			c.isaPath() + ". Right-click " + isa + " and click Back Up.",
			"Save the backup to a folder on another computer, named with today's date and the change ticket.",
		},
		Expect:  "ISA Management reports that the configuration was backed up.",
		Verify:  "The backup file is in the folder and is not empty.",
		Backout: "Nothing to undo. To undo the later steps all at once, right-click " + isa + ", click Restore and choose this backup.",
	})
	as = append(as, steps.Action{
		ID: "securenat", Phase: steps.PhaseSMTP, Target: pub,
		Title: "Make " + pub + " send its replies through ISA Server",
		Do: []string{
			"ISA Server 2000 passes published traffic on with the sender's own address, so the published server must send its replies back through ISA Server (a SecureNAT client).",
			"On " + pubFQDN + ", open the properties of the internal network connection, Internet Protocol (TCP/IP): the default gateway must be ISA Server's internal address " + isaInternal + ", or a router that sends traffic for the Internet to it.",
		},
		Expect:  "The default gateway is " + isaInternal + " or a router that forwards to it.",
		Verify:  "On " + pubFQDN + ", tracert -d to an address on the Internet shows " + isaInternal + " (or the router, then " + isaInternal + ") among the first hops.",
		Backout: "Set the default gateway back to the value noted before the change.",
	})
	if c.insideInner {
		do := []string{
			"Ask the network team to let TCP port 25 from any address through the inner firewall to ISA Server's external address " + c.address.String() + ", and nothing else new.",
		}
		if c.public.IsValid() {
			do = append(do, "On the firewall in front, the public address "+c.public.String()+" must be translated to "+c.address.String()+" for TCP port 25.")
		}
		as = append(as, steps.Action{
			ID: "inner-firewall", Phase: steps.PhaseSMTP, Target: isa,
			Title:   "Pass TCP port 25 through the existing firewalls to ISA Server",
			Do:      do,
			Expect:  "The network team confirms the rule, and its change record names port 25 and " + c.address.String() + " only.",
			Verify:  "After the publishing rule exists, the telnet test at the end of this procedure reaches the mail server.",
			Backout: "Ask the network team to remove the rule.",
		})
	}
	as = append(as, steps.Action{
		ID: "publishing-rule", Phase: steps.PhaseSMTP, Target: isa,
		Title: "Publish SMTP on " + c.address.String() + " to " + pub,
		Do: []string{
			c.isaPath() + ", Publishing. Right-click Server Publishing Rules, point to New and click Rule.",
			"Name the rule " + c.ruleName() + " and click Next.",
			"IP address of internal server: " + pubAddr + ". External IP address on ISA Server: " + c.address.String() + ". Click Next.",
			"Apply the rule to the protocol SMTP Server (TCP port 25, inbound). Click Next.",
			"Apply the rule to any request. Click Next, then Finish.",
			"If another rule or a perimeter server received SMTP before, disable it in the same minute, so that only one path receives mail.",
		},
		Interrupts: "Inbound mail",
		Minutes:    5,
		Expect:     "The rule " + c.ruleName() + " is listed and enabled under Server Publishing Rules.",
		Verify:     "From outside, telnet " + c.address.String() + " 25 answers with 220 and the name of " + pub + " (see the last step of this procedure).",
		Backout:    "Right-click the rule and click Disable (or Delete), and enable the previous path again.",
	})
	as = append(as, steps.Action{
		ID: "mx-dns", Phase: steps.PhaseSMTP, Target: isa,
		Title: "Point " + c.mxName() + " at " + c.mx.String() + " in public DNS",
		Do: []string{
			"A day before, lower the time to live of the records below to 300 seconds (5 minutes), so the change spreads quickly.",
			"In the public DNS zone " + string(c.domain) + ": the MX record names " + c.mxName() + " (preference 10 or as now), and the A record of " + c.mxName() + " gives " + c.mx.String() + ".",
			"Keep the previous path receiving mail until the old time to live has passed twice: senders that cached the old record still use it.",
			"Run " + DNSVerifyFile + " from a computer that uses public DNS, or give it a public DNS server: " + DNSVerifyFile + " (server address).",
		},
		Script:  DNSVerifyFile,
		Expect:  DNSVerifyFile + " ends with All checks passed.",
		Verify:  "nslookup -type=MX " + string(c.domain) + " from outside the organisation names " + c.mxName() + ", and nslookup " + c.mxName() + " gives " + c.mx.String() + ".",
		Backout: "Set the records back to their previous values (noted in the change record) and keep the previous path open.",
	})
	if c.smtpAuth {
		var do []string
		if c.publishedTo == ToExchange {
			do = append(do, "In Exchange System Manager, expand Administrative Groups, the administrative group of "+pub+", Servers, "+pub+", Protocols, SMTP; open the properties of Default SMTP Virtual Server.")
		} else {
			do = append(do, "On "+pubFQDN+", open Internet Information Services from Administrative Tools, and the properties of Default SMTP Virtual Server.")
		}
		do = append(do,
			"On the Access tab, under Secure communication, click Certificate and install a server certificate for "+c.mxName()+", the name senders connect to.",
			"Click Authentication, tick Basic authentication and Requires TLS encryption, and keep Anonymous access ticked so that mail from the Internet is still accepted. Click OK, then OK.",
		)
		if !c.authTLS {
			do[len(do)-1] = "Click Authentication, tick Basic authentication, and keep Anonymous access ticked. Click OK, then OK."
		}
		as = append(as, steps.Action{
			ID: "smtp-auth-tls", Phase: steps.PhaseSMTP, Target: pub,
			Title:   "Protect logons over port 25 with TLS on " + pub,
			Do:      do,
			Expect:  "The Access tab shows the certificate, and Authentication shows Basic authentication with TLS required.",
			Verify:  "telnet " + c.mxName() + " 25 from outside, then EHLO test.example.net: the reply lists 250-STARTTLS, and an AUTH LOGIN typed before STARTTLS is refused with a reply starting with 5.",
			Backout: "Clear Basic authentication (and Requires TLS encryption) again, and remove the certificate if it was installed for this change.",
		})
	}
	switch c.outbound {
	case OutboundProtocolRule:
		as = append(as, steps.Action{
			ID: "outbound-rule", Phase: steps.PhaseSMTP, Target: isa,
			Title: "Let the mail server send to port 25 on the Internet through ISA Server",
			Do: []string{
				c.isaPath() + ", Policy Elements. Right-click Client Address Sets, point to New and click Set; name it SMTP senders and add the address of each server that sends Internet mail (" + pubAddr + " for " + pub + ").",
				"Expand Access Policy. Right-click Protocol Rules, point to New and click Rule; name it SMTP out, choose Allow, the protocol SMTP, and apply it to the client address set SMTP senders.",
			},
			Interrupts: "Outbound Internet mail",
			Minutes:    5,
			Expect:     "The rule SMTP out is listed and enabled under Protocol Rules.",
			Verify:     "A message from a mailbox to an outside address arrives, and the queue for it on the sending server is empty.",
			Backout:    "Disable the rule SMTP out and re-enable the previous route for outgoing mail.",
		})
	case OutboundPublish:
		as = append(as, steps.Action{
			ID: "outbound-publish", Phase: steps.PhaseSMTP, Target: isa,
			Title: "Publish outgoing SMTP on ISA Server",
			Do: []string{
				c.isaPath() + ", Publishing. Right-click Server Publishing Rules and click Secure Mail Server.",
				"Select the outgoing mail option, give ISA Server's internal address " + isaInternal + " and the internal mail server " + pubAddr + ", and finish the wizard. " + isa + " must not be an ISA array member.",
				"Point the internal mail servers' outgoing mail at " + isaInternal + ".",
			},
			Interrupts: "Outbound Internet mail",
			Minutes:    5,
			Expect:     "The wizard's rules are listed under Server Publishing Rules.",
			Verify:     "A message from a mailbox to an outside address arrives.",
			Backout:    "Delete the rules the wizard created and point outgoing mail back at its previous route.",
		})
	default:
		as = append(as, steps.Action{
			ID: "outbound-elsewhere", Phase: steps.PhaseSMTP, Target: isa,
			Title:   "Record how outgoing mail leaves",
			Do:      []string{"Outgoing Internet mail does not pass ISA Server. Write its route (firewall, relay and addresses) in the change record, so that the relay tests can be read against it."},
			Expect:  "The route is in the change record.",
			Verify:  "A message from a mailbox to an outside address arrives.",
			Backout: "Nothing to undo.",
		})
	}
	as = append(as, steps.Action{
		ID: "verify-outside", Phase: steps.PhaseSMTP, Target: isa,
		Title: "Test the published SMTP service from outside",
		Do:    smtprelay.TelnetSteps(smtprelay.OutsideFrom, c.mxName(), smtprelay.RelayProbes(c.domain, false)),
		Probe: &steps.Probe{Kind: steps.ProbeSMTP, Host: c.expectedMX().String(), Port: 25, Name: string(c.mxHost),
			STARTTLS: c.smtpAuth && c.authTLS, OutsideFrom: "probe@example.net", OutsideTo: "probe@example.org"},
		Expect:  "The greeting (220) comes from " + pub + ", the outside recipient is refused with 550 5.7.1, and the postmaster of " + string(c.domain) + " is accepted with 250.",
		Verify:  "Send a real message from an outside mailbox to a user: it arrives, and the message's headers show it passed " + pub + ".",
		Backout: "Nothing to undo: the conversation ends before DATA. If relaying was accepted, disable the publishing rule until the relay lists are locked down.",
	})
	return as
}
