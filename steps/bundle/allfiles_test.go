package bundle_test

import (
	"bytes"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/bundle"
	"github.com/secex/wizard/steps/catalog"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/runbook/runbooktest"
	"github.com/secex/wizard/steps/steptest"
)

// placeholders are words that stand for a value the wizard knows, or mark
// text nobody finished: none may reach a file an administrator runs or
// reads. SMTP paths such as <probe@example.org> are not placeholders; an
// angle placeholder is a word or phrase without '@', '.' or '/'.
var placeholders = []*regexp.Regexp{
	regexp.MustCompile(`(?i)\bthe MX host\b`),
	regexp.MustCompile(`<[A-Za-z][A-Za-z0-9 _-]*>`),
	regexp.MustCompile(`(?i)\byour (own )?(server|servers|domain|domains|mail domain|mx|mx host|host|hostname|host name|gateway|isa server|firewall|dns server|address)\b`),
	regexp.MustCompile(`\b(TODO|XXX|FIXME|TBD)\b`),
	regexp.MustCompile(`(?i)\b(host ?name|server name|address|name) here\b`),
	regexp.MustCompile(`(?i)\b(server|host)name\.example\b`),
}

// unnamed are phrases that stand for a value unless the value follows
// them: "the published address" is a placeholder, "the published address
// 192.0.2.10" is not.
var unnamed = regexp.MustCompile(`(?i)\bthe (published|public|external|internal) (name|address|host name|IP address)\b( [0-9]|( [A-Za-z0-9-]+\.[A-Za-z0-9.-]*[A-Za-z0-9]))?`)

// plurals catch a count that does not agree with its noun.
var plurals = []*regexp.Regexp{
	regexp.MustCompile(`\b1 (users|servers|addresses|files|minutes|hours|restarts|steps|certificates|clients|computers|entries|lines|names|rules|domains|hosts|policies|filters|procedures|checks|seconds|days|members|connectors|scripts|values|ranges|items)\b`),
	regexp.MustCompile(`\b([02-9]|\d{2,}) (server|user|address|file|minute|hour|restart|step|certificate|client|computer|entry|line|name|rule|domain|host|policy|filter|procedure|check|second|day|member|connector|script|value|range|item)\b`),
}

// fileToken is a file name as a file mentions it: a name with one of the
// extensions the bundles hold, standing alone.
var fileToken = regexp.MustCompile(`(?i)(?:^|[^A-Za-z0-9_.%-])([A-Za-z0-9][A-Za-z0-9_.-]*\.(?:cmd|vbs|ps1|inf|txt|md))\b`)

// external are the file names a file may mention that a bundle does not
// hold, each for the reason given.
var external = map[string]string{
	"adsutil.vbs":                              "the IIS administration script on every IIS server (C:\\Inetpub\\AdminScripts)",
	"changes.txt":                              "capture-after.cmd writes it beside itself",
	"ipsec-domain-before.txt":                  "ipsec-domain-create.cmd writes it beside itself",
	"install-antispamagents.ps1":               "Exchange Setup's Scripts folder on every Exchange server",
	"exchangeextendedprotectionmanagement.ps1": "Microsoft's script from the CSS-Exchange releases, which the administrator downloads",
	"uninstall-antispamagents.ps1":             "Exchange Setup's Scripts folder on every Exchange server",
}

// written matches the names of the backups the relay apply scripts write
// beside themselves, one per SMTP virtual server.
var written = regexp.MustCompile(`(?i)^[a-z0-9-]+-backup-smtpsvc[0-9]+\.txt$`)

// exampleToken is a name in one of the domains reserved for examples.
var exampleToken = regexp.MustCompile(`(?i)[A-Za-z0-9._@-]*\bexample\.(?:com|net|org)\b`)

// probes are the example names the SMTP test sessions use on purpose, as
// senders and recipients from outside the organisation: example.net and
// example.org receive no mail.
var probes = []string{"probe.example.net", "probe@example.net", "probe@example.org", "test.example.net"}

// allScenarios is every scenario the procedures' golden tests use, and the
// catalogue's, by name.
func allScenarios(t *testing.T) map[string][]byte {
	t.Helper()
	matches, err := filepath.Glob(filepath.Join("..", "*", "testdata", "*", "answers.json"))
	if err != nil {
		t.Fatal(err)
	}
	matches = append(matches, filepath.Join("..", "catalog", "testdata", "contoso.json"))
	all := map[string][]byte{}
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		rel, _ := filepath.Rel("..", m)
		all[filepath.ToSlash(rel)] = b
	}
	if len(all) < 10 {
		t.Fatalf("only %d scenarios found", len(all))
	}
	return all
}

