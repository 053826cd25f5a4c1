package stig

import (
	"regexp"
	"strings"
	"testing"
)

// TestRulesAreWellFormed: each rule's IDs agree with each other and with
// its benchmark, so a checklist tool matches them to the published rule.
func TestRulesAreWellFormed(t *testing.T) {
	vuln := regexp.MustCompile(`^V-(\d+)$`)
	seen := map[string]bool{}
	for _, c := range All {
		m := vuln.FindStringSubmatch(c.VulnID)
		if m == nil {
			t.Errorf("%s: not a Vuln ID", c.VulnID)
			continue
		}
		if seen[c.Benchmark.ID+c.VulnID] {
			t.Errorf("%s listed twice", c.VulnID)
		}
		seen[c.Benchmark.ID+c.VulnID] = true
		if !regexp.MustCompile(`^SV-` + m[1] + `r\d+_rule$`).MatchString(c.RuleID) {
			t.Errorf("%s: rule ID %q is not of the same rule", c.VulnID, c.RuleID)
		}
		prefix := map[string]string{Mailbox.ID: "EX19-MB-", Edge.ID: "EX19-ED-"}[c.Benchmark.ID]
		if prefix == "" || !strings.HasPrefix(c.STIGID, prefix) {
			t.Errorf("%s: STIG ID %q does not belong to %s", c.VulnID, c.STIGID, c.Benchmark.ID)
		}
		if c.Severity != "high" && c.Severity != "medium" && c.Severity != "low" {
			t.Errorf("%s: severity %q", c.VulnID, c.Severity)
		}
		if c.Title == "" || c.Check == "" || strings.HasSuffix(c.Title, ".") || !strings.HasSuffix(c.Check, ".") {
			t.Errorf("%s: title %q, check %q", c.VulnID, c.Title, c.Check)
		}
	}
}
