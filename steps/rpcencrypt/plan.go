package rpcencrypt

import (
	"fmt"

	"github.com/secex/wizard/steps"
)

// File names of the generated files.
const (
	SheetFile         = "outlook-encryption-instructions.txt"
	CaptureBeforeFile = "capture-before.cmd"
	CaptureAfterFile  = "capture-after.cmd"
)

// minutesPerUser is the helpdesk time one profile takes, restart included.
const minutesPerUser = 5

// userSteps2002 is the click path for an Outlook 2002 profile.
func userSteps2002(c config) []string {
	s := []string{
		"Start Outlook.",
		"On the Tools menu, click E-mail Accounts.",
		"Select View or change existing e-mail accounts, then click Next.",
		"Select the Microsoft Exchange Server account, then click Change.",
		"Click More Settings.",
		"Click the Advanced tab.",
	}
	if c.network() {
		s = append(s, "Tick When using the network.")
	}
	if c.dialUp() {
		s = append(s, "Tick When using dial-up networking.")
	}
	return append(s,
		"Click OK, then Next, then Finish.",
		"Close Outlook and start it again, so that the next connection uses the new setting.",
	)
}

// userSteps2003 is the click path for an Outlook 2003 profile.
func userSteps2003() []string {
	return []string{
		"Start Outlook.",
		"On the Tools menu, click E-mail Accounts.",
		"Select View or change existing e-mail accounts, then click Next.",
		"Select the Microsoft Exchange Server account, then click Change.",
		"Click More Settings.",
		"Click the Security tab.",
		"Tick Encrypt data between Microsoft Office Outlook and Microsoft Exchange Server. This one box covers network and dial-up connections alike.",
		"Click OK, then Next, then Finish.",
		"Close Outlook and start it again, so that the next connection uses the new setting.",
	}
}

// userStepsLater is the click path for Outlook 2007 and later.
func userStepsLater() []string {
	return []string{
		"Open the account settings: in Outlook 2007 on the Tools menu click Account Settings; in Outlook 2010 and later click File, then Account Settings, then Account Settings again.",
		"Select the Microsoft Exchange account, click Change, then More Settings.",
		"Click the Security tab and make sure the box that encrypts data between Outlook and Exchange is ticked.",
		"Click OK, then Next, then Finish. If you changed the box, close Outlook and start it again.",
	}
}

// helpdeskCheck is the line the helpdesk uses to confirm a profile.
func helpdeskCheck(c config) string {
	s := "Helpdesk check: ask the user to open the Exchange account's More Settings dialog and read out the encryption setting."
	if c.has2002() {
		s += " Outlook 2002: Advanced tab, " + boxes2002(c) + " ticked."
	}
	if c.has2003() {
		s += " Outlook 2003: Security tab, Encrypt data between Microsoft Office Outlook and Microsoft Exchange Server ticked."
	}
	if c.hasLater() {
		s += " Later versions: Security tab, the box that encrypts data between Outlook and Exchange ticked."
	}
	return s + " If not, tick it and restart Outlook."
}

func boxes2002(c config) string {
	switch {
	case c.network() && c.dialUp():
		return "When using the network and When using dial-up networking both"
	case c.dialUp():
		return "When using dial-up networking"
	}
	return "When using the network"
}

