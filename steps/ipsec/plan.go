package ipsec

import (
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
)

// File names of the generated files.
const (
	CreateFile       = "ipsec-domain-create.cmd"
	CreateNetshFile  = "ipsec-domain-create.netsh"
	DeleteFile       = "ipsec-domain-delete.cmd"
	DeleteNetshFile  = "ipsec-domain-delete.netsh"
	CheckFile        = "ipsec-domain-check.vbs"
	RefreshFile      = "ipsec-refresh.cmd"
	VerifyFile       = "ipsec-verify.cmd"
	LocalApplyFile   = "ipsec-local-apply.cmd"
	LocalBackoutFile = "ipsec-local-backout.cmd"
)

// usesIpsecpol reports whether h is configured with ipsecpol (Windows
// 2000, where netsh has no ipsec context) rather than netsh ipsec static.
func usesIpsecpol(h owatopology.Host) bool { return h.OS == steps.OSWindows2000 }

func endpoint(s string) string {
	switch s {
	case "me":
		return "My IP Address"
	case "any":
		return "Any IP Address"
	}
	return s
}

// describe writes filters in the words of the IPSec console.
func describe(fs []Filter) string {
	var ss []string
	for _, f := range fs {
		ss = append(ss, "source "+endpoint(f.Src)+", destination "+endpoint(f.Dst))
	}
	return strings.Join(ss, "; ") + "; protocol TCP, from any port to port 80, mirrored"
}

func (c Config) feRules() []string {
	r := []string{"Rule " + string(c.FEOutList) + " (" + describe(c.feOutboundFilters()) + ") with the action " + string(c.EncryptAction) + "."}
	if c.FEBlock {
		r = append(r, "Rule "+string(c.FEInList)+" ("+describe(c.feInboundFilters())+") with the action "+string(c.BlockAction)+".")
	}
	return r
}

func (c Config) beRule() string {
	return "Rule " + string(c.BEInList) + " (" + describe(c.beInboundFilters()) + ") with the action " + string(c.EncryptAction) + "."
}

// beRequires reports whether the back-ends' rule makes them refuse the
// front-ends' clear HTTP, so that OWA stops between the back-end and the
// front-end policy taking effect.
func (c Config) beRequires() bool { return c.BEFilter != FilterAsGuide }

func plan(in steps.Input) []steps.Action {
	c, err := Load(in)
	if err != nil {
		// Produce never plans a step whose answers do not parse: check
		// reports them as errors first.
		return nil
	}
	return actions(c)
}

func gpoEditor(c Config, ou, gpo steps.ObjectName) string {
	return "In Active Directory Users and Computers, expand " + string(c.OUs[0]) + ", " + string(c.OUs[1]) + " and " + string(c.OUs[2]) +
		", right-click " + string(ou) + ", click Properties, then the Group Policy tab; select " + string(gpo) +
		" and click Edit. Expand Computer Configuration, Windows Settings, Security Settings and click IP Security Policies on Active Directory."
}

