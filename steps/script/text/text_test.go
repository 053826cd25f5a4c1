package text

import (
	"strings"
	"testing"

	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/scripttest"
)

func TestValue(t *testing.T) {
	if got, err := Value("mail.example.com"); err != nil || got != "mail.example.com" {
		t.Errorf("Value = %q, %v", got, err)
	}
	for _, bad := range []string{"a\nb", "a\rb", "\x00", "Bob’s", "tab\there", "é"} {
		if _, err := Value(bad); err == nil {
			t.Errorf("Value(%q) accepted", bad)
		}
	}
	if _, err := Value(3.5); err == nil {
		t.Error("Value accepted a float")
	}
}

func TestHeaderAndFile(t *testing.T) {
	h := Header(script.Header{Product: "P", Version: "1", Project: "Evil\r\nproject’s", Target: "EXBE01"})
	for _, l := range strings.Split(strings.TrimSuffix(h, "\r\n"), "\r\n") {
		if strings.ContainsAny(l, "\r\n") {
			t.Errorf("header line %q breaks", l)
		}
	}
	b, err := File(h + "body\n")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(strings.ReplaceAll(string(b), "\r\n", ""), "\n") {
		t.Error("bare LF in file")
	}
	if _, err := File("é"); err == nil {
		t.Error("non-ASCII file accepted")
	}
}

func FuzzValue(f *testing.F) {
	for _, h := range scripttest.Hostile() {
		f.Add(h)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := Value(s)
		if scripttest.Refused(t, "Value", s, got, err) {
			return
		}
		if got != s {
			t.Fatalf("Value(%q) = %q: changed the value", s, got)
		}
		for _, r := range got {
			if r < 0x20 || r >= 0x7f {
				t.Fatalf("Value(%q) let %q through", s, r)
			}
		}
	})
}

func TestWrap(t *testing.T) {
	lines := Wrap("one two three four five six", "1. ", "   ", 12)
	for _, l := range lines {
		if len(l) > 12 {
			t.Errorf("line %q longer than 12", l)
		}
	}
	if strings.Join(lines, "|") != "1. one two|   three|   four five|   six" {
		t.Errorf("Wrap = %q", lines)
	}
}
