package ipsec

import (
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owacert"
	"github.com/secex/wizard/steps/owatopology"
)

// ID is the procedure's stable identifier.
const ID = "owa-ipsec"

// Question IDs.
const (
	QFrontEnds     = "front-ends"
	QBackEnds      = "back-ends"
	QFEOutbound    = "fe-outbound-dest"  // back-ends only (corrected) or any (guide)
	QFEBlock       = "fe-inbound-block"  // block inbound TCP 80 on the front-ends
	QBEFilter      = "be-inbound-filter" // from the front-ends (corrected), from any, or as printed
	QDomain        = "ad-domain"         // the domain whose store holds the policies
	QPolicyHost    = "policy-host"       // the server the policies are created from
	QOU1           = "ou-member-servers" // top-level OU
	QOU2           = "ou-application"    // second level
	QOU3           = "ou-exchange"       // third level
	QFEOU          = "fe-ou"             // the front-ends' OU
	QBEOU          = "be-ou"             // the back-ends' OU
	QFEGPO         = "fe-gpo"            // GPO linked to the front-ends' OU
	QBEGPO         = "be-gpo"            // GPO linked to the back-ends' OU
	QFEPolicy      = "fe-policy"         // IPSec policy for the front-ends
	QBEPolicy      = "be-policy"         // IPSec policy for the back-ends
	QFEOutList     = "fe-out-list"       // filter list: front-end outbound TCP 80
	QFEInList      = "fe-in-list"        // filter list: front-end inbound TCP 80
	QBEInList      = "be-in-list"        // filter list: back-end inbound TCP 80
	QBlockAction   = "block-action"      // filter action that blocks
	QEncryptAction = "encrypt-action"    // filter action that demands ESP
	QLocal         = "local-policy"      // also keep a copy in each server's local store
)

// Answer values.
const (
	OutboundBackEnds = "back-ends"
	OutboundAny      = "any"

	FilterFromFrontEnds = "from-front-ends"
	FilterFromAny       = "from-any"
	FilterAsGuide       = "as-guide"
)

// The guide's names, the defaults.
const (
	GuideOU1           = "Member Servers"
	GuideOU2           = "Application Servers"
	GuideOU3           = "Exchange 2000"
	GuideFEOU          = "OWA Front-end Servers"
	GuideBEOU          = "Back-end Servers"
	GuideFEGPO         = "OWA Front End Incremental GPO"
	GuideBEGPO         = "Back End Incremental GPO"
	GuideFEPolicy      = "Block-Encrypt TCP 80 traffic - OWA FE"
	GuideBEPolicy      = "Encrypt TCP 80 traffic - BE"
	GuideFEOutList     = "Outbound TCP 80 - OWA FE"
	GuideFEInList      = "Inbound TCP 80 - OWA FE"
	GuideBEInList      = "Inbound TCP 80 - BE"
	GuideBlockAction   = "Block"
	GuideEncryptAction = "Encrypt"
)

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Title:    "Encrypt front-end to back-end traffic with IPSec",
	Section:  "Securing OWA Communications: Encryption between OWA Front-End Servers and Back-End Exchange Servers",
	Summary:  "Deliver IPSec policies by Group Policy so that TCP 80 between front-ends and back-ends is always encrypted, and block inbound TCP 80 on the front-ends.",
	Requires: []string{owacert.ID},
	Rationale: []string{
		"A front-end talks to the back-end holding the user's mailbox over plain HTTP on TCP 80, and with Basic authentication the user's password goes with every request. SSL cannot be used on that hop, but IPSec can, since both ends run Windows; it is also much faster than SSL.",
		"The guide's table: on the front-end, TCP 80 outbound is encrypted and TCP 80 inbound is blocked; on the back-end, TCP 80 inbound is encrypted. The front-end may block inbound TCP 80 because it starts every conversation with the back-end and ISA Server reaches it over SSL; the block keeps credentials off the wire in clear and removes a target for buffer-overflow attacks.",
	},
	Notes: []string{
		"Erratum in the guide: its back-end section says to refresh Group Policy at a command prompt on the OWA front-end. The back-end's policy is refreshed on the back-end itself; the runbook says so.",
		"Erratum in the guide: its back-end filter (source My IP Address, destination Any IP Address, destination port 80) describes traffic leaving the back-end, not traffic arriving at its port 80, so the back-end would never require encryption. The wizard's default is the corrected filter; the guide's version can still be chosen and is then recorded as a deviation.",
		"Done as the guide orders it, the back-ends refuse the front-ends' clear HTTP from the moment their policy applies until the front-ends' does, and OWA is down for that whole window. Where the back-ends' rule requires IPSec, the plan starts it on a temporary filter action that accepts clear traffic and answers with IPSec, and makes it require IPSec only once every front-end is seen negotiating; OWA then pauses only while each server's IPSec Policy Agent restarts, about a minute each.",
		"The guide restarts each server after its Group Policy refresh so that the IPSec Policy Agent reads the new policy. The plan restarts the agent alone (net stop and net start policyagent), which does the same without taking Exchange and IIS down for a reboot.",
		"Windows 2000 IPSec cannot cross network address translation: nothing between the front-ends and the back-ends may translate addresses. 3DES on Windows 2000 needs the High Encryption Pack or Service Pack 2 or later.",
		"Network adapters that offload IPSec processing reduce its cost on busy servers.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,

	Corrections: corrections,
}