func actions(c Config) []steps.Action {
	ph := string(c.PolicyHost.Name)
	fes, bes := owatopology.Names(c.FrontEnds), owatopology.Names(c.BackEnds)
	var as []steps.Action

	as = append(as, steps.Action{
		ID:     "ous-and-gpos",
		Phase:  steps.PhaseIPSec,
		Target: ph,
		Title:  "Check the OUs and GPOs that deliver the IPSec policies",
		Do: []string{
			"On " + string(c.PolicyHost.FQDN) + ", open Active Directory Users and Computers and expand " + string(c.OUs[0]) + ", " + string(c.OUs[1]) + " and " + string(c.OUs[2]) + ".",
			string(c.FEOU) + " must hold the computer accounts of " + owatopology.Join(fes) + ", and " + string(c.BEOU) + " those of " + owatopology.Join(bes) + ". Create a missing OU (right-click, New, Organizational Unit) and move the accounts in.",
			"Open the properties of " + string(c.FEOU) + ", Group Policy tab: " + string(c.FEGPO) + " must be linked. If it is not, click New and name it " + string(c.FEGPO) + ". Do the same for " + string(c.BEOU) + " and " + string(c.BEGPO) + ".",
			"Note in the change record what was created or moved here, for the backout.",
		},
		Expect:  "Both OUs hold their servers, each with its GPO linked.",
		Verify:  "On each server, gpresult (Windows 2000 Resource Kit, or built in from Windows Server 2003) lists the GPO among the computer's applied policies after the next refresh.",
		Backout: "Undo only what was noted: unlink and delete the GPOs created here, move the computer accounts back, delete OUs created here once empty.",
	})

	create := steps.Action{
		ID:     "create-policies",
		Phase:  steps.PhaseIPSec,
		Target: ph,
		Title:  "Create the IPSec filter actions, filter lists and policies in " + string(c.Domain),
		Script: CreateFile,
	}
	if usesIpsecpol(c.PolicyHost) {
		create.Do = []string{
			"On " + string(c.PolicyHost.FQDN) + ", logged on as a domain administrator, with ipsecpol.exe and its DLLs from the Windows 2000 Resource Kit on the path: run ipsecpol -? first and confirm that its -w option takes DS (the directory) with the domain name. If the help reads otherwise, stop and create the objects by hand in the Group Policy editor as described below, then continue with the assignment.",
			"Copy " + CreateFile + ", " + DeleteFile + " and " + CheckFile + " into one folder and run " + CreateFile + ". It first checks with " + CheckFile + " that none of the policies exists yet, creates the back-end policy, then the front-end policy, and checks they are there. ipsecpol makes a filter list and a filter action for each rule itself and names them; the rule names carry the guide's filter list names, and the actions below are not shared objects on this path.",
		}
	} else {
		create.Do = []string{
			"On " + string(c.PolicyHost.FQDN) + ", logged on as a domain administrator, copy " + CreateFile + ", " + CreateNetshFile + ", " + DeleteFile + ", " + DeleteNetshFile + " and " + CheckFile + " into one folder and run " + CreateFile + ".",
			"It checks with " + CheckFile + " that none of the names exists yet, then runs " + CreateNetshFile + " with netsh: first the filter actions (" + owatopology.Join(c.actionNames()) + "), then the filter lists, then the back-end policy and the front-end policy, none assigned; finally it checks they are all there.",
		}
	}
	create.Do = append(create.Do,
		"The action "+string(c.EncryptAction)+": negotiate security, never communicate with computers that do not support IPSec, one security method with ESP (integrity and encryption) using 3DES with SHA1, Kerberos V5 authentication on every rule, each policy's default response rule active."+blockDesc(c),
		"Front-end policy "+string(c.FEPolicy)+": "+strings.Join(c.feRules(), " "),
		"Back-end policy "+string(c.BEPolicy)+": "+c.beRule(),
		erratumLine(c),
		"In the Group Policy editor (IP Security Policies on Active Directory), open each policy and confirm on its Rules tab: the rules above, Kerberos V5 authentication, and the <Dynamic> default response rule ticked; the action's Security Methods tab shows only ESP 3DES with SHA1 and Do not communicate with computers that do not support IPSec.",
	)
	create.Expect = CreateFile + " ends with \"OK: the policies are created\"; nothing is assigned yet, so no traffic changes."
	create.Verify = "cscript //nologo " + CheckFile + " /expect:present reports every object once."
	create.Backout = "Un-assign both policies first (the backouts of the assignment steps), refresh the servers, then run " + DeleteFile + ": it deletes exactly the objects " + CreateFile + " created, which did not exist before."
	as = append(as, create)

	window := ""
	if c.beRequires() {
		window = "OWA for every user from the moment the back-ends apply this policy until the front-ends have theirs (the next steps, in one sitting)"
	}
	as = append(as, steps.Action{
		ID:     "assign-back-end",
		Phase:  steps.PhaseIPSec,
		Target: ph,
		Title:  "Assign " + string(c.BEPolicy) + " in " + string(c.BEGPO),
		Do: []string{
			"Assigning has no command on Windows 2000; it is done in the Group Policy editor. " + gpoEditor(c, c.BEOU, c.BEGPO),
			"Right-click " + string(c.BEPolicy) + " and click Assign. Close the Group Policy editor and click OK.",
			"Go straight on with the back-ends and then the front-ends: servers also apply the GPO on their own within about 90 minutes.",
		},
		Expect:     "The Policy Assigned column shows Yes for " + string(c.BEPolicy) + ".",
		Verify:     "After the back-ends' refresh, " + VerifyFile + " on each back-end finds " + string(c.BEPolicy) + ".",
		Backout:    "Right-click " + string(c.BEPolicy) + ", click Un-assign, then run " + RefreshFile + " on each back-end and restart it.",
		Interrupts: window,
		Minutes:    minutesIf(window != "", 30),
	})
	for _, be := range c.BackEnds {
		as = append(as, refresh(c, be, "back-end", c.BEPolicy, c.BEGPO,
			"Outlook and OWA for the mailboxes on "+string(be.Name)+" while it restarts", 10))
	}
	as = append(as, steps.Action{
		ID:     "assign-front-end",
		Phase:  steps.PhaseIPSec,
		Target: ph,
		Title:  "Assign " + string(c.FEPolicy) + " in " + string(c.FEGPO),
		Do: []string{
			"Only now that every back-end has its policy, so that it can answer the front-ends' IPSec. " + gpoEditor(c, c.FEOU, c.FEGPO),
			"Right-click " + string(c.FEPolicy) + " and click Assign. Close the Group Policy editor and click OK.",
		},
		Expect:  "The Policy Assigned column shows Yes for " + string(c.FEPolicy) + ".",
		Verify:  "After the front-ends' refresh, " + VerifyFile + " on each front-end finds " + string(c.FEPolicy) + ".",
		Backout: "Right-click " + string(c.FEPolicy) + ", click Un-assign, then run " + RefreshFile + " on each front-end and restart it.",
	})
	for _, fe := range c.FrontEnds {
		as = append(as, refresh(c, fe, "front-end", c.FEPolicy, c.FEGPO, "OWA on "+string(fe.Name)+" while it restarts", 10))
	}
	if c.Local {
		for _, h := range append(append([]owatopology.Host{}, c.BackEnds...), c.FrontEnds...) {
			policy := c.BEPolicy
			if slices.ContainsFunc(c.FrontEnds, func(x owatopology.Host) bool { return x.Name == h.Name }) {
				policy = c.FEPolicy
			}
			tool := "netsh ipsec static, in the local store"
			if usesIpsecpol(h) {
				tool = "ipsecpol -w REG, in the local store"
			}
			as = append(as, steps.Action{
				ID:     "local-policy-" + string(h.Name),
				Phase:  steps.PhaseIPSec,
				Target: string(h.Name),
				Title:  "Keep a local copy of " + string(policy) + " on " + string(h.Name),
				Do: []string{
					"Only after " + VerifyFile + " has found the domain policy on " + string(h.Name) + ": while a domain policy is assigned it wins over the local one, so the copy stays idle until Group Policy cannot be reached.",
					"Run " + LocalApplyFile + " from this server's folder. It exports the local IPSec store beside itself first (ipsec-local-before.reg), stops without changing anything if a local policy is already assigned or one of the names exists, then creates and assigns the copy with " + tool + ".",
				},
				Script:  LocalApplyFile,
				Expect:  LocalApplyFile + " ends with \"OK: the local copy is created and assigned\".",
				Verify:  "Run " + VerifyFile + " again: it finds the domain policy and the local copy.",
				Backout: "Run " + LocalBackoutFile + ": it unassigns and deletes exactly the local copy it created.",
			})
		}
	}
	for _, fe := range c.FrontEnds {
		as = append(as, monitor(c, fe))
	}
	return as
}

