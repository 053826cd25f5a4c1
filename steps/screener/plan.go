package screener

import (
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
)

// File names of the generated files.
const (
	FilterChecklistFile   = "smtp-filter-checklist.txt"
	ScreenerChecklistFile = "message-screener-checklist.txt"
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

func actionLabel(a string) string {
	if a == ActionDelete {
		return "Delete message"
	}
	return "Hold message"
}

func scopeLabel(s string) string {
	switch s {
	case ScopeHeader:
		return "Message header"
	case ScopeBody:
		return "Message body"
	}
	return "Message header or body"
}

func (c config) isaPath() string {
	return "In ISA Management on " + string(c.isa.FQDN) + ", expand Servers and Arrays, then " + string(c.isa.Name)
}

func actions(c config) []steps.Action {
	var as []steps.Action
	isa := string(c.isa.Name)
	if c.use {
		as = append(as, hostActions(c)...)
	}

	do := []string{
		c.isaPath() + ", Extensions, Application Filters. Right-click SMTP Filter and click Properties.",
		"On the General tab, tick Enable this filter.",
	}
	if c.use {
		if len(c.attachments) > 0 {
			var exts []string
			for _, ext := range c.attachments {
				exts = append(exts, "."+ext)
			}
			do = append(do, "On the Attachments tab, add one rule for each of "+strings.Join(exts, " ")+": click Add, tick Attachment extension, type the extension with its dot, choose the action "+actionLabel(c.attachAction)+", tick Enable rule and click OK.")
		}
		if len(c.senders) > 0 {
			do = append(do, "On the Users/Domains tab, under Sender's name, add each of: "+strings.Join(c.senders, ", ")+".")
		}
		if len(c.senderDomains) > 0 {
			var ds []string
			for _, d := range c.senderDomains {
				ds = append(ds, string(d))
			}
			do = append(do, "On the Users/Domains tab, under Domain names, add each of: "+strings.Join(ds, ", ")+".")
		}
		for _, k := range c.keywords {
			do = append(do, "On the Keywords tab, click Add; type the keyword "+k+"; apply it to "+scopeLabel(c.keywordScope)+"; choose the action "+actionLabel(c.keywordAction)+"; click OK.")
		}
	}
	if c.commandLimits {
		do = append(do, "On the SMTP Commands tab, leave every command enabled with the maximum length ISA Server set: these limits are the filter's protection against buffer overflows.")
	} else {
		do = append(do, "On the SMTP Commands tab, change only the limits recorded in the change record, and write down the old values.")
	}
	do = append(do, "Click OK. If ISA Management asks to restart services, restart them.")
	as = append(as, steps.Action{
		ID: "smtp-filter", Phase: steps.PhaseSMTP, Target: isa,
		Title:      "Turn on and configure ISA Server's SMTP filter",
		Do:         do,
		Interrupts: "Inbound mail",
		Minutes:    5,
		Expect:     "SMTP Filter is listed as enabled under Application Filters, and each tab shows the rules above.",
		Verify:     c.heloCheck(),
		Backout:    "Open the filter's properties again and remove the rules added, or clear Enable this filter on the General tab.",
	})
	if c.use {
		host := string(c.host.Name)
		source := "registry of the stand-alone ISA Server"
		if c.isa.ISA.ArrayMember {
			source = "ISA Server array's configuration in Active Directory"
		}
		as = append(as, steps.Action{
			ID: "screener-credentials", Phase: steps.PhaseSMTP, Target: host,
			Title: "Tell the Message Screener on " + host + " where its rules are",
			Do: []string{
				"On " + string(c.host.FQDN) + ", run smtpcred.exe (SMTP Message Screener Credentials) from the ISA Server installation folder, as described in Knowledge Base article Q315132.",
				"Give " + string(c.isa.FQDN) + " as the computer the rules are read from, and choose the " + source + " as their source.",
				"Give an account allowed to read ISA Server's configuration; use one created for this purpose, not a personal administrator account. Click OK.",
				"Restart the Simple Mail Transfer Protocol (SMTP) service on " + host + ".",
			},
			Interrupts: "Inbound mail",
			Minutes:    2,
			Expect:     "The tool closes without an error, and the SMTP service starts again.",
			Verify:     "Send from an outside mailbox a message with a harmless text file renamed to test." + firstOr(c.attachments, "exe") + " attached: it is " + pastTense(c.attachAction) + " on " + host + " instead of delivered. A message without it arrives.",
			Backout:    "Run smtpcred.exe again and clear the settings, or remove the Message Screener (Setup, Remove) from " + host + ".",
		})
	}
	test := []string{smtprelay.OutsideUnknown}
	var probe *steps.Probe
	if c.outside != "" {
		test = smtprelay.TelnetSteps(smtprelay.OutsideFrom, c.outside, smtprelay.RelayProbes(c.domain, false))
		// The wizard's own test of the same path: the open-relay attempt,
		// and where the filter keeps ISA Server's command limits, a HELO
		// longer than any of them.
		probe = &steps.Probe{Kind: steps.ProbeSMTP, Host: c.outside, Port: 25, Name: c.outside,
			OutsideFrom: "probe@example.net", OutsideTo: "probe@example.org", LongHELORefused: c.commandLimits}
	}
	as = append(as, steps.Action{
		ID: "verify-outside", Phase: steps.PhaseSMTP, Target: isa,
		Title:   "Test the filtered SMTP path from outside",
		Do:      test,
		Probe:   probe,
		Expect:  c.outsidePath() + ": the outside recipient is refused with 550 5.7.1 and the postmaster of " + string(c.domain) + " is accepted with 250.",
		Verify:  "A normal message from an outside mailbox to a user arrives within a few minutes.",
		Backout: "Nothing to undo: the conversation ends before DATA.",
	})
	return as
}

// heloCheck is how the SMTP filter's command limits are checked from
// outside.
func (c config) heloCheck() string {
	if c.outside == "" {
		return smtprelay.OutsideUnknown
	}
	return "From outside, telnet " + c.outside + " 25 and type HELO followed by a name longer than the limit the SMTP Commands tab shows for HELO (paste it): ISA Server closes the connection or refuses the command, instead of the mail server answering 250."
}

// outsidePath says where the outside test's conversation goes: through
// ISA Server's SMTP filter to the host ISA Server publishes, which is the
// one that answers. A Message Screener behind that host never sees the
// conversation, which ends before DATA; its own test is the attachment
// test.
func (c config) outsidePath() string {
	isa := string(c.isa.Name)
	var s string
	switch {
	case c.published == "":
		s = "The conversation passes " + isa + "'s SMTP filter"
	case c.publishedTo == smtppublish.ToScreener:
		s = "The conversation passes " + isa + "'s SMTP filter and is answered by " + c.published + ", the Message Screener host ISA Server publishes"
	case c.publishedTo == smtppublish.ToGateway:
		s = "The conversation passes " + isa + "'s SMTP filter and is answered by " + c.published + ", the gateway ISA Server publishes"
	default:
		s = "The conversation passes " + isa + "'s SMTP filter and is answered by " + c.published + ", the Exchange server ISA Server publishes"
	}
	if c.use && c.publishedTo != smtppublish.ToScreener {
		s += " (it ends before DATA, so " + string(c.host.Name) + " never sees it: the attachment test checks the Message Screener)"
	}
	return s
}

func hostActions(c config) []steps.Action {
	host, hostFQDN := string(c.host.Name), string(c.host.FQDN)
	deliver := c.deliverTo.Addrs[0].String()
	p := c.policy()
	return []steps.Action{
		{
			ID: "screener-smtp", Phase: steps.PhasePrerequisites, Target: host,
			Title: "Prepare the IIS SMTP service on " + host + " to pass mail to " + string(c.deliverTo.Name),
			Do: []string{
				"On " + hostFQDN + ", in Add/Remove Programs, Windows Components, Internet Information Services, select only the SMTP Service (and the common files it needs). Install no Exchange and no web server.",
				"In Internet Information Services, expand SMTP virtual server number " + strconv.Itoa(c.instance) + " (the Default SMTP Virtual Server is number 1), right-click Domains, point to New and click Domain. Choose Remote and type " + string(c.domain) + ".",
				"Open the properties of " + string(c.domain) + ": tick Allow incoming mail to be relayed to this domain, and under Route domain choose Forward all mail to smart host and type [" + deliver + "] (the square brackets mean an address, not a name). Click OK.",
				"Repeat for every other domain the organisation receives mail for.",
			},
			Expect:  string(c.domain) + " is listed under Domains as a remote domain relayed to [" + deliver + "].",
			Verify:  "From " + host + ", telnet " + deliver + " 25 answers 220 from " + string(c.deliverTo.Name) + ", and a test message sent into the Pickup folder reaches a mailbox.",
			Backout: "Delete the remote domain, and remove the SMTP Service again if it was installed for this change.",
		},
		{
			ID: "screener-install", Phase: steps.PhasePrerequisites, Target: host,
			Title: "Install the Message Screener on " + host,
			Do: []string{
				"On " + hostFQDN + ", run Setup from the ISA Server CD and choose Custom Installation.",
				"Clear ISA Services and Administration tools. Under Add-in services, select only Install Message Screener.",
				"Finish Setup, then apply the same ISA Server service pack as the ISA Server runs.",
			},
			Expect:  "Setup reports success and Add/Remove Programs lists ISA Server.",
			Verify:  "The Simple Mail Transfer Protocol (SMTP) service on " + host + " starts without errors in the System log.",
			Backout: "Run ISA Server Setup again and remove the Message Screener.",
		},
		{
			ID: "screener-lockdown", Phase: steps.PhasePrerequisites, Target: host,
			Title: "Lock down the relay and connection lists of " + host,
			Do: []string{
				"Copy " + p.ApplyName() + ", " + p.VerifyName() + " and " + p.BackoutName() + " into one folder on " + hostFQDN + ".",
				"Run cscript //nologo " + p.ApplyName() + " there. It saves the current lists to " + p.BackupName() + " beside itself before it changes anything.",
				"Run cscript //nologo " + p.VerifyName() + ".",
			},
			Script:  p.ApplyName(),
			Expect:  p.ApplyName() + " ends with Done, and " + p.VerifyName() + " with All checks passed.",
			Verify:  "In Internet Information Services, the virtual server's Access tab shows the same lists under Connection and Relay, and Allow all computers which successfully authenticate to relay is cleared.",
			Backout: "Run cscript //nologo " + p.BackoutName() + " in the same folder: it restores exactly what " + p.BackupName() + " holds.",
		},
	}
}

func firstOr(ss []string, def string) string {
	if len(ss) > 0 {
		return ss[0]
	}
	return def
}

func pastTense(action string) string {
	if action == ActionDelete {
		return "deleted"
	}
	return "held"
}
