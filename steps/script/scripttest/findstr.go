package scripttest

import (
	"regexp"
	"strconv"
	"strings"
)

// Decision is one check of a generated .cmd file: a findstr over a
// command's output, and where the file goes when findstr finds a line and
// when it does not. Verify scripts decide by these, so a test can run each
// decision against the output of a computer where the change was not made
// and expect it to fail.
type Decision struct {
	Line       int      // 1-based line of the findstr in the file
	Command    string   // the command whose output findstr reads, as written
	Patterns   []string // the /c: strings, as findstr receives them
	Regex      bool     // /r
	IgnoreCase bool     // /i
	Skip       int      // lines "more +N" drops before findstr reads them

	// FailsOnMatch and FailsOnNoMatch say whether the branch taken sets
	// FAILED=1 (or exits with a non-zero code) before the next check.
	FailsOnMatch, FailsOnNoMatch bool
}

// Fails reports whether the decision fails for output, the text of its
// command.
func (d Decision) Fails(output string) bool {
	lines := strings.Split(strings.ReplaceAll(output, "\r\n", "\n"), "\n")
	if d.Skip < len(lines) {
		lines = lines[d.Skip:]
	} else {
		lines = nil
	}
	matched := false
	for _, l := range lines {
		for _, p := range d.Patterns {
			if FindstrMatch(p, l, d.Regex, d.IgnoreCase) {
				matched = true
			}
		}
	}
	if matched {
		return d.FailsOnMatch
	}
	return d.FailsOnNoMatch
}

var (
	findstrLine = regexp.MustCompile(`^(.*?)\|\s*(?:more \+(\d+)\s*\|\s*)?findstr((?:\s+/[a-z]+(?::"[^"]*")?)+)`)
	findstrOpt  = regexp.MustCompile(`/([a-z]+)(?::"([^"]*)")?`)
	gotoLine    = regexp.MustCompile(`^if (not )?errorlevel 1 goto (\S+)$`)
)

// Decisions finds every findstr of a generated .cmd file followed by an
// "if [not] errorlevel 1 goto label" line, and works out from the file's
// labels which outcome fails: the branch that reaches set "FAILED=1" or
// exit /b with a non-zero code before it leaves for another label.
func Decisions(body string) []Decision {
	lines := strings.Split(strings.ReplaceAll(body, "\r\n", "\n"), "\n")
	labels := map[string]int{}
	for i, l := range lines {
		if strings.HasPrefix(l, ":") {
			labels[strings.ToLower(strings.TrimPrefix(l, ":"))] = i
		}
	}
	var ds []Decision
	for i := 0; i+1 < len(lines); i++ {
		m := findstrLine.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		g := gotoLine.FindStringSubmatch(strings.TrimSpace(lines[i+1]))
		if g == nil {
			continue
		}
		d := Decision{Line: i + 1, Command: strings.TrimSpace(m[1])}
		d.Skip, _ = strconv.Atoi(m[2])
		for _, o := range findstrOpt.FindAllStringSubmatch(m[3], -1) {
			switch o[1] {
			case "c":
				d.Patterns = append(d.Patterns, o[2])
			case "r":
				d.Regex = true
			case "i":
				d.IgnoreCase = true
			}
		}
		jump := fails(lines, labels[strings.ToLower(g[2])]+1, labels)
		fallThrough := fails(lines, i+2, labels)
		if g[1] == "" { // if errorlevel 1: no line found jumps
			d.FailsOnNoMatch, d.FailsOnMatch = jump, fallThrough
		} else {
			d.FailsOnMatch, d.FailsOnNoMatch = jump, fallThrough
		}
		ds = append(ds, d)
	}
	return ds
}

// fails follows the file from line i (0-based) and reports whether it
// sets FAILED=1 or exits non-zero before the branch ends: a goto is
// followed, and the branch ends at goto :eof, at the next check's errorlevel
// test or at an exit /b 0.
func fails(lines []string, i int, labels map[string]int) bool {
	for seen := 0; i < len(lines) && seen < 200; i, seen = i+1, seen+1 {
		l := strings.TrimSpace(lines[i])
		switch {
		case l == `set "FAILED=1"`:
			return true
		case strings.HasPrefix(l, "exit /b "):
			return strings.TrimPrefix(l, "exit /b ") != "0"
		case strings.EqualFold(l, "goto :eof"):
			return false // the end of a subroutine
		case strings.HasPrefix(l, "goto "):
			n, ok := labels[strings.ToLower(strings.TrimPrefix(strings.TrimPrefix(l, "goto "), ":"))]
			if !ok {
				return false
			}
			i = n
		case strings.HasPrefix(l, "if errorlevel") || strings.HasPrefix(l, "if not errorlevel"):
			return false // the next decision
		}
	}
	return false
}

// FindstrMatch reports whether findstr would print line for the /c:
// string pattern: a literal substring, or with regex set findstr's own
// small regular expressions (. * ^ $ [class] and \ escapes; every other
// character, parentheses included, is literal).
func FindstrMatch(pattern, line string, regex, ignoreCase bool) bool {
	var expr string
	if !regex {
		expr = regexp.QuoteMeta(pattern)
	} else {
		var b strings.Builder
		for i := 0; i < len(pattern); i++ {
			c := pattern[i]
			switch {
			case c == '\\' && i+1 < len(pattern):
				i++
				b.WriteString(regexp.QuoteMeta(string(pattern[i])))
			case c == '.' || c == '*' || c == '^' || c == '$':
				b.WriteByte(c)
			case c == '[':
				end := strings.IndexByte(pattern[i:], ']')
				if end < 0 {
					b.WriteString(`\[`)
					continue
				}
				b.WriteString(pattern[i : i+end+1])
				i += end
			default:
				b.WriteString(regexp.QuoteMeta(string(c)))
			}
		}
		expr = b.String()
	}
	if ignoreCase {
		expr = "(?i)" + expr
	}
	re, err := regexp.Compile(expr)
	if err != nil {
		return false
	}
	return re.MatchString(line)
}

// AnyFails reports whether one of ds fails for output; each decision reads
// the output of its own command, outputs[d.Command], or the whole of
// outputs[""] when its command has no entry.
func AnyFails(ds []Decision, outputs map[string]string) bool {
	for _, d := range ds {
		out, ok := outputs[d.Command]
		if !ok {
			out = outputs[""]
		}
		if d.Fails(out) {
			return true
		}
	}
	return false
}
