package screener

import (
	"slices"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
)

// ID is the procedure's stable identifier.
const ID = "smtp-message-screener"

// Question IDs. The filter's lists are asked as a fixed number of boxes
// each, the first one required once the list is wanted: a question holds
// one typed value, and a list of free-text values has no kind of its own
// yet. Each list is preceded by a yes/no question, so that the wizard asks
// it in turn rather than leaving it to be found on the check page.
const (
	QUse              = "use-screener"      // install the Message Screener
	QHost             = "screener-host"     // the IIS SMTP host it runs on
	QDeliverTo        = "deliver-to"        // the Exchange server it passes mail to
	QInstance         = "smtp-instance"     // its SMTP virtual server number
	QConnectFrom      = "connect-from"      // connection control: listed or all
	QConnectList      = "connect-list"      // who may connect, when listed
	QRelay            = "relay-list"        // who may relay through it
	QBlockAttachments = "block-attachments" // stop attachments by type
	QAttachments      = "attachments"       // attachment extensions to stop
	QAttachmentAction = "attachment-action" // what happens to such messages
	QBlockDomains     = "block-domains"     // reject some sender domains
	QSenderDomains    = "sender-domains"    // the sender domains, one a line
	QBlockSenders     = "block-senders"     // reject some sender addresses
	QSenders          = "senders"           // the sender addresses, one a line
	QUseKeywords      = "use-keywords"      // look for keywords
	QKeywords         = "keywords"          // the keywords, one a line
	QKeywordScope     = "keyword-scope"     // where keywords are looked for
	QKeywordAction    = "keyword-action"    // what happens to such messages
	QCommandLimits    = "command-limits"    // keep the SMTP command length limits
)

// MaxListItems is the most lines each of the filter's lists takes: more
// than an administrator types into ISA Management by hand in one change.
const MaxListItems = 100

// Answers of the choice questions.
const (
	ActionHold   = "hold"
	ActionDelete = "delete"

	ScopeBoth   = "header-or-body"
	ScopeHeader = "header"
	ScopeBody   = "body"
)

// Attachment extensions offered, in the order shown; the value is the
// extension without its dot.
var attachmentChoices = []steps.Choice{
	{Value: "exe", Label: ".exe", Hint: "Program"},
	{Value: "com", Label: ".com", Hint: "Program"},
	{Value: "pif", Label: ".pif", Hint: "Shortcut to an MS-DOS program; runs like one"},
	{Value: "scr", Label: ".scr", Hint: "Screen saver, which is a program"},
	{Value: "bat", Label: ".bat", Hint: "Batch file"},
	{Value: "cmd", Label: ".cmd", Hint: "Command script"},
	{Value: "vbs", Label: ".vbs", Hint: "VBScript"},
	{Value: "vbe", Label: ".vbe", Hint: "Encoded VBScript"},
	{Value: "js", Label: ".js", Hint: "JScript"},
	{Value: "jse", Label: ".jse", Hint: "Encoded JScript"},
	{Value: "wsf", Label: ".wsf", Hint: "Windows Script File"},
	{Value: "wsh", Label: ".wsh", Hint: "Windows Script Host settings"},
	{Value: "hta", Label: ".hta", Hint: "HTML application"},
	{Value: "shs", Label: ".shs", Hint: "Shell scrap object"},
	{Value: "lnk", Label: ".lnk", Hint: "Shortcut"},
	{Value: "reg", Label: ".reg", Hint: "Registry settings"},
	{Value: "cpl", Label: ".cpl", Hint: "Control Panel item"},
	{Value: "msi", Label: ".msi", Hint: "Windows Installer package"},
}

// Step is the procedure.
var Step = &steps.Step{
	ID:       ID,
	Title:    "Filter SMTP content with the Message Screener",
	Section:  "Securing SMTP Communications: Using Content Filtering with the Message Screener",
	Summary:  "Turn on ISA Server's SMTP filter, and let the Message Screener on its own host stop mail by sender, attachment and keyword.",
	Requires: []string{smtppublish.ID},
	Rationale: []string{
		"ISA Server's SMTP filter takes the connections on port 25, checks each SMTP command against a maximum length and passes on only what its rules allow. The length limits alone keep a whole class of buffer-overflow attacks away from the mail server.",
		"The filter's rules about senders, sender domains, attachments and keywords are carried out by the Message Screener, a component that comes with ISA Server and runs in an IIS SMTP virtual server. Placed on a host of its own that receives the mail and passes it on to Exchange, it keeps Exchange one more step away from the edge of the network.",
	},
	Notes: []string{
		"Blocking by attachment name stops known dangerous file types, not every harmful message: it does not replace anti-virus software.",
		"Held messages stay on the Message Screener host until someone looks at them; decide who checks them and how often.",
	},
	Applies: applies,
	Pages:   pages,
	Upgrade: upgrade,
	Check:   check,
	Plan:    plan,
	Files:   files,
}

