package bundle

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/runbook"
)

// The folders of a server's bundle.
const (
	BackoutDir = "backout"
	DocsDir    = "docs"
)

// placed is a generated file at its path in the server's folder.
type placed struct {
	path    string
	file    *steps.File
	numbers *applyNames // every target's numbered apply scripts
	packed  []byte      // the body as the bundle holds it, once made
	sum     string      // hex SHA-256 of packed, once computed
}

// applyNames maps the name a procedure gave an apply script to the name the
// bundle gives it, on each target that has one by that name.
type applyNames struct {
	byName map[string][]numberedName

	// lengths has bit i set when a name is i bytes long (checkName allows
	// at most 100): most words of a file are no apply script's length, so
	// rewrite looks only the others up.
	lengths [2]uint64
}

func (n *applyNames) add(name string, to numberedName) {
	if n.byName == nil {
		n.byName = map[string][]numberedName{}
	}
	n.byName[name] = append(n.byName[name], to)
	n.lengths[len(name)/64] |= 1 << (len(name) % 64)
}

// mayBe reports whether some apply script's name is l bytes long.
func (n *applyNames) mayBe(l int) bool {
	return l < 128 && n.lengths[l/64]&(1<<(l%64)) != 0
}

type numberedName struct{ target, name string }

// body returns the file as the bundle holds it: the procedure's bytes with
// every mention of an apply script by the name its procedure gave it
// written with its number, so that the usage line of
// 10-gateway-relay-apply.vbs, and every file that tells the operator to run
// it, name the file the folder holds. A mention of another target's script
// is renamed where the text says where it runs ("gateway-relay-apply.vbs
// on SMTPGW01").
func (p *placed) body() []byte {
	if p.packed == nil {
		p.packed = p.numbers.rewrite(p.file.Body, p.file.Target)
	}
	return p.packed
}

// sha returns the hex SHA-256 of the file as the bundle holds it,
// computing it the first time: a server's download hashes only its own
// files.
func (p *placed) sha() string {
	if p.sum == "" {
		p.sum = sha256Hex(p.body())
	}
	return p.sum
}

// rewrite returns b, a file of target, with each mention of an apply
// script that stands alone (not part of a longer name or of a path)
// written with the script's number. A name right after "echo." (the batch
// idiom for echoing a line that may be blank) stands alone too. b itself is
// returned when nothing is renamed.
func (n *applyNames) rewrite(b []byte, target string) []byte {
	if !n.mentioned(b) {
		return b
	}
	inToken := func(c byte) bool { return nameChars[c] }
	var out []byte
	done := 0 // b[:done] is in out
	for i := 0; i < len(b); {
		if !inToken(b[i]) {
			i++
			continue
		}
		start := i
		for i < len(b) && inToken(b[i]) {
			i++
		}
		// PowerShell's ".\name" runs name from the current folder; any
		// other slash before it makes it part of a path.
		dotSlash := start >= 2 && b[start-2] == '.' && b[start-1] == '\\' && (start == 2 || !inToken(b[start-3]))
		if start > 0 && (b[start-1] == '/' || b[start-1] == '\\') && !dotSlash {
			continue // part of a path
		}
		from, end := start, i
		if end-from > 5 && bytes.EqualFold(b[from:from+5], []byte("echo.")) {
			from += 5
		}
		for end > from && b[end-1] == '.' {
			end-- // the full stop of a sentence
		}
		if !n.mayBe(end - from) {
			continue
		}
		to, ok := n.lookup(b[from:end], target, b[end:])
		if !ok {
			continue
		}
		if out == nil {
			out = make([]byte, 0, len(b)+64)
		}
		out = append(out, b[done:from]...)
		out = append(out, to...)
		done = end
	}
	if out == nil {
		return b
	}
	return append(out, b[done:]...)
}

// mentioned reports whether b holds the name of an apply script anywhere,
// even inside a longer word: most files name none, and a search for the
// few names is much faster than reading b word by word.
func (n *applyNames) mentioned(b []byte) bool {
	for name := range n.byName {
		if bytes.Contains(b, []byte(name)) {
			return true
		}
	}
	return false
}

// nameChars holds the bytes a word of rewrite is made of: those of a file
// name (see checkName).
var nameChars = func() (t [256]bool) {
	for c := range t {
		t[c] = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.'
	}
	return t
}()

// lookup returns the bundle's name for name mentioned in a file of target:
// target's own apply script, or another target's when rest (the text after
// the name) begins with " on " and that target's name.
func (n *applyNames) lookup(name []byte, target string, rest []byte) (string, bool) {
	cands := n.byName[string(name)]
	for _, c := range cands {
		if c.target == target {
			return c.name, true
		}
	}
	for _, c := range cands {
		on := " on " + c.target
		if len(rest) >= len(on) && string(rest[:len(on)]) == on &&
			(len(rest) == len(on) || !(rest[len(on)] >= 'a' && rest[len(on)] <= 'z' || rest[len(on)] >= 'A' && rest[len(on)] <= 'Z' || rest[len(on)] >= '0' && rest[len(on)] <= '9' || rest[len(on)] == '-' || rest[len(on)] == '_')) {
			return c.name, true
		}
	}
	return "", false
}

