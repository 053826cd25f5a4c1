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
	TightenFile      = "ipsec-domain-tighten.cmd"
	TightenNetshFile = "ipsec-domain-tighten.netsh"
	LoosenFile       = "ipsec-domain-loosen.cmd"
	LoosenNetshFile  = "ipsec-domain-loosen.netsh"
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

	as = append(as, c.createAction())
	if c.Transition && usesIpsecpol(c.PolicyHost) {
		as = append(as, c.loosenByHand())
	}

	beVerify := "After the back-ends' refresh, " + VerifyFile + " on each back-end finds " + string(c.BEPolicy) + "."
	if c.Transition {
		beVerify += " OWA through ISA Server still works: the back-ends' rule still accepts the front-ends' clear HTTP."
	}
	as = append(as, steps.Action{
		ID:     "assign-back-end",
		Phase:  steps.PhaseIPSec,
		Target: ph,
		Title:  "Assign " + string(c.BEPolicy) + " in " + string(c.BEGPO),
		Do: []string{
			"Assigning has no command on Windows 2000; it is done in the Group Policy editor. " + gpoEditor(c, c.BEOU, c.BEGPO),
			"Right-click " + string(c.BEPolicy) + " and click Assign. Close the Group Policy editor and click OK.",
			"Go on with the back-ends and then the front-ends: servers also apply the GPO on their own within about 90 minutes.",
		},
		Expect:  "The Policy Assigned column shows Yes for " + string(c.BEPolicy) + ".",
		Verify:  beVerify,
		Backout: c.unassignBackEnd(bes),
	})
	for _, be := range c.BackEnds {
		// No front-end speaks IPSec yet, so the back-end has no security
		// association its Policy Agent's restart could drop.
		as = append(as, c.refresh(be, "back-end", false))
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
		Backout: c.unassignFrontEnd(fes),
	})
	for _, fe := range c.FrontEnds {
		// The front-end starts requiring IPSec here: its requests to the
		// back-ends wait while the Policy Agent restarts and negotiates.
		as = append(as, c.refresh(fe, "front-end", true))
	}
	for _, fe := range c.FrontEnds {
		as = append(as, monitor(c, fe))
	}
	if c.Transition {
		as = append(as, c.tighten(bes))
		for _, be := range c.BackEnds {
			as = append(as, c.refresh(be, "tighten", true))
		}
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
					"Run " + LocalApplyFile + " from this server's folder. It exports the local IPSec store beside itself first (ipsec-local-before.reg), stops without changing anything if a local policy is already assigned or one of the names exists, then creates and assigns the copy with " + tool + ". The copy requires IPSec as the domain policy finally does; it never has the temporary action.",
				},
				Script:  LocalApplyFile,
				Expect:  LocalApplyFile + " ends with \"OK: the local copy is created and assigned\".",
				Verify:  "Run " + VerifyFile + " again: it finds the domain policy and the local copy.",
				Backout: "Run " + LocalBackoutFile + ": it unassigns and deletes exactly the local copy it created. Undo this before the domain policies: once they are un-assigned, an assigned local copy would take over and keep requiring IPSec. No service is interrupted: the domain policy wins while it is assigned.",
			})
		}
	}
	return as
}

// The stated interruptions come from what each step restarts. The guide
// restarts every server after its refresh; the plan restarts only the
// IPSec Policy Agent (PolicyAgent), which is what that restart is for:
// the agent reads the assigned policy when it starts. Stopping it removes
// the server's IPSec filters and security associations for the seconds it
// takes to start again; the next packet to a peer negotiates anew. Exchange
// and IIS keep running.
const agentRestartMinutes = 1

// agentOutage is what restarting h's Policy Agent interrupts: nothing when
// no security association with the other side can exist yet (secured
// false), else OWA requests through or to h for about a minute.
func agentOutage(h owatopology.Host, role string, secured bool) (string, int) {
	if !secured {
		return "", 0
	}
	if role == "front-end" {
		return "OWA requests through " + string(h.Name) + " while its IPSec Policy Agent restarts", agentRestartMinutes
	}
	return "OWA for the mailboxes on " + string(h.Name) + " while its IPSec Policy Agent restarts", agentRestartMinutes
}