func applies(t steps.Topology) (bool, string) {
	if len(t.WithRole(steps.RoleISA)) == 0 {
		return false, "No server has the role " + steps.RoleISA.Label() + ". The SMTP filter and the Message Screener are parts of ISA Server, so add it to the servers page first."
	}
	return true, ""
}

func used(a steps.Answers) bool { return a.Is(QUse, "yes") }

// usedAnd is the condition of a page asked when the Message Screener is
// used and the yes/no question id is answered yes.
func usedAnd(id string) func(steps.Answers) bool {
	return func(a steps.Answers) bool { return used(a) && a.Is(id, "yes") }
}

func yesNoPage(id, label, hint string) steps.Page {
	return steps.Page{ID: id, When: used, Questions: []steps.Question{{ID: id, Label: label, Hint: hint, Kind: steps.KindYesNo, Default: "no"}}}
}

var pages = buildPages()

func buildPages() []steps.Page {
	ps := []steps.Page{
		{
			ID: "use-screener",
			Questions: []steps.Question{{
				ID:      QUse,
				Label:   "Will you install the Message Screener?",
				Hint:    "Without it the SMTP filter only checks the length of SMTP commands; rules on senders, attachments and keywords need the Message Screener.",
				Kind:    steps.KindYesNo,
				Default: "yes",
			}},
		},
		{
			ID: "screener-host", When: used,
			Questions: []steps.Question{{
				ID:          QHost,
				Label:       "On which server will the Message Screener run?",
				Hint:        "The most secure choice is a server of its own running the IIS SMTP service, not Exchange. Give it the role " + steps.RoleScreener.Label() + " on the servers page.",
				Kind:        steps.KindServer,
				Role:        steps.RoleScreener,
				DefaultFrom: firstWith(steps.RoleScreener),
			}},
		},
		{
			ID: "deliver-to", When: used,
			Questions: []steps.Question{{
				ID:          QDeliverTo,
				Label:       "Which Exchange server will the Message Screener host pass the mail to?",
				Kind:        steps.KindServer,
				Role:        steps.RoleBackEnd,
				DefaultFrom: firstWith(steps.RoleBackEnd),
			}},
		},
		{
			ID: "smtp-instance", When: used,
			Questions: []steps.Question{{
				ID:      QInstance,
				Label:   "Which SMTP virtual server of that host receives the mail?",
				Hint:    "Its number in IIS: 1 for the Default SMTP Virtual Server.",
				Kind:    steps.KindNumber,
				Min:     1,
				Max:     999999,
				Default: "1",
			}},
		},
		{
			ID: "connect-from", When: used,
			Questions: []steps.Question{{
				ID:    QConnectFrom,
				Label: "Which computers may open SMTP connections to the Message Screener host?",
				Kind:  steps.KindChoice,
				Choices: []steps.Choice{
					{Value: smtprelay.ConnectAll, Label: "Every address", Hint: "Needed when ISA Server publishes this host: ISA passes on the senders' own addresses."},
					{Value: smtprelay.ConnectListed, Label: "Only listed addresses", Hint: "When mail reaches it through a separate gateway."},
				},
				DefaultFrom: defaultConnectFrom,
			}},
		},
		{
			ID:   "connect-list",
			When: func(a steps.Answers) bool { return used(a) && a.Is(QConnectFrom, smtprelay.ConnectListed) },
			Questions: []steps.Question{{
				ID:          QConnectList,
				Label:       "Which addresses may connect to the Message Screener host?",
				Hint:        "The hosts that deliver mail to it, usually the gateway. One address or network a line.",
				Kind:        steps.KindPrefixes,
				DefaultFrom: gatewayAddresses,
			}},
		},
		{
			ID: "relay-list", When: used,
			Questions: []steps.Question{{
				ID:       QRelay,
				Label:    "Which addresses may relay through the Message Screener host?",
				Hint:     "Usually none: leave it empty. Passing mail for your own domains on to Exchange needs no relay permission; it is set as a remote domain instead.",
				Kind:     steps.KindPrefixes,
				Optional: true,
			}},
		},
		{
			ID: "block-attachments", When: used,
			Questions: []steps.Question{{
				ID:      QBlockAttachments,
				Label:   "Should the filter stop attachments by their type?",
				Hint:    "Types that run code when opened carry most mail-borne viruses.",
				Kind:    steps.KindYesNo,
				Default: "yes",
			}},
		},
		{
			ID: "attachments", When: usedAnd(QBlockAttachments),
			Questions: []steps.Question{{
				ID:      QAttachments,
				Label:   "Which attachment types should the filter stop?",
				Hint:    "These types run code when opened.",
				Kind:    steps.KindChoices,
				Choices: attachmentChoices,
				Default: "exe\ncom\npif\nscr\nbat\ncmd\nvbs\nvbe\njs\njse\nwsf\nhta\nshs",
			}},
		},
		{
			ID: "attachment-action", When: usedAnd(QBlockAttachments),
			Questions: []steps.Question{{
				ID:      QAttachmentAction,
				Label:   "What should happen to a message with such an attachment?",
				Kind:    steps.KindChoice,
				Choices: actionChoices,
				Default: ActionHold,
			}},
		},
		yesNoPage(QBlockDomains, "Should the filter reject mail from some sender domains?", "Whole domains known to send only unwanted mail."),
	}
	domains := steps.Page{ID: "sender-domains", When: usedAnd(QBlockDomains), Questions: []steps.Question{{
		ID: QSenderDomains, Label: "Which sender domains should the filter reject?", Kind: steps.KindList,
		Hint:     "One domain a line, such as spam.example.net. Mail from these domains is refused. Never enter your own domains.",
		Item:     func(s string) (string, error) { d, err := ParseSenderDomain(s); return string(d), err },
		MaxItems: MaxListItems,
	}}}
	senders := steps.Page{ID: "senders", When: usedAnd(QBlockSenders), Questions: []steps.Question{{
		ID: QSenders, Label: "Which sender addresses should the filter reject?", Kind: steps.KindList,
		Hint:     "One address a line, such as offers@bulk.example.net. The part before the @ may hold letters, digits, dots, hyphens and underscores.",
		Item:     ParseSender,
		MaxItems: MaxListItems,
	}}}
	keywords := steps.Page{ID: "keywords", When: usedAnd(QUseKeywords), Questions: []steps.Question{{
		ID: QKeywords, Label: "Which keywords should the filter look for?", Kind: steps.KindList,
		Hint:     "One word or phrase a line, at least three letters or digits each: the filter also finds a keyword inside longer words. Letters, digits, spaces and . ' ( ) & / - only.",
		Item:     ParseKeyword,
		MaxItems: MaxListItems,
	}}}
	rule := steps.Page{ID: "keyword-rule", Title: "How should the filter treat the keywords?",
		When: usedAnd(QUseKeywords),
		Questions: []steps.Question{
			{ID: QKeywordScope, Label: "Where should it look for them?", Kind: steps.KindChoice, Default: ScopeBoth,
				Choices: []steps.Choice{
					{Value: ScopeBoth, Label: "In the header or the body"},
					{Value: ScopeHeader, Label: "In the header only", Hint: "Such as the subject line."},
					{Value: ScopeBody, Label: "In the body only"},
				}},
			{ID: QKeywordAction, Label: "What should happen to a message that contains one?", Kind: steps.KindChoice, Choices: actionChoices, Default: ActionHold},
		},
	}
	limits := steps.Page{ID: "command-limits", Questions: []steps.Question{{
		ID:      QCommandLimits,
		Label:   "Will the SMTP filter keep its maximum lengths for SMTP commands?",
		Hint:    "They are the filter's protection against buffer overflows in the mail server. ISA Server sets them when the filter is turned on.",
		Kind:    steps.KindYesNo,
		Default: "yes",
	}}}
	return slices.Concat(ps, []steps.Page{domains,
		yesNoPage(QBlockSenders, "Should the filter reject mail from some sender addresses?", "Single addresses, where blocking the whole domain would go too far."),
		senders,
		yesNoPage(QUseKeywords, "Should the filter look for keywords in messages?", "Words or phrases that mark unwanted mail, such as a known spam subject."),
		keywords, rule, limits})
}

var actionChoices = []steps.Choice{
	{Value: ActionHold, Label: "Hold it on the Message Screener host", Hint: "Recommended: a message stopped by mistake can still be released."},
	{Value: ActionDelete, Label: "Delete it"},
}

func firstWith(r steps.Role) func(steps.Topology, steps.Answers) string {
	return func(t steps.Topology, _ steps.Answers) string {
		if s := t.WithRole(r); len(s) > 0 {
			return string(s[0].Name)
		}
		return ""
	}
}

func defaultConnectFrom(t steps.Topology, _ steps.Answers) string {
	if len(t.WithRole(steps.RoleGateway)) > 0 {
		return smtprelay.ConnectListed
	}
	return smtprelay.ConnectAll
}

func gatewayAddresses(t steps.Topology, _ steps.Answers) string {
	return smtprelay.JoinPrefixes(smtprelay.HostPrefixes(t.WithRole(steps.RoleGateway)...))
}
