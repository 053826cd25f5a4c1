package rpcencrypt

import (
	"slices"

	"github.com/secex/wizard/steps"
)

// Finding codes.
const (
	CodeAnswerInvalid  = steps.CodeAnswerInvalid
	CodeDialUpOnly     = "dial-up-only"
	CodePRF2002        = "outlook-2002-new-profiles-unverified"
	CodeOutlook2003PRF = "outlook-2003-policy-needs-hotfix"
)

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	versions := a.Values(QVersions)
	profiles := a.Values(QProfiles)
	has := func(v string) bool { return slices.Contains(versions, v) }
	scripted := slices.Contains(profiles, ProfilesPRF) || slices.Contains(profiles, ProfilesCIW)

	if a[QWhen] == WhenDialUp && has(Outlook2002) {
		fs = append(fs, steps.Finding{
			Code:     CodeDialUpOnly,
			Severity: steps.Warning,
			Message: "Outlook 2002 would encrypt only dial-up connections. Users in the office connect over the local network, " +
				"where their mail would still cross the wire unencrypted and can be read by anyone who captures traffic on it. " +
				"Choose encryption on the network and on dial-up connections, unless the local network is protected in another way " +
				"and you record how.",
			Fix: []string{QWhen},
		})
	}
	if has(Outlook2002) && scripted {
		fs = append(fs, steps.Finding{
			Code:     CodePRF2002,
			Severity: steps.Warning,
			Message: "No documented PRF entry or Custom Installation Wizard setting is known to tick Outlook 2002's encryption boxes, " +
				"and Outlook 2002 reads no policy value for it. Profiles built that way connect unencrypted until someone ticks the box. " +
				"Plan to tick it by hand after the profile is created, or run the capture helpers on a pilot computer to see what the box " +
				"changes in the profile and test your own PRF change on pilots before you deploy it.",
			Fix: []string{QProfiles},
		})
	}
	if has(Outlook2003) && scripted {
		fs = append(fs, steps.Finding{
			Code:     CodeOutlook2003PRF,
			Severity: steps.Warning,
			Message: "For Outlook 2003 a PRF file or transform is not known to set the encryption box either. Outlook 2003 does read a policy value, " +
				`EnableRPCEncryption (REG_DWORD 1, expected under HKCU\Software\Policies\Microsoft\Office\11.0\Outlook\RPC), ` +
				"but only builds carrying the hotfix released after Service Pack 2 act on it (Service Pack 3 should include it); older builds ignore it without a message. " +
				"Check the Outlook 2003 build on your clients, try the value on one pilot computer and confirm with the capture helpers " +
				"that the box is ticked before relying on it. Until then, new Outlook 2003 profiles need the box ticked by hand.",
			Fix: []string{QProfiles, QVersions},
		})
	}
	return fs
}
