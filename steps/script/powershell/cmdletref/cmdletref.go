// Package cmdletref checks generated PowerShell against Microsoft's
// published cmdlet reference: every cmdlet a script calls must exist, and
// every parameter it passes must exist for that cmdlet, in the product
// version the script is for.
//
// The reference is the tables in ../shared/reference/cmdlets (see their
// README): exchange.tsv for the Exchange cmdlets with the products each
// parameter applies to (2019, SE, …), windows.tsv for the Windows Server
// modules with the Windows Server versions. The core PowerShell cmdlets a
// script may use are listed here with their parameters, since the
// reference does not cover them.
package cmdletref

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
)

// Reference is the loaded tables: for each cmdlet (lower case), its
// parameters (lower case) with the versions each exists in.
type Reference struct {
	cmdlets map[string]map[string][]string // cmdlet -> parameter ("" for the cmdlet itself) -> versions
	aliases map[string]map[string]string   // cmdlet -> alias -> parameter
}

// Load reads exchange.tsv and windows.tsv from dir.
func Load(dir string) (*Reference, error) {
	r := &Reference{cmdlets: map[string]map[string][]string{}, aliases: map[string]map[string]string{}}
	for _, t := range []struct {
		name   string
		offset int // windows.tsv has the module first
	}{{"exchange.tsv", 0}, {"windows.tsv", 1}} {
		f, err := os.Open(filepath.Join(dir, t.name))
		if err != nil {
			return nil, err
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		first := true
		for sc.Scan() {
			if first {
				first = false
				continue
			}
			cols := strings.Split(sc.Text(), "\t")
			if len(cols) < 4+t.offset {
				continue
			}
			cmdlet, param := strings.ToLower(cols[t.offset]), strings.ToLower(cols[t.offset+1])
			versions := strings.Split(cols[t.offset+2], ",")
			if r.cmdlets[cmdlet] == nil {
				r.cmdlets[cmdlet] = map[string][]string{}
				r.aliases[cmdlet] = map[string]string{}
			}
			r.cmdlets[cmdlet][param] = append(r.cmdlets[cmdlet][param], versions...)
			if len(cols) > t.offset+3 && cols[t.offset+3] != "" {
				for _, a := range strings.Split(cols[t.offset+3], ",") {
					r.aliases[cmdlet][strings.ToLower(strings.TrimSpace(a))] = param
				}
			}
		}
		f.Close()
		if err := sc.Err(); err != nil {
			return nil, fmt.Errorf("%s: %w", t.name, err)
		}
	}
	if len(r.cmdlets) == 0 {
		return nil, fmt.Errorf("%s: no cmdlets read", dir)
	}
	return r, nil
}

// core lists the PowerShell cmdlets outside the reference that generated
// scripts may call, with the parameters they may pass.
var core = map[string][]string{
	"get-command":    {"name"},
	"write-host":     {"object", "nonewline"},
	"join-path":      {"path", "childpath"},
	"split-path":     {"path", "parent", "leaf"},
	"test-path":      {"literalpath", "path"},
	"export-clixml":  {"literalpath", "path", "inputobject", "depth"},
	"import-clixml":  {"literalpath", "path"},
	"foreach-object": {"process"},
	"sort-object":    {"property"},
	"where-object":   {"filterscript"},
	"out-null":       {},
	"set-strictmode": {"version"},
}

// common are the parameters every cmdlet accepts.
var common = []string{"whatif", "confirm", "verbose", "debug", "erroraction", "warningaction", "informationaction",
	"errorvariable", "warningvariable", "informationvariable", "outvariable", "outbuffer", "pipelinevariable", "progressaction"}

var (
	// comments and single-quoted strings (any of PowerShell's single
	// quote characters, doubled inside) are removed before commands are
	// looked for.
	commentLine = regexp.MustCompile(`(?m)^\s*#.*$`)
	singleQuote = regexp.MustCompile(`['‘’‚‛](?:[^'‘’‚‛]|['‘’‚‛]{2})*['‘’‚‛]`)
	cmdletToken = regexp.MustCompile(`\b(Add|Clear|Disable|Enable|Export|ForEach|Get|Import|Install|Join|New|Out|Remove|Set|Sort|Split|Start|Stop|Test|Where|Write|Update|Restart|Resolve|Invoke|Uninstall|Register|Unregister|Grant|Revoke|Select)-([A-Za-z][A-Za-z0-9]*)\b`)
	paramToken  = regexp.MustCompile(`^-([A-Za-z][A-Za-z0-9]*)(?::|\s|$)`)
	functionDef = regexp.MustCompile(`(?m)^\s*function\s+([A-Za-z][A-Za-z0-9-]*)`)
)

// Problem is one cmdlet or parameter a script uses that the reference
// does not have for the version.
type Problem struct {
	Line    int
	Message string
}

func (p Problem) String() string { return fmt.Sprintf("line %d: %s", p.Line, p.Message) }

// Check reads the PowerShell source src and reports every cmdlet it calls
// that neither the reference nor the core list has, and every parameter a
// call passes that the cmdlet does not have in version (an Exchange
// product such as "2019" or "SE" for Exchange cmdlets, a Windows Server
// version such as "2022" for the Windows modules). Parameters may be
// abbreviated to an unambiguous prefix, as PowerShell allows. Functions
// the script defines itself are skipped.
func (r *Reference) Check(src string, exchange, windows string) []Problem {
	own := map[string]bool{}
	for _, m := range functionDef.FindAllStringSubmatch(src, -1) {
		own[strings.ToLower(m[1])] = true
	}
	clean := commentLine.ReplaceAllStringFunc(src, func(s string) string { return strings.Repeat(" ", len(s)) })
	clean = singleQuote.ReplaceAllStringFunc(clean, func(s string) string { return "''" + strings.Repeat(" ", len(s)-2) })
	var ps []Problem
	for i, line := range strings.Split(clean, "\n") {
		for _, loc := range cmdletToken.FindAllStringIndex(line, -1) {
			// A token preceded by "function " is a definition, and one
			// preceded by a $ or a dot is a variable or member name.
			if loc[0] > 0 && strings.ContainsRune("$.", rune(line[loc[0]-1])) {
				continue
			}
			if strings.HasSuffix(strings.TrimSpace(line[:loc[0]]), "function") {
				continue
			}
			name := strings.ToLower(line[loc[0]:loc[1]])
			if own[name] {
				continue
			}
			for _, p := range r.checkCall(name, params(line[loc[1]:]), exchange, windows) {
				ps = append(ps, Problem{Line: i + 1, Message: line[loc[0]:loc[1]] + ": " + p})
			}
		}
	}
	return ps
}

// params returns the parameter names of a command from just after its
// name to the end of the statement: a pipe, semicolon or closing bracket
// at the command's own depth, or the end of the line.
func params(rest string) []string {
	var out []string
	depth := 0
	for i := 0; i < len(rest); i++ {
		switch c := rest[i]; c {
		case '(', '{', '[':
			depth++
		case ')', '}', ']':
			if depth == 0 {
				return out
			}
			depth--
		case '|', ';':
			if depth == 0 {
				return out
			}
		case '-':
			if depth == 0 && (i == 0 || rest[i-1] == ' ' || rest[i-1] == '\t') {
				if m := paramToken.FindStringSubmatch(rest[i:]); m != nil {
					out = append(out, strings.ToLower(m[1]))
				}
			}
		}
	}
	return out
}

func (r *Reference) checkCall(cmdlet string, names []string, exchange, windows string) []string {
	if allowed, ok := core[cmdlet]; ok {
		var ps []string
		for _, n := range names {
			if !slices.Contains(common, n) && !matchesPrefix(n, allowed) {
				ps = append(ps, "-"+n+" is not a parameter the product's scripts may pass to this core cmdlet")
			}
		}
		return ps
	}
	table, ok := r.cmdlets[cmdlet]
	if !ok {
		return []string{"not in Microsoft's cmdlet reference"}
	}
	var ps []string
	if v := table[""]; !slices.Contains(v, exchange) && !slices.Contains(v, windows) {
		ps = append(ps, fmt.Sprintf("the cmdlet does not exist in version %s (it exists in %s)", versionOf(exchange, windows, v), strings.Join(v, ", ")))
	}
	for _, n := range names {
		if slices.Contains(common, n) {
			continue
		}
		param, ok := r.resolve(cmdlet, n)
		if !ok {
			ps = append(ps, "-"+n+" is not one of its parameters")
			continue
		}
		if v := table[param]; !slices.Contains(v, exchange) && !slices.Contains(v, windows) {
			ps = append(ps, fmt.Sprintf("-%s does not exist in version %s (only in %s)", n, versionOf(exchange, windows, v), strings.Join(v, ", ")))
		}
	}
	return ps
}

func versionOf(exchange, windows string, have []string) string {
	if slices.ContainsFunc(have, func(s string) bool { return s == "2016" || s == "2022" || s == "2025" }) && windows != "" {
		return windows
	}
	return exchange
}

// resolve finds the parameter name n stands for: itself, an alias, or the
// only parameter it is a prefix of.
func (r *Reference) resolve(cmdlet, n string) (string, bool) {
	table := r.cmdlets[cmdlet]
	if _, ok := table[n]; ok && n != "" {
		return n, true
	}
	if p, ok := r.aliases[cmdlet][n]; ok {
		return p, true
	}
	var match string
	for p := range table {
		if p != "" && strings.HasPrefix(p, n) {
			if match != "" {
				return "", false
			}
			match = p
		}
	}
	return match, match != ""
}

func matchesPrefix(n string, allowed []string) bool {
	for _, a := range allowed {
		if strings.HasPrefix(a, n) {
			return true
		}
	}
	return false
}

// Dir returns the reference's folder: $CMDLET_REFERENCE when set, else
// ../shared/reference/cmdlets beside the module root, which it finds by
// walking up from the working directory to go.mod.
func Dir() (string, error) {
	if d := os.Getenv("CMDLET_REFERENCE"); d != "" {
		return d, nil
	}
	wd, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for d := wd; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return filepath.Join(filepath.Dir(d), "shared", "reference", "cmdlets"), nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod above %s", wd)
		}
	}
}