func (c Config) createAction() steps.Action {
	create := steps.Action{
		ID:     "create-policies",
		Phase:  steps.PhaseIPSec,
		Target: string(c.PolicyHost.Name),
		Title:  "Create the IPSec filter actions, filter lists and policies in " + string(c.Domain),
		Script: CreateFile,
	}
	if usesIpsecpol(c.PolicyHost) {
		create.Do = []string{
			"On " + string(c.PolicyHost.FQDN) + ", logged on as a domain administrator, with ipsecpol.exe and its DLLs from the Windows 2000 Resource Kit on the path: run ipsecpol -? first and confirm that its -w option takes DS (the directory) with the domain name. If the help reads otherwise, stop and create the objects by hand in the Group Policy editor as described below, then continue with the assignment.",
			"From this server's folder of the bundle, run " + CreateFile + ". It first checks with " + CheckFile + " that none of the policies exists yet and that no deleted policy left parts behind, creates the back-end policy, then the front-end policy, and checks they are there with their parts. ipsecpol makes a filter list and a filter action for each rule itself and names them; the rule names carry the guide's filter list names, and the actions below are not shared objects on this path.",
		}
	} else {
		create.Do = []string{
			"On " + string(c.PolicyHost.FQDN) + ", logged on as a domain administrator, run " + CreateFile + " from this server's folder of the bundle, which also holds " + CreateNetshFile + " and " + CheckFile + ".",
			"It checks with " + CheckFile + " that none of the names exists yet and that no deleted policy left parts behind, then runs " + CreateNetshFile + " with netsh: first the filter actions (" + owatopology.Join(c.actionNames()) + "), then the filter lists, then the back-end policy and the front-end policy, none assigned; finally it checks they are all there.",
		}
	}
	create.Do = append(create.Do,
		"The action "+string(c.EncryptAction)+": negotiate security, never communicate with computers that do not support IPSec, one security method with ESP (integrity and encryption) using 3DES with SHA1, Kerberos V5 authentication on every rule, each policy's default response rule active."+blockDesc(c),
		"Front-end policy "+string(c.FEPolicy)+": "+strings.Join(c.feRules(), " "),
		"Back-end policy "+string(c.BEPolicy)+": "+c.beRule(),
	)
	if c.Transition && !usesIpsecpol(c.PolicyHost) {
		create.Do = append(create.Do, "Until the front-ends negotiate, the back-ends' rule uses the temporary action "+string(c.TransitionAction)+": the same security method, but it accepts clear traffic and answers it with IPSec, and falls back to clear with computers that do not answer (Accept unsecured communication, but always respond using IPSec; Allow unsecured communication with non IPSec-aware computers). A later step switches the rule to "+string(c.EncryptAction)+".")
	}
	create.Do = append(create.Do,
		erratumLine(c),
		"In the Group Policy editor (IP Security Policies on Active Directory), open each policy and confirm on its Rules tab: the rules above, Kerberos V5 authentication, and the <Dynamic> default response rule ticked; the action's Security Methods tab shows only ESP 3DES with SHA1.",
	)
	create.Expect = CreateFile + " ends with \"OK: the policies are created\"; nothing is assigned yet, so no traffic changes."
	create.Verify = "cscript //nologo " + CheckFile + " /expect:present reports every object once and every part of each policy; it fails if any is missing."
	if c.Transition && !usesIpsecpol(c.PolicyHost) {
		create.Verify += " cscript //nologo " + CheckFile + " /expect:transition reports that the back-ends' rule uses " + string(c.TransitionAction) + "."
	}
	create.Backout = "Last of all, once both policies are un-assigned and every server refreshed (the undo steps above): run " + DeleteFile + ". It deletes exactly the objects " + CreateFile + " created, which did not exist before, and checks that neither they nor any part of the policies is left. No service is interrupted: nothing uses the objects by then."
	return create
}

// loosenByHand is the step that puts the back-ends' rule on an action that
// accepts clear traffic where the policies are made with ipsecpol, whose
// own switches for it are not confirmed: it is done in the editor.
func (c Config) loosenByHand() steps.Action {
	return steps.Action{
		ID:     "transition-back-end",
		Phase:  steps.PhaseIPSec,
		Target: string(c.PolicyHost.Name),
		Title:  "Let " + string(c.BEPolicy) + " accept clear traffic until the front-ends negotiate",
		Do: []string{
			"Before the back-end policy is assigned. " + gpoEditor(c, c.BEOU, c.BEGPO),
			"Double-click " + string(c.BEPolicy) + ". On the Rules tab select the rule with the filter list " + string(c.BEInList) + " and click Edit. On the Filter Action tab click Edit for the selected action; on its Security Methods tab leave Negotiate security selected and tick both Accept unsecured communication, but always respond using IPSec and Allow unsecured communication with non IPSec-aware computers. Click OK, OK and Close.",
			"So the back-ends keep taking the front-ends' clear HTTP while the front-ends get their policy, and answer them with IPSec as soon as they negotiate. A later step clears both boxes again.",
		},
		Expect:  "Both boxes are ticked on the back-ends' rule's filter action; the front-end policy is unchanged.",
		Verify:  "Open the rule again: the Security Methods tab shows both boxes ticked and ESP 3DES with SHA1.",
		Backout: "Clear both boxes again. No service is interrupted: the policy is not assigned when this is undone in order.",
	}
}

