package rpcencrypt

import (
	"strings"

	"github.com/secex/wizard/steps"
)

// ID is the procedure's stable identifier.
const ID = "outlook-rpc-encryption"

// Question IDs.
const (
	QVersions = "versions"     // Outlook versions in use
	QProfiles = "profiles"     // how Outlook profiles are created
	QWhen     = "encrypt-when" // network, dial-up or both
	QServers  = "servers"      // Exchange back-ends the clients connect to
	QUsers    = "users"        // roughly how many Outlook users
)

// Answer values of the choice questions.
const (
	Outlook2002  = "outlook-2002"
	Outlook2003  = "outlook-2003"
	OutlookLater = "outlook-later"

	ProfilesByHand = "by-hand"
	ProfilesPRF    = "prf"
	ProfilesCIW    = "ciw"

	WhenNetwork = "network"
	WhenDialUp  = "dial-up"
	WhenBoth    = "both"
)

// Step is the procedure.
var Step = &steps.Step{
	ID:      ID,
	Title:   "Encrypt Outlook's connection to Exchange",
	Section: "Securing Communications in Outlook 2002: Encrypting the MAPI Connection from Outlook 2002 to Exchange Server",
	Summary: "Turn on RPC encryption in every Outlook profile so mail cannot be read on the wire between desktop and server.",
	Rationale: []string{
		"Outlook reaches its Exchange server over remote procedure calls. Unless the profile asks for it, that traffic crosses the network unencrypted, and anyone able to capture packets on the way can read the messages, attachments and calendar items a user opens or sends.",
		"Windows 2000 can protect those calls with 128-bit encryption at no extra cost in licences or hardware. Exchange 2000 has no switch to insist on it, so each Outlook profile has to request it, and every profile built later has to request it as well.",
	},
	Notes: []string{
		"RPC encryption covers only the hop between Outlook and the Exchange server. A message is stored in the mailbox and forwarded to other servers and to the Internet in its original form; protecting the message itself is the job of S/MIME signing and encryption.",
		"Exchange 2000 cannot refuse an unencrypted Outlook connection, so a profile that was missed or rebuilt without the setting keeps working in clear. The helpdesk check and the pilot's network capture are the only evidence that the change took effect.",
	},
	Applies: applies,
	Pages:   pages,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleBackEnd)) == 0 {
		return false, "No server has the role " + steps.RoleBackEnd.Label() + ". Outlook connects to the back-end servers, so add them to the servers page first."
	}
	return true, ""
}

var pages = []steps.Page{
	{
		ID: "versions",
		Questions: []steps.Question{{
			ID:    QVersions,
			Label: "Which versions of Outlook do your users run?",
			Hint:  "The encryption box is on a different tab in each version, so the instructions are written for the versions you select.",
			Kind:  steps.KindChoices,
			Choices: []steps.Choice{
				{Value: Outlook2002, Label: "Outlook 2002 (Office XP)", Hint: "The guide's client: Advanced tab of the Exchange account."},
				{Value: Outlook2003, Label: "Outlook 2003", Hint: "Security tab of the Exchange account."},
				{Value: OutlookLater, Label: "Another or later version", Hint: "Outlook 2007 and later encrypt new profiles by default; existing profiles still need checking."},
			},
		}},
	},
	{
		ID: "profiles",
		Questions: []steps.Question{{
			ID:    QProfiles,
			Label: "How are Outlook profiles created?",
			Hint:  "Select every method in use. Profiles created later must ask for encryption too.",
			Kind:  steps.KindChoices,
			Choices: []steps.Choice{
				{Value: ProfilesByHand, Label: "By hand, by the user or the helpdesk"},
				{Value: ProfilesPRF, Label: "From a PRF profile file"},
				{Value: ProfilesCIW, Label: "With the Office Custom Installation Wizard", Hint: "A transform (.mst) applied when Office is installed."},
			},
		}},
	},
	{
		ID: "encrypt-when",
		Questions: []steps.Question{{
			ID:    QWhen,
			Label: "When should Outlook encrypt the connection?",
			Hint:  "Outlook 2002 has one box for the local network and one for dial-up connections. Outlook 2003 has a single box that covers both.",
			Kind:  steps.KindChoice,
			Choices: []steps.Choice{
				{Value: WhenBoth, Label: "On the network and on dial-up connections", Hint: "Recommended."},
				{Value: WhenNetwork, Label: "On the network only", Hint: "What the guide ticks."},
				{Value: WhenDialUp, Label: "On dial-up connections only"},
			},
			Default: WhenBoth,
		}},
	},
	{
		ID: "servers",
		Questions: []steps.Question{{
			ID:          QServers,
			Label:       "Which Exchange servers do these Outlook users connect to?",
			Hint:        "The servers holding their mailboxes. The network capture that proves the change is taken on these servers.",
			Kind:        steps.KindServers,
			Role:        steps.RoleBackEnd,
			DefaultFrom: allBackEnds,
		}},
	},
	{
		ID: "users",
		Questions: []steps.Question{{
			ID:    QUsers,
			Label: "Roughly how many Outlook users are there?",
			Hint:  "Used to estimate the helpdesk time the change needs.",
			Kind:  steps.KindNumber,
			Min:   1,
			Max:   1000000,
		}},
	},
}

func allBackEnds(t steps.Topology, _ steps.Answers) string {
	var names []string
	for _, s := range t.WithRole(steps.RoleBackEnd) {
		names = append(names, string(s.Name))
	}
	return strings.Join(names, "\n")
}