func plan(in steps.Input) []steps.Action {
	c, err := load(in)
	if err != nil {
		// Produce never plans a step whose answers do not parse: check
		// reports them as errors first.
		return nil
	}
	var as []steps.Action

	as = append(as, steps.Action{
		ID:     "pilot-capture",
		Phase:  steps.PhaseClients,
		Target: steps.TargetClients,
		Title:  "Try the change on a pilot computer and keep its profile exports",
		Do: []string{
			"Choose one pilot user for each Outlook version in use and work at that user's computer, logged on as the user.",
			"Copy " + CaptureBeforeFile + " and " + CaptureAfterFile + " into a new, empty folder on that computer.",
			"Close Outlook, then run " + CaptureBeforeFile + ". It exports the user's Outlook profiles to before.reg in the same folder.",
			"Turn on encryption by following " + SheetFile + ", then close Outlook.",
			"Run " + CaptureAfterFile + ". It exports the profiles again to after.reg and writes the differences to changes.txt.",
			"Attach before.reg, after.reg and changes.txt to the change record.",
		},
		Script: CaptureBeforeFile,
		Expect: "changes.txt lists the values that changed in the profile. Outlook may also update a few unrelated values when it starts; only values that change with the box matter.",
		Verify: "The network capture on the Exchange server (the last step of this procedure) shows the pilot's traffic unreadable.",
		Backout: "The helpers change nothing: they only read the registry and write files into their own folder, so there is nothing to undo. " +
			"To undo the setting itself, untick the box as the instruction sheet describes and restart Outlook.",
	})

	effort := fmt.Sprintf("Plan the helpdesk time: %s at roughly %s each is about %s of desk time.",
		usersCount(c.users), count(minutesPerUser, "minute", "minutes"), hours(c.users*minutesPerUser))
	backout := "Untick what was ticked, click OK, Next and Finish, and restart Outlook."
	expect := "Outlook connects as before after the restart, and what was ticked is still ticked when the dialog is opened again."
	if c.has2002() {
		as = append(as, steps.Action{
			ID:         "existing-2002",
			Phase:      steps.PhaseClients,
			Target:     steps.TargetClients,
			Title:      "Turn on encryption in every existing Outlook 2002 profile",
			Do:         append([]string{effort, "Give each user " + SheetFile + ", or have the helpdesk follow it at each desk:"}, userSteps2002(c)...),
			Expect:     expect,
			Verify:     helpdeskCheck(c),
			Backout:    backout,
			Interrupts: "Outlook",
			Minutes:    2,
		})
	}
	if c.has2003() {
		as = append(as, steps.Action{
			ID:         "existing-2003",
			Phase:      steps.PhaseClients,
			Target:     steps.TargetClients,
			Title:      "Turn on encryption in every existing Outlook 2003 profile",
			Do:         append([]string{effort, "Give each user " + SheetFile + ", or have the helpdesk follow it at each desk:"}, userSteps2003()...),
			Expect:     expect,
			Verify:     helpdeskCheck(c),
			Backout:    backout,
			Interrupts: "Outlook",
			Minutes:    2,
		})
	}
	if c.hasLater() {
		as = append(as, steps.Action{
			ID:     "existing-later",
			Phase:  steps.PhaseClients,
			Target: steps.TargetClients,
			Title:  "Confirm encryption in profiles of later Outlook versions",
			Do: append(userStepsLater(),
				"Outlook 2007 and later turn encryption on for new profiles; profiles carried over from an older version keep their old setting, so check those.",
				`For Outlook 2010 and later the setting can also be enforced by Group Policy: EnableRPCEncryption, REG_DWORD 1, under HKCU\Software\Policies\Microsoft\Office\<version>\Outlook\RPC (14.0, 15.0 or 16.0).`,
			),
			Expect:     expect,
			Verify:     helpdeskCheck(c),
			Backout:    backout,
			Interrupts: "Outlook",
			Minutes:    2,
		})
	}

	as = append(as, steps.Action{
		ID:      "new-profiles",
		Phase:   steps.PhaseClients,
		Target:  steps.TargetClients,
		Title:   "Make profiles created from now on ask for encryption",
		Do:      newProfileSteps(c),
		Expect:  "A profile built the way your organisation builds them has the encryption box ticked when first opened.",
		Verify:  "Build one new profile by each method in use and open its More Settings dialog: the box is ticked.",
		Backout: "Take the step out of the profile checklist, PRF file or transform again; profiles already built keep the setting until it is unticked.",
	})

	as = append(as, steps.Action{
		ID:      "helpdesk-check",
		Phase:   steps.PhaseClients,
		Target:  steps.TargetClients,
		Title:   "Give the helpdesk a check for encrypted profiles",
		Do:      []string{"Add this line to the helpdesk's scripts for Outlook calls and for rebuilt profiles:", helpdeskCheck(c)},
		Expect:  "The helpdesk can confirm the setting in under a minute on a call.",
		Verify:  "Ask the helpdesk to run the check with one pilot user.",
		Backout: "Remove the line from the helpdesk scripts.",
	})

	for _, s := range c.servers {
		as = append(as, steps.Action{
			ID:     "capture-" + string(s.name),
			Phase:  steps.PhaseClients,
			Target: string(s.name),
			Title:  "Prove with a network capture that Outlook traffic to " + string(s.name) + " is encrypted",
			Do: []string{
				"Exchange 2000 has no server setting that requires encryption, so nothing is changed on " + string(s.name) + "; this step only proves the client change.",
				"On " + string(s.fqdn) + ", start Network Monitor (Windows 2000 Server installs it from Add/Remove Windows Components, Management and Monitoring Tools) and capture the traffic to and from the pilot computer's address.",
				"On the pilot computer, whose mailbox is on " + string(s.name) + ", send a message to yourself with an unusual word in the subject and body, such as the change number.",
				"Stop the capture and search the frames between the pilot computer and the server for that word.",
			},
			Expect:  "The word is in none of the frames: the MAPI payload is encrypted.",
			Verify:  "As a control, repeat with a test profile whose box is not ticked: the word is then found in the frames, which shows the capture would have revealed it.",
			Backout: "Nothing to undo: the capture changes nothing. Remove Network Monitor afterwards if it was installed only for this test.",
		})
	}
	return as
}