func applies(t steps.Topology) (bool, string) {
	if ok, why := owatopology.Applies(t); !ok {
		return ok, why
	}
	if len(t.WithRole(steps.RoleBackEnd)) == 0 {
		return false, "No server has the role " + steps.RoleBackEnd.Label() + ". Add the back-ends the front-ends talk to on the servers page first."
	}
	return true, ""
}

func blocks(a steps.Answers) bool { return a.Is(QFEBlock, "yes") }

func name(id, label, hint, def string) steps.Question {
	return steps.Question{ID: id, Label: label, Hint: hint, Kind: steps.KindObjectName, Default: def}
}

var pages = []steps.Page{
	{
		ID:    "servers",
		Title: "Servers that get the policies",
		Intro: "Every front-end that talks to the back-ends, and every back-end holding mailboxes or public folders they reach, must get its policy; otherwise the traffic between them stays in clear or stops.",
		Questions: []steps.Question{
			{ID: QFrontEnds, Label: "Front-ends", Kind: steps.KindServers, Role: steps.RoleFrontEnd, DefaultFrom: allWith(steps.RoleFrontEnd)},
			{ID: QBackEnds, Label: "Back-ends", Kind: steps.KindServers, Role: steps.RoleBackEnd, DefaultFrom: allWith(steps.RoleBackEnd)},
		},
	},
	{
		ID:    "fe-outbound",
		Title: "The front-ends' outbound TCP 80 filter",
		Intro: "The guide's filter has destination Any IP Address, so a front-end demands IPSec from every web server it talks to on TCP 80, and cannot reach one that does not speak IPSec (certificate revocation lists, updates, other internal sites). Narrowing the destination to the back-ends keeps the guide's intent without that side effect.",
		Questions: []steps.Question{{
			ID:    QFEOutbound,
			Label: "Which destinations does the front-ends' encrypted TCP 80 rule cover?",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: OutboundBackEnds, Label: "The back-ends' addresses only (corrected default)", Hint: "Source My IP Address; destination each back-end's address; TCP, destination port 80; mirrored."},
				{Value: OutboundAny, Label: "Any IP address, as printed in the guide", Hint: "Source My IP Address; destination Any IP Address; TCP, destination port 80; mirrored. Recorded as a deviation."},
			},
			Default: OutboundBackEnds,
		}},
	},
	{
		ID: "fe-inbound",
		Questions: []steps.Question{{
			ID:      QFEBlock,
			Label:   "Block inbound TCP 80 on the front-ends, as the guide's table does?",
			Hint:    "Safe only when ISA Server reaches them over SSL (bridging); users inside who open http:// on a front-end lose access.",
			Kind:    steps.KindYesNo,
			Default: "yes",
		}},
	},
	{
		ID:    "be-inbound",
		Title: "The back-ends' inbound TCP 80 filter",
		Intro: "Erratum: the guide enters this filter as source My IP Address, destination Any IP Address, destination port 80. That describes traffic leaving the back-end for port 80 elsewhere, not traffic arriving at the back-end's port 80. The front-end's rule and the back-end's default response rule still make the traffic encrypted, but the back-end never requires it, and it starts demanding IPSec from every web server it contacts itself.",
		Questions: []steps.Question{{
			ID:    QBEFilter,
			Label: "Which traffic does the back-ends' encrypted TCP 80 rule cover?",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: FilterFromFrontEnds, Label: "Traffic from the front-ends to the back-end's port 80 (corrected default)", Hint: "Source each front-end's address; destination My IP Address; TCP, destination port 80; mirrored. Other HTTP clients of the back-end are not affected."},
				{Value: FilterFromAny, Label: "Traffic from any address to the back-end's port 80", Hint: "Source Any IP Address; destination My IP Address; TCP, destination port 80; mirrored. Every other HTTP client of the back-end must speak IPSec or loses access."},
				{Value: FilterAsGuide, Label: "As printed in the guide", Hint: "Source My IP Address; destination Any IP Address; TCP, destination port 80; mirrored. Recorded as a deviation."},
			},
			Default: FilterFromFrontEnds,
		}},
	},
	{
		ID:    "domain",
		Title: "Where the policies are created",
		Intro: "The policies live in Active Directory, under System, IP Security, and are created once for the whole domain.",
		Questions: []steps.Question{
			{ID: QDomain, Label: "Active Directory domain", Hint: "The DNS name of the domain the front-ends and back-ends belong to.", Kind: steps.KindFQDN, DefaultFrom: adDomain},
			{ID: QPolicyHost, Label: "Server the policies are created from", Hint: "A domain controller: its operating system decides the tool (ipsecpol from the Windows 2000 Resource Kit, or netsh on Windows Server 2003 and later). Run the file as a domain administrator.", Kind: steps.KindServer, Role: steps.RoleDC, DefaultFrom: firstWith(steps.RoleDC)},
		},
	},
	{
		ID:    "ous",
		Title: "Organisational units",
		Intro: "The guide nests the OUs as Member Servers, Application Servers, Exchange 2000, and puts the front-ends and back-ends in two OUs of their own below that, each with its own GPO.",
		Questions: []steps.Question{
			name(QOU1, "Top-level OU", "", GuideOU1),
			name(QOU2, "OU below it", "", GuideOU2),
			name(QOU3, "OU below that", "", GuideOU3),
			{ID: QFEOU, Label: "OU of the front-ends", Hint: "Pre-filled from the front-ends' server pages when recorded there.", Kind: steps.KindObjectName, DefaultFrom: ouOf(steps.RoleFrontEnd, GuideFEOU)},
			{ID: QBEOU, Label: "OU of the back-ends", Hint: "Pre-filled from the back-ends' server pages when recorded there.", Kind: steps.KindObjectName, DefaultFrom: ouOf(steps.RoleBackEnd, GuideBEOU)},
		},
	},
	{
		ID:    "gpos",
		Title: "Group Policy objects",
		Questions: []steps.Question{
			name(QFEGPO, "GPO linked to the front-ends' OU", "", GuideFEGPO),
			name(QBEGPO, "GPO linked to the back-ends' OU", "", GuideBEGPO),
		},
	},
	{
		ID:    "policies",
		Title: "IPSec policy names",
		Questions: []steps.Question{
			name(QFEPolicy, "Policy for the front-ends", "", GuideFEPolicy),
			name(QBEPolicy, "Policy for the back-ends", "", GuideBEPolicy),
		},
	},
	{
		ID:    "filter-lists",
		Title: "Filter list names",
		Questions: []steps.Question{
			name(QFEOutList, "Front-ends' outbound TCP 80", "", GuideFEOutList),
			name(QBEInList, "Back-ends' inbound TCP 80", "", GuideBEInList),
		},
	},
	{
		ID:    "block",
		Title: "Blocking inbound TCP 80 on the front-ends",
		When:  blocks,
		Questions: []steps.Question{
			name(QFEInList, "Filter list name", "", GuideFEInList),
			name(QBlockAction, "Filter action name", "The action simply blocks.", GuideBlockAction),
		},
	},
	{
		ID:    "encrypt-action",
		Title: "The encrypting filter action",
		Intro: "The action negotiates security and never falls back to clear traffic (Do not communicate with computers that do not support IPSec), with one custom security method moved to the top: data integrity and encryption (ESP), 3DES. Computers authenticate with Kerberos V5 and each policy's default response rule stays active, as in the guide.",
		Questions: []steps.Question{
			name(QEncryptAction, "Filter action name", "Created once and used by both policies.", GuideEncryptAction),
		},
	},
	{
		ID: "local-policy",
		Questions: []steps.Question{{
			ID:      QLocal,
			Label:   "Also keep a copy of each server's policy in its local store?",
			Hint:    "The guide suggests it, so that IPSec still applies if Group Policy cannot be reached. The domain policy wins while it is assigned; the local copy takes over only without it.",
			Kind:    steps.KindYesNo,
			Default: "yes",
		}},
	},
}

func allWith(r steps.Role) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		var names []string
		for _, s := range t.WithRole(r) {
			names = append(names, string(s.Name))
		}
		return strings.Join(names, "\n")
	}
}

func firstWith(r steps.Role) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		if s := t.WithRole(r); len(s) > 0 {
			return string(s[0].Name)
		}
		return ""
	}
}

func adDomain(t steps.Topology, _ steps.Answers) string { return string(t.Facts.ADDomain) }

// ouOf pre-fills the OU recorded on the first server with role r, or the
// guide's name.
func ouOf(r steps.Role, guide string) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		for _, s := range t.WithRole(r) {
			ou := s.FrontEnd.OU
			if r == steps.RoleBackEnd {
				ou = s.BackEnd.OU
			}
			if ou != "" {
				return string(ou)
			}
		}
		return guide
	}
}