func (c Config) actionNames() []string {
	names := []string{string(c.EncryptAction)}
	if c.FEBlock {
		names = append(names, string(c.BlockAction))
	}
	return names
}

func minutesIf(ok bool, m int) int {
	if ok {
		return m
	}
	return 0
}

func blockDesc(c Config) string {
	if !c.FEBlock {
		return ""
	}
	return " The action " + string(c.BlockAction) + ": block."
}

// erratumLine shows the guide's back-end filter beside the one used, and
// the front-end destination choice.
func erratumLine(c Config) string {
	guide := "source My IP Address, destination Any IP Address, port 80"
	var be string
	switch c.BEFilter {
	case FilterAsGuide:
		be = "Back-end filter: as printed in the guide (" + guide + "), which matches the back-end's outgoing web traffic; the corrected filter (source the front-ends' addresses, destination My IP Address, port 80) was not chosen, and the reason is recorded as a deviation."
	case FilterFromAny:
		be = "Back-end filter: source Any IP Address, destination My IP Address, port 80, corrected from the guide's printed " + guide + "; every HTTP client of the back-ends must now speak IPSec (recorded deviation)."
	default:
		be = "Back-end filter: source the front-ends' addresses, destination My IP Address, port 80, corrected from the guide's printed " + guide + ", which would match the back-end's outgoing web traffic instead."
	}
	if c.FEOutbound == OutboundAny {
		return be + " Front-end destination: Any IP Address as in the guide (recorded deviation)."
	}
	return be + " Front-end destination: narrowed from the guide's Any IP Address to the back-ends' addresses."
}