func (c Config) tighten(bes []string) steps.Action {
	a := steps.Action{
		ID:     "tighten-back-end",
		Phase:  steps.PhaseIPSec,
		Target: string(c.PolicyHost.Name),
		Title:  "Make " + string(c.BEPolicy) + " require IPSec",
	}
	first := "Only once the traffic check has passed on every front-end (the steps above): a front-end whose traffic is not encrypted by now would be cut off from the back-ends."
	undoOutage := " Then run " + RefreshFile + " on each back-end (" + owatopology.Join(bes) + "); each restarts the back-end's IPSec Policy Agent, so OWA for the mailboxes on it pauses for up to a minute while the front-ends negotiate again. Undo this first of the policy steps: the back-ends must accept clear traffic again before the front-ends' policy is taken away."
	if usesIpsecpol(c.PolicyHost) {
		a.Do = []string{
			first,
			gpoEditor(c, c.BEOU, c.BEGPO) + " Double-click " + string(c.BEPolicy) + ", select the rule with the filter list " + string(c.BEInList) + ", click Edit, then Edit on the Filter Action tab. On the Security Methods tab clear both Accept unsecured communication, but always respond using IPSec and Allow unsecured communication with non IPSec-aware computers. Click OK, OK and Close.",
			"Editing an assigned policy does not reach the servers with a Group Policy refresh: the next steps restart each back-end's IPSec Policy Agent.",
		}
		a.Expect = "Both boxes are clear; the rule negotiates security and never communicates with computers that do not support IPSec."
		a.Verify = "Open the rule again: both boxes are clear and the only security method is ESP 3DES with SHA1."
		a.Backout = "In the Group Policy editor, tick both boxes again on the back-ends' rule's filter action, as in the step that first ticked them." + undoOutage
	} else {
		a.Script = TightenFile
		a.Do = []string{
			first,
			"On " + string(c.PolicyHost.FQDN) + ", as a domain administrator, run " + TightenFile + " from this server's folder. It checks with " + CheckFile + " that the back-ends' rule uses " + string(c.TransitionAction) + ", switches it to " + string(c.EncryptAction) + " with " + TightenNetshFile + ", and checks the rule uses " + string(c.EncryptAction) + " now.",
			"Editing an assigned policy does not reach the servers with a Group Policy refresh: the next steps restart each back-end's IPSec Policy Agent.",
		}
		a.Expect = TightenFile + " ends with \"OK: the back-ends' rule requires IPSec\"."
		a.Verify = "cscript //nologo " + CheckFile + " /expect:tight reports that the rule " + string(c.BEInList) + " of " + string(c.BEPolicy) + " uses " + string(c.EncryptAction) + "; it fails if the policy, the rule or its action cannot be found."
		a.Backout = "Run " + LoosenFile + ": it puts the rule back on " + string(c.TransitionAction) + ", which accepts clear traffic." + undoOutage
	}
	return a
}

// unassignBackEnd is the undo of the back-end policy's assignment, done
// last: taken away while the front-ends still require IPSec, the
// front-ends would find no back-end to negotiate with.
func (c Config) unassignBackEnd(bes []string) string {
	return "Only once no front-end has its policy any more (the undo of the front-end assignment done, every front-end refreshed): right-click " + string(c.BEPolicy) + ", click Un-assign, then run " + RefreshFile + " on each back-end (" + owatopology.Join(bes) + "). " +
		"No OWA interruption: no front-end uses IPSec by then. Done before the front-ends', the front-ends would still require IPSec and find no back-end that answers it, and OWA would stop."
}

