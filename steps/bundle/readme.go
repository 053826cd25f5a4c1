package bundle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/runbook"
	"github.com/secex/wizard/steps/script"
)

func sha256Hex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// readme builds README.txt: UTF-8 with a byte order mark, so that Notepad on
// an old server does not read it in the ANSI code page, and CRLF line
// endings.
type readme struct{ b strings.Builder }

const readmeWidth = 76

func (r *readme) line(s string) { r.b.WriteString(strings.TrimRight(s, " ") + "\r\n") }
func (r *readme) blank()        { r.b.WriteString("\r\n") }

// para wraps text at the README's width, each line indented by indent.
func (r *readme) para(indent, s string) { r.item(indent, indent, s) }

// item wraps text at the README's width, the first line starting with
// first and the others with rest. A word longer than the line stays whole.
func (r *readme) item(first, rest, s string) {
	n := len(first)
	r.b.WriteString(first)
	empty := true
	for w := range strings.FieldsSeq(s) {
		if !empty && n+1+len(w) > readmeWidth {
			r.b.WriteString("\r\n")
			r.b.WriteString(rest)
			n, empty = len(rest), true
		}
		if !empty {
			r.b.WriteByte(' ')
			n++
		}
		r.b.WriteString(w)
		n += len(w)
		empty = false
	}
	r.b.WriteString("\r\n")
}

// code writes a command on its own line, never wrapped, so it can be typed
// or pasted exactly.
func (r *readme) code(s string) { r.line("     " + s) }

func (r *readme) heading(s string) {
	r.blank()
	r.line(s)
	r.blank()
}

func (r *readme) bytes() []byte { return append([]byte("\xef\xbb\xbf"), r.b.String()...) }

// one makes a value one line of text: no line breaks, control characters
// or text-direction controls.
func one(s string) string { return strings.Join(strings.Fields(script.CommentText(s, false)), " ") }

