package steps

import "fmt"

// Benchmark is a published hardening benchmark, such as a DISA STIG, at
// the release the wizard's references were taken from. A checklist
// exported for it names this release, so a reviewer compares it with the
// rules of the same release.
type Benchmark struct {
	ID      string // the benchmark's identifier, such as MS_Exchange_2019_Mailbox_Server_STIG
	Title   string // its full title
	Short   string // the title in a sentence, such as "Exchange 2019 Mailbox Server STIG"
	Version int
	Release int
	Date    string // the benchmark date as published, such as "14 May 2025"
}

// Control is one rule of a Benchmark. Title and Check are the wizard's
// own short words for what the rule asks; the benchmark's text stays the
// authority, found by VulnID.
type Control struct {
	Benchmark *Benchmark
	VulnID    string // the Vuln (group) ID, such as V-259645
	RuleID    string // the rule ID with its revision, such as SV-259645r960759_rule
	STIGID    string // the benchmark's own rule number, such as EX19-MB-000006
	Severity  string // high, medium or low
	Title     string
	Check     string // what is read, and the value that satisfies the rule
}

func (c *Control) String() string {
	return fmt.Sprintf("DISA %s %s (%s)", c.Benchmark.Short, c.VulnID, c.Title)
}

// ControlRef ties a plan action, or a setting a script changes, to a
// Control. Usually the action brings the server into line with the rule.
// When the team chose otherwise and accepted the warning that says so,
// Deviation is that warning's Finding.Key, and a checklist reports the
// rule as open with the team's reason: a deviation is recorded, never
// hidden as compliance.
type ControlRef struct {
	Control   *Control
	Deviation string
	// Server, when set, is the server the rule is about, where the action
	// runs on another: an Edge Transport server's subscription is
	// completed on a Mailbox server.
	Server string
}

func (r ControlRef) String() string {
	if r.Deviation != "" {
		return r.Control.String() + ", against the rule: an accepted deviation"
	}
	return r.Control.String()
}