// unassignFrontEnd is the undo of the front-end policy's assignment: only
// once the back-ends take clear traffic again, or the front-ends' clear
// HTTP would be refused.
func (c Config) unassignFrontEnd(fes []string) string {
	s := "Right-click " + string(c.FEPolicy) + ", click Un-assign, then run " + RefreshFile + " on each front-end (" + owatopology.Join(fes) + "). Each restarts the front-end's IPSec Policy Agent: OWA requests through it pause for up to a minute, then go to the back-ends in clear, as before the change."
	if c.Transition {
		s = "Only once the back-ends accept clear traffic again (the undo of the tightening done and every back-end refreshed): " + s + " While the back-ends still require IPSec, this would stop OWA."
	}
	return s
}

func (c Config) actionNames() []string {
	names := []string{string(c.EncryptAction)}
	if c.FEBlock {
		names = append(names, string(c.BlockAction))
	}
	return names
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

// refresh is the step that makes h read its GPO and restart its IPSec
// Policy Agent: role is "back-end" or "front-end" for the first time its
// policy applies, "tighten" for a back-end reading its tightened rule.
// secured says whether security associations with the other side can
// exist at that moment, which decides what the restart interrupts.
func (c Config) refresh(h owatopology.Host, role string, secured bool) steps.Action {
	cmd := "secedit /refreshpolicy machine_policy /enforce"
	if !usesIpsecpol(h) {
		cmd = "gpupdate /target:computer /force"
	}
	policy, gpo, side := c.BEPolicy, c.BEGPO, "back-end"
	if role == "front-end" {
		policy, gpo, side = c.FEPolicy, c.FEGPO, "front-end"
	}
	do := []string{}
	if role == "back-end" {
		do = append(do, "Erratum: the guide says to open the command prompt on the OWA front-end for this refresh. The back-end's policy is refreshed on the back-end itself, "+string(h.FQDN)+".")
	}
	if role == "tighten" {
		do = append(do, "Only after the step that makes "+string(c.BEPolicy)+" require IPSec: the restarted Policy Agent reads the tightened rule at once, where it would otherwise wait for the policy's polling interval.")
	}
	do = append(do,
		"On "+string(h.FQDN)+", run "+RefreshFile+" from this server's folder. It runs "+cmd+", waits 30 seconds for the refresh to finish, then restarts the IPSec Policy Agent (net stop policyagent, net start policyagent).",
		"The guide restarts the whole server here. The restart is there so that the IPSec Policy Agent reads the new policy; restarting the agent alone does that without stopping Exchange and IIS for the length of a reboot.",
		"Then run "+VerifyFile+" from this server's folder.",
	)
	verify := "IP Security Monitor on " + string(h.Name) + " shows the active policy " + string(policy) + "."
	switch {
	case role == "front-end" && c.FEBlock:
		verify += " From another computer, http://" + string(h.FQDN) + "/ no longer connects (inbound TCP 80 blocked), while OWA through ISA Server still works."
	case role == "front-end":
		verify += " OWA through ISA Server still works."
	case role == "tighten":
		verify = "An OWA test message through ISA Server to a mailbox on " + string(h.Name) + " arrives, and IP Security Monitor on a front-end shows a security association with " + string(h.Name) + "."
		if c.BEFilter == FilterFromAny {
			verify += " From a computer with no IPSec policy, http://" + string(h.FQDN) + "/ no longer connects."
		}
	}
	interrupts, minutes := agentOutage(h, side, secured)
	id, title := "refresh-"+string(h.Name), "Apply "+string(policy)+" on "+string(h.Name)
	backout := "Done as part of the undo of the assignment of " + string(policy) + " in " + string(gpo) + ": run " + RefreshFile + " here when that undo step says so."
	expect := VerifyFile + " reports that the policy " + string(policy) + " from " + string(gpo) + " is in force."
	if role == "tighten" {
		id, title = "tighten-"+string(h.Name), "Make "+string(h.Name)+" read the tightened "+string(policy)
		backout = "Done as part of the undo of the tightening: run " + RefreshFile + " here when that undo step says so."
		expect = VerifyFile + " reports all checks passed."
	}
	if interrupts != "" {
		backout += " Its restart of the IPSec Policy Agent interrupts " + interrupts + " for up to a minute."
	} else {
		backout += " No OWA interruption."
	}
	return steps.Action{
		ID:         id,
		Phase:      steps.PhaseIPSec,
		Target:     string(h.Name),
		Title:      title,
		Do:         do,
		Script:     RefreshFile,
		Expect:     expect,
		Verify:     verify,
		Backout:    backout,
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