// win writes a bundle path the way Windows shows it.
func win(p string) string { return strings.ReplaceAll(p, "/", `\`) }

// newAbout returns the lines under the title of every README.txt of a
// rendering: the change, its window, the project and what made the files.
func newAbout(opts Options) string {
	var r readme
	t, m := opts.Ticket, opts.Meta
	r.item("Change:    ", "           ", one(t.Number)+": "+one(t.Title))
	if start, end, err := t.Window(); err == nil {
		r.item("Window:    ", "           ", start.Format("Mon 2006-01-02 15:04")+" to "+end.Format("Mon 2006-01-02 15:04")+" "+one(t.TimeZone)+" (UTC"+start.Format("-07:00")+")")
	}
	r.item("Project:   ", "           ", one(m.Project)+", revision "+strconv.FormatInt(m.Revision, 10))
	r.item("Answers:   ", "           ", one(m.AnswersHash))
	made := one(strings.TrimSpace(m.Product + " " + m.Version))
	if !m.Generated.IsZero() {
		made += ", from the project as of " + m.Generated.UTC().Format(runbook.TimeLayout)
	}
	r.item("Made by:   ", "           ", made)
	return r.b.String()
}

func (r *readme) about(about, title string) {
	r.line(title)
	r.line(strings.Repeat("=", min(len(title), readmeWidth)))
	r.blank()
	r.b.WriteString(about)
}

func sectionNumber(doc *runbook.Doc, id string) string {
	if s := doc.Section(id); s != nil {
		return strconv.Itoa(s.Number)
	}
	return "?"
}

// checkHashesText says how to check the files against SHA256SUMS and the
// runbook. Windows 2000 and Server 2003 have no PowerShell, so the check is
// made where the bundle was downloaded, before anything reaches a server.
func (r *readme) checkHashesText(doc *runbook.Doc, example string, folders bool) {
	r.heading("1. CHECK THE FILES BEFORE ANYTHING ELSE")
	where := "every file here"
	if folders {
		where = "every file here, in every folder"
	}
	r.para("   ", "SHA256SUMS lists the SHA-256 of "+where+", and the runbook prints the hashes of the scripts in section "+
		sectionNumber(doc, runbook.SectionControl)+", \"Document control\". Check them on a computer with Windows PowerShell 4.0 or later, "+
		"such as the workstation the bundle was downloaded to, before the files are copied to a server. In PowerShell, in this folder, one file:")
	r.blank()
	r.code("Get-FileHash -Algorithm SHA256 .\\" + win(example))
	r.blank()
	r.para("   ", "The Hash it prints must equal the file's line in SHA256SUMS and, for a script, the hash in the signed runbook (upper or lower case does not matter). "+
		"Every file at once, printing only those that differ:")
	r.blank()
	r.code(`Get-Content .\SHA256SUMS | ForEach-Object { $h, $p = $_ -split '  ', 2; if ((Get-FileHash -Algorithm SHA256 -LiteralPath $p).Hash -ne $h) { "DIFFERS: $p" } }`)
	r.blank()
	r.para("   ", "If a file differs, or the runbook gives a script another hash, stop: run nothing, and make the bundle again from the project. "+
		"The runbook's revision and answers hash must be the ones above.")
}

// sortedByPath returns the files in the order of their paths, as the ZIP
// lists them.
func sortedByPath(ps []*placed) []*placed {
	ps = slices.Clone(ps)
	slices.SortFunc(ps, func(a, b *placed) int { return strings.Compare(a.path, b.path) })
	return ps
}

// exampleScript returns the first file to run (apply, verify or helper) by
// path, or "".
func exampleScript(ps []*placed) string {
	for _, p := range sortedByPath(ps) {
		if k := p.file.Kind; k == steps.FileApply || k == steps.FileVerify || k == steps.FileHelper {
			return p.path
		}
	}
	return ""
}

func (r *readme) unblockText(ps1 string, change bool) {
	r.heading("2. UNBLOCK THE FILES ONCE THEY MATCH")
	r.para("   ", "Windows marks the files extracted from a downloaded ZIP as coming from the Internet, and warns or refuses before running them. "+
		"Only after the hashes match, remove the mark: in PowerShell 3.0 or later, in this folder,")
	r.blank()
	r.code("Get-ChildItem -Recurse | Unblock-File")
	r.blank()
	r.para("   ", "or click Unblock on the General tab of each file's Properties. Then copy the files to the server.")
	r.blank()
	switch {
	case change:
		r.para("   ", "PowerShell scripts (.ps1) also obey the execution policy: each folder's README.txt says what that means for its scripts.")
		return
	case ps1 == "":
		r.para("   ", "PowerShell scripts obey the execution policy. This folder holds none: batch files (.cmd) and VBScript files (.vbs) are not subject to it.")
		return
	}
	r.para("   ", "PowerShell scripts (.ps1) obey the execution policy; see it with Get-ExecutionPolicy -List. RemoteSigned, the default on Windows Server 2012 R2 and later, "+
		"runs local scripts once they are unblocked. Do not set the policy to Unrestricted for the computer. If a script is refused, run that one script with")
	r.blank()
	r.code(`powershell.exe -ExecutionPolicy Bypass -File .\` + win(ps1))
	r.blank()
	r.para("   ", "which Group Policy may forbid.")
}

// serverReadme is README.txt of target's bundle: what to run in which
// order, how to check and unblock the files, where the backout is.
func serverReadme(opts Options, about string, doc *runbook.Doc, files []*placed, runbookName string) []byte {
	var r readme
	r.b.Grow(6000)
	target := doc.Target
	r.about(about, target+": files for change "+one(opts.Ticket.Number))
	r.blank()
	r.para("", "This folder holds what "+target+" needs for the change. Work from the runbook, "+runbookName+".html (print it) or "+
		runbookName+".md: it says what to do, in which order, what to expect and how to undo it. Its step numbers are those of the whole change; "+
		"the steps missing from it are done elsewhere.")

	files = sortedByPath(files)
	example := exampleScript(files)
	if example == "" {
		example = runbookName + ".md"
	}
	ps1 := ""
	for _, p := range files {
		if strings.EqualFold(path.Ext(p.path), ".ps1") {
			ps1 = p.path
			break
		}
	}
	r.checkHashesText(doc, example, false)
	r.unblockText(ps1, false)

	r.heading("3. DO THE STEPS IN ORDER")
	sts := doc.Steps()
	if len(sts) == 0 {
		r.para("   ", "There is no step to do on "+target+".")
	}
	for i, s := range sts {
		if i > 0 {
			r.blank()
		}
		label := "   Step " + strconv.Itoa(s.Number) + ": "
		r.item(label, strings.Repeat(" ", len(label)), one(s.Title))
		how := "By hand, as the runbook says."
		if s.Script != nil {
			how = "Run " + win(s.Script.Path) + "."
		}
		r.item(strings.Repeat(" ", len(label)), strings.Repeat(" ", len(label)), how)
	}

	r.heading("4. CHECK THE RESULT")
	r.para("   ", "The verification plan is section "+sectionNumber(doc, runbook.SectionVerification)+" of the runbook: tick Pass or Fail for each check.")
	var verify []string
	for _, p := range files {
		if p.file.Kind == steps.FileVerify {
			verify = append(verify, win(p.path))
		}
	}
	if len(verify) > 0 {
		r.blank()
		r.para("   ", "Read-only checks in this folder: "+strings.Join(verify, ", ")+".")
	}

	r.heading("5. IF YOU HAVE TO BACK OUT")
	r.para("   ", "The backout plan is section "+sectionNumber(doc, runbook.SectionBackout)+" of the runbook: what triggers it, and how to undo each step that was done, in reverse order of the plan.")
	var backout []string
	for _, p := range files {
		if p.file.Kind == steps.FileBackout {
			backout = append(backout, win(p.path))
		}
	}
	if len(backout) > 0 {
		r.blank()
		r.para("   ", "The backout scripts, in the folder "+BackoutDir+`\:`)
		r.blank()
		for _, b := range backout {
			r.code(b)
		}
		r.blank()
		r.para("   ", "Steps without a backout script are undone by hand, as the runbook says.")
	} else {
		r.blank()
		r.para("   ", "There is no backout script: every step is undone by hand, as the runbook says.")
	}

	r.heading("6. WHAT IS IN THIS FOLDER")
	rows := [][2]string{{"README.txt", "this file"}}
	for _, p := range files {
		rows = append(rows, [2]string{win(p.path), fileRole(p, doc)})
	}
	rows = append(rows,
		[2]string{runbookName + ".html", "the runbook of " + target + ", to print"},
		[2]string{runbookName + ".md", "the same runbook, as text"},
		[2]string{"manifest.json", "the files with their SHA-256 and size, and what they were made from"},
		[2]string{"SHA256SUMS", "the SHA-256 of every other file"},
	)
	r.table(rows)
	return r.bytes()
}

// fileRole says what a generated file is for, and which steps run it.
func fileRole(p *placed, doc *runbook.Doc) string {
	var nums []string
	for _, s := range doc.Steps() {
		if s.Script != nil && s.Script.Path == p.path {
			nums = append(nums, strconv.Itoa(s.Number))
		}
	}
	if p.file.Kind == steps.FileBackout {
		if sec := doc.Section(runbook.SectionBackout); sec != nil {
			for _, b := range sec.Blocks {
				if u, ok := b.(*runbook.Backout); ok && slices.ContainsFunc(u.Scripts, func(f runbook.FileRef) bool { return f.Path == p.path }) {
					nums = append(nums, strconv.Itoa(u.Step))
				}
			}
		}
		slices.Reverse(nums) // the backout plan runs backwards
	}
	role := map[steps.FileKind]string{
		steps.FileApply: "apply script", steps.FileVerify: "read-only check", steps.FileBackout: "backout script",
		steps.FileGuide: "instructions for people", steps.FileHelper: "helper",
	}[p.file.Kind]
	what := ", "
	if p.file.Kind == steps.FileBackout {
		what = ", undoes "
	}
	switch len(nums) {
	case 0:
	case 1:
		role += what + "step " + nums[0]
	default:
		role += what + "steps " + strings.Join(nums, ", ")
	}
	return role
}

func (r *readme) table(rows [][2]string) {
	width := 0
	for _, row := range rows {
		width = max(width, len(row[0]))
	}
	width = min(width, 36)
	for _, row := range rows {
		first := "   " + row[0]
		if len(row[0]) > width {
			r.line(first)
			first = ""
		}
		first += strings.Repeat(" ", 3+width+2-len(first))
		r.item(first, strings.Repeat(" ", 3+width+2), row[1])
	}
}

// changeReadme is README.txt of the change bundle.
func changeReadme(opts Options, about string, doc *runbook.Doc, byTarget map[string][]*placed) []byte {
	var r readme
	r.about(about, "Change "+one(opts.Ticket.Number)+": every server's files")
	r.blank()
	r.para("", "This bundle holds the runbook of the whole change, runbook.html (print it) and runbook.md, and one folder for each server the change touches. "+
		"Each folder is that server's own bundle, byte for byte: give it to the server's administrator, who follows the README.txt inside it. "+
		"The whole-change runbook gives the order of work across servers.")

	example := "runbook.md"
	for _, t := range doc.Targets {
		if p := exampleScript(byTarget[t]); p != "" {
			example = Folder(t) + "/" + p
			break
		}
	}
	r.checkHashesText(doc, example, true)
	r.unblockText("", true)

	r.heading("3. THE FOLDERS")
	steps := map[string][]int{}
	for _, s := range doc.Steps() {
		steps[s.Target] = append(steps[s.Target], s.Number)
	}
	var rows [][2]string
	for _, t := range doc.Targets {
		desc := fmt.Sprintf("%s; %s", countSteps(steps[t]), countFiles(len(byTarget[t])))
		if t != Folder(t) {
			desc = t + ": " + desc
		}
		rows = append(rows, [2]string{Folder(t) + `\`, desc})
	}
	r.table(rows)

	r.heading("4. IF YOU HAVE TO BACK OUT")
	r.para("   ", "The backout plan is section "+sectionNumber(doc, runbook.SectionBackout)+" of the runbook: what triggers it, and how to undo each step that was done, in reverse order of the plan. "+
		"Each server's backout scripts are in the folder "+BackoutDir+`\ of its folder.`)
	return r.bytes()
}

func countSteps(ns []int) string {
	switch len(ns) {
	case 0:
		return "no step"
	case 1:
		return "step " + strconv.Itoa(ns[0])
	}
	var ss []string
	for _, n := range ns {
		ss = append(ss, strconv.Itoa(n))
	}
	if len(ss) > 6 {
		return fmt.Sprintf("%d steps, %s to %s", len(ns), ss[0], ss[len(ss)-1])
	}
	return "steps " + strings.Join(ss, ", ")
}

func countFiles(n int) string {
	switch n {
	case 0:
		return "no generated file"
	case 1:
		return "1 generated file"
	}
	return strconv.Itoa(n) + " generated files"
}