// TestAllFilesReadTrue renders every scenario of every procedure with the
// whole catalogue into its bundles and reads every file an administrator
// gets: the generated scripts and guides, README.txt and the Markdown
// runbooks. No file may hold a placeholder where the wizard knows the
// value, name a file its bundle does not hold, or count one thing in the
// plural (or several in the singular).
func TestAllFilesReadTrue(t *testing.T) {
	for name, raw := range allScenarios(t) {
		t.Run(name, func(t *testing.T) {
			sc := loadScenario(t, raw)
			in := sc.Input()
			complete := func(id string) bool {
				st, ok := catalog.Lookup(id)
				a, answered := sc.Answers[id]
				if !ok || !answered {
					return false
				}
				_, missing := st.Unanswered(a)
				return !missing
			}
			out, err := steps.Produce(catalog.All, in, complete)
			if err != nil {
				t.Fatal(err)
			}
			if out.Blocked() {
				t.Fatalf("blocked: %+v", out.Findings)
			}
			// A scenario whose procedures are all done by hand has no
			// files; its bundles still hold the runbook.
			if len(out.Files) == 0 && slices.ContainsFunc(out.Actions, func(a steps.Action) bool { return a.Script != "" }) {
				t.Fatal("no files, although the plan runs scripts")
			}
			hs, err := bundle.FileHashes(out)
			if err != nil {
				t.Fatal(err)
			}
			meta := runbook.Meta{Product: in.Product, Version: in.Version, Project: in.Project, Revision: 7,
				AnswersHash: in.AnswersHash, Generated: runbooktest.Generated}
			ticket := runbooktest.Ticket()
			doc := runbook.Build(meta, ticket, catalog.All, in, out, nil, hs)
			set, err := bundle.All(bundle.Options{Meta: meta, Ticket: ticket, HTML: plainHTML}, doc, out)
			if err != nil {
				t.Fatal(err)
			}
			bundles := map[string][]byte{"change": set.Change}
			for target, z := range set.Servers {
				bundles[target] = z
			}
			unzipped := map[string]map[string][]byte{}
			elsewhere := map[string][]string{} // base name to the targets whose bundles hold it
			for bname, z := range bundles {
				_, files := unzip(t, z)
				unzipped[bname] = files
				if bname == "change" {
					continue
				}
				for p := range files {
					base := strings.ToLower(path.Base(p))
					elsewhere[base] = append(elsewhere[base], bname)
				}
			}
			for bname, files := range unzipped {
				held := map[string]bool{}
				for p := range files {
					held[strings.ToLower(path.Base(p))] = true
				}
				var paths []string
				for p := range files {
					paths = append(paths, p)
				}
				slices.Sort(paths)
				for _, p := range paths {
					if !readable(p) {
						continue
					}
					where := bname + ":" + p
					text := string(bytes.TrimPrefix(files[p], []byte("\xef\xbb\xbf")))
					for _, problem := range readProblems(text, held, elsewhere, raw) {
						t.Errorf("%s: %s", where, problem)
					}
				}
			}
		})
	}
}

func loadScenario(t *testing.T, raw []byte) steptest.Scenario {
	t.Helper()
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "answers.json"), raw, 0o644); err != nil {
		t.Fatal(err)
	}
	return steptest.Load(t, dir)
}

// readable reports whether a bundle file is text an administrator reads:
// everything but the HTML print of the runbook (the Markdown one has the
// same words), the manifest and the sums, which only list the files.
func readable(p string) bool {
	switch base := path.Base(p); {
	case strings.HasSuffix(base, ".html"), base == "manifest.json", base == "SHA256SUMS":
		return false
	}
	return true
}

// readProblems lists what is wrong with the words of one file: held is the
// lower-case base names of the files of its bundle, elsewhere the targets
// whose bundles hold each name, and scenario the scenario's JSON, where
// every name the wizard was given appears. A file of another target's
// bundle may be named where the text says where it runs: "10-x.vbs on
// SMTPGW01", "x.cmd on each back-end".
func readProblems(text string, held map[string]bool, elsewhere map[string][]string, scenario []byte) []string {
	var problems []string
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSuffix(line, "\r")
		at := "line " + strconv.Itoa(i+1) + ": "
		for _, re := range placeholders {
			if m := re.FindString(line); m != "" {
				problems = append(problems, at+"placeholder "+quote(m)+" in "+quote(line))
			}
		}
		for _, m := range unnamed.FindAllStringSubmatch(line, -1) {
			if m[3] == "" {
				problems = append(problems, at+"placeholder "+quote(m[0])+" with no value after it, in "+quote(line))
			}
		}
		for _, re := range plurals {
			if m := re.FindString(line); m != "" {
				problems = append(problems, at+"count and noun disagree: "+quote(m)+" in "+quote(line))
			}
		}
		// "echo.name" and "%~dp0name" are batch idioms around a name.
		names := strings.NewReplacer("echo.", "echo ", "ECHO.", "ECHO ", "%~dp0", "%~dp0 ").Replace(line)
		for _, m := range fileToken.FindAllStringSubmatchIndex(names, -1) {
			name := strings.ToLower(names[m[2]:m[3]])
			if held[name] || written.MatchString(name) {
				continue
			}
			if _, ok := external[name]; ok {
				continue
			}
			if len(elsewhere[name]) > 0 && strings.HasPrefix(names[m[3]:], " on ") {
				continue
			}
			problems = append(problems, at+"names "+names[m[2]:m[3]]+", which the bundle does not hold: "+quote(line))
		}
		for _, m := range exampleToken.FindAllString(line, -1) {
			m = strings.Trim(m, ".-@")
			if slices.Contains(probes, strings.ToLower(m)) || bytes.Contains(bytes.ToLower(scenario), []byte(strings.ToLower(m))) {
				continue
			}
			problems = append(problems, at+"example name "+quote(m)+" is not a value of the project: "+quote(line))
		}
	}
	return problems
}

func quote(s string) string { return `"` + strings.TrimSpace(s) + `"` }