func refresh(c Config, h owatopology.Host, role string, policy, gpo steps.ObjectName, interrupts string, minutes int) steps.Action {
	cmd := "secedit /refreshpolicy machine_policy /enforce"
	if !usesIpsecpol(h) {
		cmd = "gpupdate /target:computer /force"
	}
	do := []string{}
	if role == "back-end" {
		do = append(do, "Erratum: the guide says to open the command prompt on the OWA front-end for this refresh. The back-end's policy is refreshed on the back-end itself, "+string(h.FQDN)+".")
	}
	do = append(do,
		"On "+string(h.FQDN)+", run "+RefreshFile+" from this server's folder. It runs "+cmd+".",
		"Restart "+string(h.Name)+", as the guide does: a restart makes the IPSec Policy Agent read the new policy even where the refresh alone would not.",
		"After the restart, run "+VerifyFile+" from this server's folder.",
	)
	verify := "IP Security Monitor on " + string(h.Name) + " shows the active policy " + string(policy) + "."
	if role == "front-end" {
		verify += " From another computer, http://" + string(h.FQDN) + "/ no longer connects (inbound TCP 80 blocked), while OWA through ISA Server still works."
		if !c.FEBlock {
			verify = "IP Security Monitor on " + string(h.Name) + " shows the active policy " + string(policy) + ", and OWA through ISA Server still works."
		}
	}
	return steps.Action{
		ID:         "refresh-" + string(h.Name),
		Phase:      steps.PhaseIPSec,
		Target:     string(h.Name),
		Title:      "Apply " + string(policy) + " on " + string(h.Name),
		Do:         do,
		Script:     RefreshFile,
		Expect:     VerifyFile + " reports that the policy " + string(policy) + " from " + string(gpo) + " is active.",
		Verify:     verify,
		Backout:    "Un-assign the policy in " + string(gpo) + ", run " + RefreshFile + " again and restart " + string(h.Name) + ".",
		Interrupts: interrupts,
		Minutes:    minutes,
	}
}

func monitor(c Config, fe owatopology.Host) steps.Action {
	var bes []string
	for _, be := range c.BackEnds {
		for _, a := range be.Addrs {
			bes = append(bes, a.String())
		}
	}
	open := "On " + string(fe.FQDN) + ", click Start, Run, type ipsecmon and press Enter. Click Options and set the refresh interval to 1 second."
	if !usesIpsecpol(fe) {
		open = "On " + string(fe.FQDN) + ", Windows Server 2003 has no ipsecmon: start mmc, add the IP Security Monitor snap-in, and open Quick Mode, Security Associations (press F5 to refresh)."
	}
	return steps.Action{
		ID:     "monitor-" + string(fe.Name),
		Phase:  steps.PhaseIPSec,
		Target: string(fe.Name),
		Title:  "Watch OWA traffic from " + string(fe.Name) + " travel encrypted",
		Do: []string{
			open,
			"From a computer on the Internet, log on to OWA with a test account whose mailbox is on a back-end, through ISA Server, and send a message.",
			"Security associations appear between " + owatopology.Join(addrStrings(fe)) + " and the back-end (" + strings.Join(bes, ", ") + "), using ESP with 3DES, and the confidential bytes sent and received grow.",
		},
		Expect:  "The front-end's traffic to the back-ends shows as ESP 3DES security associations; the message arrives.",
		Verify:  "Start a network capture between " + string(fe.Name) + " and the back-ends, then sign in to OWA and open a message while it runs: it must show IP protocol 50 (ESP) frames and no TCP 80 in clear. A capture with no frames between them proves nothing; that is a failed check, not a pass: repeat it while OWA is used.",
		Backout: "Nothing to undo: the monitor only reads.",
	}
}

func addrStrings(h owatopology.Host) []string {
	var out []string
	for _, a := range h.Addrs {
		out = append(out, a.String())
	}
	return out
}