// layout places every generated file of out, per target. Apply scripts are
// numbered in the order the plan runs them (the first action naming each as
// its Script), then any the plan does not name, in the order produced.
func layout(out steps.Output) (map[string][]*placed, error) {
	applies := map[string][]*steps.File{}
	byName := map[[2]string]*steps.File{}
	for i := range out.Files {
		f := &out.Files[i]
		if err := checkName(f.Name); err != nil {
			return nil, fmt.Errorf("%s: %s: %w", f.Target, f.Step, err)
		}
		byName[[2]string{f.Target, f.Name}] = f
	}
	numbered := map[*steps.File]bool{}
	for _, a := range out.Actions {
		if f := byName[[2]string{a.Target, a.Script}]; f != nil && f.Kind == steps.FileApply && !numbered[f] {
			numbered[f] = true
			applies[f.Target] = append(applies[f.Target], f)
		}
	}
	for i := range out.Files {
		if f := &out.Files[i]; f.Kind == steps.FileApply && !numbered[f] {
			numbered[f] = true
			applies[f.Target] = append(applies[f.Target], f)
		}
	}
	order := map[*steps.File]string{}
	numbers := &applyNames{}
	for target, fs := range applies {
		width := max(2, len(strconv.Itoa(len(fs)*10)))
		for i, f := range fs {
			order[f] = fmt.Sprintf("%0*d-", width, (i+1)*10)
			numbers.add(f.Name, numberedName{target, order[f] + f.Name})
		}
	}

	placedBy := map[string][]*placed{}
	seen := map[[2]string]string{}
	for i := range out.Files {
		f := &out.Files[i]
		p := f.Name
		switch f.Kind {
		case steps.FileApply:
			p = order[f] + f.Name
		case steps.FileBackout:
			p = BackoutDir + "/" + f.Name
		case steps.FileGuide:
			p = DocsDir + "/" + f.Name
		case steps.FileVerify, steps.FileHelper:
		default:
			return nil, fmt.Errorf("%s: %s: file %s has no known kind (%q)", f.Target, f.Step, f.Name, f.Kind)
		}
		key := [2]string{f.Target, strings.ToLower(p)}
		if other, ok := seen[key]; ok {
			// Windows folders ignore case, so names differing only in
			// case collide too.
			return nil, fmt.Errorf("%s: %s and %s would both be %s", f.Target, other, f.Step, p)
		}
		seen[key] = f.Step
		if reserved(p) {
			return nil, fmt.Errorf("%s: %s: the file name %s is the bundle's own", f.Target, f.Step, p)
		}
		placedBy[f.Target] = append(placedBy[f.Target], &placed{path: p, file: f, numbers: numbers})
	}
	return placedBy, nil
}

// hashAll computes the bundle's bytes and hash of every placed file, the
// targets spread over the processors: each target's files are its own, so
// the goroutines share nothing they write.
func hashAll(byTarget map[string][]*placed) {
	var files [][]*placed
	for _, ps := range byTarget {
		files = append(files, ps)
	}
	steps.Concurrently(len(files), func(i int) (struct{}, error) {
		for _, p := range files[i] {
			p.sha()
		}
		return struct{}{}, nil
	})
}

// reserved reports whether p is a name the bundle writes itself.
func reserved(p string) bool {
	switch strings.ToLower(p) {
	case "readme.txt", "manifest.json", "sha256sums":
		return true
	}
	return strings.HasPrefix(strings.ToLower(p), "runbook")
}

// checkName accepts the file names a procedure may give: letters, digits,
// '.', '-' and '_', not starting with a dot. Anything else could leave the
// folder, clash with a Windows device name or read differently on another
// system.
func checkName(name string) error {
	if name == "" || name[0] == '.' || len(name) > 100 {
		return fmt.Errorf("file name %q is not allowed", name)
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return fmt.Errorf("file name %q has the character %q; use letters, digits, '.', '-' and '_'", name, c)
		}
	}
	base, _, _ := strings.Cut(strings.ToUpper(name), ".")
	switch base {
	case "CON", "PRN", "AUX", "NUL", "COM1", "COM2", "COM3", "COM4", "COM5", "COM6", "COM7", "COM8", "COM9",
		"LPT1", "LPT2", "LPT3", "LPT4", "LPT5", "LPT6", "LPT7", "LPT8", "LPT9":
		return fmt.Errorf("file name %q is a Windows device name", name)
	}
	return nil
}

// FileHashes returns the path in its server's folder and the SHA-256 of
// every generated file of out, as the bundles will hold them. Build the
// runbook with them (runbook.Build's files) before packing: the runbook
// prints these hashes, and Server and Change check that it does.
func FileHashes(out steps.Output) ([]runbook.FileHash, error) {
	byTarget, err := layout(out)
	if err != nil {
		return nil, err
	}
	hashAll(byTarget)
	at := map[*steps.File]*placed{}
	for _, ps := range byTarget {
		for _, p := range ps {
			at[p.file] = p
		}
	}
	var hs []runbook.FileHash
	for i := range out.Files {
		p := at[&out.Files[i]]
		hs = append(hs, runbook.FileHash{Target: p.file.Target, Path: p.path, SHA256: p.sha()})
	}
	return hs, nil
}

// Folder is the name of target's folder in the change bundle, and its part
// of file names: the name with every character other than a letter, digit,
// '.', '-' or '_' made '-', so "Outlook clients" is "Outlook-clients".
func Folder(target string) string {
	b := []byte(target)
	for i, c := range b {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			b[i] = '-'
		}
	}
	if len(b) == 0 || b[0] == '.' {
		return "-" + string(b)
	}
	return string(b)
}

// FileName is the name to save target's bundle under, such as
// CHG0012345_EXBE02.zip; with an empty target, the change bundle's,
// CHG0012345_change.zip.
func FileName(t steps.Ticket, target string) string {
	number := Folder(strings.TrimSpace(t.Number))
	if strings.Trim(number, "-") == "" {
		number = "change"
	}
	if target == "" {
		if number == "change" {
			return "change.zip"
		}
		return number + "_change.zip"
	}
	return number + "_" + Folder(target) + ".zip"
}
