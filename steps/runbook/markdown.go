package runbook

import (
	"strconv"
	"strings"

	"github.com/secex/wizard/steps/script"
)

// Markdown prints d as CommonMark with GitHub's tables and task lists, for
// the bundles and for version control.
//
// The bytes are UTF-8 without a byte order mark, with CRLF line endings and
// a final line break. CRLF, because every text file in a bundle has it and
// the runbook is read on the same Windows servers, in editors that show a
// bare LF as one long line. No BOM, because Markdown tools disagree about
// one: some show it as a stray character before the first heading. The same
// Doc always prints the same bytes.
//
// Every value typed by a person (the change ticket, the deviations, names)
// and every sentence of a procedure is printed as inline text: it is kept
// on one line and its Markdown punctuation is escaped, so a value can
// neither start a heading, list or table row nor make a link or raw HTML.
func Markdown(d *Doc) []byte {
	var w mdWriter
	w.b = make([]byte, 0, 12<<10+3200*len(d.Steps())) // a little over what a document takes
	w.line("# " + inline(d.Title))
	w.blank()
	scope := "Runbook for the whole change."
	if d.Target != "" {
		scope = "Runbook for " + inline(d.Target) + ": its part of the change."
	}
	w.line(scope + " " + inline(d.Meta.Project) + ", revision " + strconv.FormatInt(d.Meta.Revision, 10) +
		", answers hash " + code(d.Meta.AnswersHash) + ", generated from the project as of " + inline(formatTime(d.Meta.Generated)) + ".")
	for _, s := range d.Sections {
		w.blank()
		w.line("## " + strconv.Itoa(s.Number) + ". " + inline(s.Title))
		for _, b := range s.Blocks {
			w.blank()
			w.prev, w.begun = w.end, false
			w.block(b)
		}
	}
	return w.b
}

// mdWriter writes lines with CRLF endings. It remembers the list marker the
// previous block ended with: two lists separated only by a blank line are
// one list in Markdown unless their markers differ, so a block that starts
// with a list takes the other marker.
type mdWriter struct {
	b     []byte
	prev  byte // the marker the previous block ended with, or 0
	end   byte // the marker the current block ended with so far, or 0
	begun bool // the current block has written a line
}

func (w *mdWriter) line(s string) {
	w.b = append(append(w.b, s...), "\r\n"...)
	w.begun, w.end = true, 0
}

func (w *mdWriter) blank() { w.b = append(w.b, "\r\n"...) }

// items writes a list with marker '-', '*' or '+' (bullets) or '.' or ')'
// (numbered), each item already in Markdown.
func (w *mdWriter) items(marker byte, items []string) {
	if !w.begun && marker == w.prev {
		marker = map[byte]byte{'-': '+', '*': '+', '+': '-', '.': ')', ')': '.'}[marker]
	}
	for i, it := range items {
		if marker == '.' || marker == ')' {
			w.line(strconv.Itoa(i+1) + string(marker) + " " + it)
		} else {
			w.line(string(marker) + " " + it)
		}
	}
	w.end = marker
}

// tick writes boxes to tick: a task list with the '*' marker, so it never
// joins a '-' list printed just before it.
func (w *mdWriter) tick(items ...string) {
	for i, it := range items {
		items[i] = "[ ] " + it
	}
	w.items('*', items)
}

// writeIn is the blank a value is written into by hand.
const writeIn = "____________"

