package ipsec

import (
	"strings"
	"testing"

	"github.com/secex/wizard/steps/script/scripttest"
	"github.com/secex/wizard/steps/steptest"
)

// TestVerifyFailsWhenNotApplied runs the decisions of every server's
// ipsec-verify.cmd against the output of a server where the policy was
// not applied (another policy, or none, in force; an empty local store)
// and expects the check to fail; with the policy in force and the local
// copy made it must pass.
func TestVerifyFailsWhenNotApplied(t *testing.T) {
	for _, dir := range []string{reference, "testdata/corrected-from-2003"} {
		sc := steptest.Load(t, dir)
		c, err := Load(sc.Input())
		if err != nil {
			t.Fatal(err)
		}
		files, err := Step.Files(sc.Input())
		if err != nil {
			t.Fatal(err)
		}
		policyOf := map[string]string{}
		for _, h := range c.FrontEnds {
			policyOf[string(h.Name)] = string(c.FEPolicy)
		}
		for _, h := range c.BackEnds {
			policyOf[string(h.Name)] = string(c.BEPolicy)
		}
		for _, f := range files {
			if f.Name != VerifyFile {
				continue
			}
			policy := policyOf[f.Target]
			ds := scripttest.Decisions(string(f.Body))
			if len(ds) == 0 {
				t.Fatalf("%s/%s: no decisions", dir, f.Target)
			}
			applied := func(active, local string) map[string]string {
				out := map[string]string{}
				for _, d := range ds {
					switch {
					case strings.HasPrefix(d.Command, "netdiag"):
						out[d.Command] = "    IPSec test . . . . . . . . . . . : Passed\r\n        Directory IPSec Policy Active: '" + active + "'\r\n"
					case strings.HasPrefix(d.Command, "netsh"):
						out[d.Command] = "Source Machine            : EX\\DC01\r\nGPO Name                  : Some GPO\r\nAssigned IPSec Policy Name: " + active + "\r\n"
					default: // the local store's export
						out[d.Command] = "Windows Registry Editor Version 5.00\r\n\r\n[HKEY_LOCAL_MACHINE\\SOFTWARE\\Policies\\Microsoft\\Windows\\IPSec\\Policy\\Local\\ipsecPolicy{1}]\r\n\"ipsecName\"=\"" + local + "\"\r\n"
					}
				}
				return out
			}
			if scripttest.AnyFails(ds, applied(policy, policy)) {
				t.Errorf("%s/%s: the check fails with %s in force and copied", dir, f.Target, policy)
			}
			for what, out := range map[string]map[string]string{
				"no output":              {"": ""},
				"another policy":         applied("Server (Request Security)", policy),
				"no policy":              applied("", policy),
				"the local copy missing": applied(policy, "Server (Request Security)"),
			} {
				if what == "the local copy missing" && !c.Local {
					continue
				}
				if !scripttest.AnyFails(ds, out) {
					t.Errorf("%s/%s: %s passes the check", dir, f.Target, what)
				}
			}
		}
	}
}

// TestDomainCheckFailsClosed reads the decisions of the directory check
// that a VBScript interpreter would take: every mode that can pass must
// have looked something up, a mode it does not know is a usage error, and
// the check after the delete fails on parts of the change left behind.
func TestDomainCheckFailsClosed(t *testing.T) {
	for _, dir := range []string{reference, "testdata/corrected-from-2003"} {
		in := steptest.Load(t, dir).Input()
		files, err := Step.Files(in)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range files {
			b := string(f.Body)
			switch f.Name {
			case CheckFile:
				for _, want := range []string{
					// An unknown mode, or deleted without its list, stops.
					"    Case Else\r\n        Usage\r\n",
					"If Not WScript.Arguments.Named.Exists(\"before\") Then Usage\r\n",
					// The after-delete check looks for the rules and the
					// unused parts, and fails on them.
					"CheckObject \"ipsecNFA\", ",
					"    CheckLeftovers True\r\n",
					"classes = Array(\"ipsecNFA\", \"ipsecISAKMPPolicy\", \"ipsecFilter\", \"ipsecNegotiationPolicy\")",
					// A search that fails is a failure, not a pass.
					"WScript.Echo \"FAILED: the search for \" & what & \" failed: \" & Err.Description\r\n        failed = True\r\n",
				} {
					if !strings.Contains(b, want) {
						t.Errorf("%s/%s lacks %q", dir, f.Target, want)
					}
				}
			case CreateFile:
				if !strings.Contains(b, "/list:unowned > \"%HERE%ipsec-domain-before.txt\"") {
					t.Errorf("%s: %s keeps no list of what was there before", dir, CreateFile)
				}
			case DeleteFile:
				if !strings.Contains(b, "/expect:deleted /before:\"%HERE%ipsec-domain-before.txt\"\r\nif errorlevel 1 goto left\r\n") {
					t.Errorf("%s: %s does not check for what it left", dir, DeleteFile)
				}
				if !strings.Contains(b, `if exist "%HERE%..\ipsec-domain-check.vbs" set "HERE=%HERE%..\"`) {
					t.Errorf("%s: %s does not find the check from the bundle's backout folder", dir, DeleteFile)
				}
			}
		}
	}
}
