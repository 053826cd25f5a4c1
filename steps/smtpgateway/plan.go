package smtpgateway

import (
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
)

// File names of the generated files.
const (
	GatewayChecklistFile   = "smtp-gateway-checklist.txt"
	ConnectorChecklistFile = "smtp-connector-checklist.txt"
)

func plan(in steps.Input) []steps.Action {
	c, err := load(in)
	if err != nil || !c.use {
		// Produce never plans a step whose answers do not parse: check
		// reports them as errors first. Without a gateway there is
		// nothing to do.
		return nil
	}
	return actions(in, c)
}

func domainList(ds []steps.FQDN) string {
	var ss []string
	for _, d := range ds {
		ss = append(ss, string(d))
	}
	return strings.Join(ss, ", ")
}

func actions(in steps.Input, c config) []steps.Action {
	gw, gwFQDN := string(c.gateway.Name), string(c.gateway.FQDN)
	gwAddr := c.gateway.Addrs[0].String()
	deliver := c.deliver.Addrs[0].String()
	p := c.policy()
	vs := "SMTP virtual server number " + strconv.Itoa(c.instance) + " (the Default SMTP Virtual Server is number 1)"
	var as []steps.Action
	as = append(as, steps.Action{
		ID: "gateway-build", Phase: steps.PhasePrerequisites, Target: gw,
		Title: "Build " + gw + " as a stand-alone SMTP gateway",
		Do: []string{
			"On " + gwFQDN + ", open System Properties, Network Identification, Properties: the computer must be a member of a workgroup, not of a domain. Record the change on its server page.",
			"In Add/Remove Programs, Windows Components, Internet Information Services, install only the SMTP Service and the common files it needs; remove the web and FTP services if they are installed. Install no Exchange.",
			"Apply the current service pack and security updates, give the local Administrator account a password of its own, and stop services the gateway does not need.",
		},
		Expect:  gw + " is in a workgroup, and Internet Information Services shows only the SMTP virtual server.",
		Verify:  "net config workstation on " + gw + " shows a workstation domain that is a workgroup name, not the Active Directory domain.",
		Backout: "Nothing to undo before the gateway takes mail; it is not yet in the mail path.",
	})
	as = append(as, steps.Action{
		ID: "gateway-antivirus", Phase: steps.PhasePrerequisites, Target: gw,
		Title: "Scan mail for viruses on " + gw,
		Do: []string{
			"Install anti-virus software made to scan mail passing an IIS SMTP server, and set it to update its signatures at least daily.",
			"Keep on-access file scanning out of the mail folders (Inetpub\\mailroot) unless the product says otherwise: a file scanner that locks a queued message can stop mail flow.",
		},
		Expect:  "The anti-virus console shows SMTP scanning on and current signatures.",
		Verify:  "After the gateway is in service, send the EICAR test file (the anti-virus industry's harmless test file) from an outside mailbox: it is stopped on " + gw + ".",
		Backout: "Uninstall the anti-virus software only if it blocks mail flow, and record it.",
	})
	as = append(as, steps.Action{
		ID: "gateway-domains", Phase: steps.PhasePrerequisites, Target: gw,
		Title: "Pass mail for " + domainList(c.domains) + " on to " + string(c.deliver.Name),
		Do: []string{
			"In Internet Information Services on " + gwFQDN + ", expand " + vs + ".",
			forEach(c.domains) + ": right-click Domains, point to New, click Domain, choose Remote and type the domain.",
			"Open each new domain's properties: tick Allow incoming mail to be relayed to this domain, choose Forward all mail to smart host and type [" + deliver + "] (square brackets for an address). Click OK.",
		},
		Expect:  "Each domain is listed under Domains as remote, forwarded to [" + deliver + "].",
		Verify:  "From " + gw + ", telnet " + deliver + " 25 answers with 220; once the gateway is in service, mail from the Internet reaches a mailbox.",
		Backout: "Delete the remote domains.",
	})
	delivery := "On the Delivery tab, leave the smart host empty so that the gateway finds each recipient's mail server in DNS."
	if c.smartHost != "" {
		delivery = "On the Delivery tab, click Advanced and type " + string(c.smartHost) + " as the smart host."
	}
	fqdn := "On the Delivery tab, click Advanced and type the name the gateway gives when it sends (the MX host's name) as Fully-qualified domain name; clear Perform reverse DNS lookup on incoming messages."
	if c.mxHost != "" {
		fqdn = "On the Delivery tab, click Advanced, type " + string(c.mxHost) + " as Fully-qualified domain name, and clear Perform reverse DNS lookup on incoming messages."
	}
	auth := "On the Access tab, click Authentication: tick Anonymous access only. Click OK, then OK."
	if to, host := smtppublish.Published(in.Of(smtppublish.ID)); to == smtppublish.ToGateway && strings.EqualFold(host, gw) && in.Of(smtppublish.ID).Is(smtppublish.QSMTPAuth, "yes") {
		auth = "Leave the Authentication dialog to the publishing procedure, which protects logons over port 25 with TLS on this server. Click OK."
	}
	as = append(as, steps.Action{
		ID: "gateway-delivery", Phase: steps.PhasePrerequisites, Target: gw,
		Title: "Set how " + gw + " sends mail to the Internet",
		Do: []string{
			"Open the properties of " + vs + ".",
			fqdn,
			delivery,
			auth,
		},
		Expect:  "The Delivery tab shows the settings above.",
		Verify:  "Once the gateway is in service, a message from a mailbox to an outside address arrives, and its headers show " + gw + "'s name.",
		Backout: "Set the Delivery and Authentication dialogs back to the values noted before.",
	})
	as = append(as, steps.Action{
		ID: "gateway-lockdown", Phase: steps.PhasePrerequisites, Target: gw,
		Title: "Lock down the relay and connection lists of " + gw,
		Do: []string{
			"Copy " + p.ApplyName() + ", " + p.VerifyName() + " and " + p.BackoutName() + " into one folder on " + gwFQDN + ".",
			"Run cscript //nologo " + p.ApplyName() + " there. It saves the current lists to " + p.BackupName() + " beside itself before it changes anything, and refuses to run a second time while that file exists.",
			"Run cscript //nologo " + p.VerifyName() + ".",
		},
		Script:  p.ApplyName(),
		Expect:  p.ApplyName() + " ends with Done, and " + p.VerifyName() + " with All checks passed.",
		Verify:  "In Internet Information Services, the Access tab of " + vs + " shows the same Connection and Relay lists, with Allow all computers which successfully authenticate to relay cleared.",
		Backout: "Run cscript //nologo " + p.BackoutName() + " in the same folder: it restores exactly what " + p.BackupName() + " holds.",
	})
	if len(c.outbound) > 0 {
		var bridgeheads []string
		for _, s := range c.outbound {
			bridgeheads = append(bridgeheads, string(s.Name))
		}
		first := string(c.outbound[0].Name)
		as = append(as, steps.Action{
			ID: "exchange-connector", Phase: steps.PhaseSMTP, Target: first,
			Title: "Send Exchange's Internet mail through " + gw,
			Do: []string{
				"In Exchange System Manager, expand Administrative Groups, the administrative group, Routing Groups, the routing group of " + first + ", Connectors. If a connector for the address space * already sends Internet mail, note its settings in the change record and change its smart host below instead of adding a second one.",
				"Right-click Connectors, point to New and click SMTP Connector. Name it " + string(c.connector) + ".",
				"On the General tab, choose Forward all mail through this connector to the following smart hosts and type [" + gwAddr + "]. Under Local bridgeheads, add the Default SMTP Virtual Server of " + strings.Join(bridgeheads, ", ") + ".",
				"On the Address Space tab, click Add, choose SMTP, and keep the address * with cost 1. Click OK, then OK.",
			},
			Interrupts: "Outbound Internet mail",
			Minutes:    10,
			Expect:     "The connector " + string(c.connector) + " is listed under Connectors.",
			Verify:     "A message from a mailbox on " + first + " to an outside address arrives; the gateway's SMTP log shows it, and Queue Viewer on " + first + " shows no mail waiting for the connector.",
			Backout:    "Delete the connector (or put back the smart host noted in the change record); Exchange then sends Internet mail by its previous route.",
		})
	}
	as = append(as, steps.Action{
		ID: "gateway-failure-plan", Phase: steps.PhaseSMTP, Target: gw,
		Title: "Agree what happens when " + gw + " fails",
		Do: []string{
			"Record in the change: while " + gw + " is down, mail to and from the Internet stops. Senders' servers retry for a day or two, and Exchange keeps outgoing mail in its queues; mail inside the organisation is not affected.",
			"Record the way back for a long failure: point ISA Server's SMTP publishing rule at the host behind the gateway, and let Exchange send Internet mail directly again by deleting the SMTP connector to the gateway (ISA Server must then let the Exchange server out on port 25). Both steps are in the backouts of this runbook.",
			"Add " + gw + " to the monitoring that watches the firewall, with an alert when port 25 stops answering.",
		},
		Expect:  "The change record holds the failure plan, and monitoring shows " + gw + ".",
		Verify:  "Stop the SMTP service on " + gw + " for a minute out of hours: the alert arrives, internal mail still flows, and queued Internet mail leaves after the service starts.",
		Backout: "Nothing to undo.",
	})
	as = append(as, steps.Action{
		ID: "verify-gateway", Phase: steps.PhaseSMTP, Target: gw,
		Title:   "Test mail through " + gw + " from outside",
		Do:      append([]string{"Run cscript //nologo " + p.VerifyName() + " on " + gw + "."}, smtprelay.OutsideSteps(in)...),
		Script:  p.VerifyName(),
		Expect:  "All checks passed; the greeting comes from " + gw + "; the outside recipient is refused with 550 5.7.1 and the postmaster is accepted with 250.",
		Verify:  "A message from an outside mailbox reaches a user, and its headers show it passed " + gw + ".",
		Backout: "Nothing to undo: the checks only read and the conversation ends before DATA.",
	})
	return as
}

func forEach(ds []steps.FQDN) string {
	if len(ds) == 1 {
		return "For " + string(ds[0])
	}
	return "For each of " + domainList(ds)
}