func (w *mdWriter) block(b Block) {
	switch b := b.(type) {
	case *Heading:
		w.line("### " + inline(b.Text))
	case *Para:
		if b.Label != "" {
			w.line(strings.TrimSuffix("**"+inline(b.Label)+":** "+inline(b.Text), " "))
		} else {
			w.line(lineStart(inline(b.Text)))
		}
	case *List:
		var items []string
		for _, it := range b.Items {
			items = append(items, lineStart(inline(it)))
		}
		if b.Ordered {
			w.items('.', items)
		} else {
			w.items('-', items)
		}
	case *Table:
		w.table(b)
	case *Checklist:
		var items []string
		for _, it := range b.Items {
			items = append(items, lineStart(inline(it)))
		}
		w.tick(items...)
	case *Step:
		w.line("#### Step " + strconv.Itoa(b.Number) + " on " + inline(b.Target) + ": " + inline(b.Title))
		w.blank()
		w.line("**Procedure:** " + inline(b.Procedure) + ". **Phase:** " + inline(b.Phase) + ".")
		if len(b.Do) > 0 {
			var do []string
			for _, d := range b.Do {
				do = append(do, lineStart(inline(d)))
			}
			w.blank()
			w.items('.', do)
		}
		var facts []string
		if b.Script != nil {
			facts = append(facts, "**Run:** "+fileRef(*b.Script))
		}
		if b.Interrupts != "" {
			facts = append(facts, "**Interrupts:** "+inline(b.Interrupts)+", "+length(b.Minutes))
		}
		if b.Expect != "" {
			facts = append(facts, "**Expected result:** "+inline(b.Expect))
		}
		if len(b.Rules) > 0 {
			facts = append(facts, "**Benchmark rules:** "+inline(strings.Join(b.Rules, "; ")))
		}
		if len(facts) > 0 {
			w.blank()
			w.items('-', facts)
		}
		w.blank()
		w.tick("Done   Time: " + writeIn + "   Initials: " + writeIn)
	case *Check:
		w.line("#### Check step " + strconv.Itoa(b.Step) + " on " + inline(b.Target) + ": " + inline(b.Title))
		w.blank()
		w.line(lineStart(inline(b.Verify)))
		w.blank()
		w.tick("Pass   [ ] Fail   Time: " + writeIn + "   Initials: " + writeIn)
	case *Backout:
		w.line("#### Undo step " + strconv.Itoa(b.Step) + " on " + inline(b.Target) + ": " + inline(b.Title))
		w.blank()
		w.line(lineStart(inline(orNone(b.Undo, "The procedure gives no way to undo this step; undo it by hand if it was done."))))
		if len(b.Scripts) > 0 {
			var files []string
			for _, s := range b.Scripts {
				files = append(files, "**Backout file:** "+fileRef(s))
			}
			w.blank()
			w.items('-', files)
		}
		w.blank()
		w.tick("Undone   [ ] Not needed   Time: " + writeIn + "   Initials: " + writeIn)
	case *WriteIn:
		w.writeIns(b.Labels)
	case *SignOff:
		t := &Table{Columns: []Column{{Label: "Role"}, {Label: "Name"}, {Label: "Signature", Write: true}, {Label: "Date", Write: true}}, RowHeader: true}
		for _, s := range b.Signers {
			t.Rows = append(t.Rows, []string{s.Role, s.Name, "", ""})
		}
		w.table(t)
	case *Closure:
		var outcomes []string
		for _, o := range b.Outcomes {
			outcomes = append(outcomes, lineStart(inline(o)))
		}
		w.tick(outcomes...)
		w.blank()
		w.writeIns(b.Lines)
	}
}

// writeIns writes each label with a blank after it, as paragraphs.
func (w *mdWriter) writeIns(labels []string) {
	for i, l := range labels {
		if i > 0 {
			w.blank()
		}
		w.line("**" + inline(l) + ":** " + writeIn + writeIn)
	}
}

func fileRef(f FileRef) string {
	s := code(f.Path)
	if f.SHA256 != "" {
		s += " (SHA-256 " + code(f.SHA256) + ")"
	}
	return s
}

// table prints a GitHub table. The caption is left out: a Markdown table
// has none, and the heading before it names it.
func (w *mdWriter) table(t *Table) {
	w.b = append(w.b, '|')
	for _, c := range t.Columns {
		w.b = append(append(append(w.b, ' '), cell(inline(c.Label))...), " |"...)
	}
	w.line("")
	w.b = append(w.b, '|')
	for range t.Columns {
		w.b = append(w.b, " --- |"...)
	}
	w.line("")
	for _, r := range t.Rows {
		w.b = append(w.b, '|')
		for i, c := range t.Columns {
			v := ""
			if i < len(r) {
				v = r[i]
			}
			switch {
			case c.Write || v == "":
				v = " "
			case c.Code:
				v = code(v)
			case i == 0 && t.RowHeader:
				v = "**" + inline(v) + "**"
			default:
				v = inline(v)
			}
			w.b = append(append(append(w.b, ' '), cell(v)...), " |"...)
		}
		w.line("")
	}
}