// newProfileSteps says how to make each profile-building method ask for
// encryption, per Outlook version in use.
func newProfileSteps(c config) []string {
	var s []string
	if c.hasProfiles(ProfilesByHand) {
		s = append(s, "Profiles built by hand: add ticking the encryption box to the helpdesk's profile checklist; the instruction sheet's steps from More Settings onwards apply while the new profile is being set up.")
	}
	if c.hasProfiles(ProfilesPRF) || c.hasProfiles(ProfilesCIW) {
		if c.has2002() {
			s = append(s, "Outlook 2002 profiles from a PRF file or a Custom Installation Wizard transform: no documented entry ticks the box. "+
				"Tick it by hand after the profile is created, or derive a change from the pilot's changes.txt, test it on pilot computers and only then add it to the PRF file or transform.")
		}
		if c.has2003() {
			s = append(s, `Outlook 2003 profiles from a PRF file or transform: set the policy value EnableRPCEncryption (REG_DWORD 1, expected under HKCU\Software\Policies\Microsoft\Office\11.0\Outlook\RPC) by Group Policy. `+
				"Only builds with the hotfix released after Service Pack 2 act on it; confirm on a pilot that the box becomes ticked, and tick it by hand on older builds.")
		}
		if c.hasLater() {
			s = append(s, "Later versions: new profiles are encrypted by default; keep it that way in the PRF file or transform.")
		}
	}
	if c.hasProfiles(ProfilesCIW) {
		s = append(s, "When you next open the Custom Installation Wizard, look at its Outlook profile and Exchange settings pages for an encryption option; use it if it is there, and test the transform on a pilot.")
	}
	return s
}

func hours(minutes int) string {
	if minutes < 60 {
		return count(minutes, "minute", "minutes")
	}
	return count((minutes+30)/60, "hour", "hours")
}

// count writes n with its noun, singular for one.
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// usersCount is the number of users as the plan estimates it: "one user",
// or "about 250 users".
func usersCount(n int) string {
	if n == 1 {
		return "one user"
	}
	return "about " + count(n, "user", "users")
}
