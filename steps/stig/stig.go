// Package stig holds the DISA STIG rules the current platform's
// procedures bring Exchange servers into line with, at the releases the
// references were checked against. Each rule's title and check are the
// wizard's own short words; a reviewer reads the benchmark itself by the
// Vuln ID.
//
// A procedure names a rule only where its plan sets exactly what the
// rule's check reads, over the whole scope the check covers. A rule about
// every receive connector is not claimed by a step that creates one
// connector, because a checklist that said so would pass a server its
// other connectors still fail. Where the team chooses against a rule, the
// procedure raises a warning, and the rule goes into the checklist as
// open with the reason the team accepted.
package stig

import "github.com/secex/wizard/steps"

// The benchmarks.
var (
	Mailbox = &steps.Benchmark{
		ID:      "MS_Exchange_2019_Mailbox_Server_STIG",
		Title:   "Microsoft Exchange 2019 Mailbox Server Security Technical Implementation Guide",
		Short:   "Exchange 2019 Mailbox Server STIG",
		Version: 2, Release: 3, Date: "14 May 2025",
	}
	Edge = &steps.Benchmark{
		ID:      "MS_Exchange_2019_Edge_Server_STIG",
		Title:   "Microsoft Exchange 2019 Edge Server Security Technical Implementation Guide",
		Short:   "Exchange 2019 Edge Server STIG",
		Version: 2, Release: 2, Date: "06 Dec 2024",
	}
)

// Mailbox Server rules.
var (
	RPCEncryption = &steps.Control{Benchmark: Mailbox, VulnID: "V-259645", RuleID: "SV-259645r960759_rule", STIGID: "EX19-MB-000006", Severity: "medium",
		Title: "Outlook's RPC connections must be encrypted",
		Check: "Get-RpcClientAccess: EncryptionRequired is True on the server."}
	AnonymousReceive = &steps.Control{Benchmark: Mailbox, VulnID: "V-259687", RuleID: "SV-259687r961161_rule", STIGID: "EX19-MB-000135", Severity: "medium",
		Title: "Receive connectors must not admit anonymous senders",
		Check: "Get-ReceiveConnector: no connector's PermissionGroups contains AnonymousUsers."}
	MailboxAntiSpamPresent = &steps.Control{Benchmark: Mailbox, VulnID: "V-259689", RuleID: "SV-259689r961161_rule", STIGID: "EX19-MB-000137", Severity: "medium",
		Title: "The built-in anti-spam agents must be installed",
		Check: "Get-ContentFilterConfig returns the agent's configuration (the agents are installed)."}
	InternalSMTPServers = &steps.Control{Benchmark: Mailbox, VulnID: "V-259691", RuleID: "SV-259691r961161_rule", STIGID: "EX19-MB-000139", Severity: "medium",
		Title: "The organisation's internal SMTP servers must be listed",
		Check: "Get-TransportConfig: InternalSMTPServers holds the organisation's own SMTP servers' addresses."}
)

// Edge Server rules.
var (
	EdgeSenderFilterReject = &steps.Control{Benchmark: Edge, VulnID: "V-259609", RuleID: "SV-259609r961161_rule", STIGID: "EX19-ED-000123", Severity: "medium",
		Title: "The sender filter must refuse mail from blocked senders",
		Check: "Get-SenderFilterConfig: Action is Reject."}
	EdgeRecipientValidationOff = &steps.Control{Benchmark: Edge, VulnID: "V-259613", RuleID: "SV-259613r961161_rule", STIGID: "EX19-ED-000127", Severity: "medium",
		Title: "Mail for unknown recipients must not be refused during the SMTP session, so senders cannot harvest valid addresses",
		Check: "Get-RecipientFilterConfig: RecipientValidationEnabled is False."}
	EdgeContentFilter = &steps.Control{Benchmark: Edge, VulnID: "V-259617", RuleID: "SV-259617r961161_rule", STIGID: "EX19-ED-000131", Severity: "medium",
		Title: "The content filter must be on",
		Check: "Get-ContentFilterConfig: Enabled is True."}
	EdgeRecipientFilter = &steps.Control{Benchmark: Edge, VulnID: "V-259620", RuleID: "SV-259620r961161_rule", STIGID: "EX19-ED-000134", Severity: "medium",
		Title: "The recipient filter must be on",
		Check: "Get-RecipientFilterConfig: Enabled is True."}
	EdgeSenderFilter = &steps.Control{Benchmark: Edge, VulnID: "V-259625", RuleID: "SV-259625r961161_rule", STIGID: "EX19-ED-000139", Severity: "medium",
		Title: "The sender filter must be on",
		Check: "Get-SenderFilterConfig: Enabled is True."}
	EdgeSubscriptions = &steps.Control{Benchmark: Edge, VulnID: "V-259596", RuleID: "SV-259596r961152_rule", STIGID: "EX19-ED-000109", Severity: "medium",
		Title: "More than one Edge Transport server must be subscribed",
		Check: "Get-EdgeSubscription on a Mailbox server lists more than one Edge Transport server."}
	EdgeRedundancy = &steps.Control{Benchmark: Edge, VulnID: "V-259640", RuleID: "SV-259640r961632_rule", STIGID: "EX19-ED-000234", Severity: "high",
		Title: "Edge Transport must be redundant: at least two servers subscribed",
		Check: "Get-EdgeSubscription on a Mailbox server of the subscribed site lists at least two Edge Transport servers."}
)

// All is every rule the procedures name, in benchmark order.
var All = []*steps.Control{
	RPCEncryption, AnonymousReceive, MailboxAntiSpamPresent, InternalSMTPServers,
	EdgeSubscriptions, EdgeSenderFilterReject, EdgeRecipientValidationOff, EdgeContentFilter, EdgeRecipientFilter, EdgeSenderFilter, EdgeRedundancy,
}