// cell escapes what would end a table cell. inline has escaped every '|'
// already; a code span needs it escaped too, since GitHub splits cells
// before it reads code spans.
func cell(s string) string {
	if strings.IndexByte(s, '|') < 0 {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '|' && (i == 0 || s[i-1] != '\\') {
			b.WriteString(`\|`)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// oneLine makes s a single line of printable text: line breaks and tabs
// become spaces, other control characters and the Unicode bidirectional
// controls become '?', and runs of spaces become one.
func oneLine(s string) string {
	if plainLine(s, classes(s)) {
		return s
	}
	return joinFields(s)
}

func joinFields(s string) string {
	return strings.Join(strings.Fields(script.CommentText(s, false)), " ")
}

// plainLine reports whether s, whose bytes are of the classes k, is
// already one line of printable ASCII without leading, trailing or doubled
// spaces, as nearly every value is.
func plainLine(s string, k byte) bool {
	if s == "" || s[0] == ' ' || s[len(s)-1] == ' ' {
		return s == ""
	}
	return k&notPlain == 0 && !strings.Contains(s, "  ")
}

// The classes of bytes inline looks for: those that keep a value from
// being a plain line (controls and anything beyond ASCII), and the
// punctuation it escapes.
const (
	notPlain = 1 << iota
	punctuation
)

var byteClass = func() (t [256]byte) {
	for c := range t {
		if c < 0x20 || c > 0x7e {
			t[c] |= notPlain
		}
		if strings.IndexByte("\\`*_[]<>&|~#", byte(c)) >= 0 {
			t[c] |= punctuation
		}
	}
	return t
}()

// classes returns the classes of the bytes of s, together.
func classes(s string) byte {
	var k byte
	for i := 0; i < len(s); i++ {
		k |= byteClass[s[i]]
	}
	return k
}

// inline returns s as Markdown inline text that reads as s and nothing
// more: the punctuation Markdown gives a meaning inside a line is escaped
// with a backslash. A backslash is escaped only before punctuation (and at
// the end), so Windows paths such as HKCU\Software stay readable.
func inline(s string) string {
	k := classes(s)
	if !plainLine(s, k) {
		s = joinFields(s)
		k = classes(s)
	}
	if k&punctuation == 0 {
		return s
	}
	var b strings.Builder
	b.Grow(len(s) + 8)
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\':
			if i+1 == len(s) || isASCIIPunct(s[i+1]) {
				b.WriteByte('\\')
			}
		case '`', '*', '_', '[', ']', '<', '>', '&', '|', '~', '#':
			b.WriteByte('\\')
		}
		b.WriteByte(c)
	}
	return b.String()
}

// lineStart escapes what would make inline text the start of a block when
// it begins a line: a list marker ("-", "+", "1." or "1)"), a thematic
// break or a setext underline ("="). Headings and quotes are escaped by
// inline already.
func lineStart(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '-', '+', '=':
		return `\` + s
	}
	i := 0
	for i < len(s) && i < 10 && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i > 0 && i < len(s) && (s[i] == '.' || s[i] == ')') {
		return s[:i] + `\` + s[i:]
	}
	return s
}

func isASCIIPunct(c byte) bool {
	return c >= '!' && c <= '/' || c >= ':' && c <= '@' || c >= '[' && c <= '`' || c >= '{' && c <= '~'
}

// code returns s as a code span, fenced with more backticks than s holds
// in a row.
func code(s string) string {
	s = oneLine(s)
	if s == "" {
		return ""
	}
	longest, run := 0, 0
	for i := 0; i < len(s); i++ {
		if s[i] == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}
