package powershell

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/powershell/pscheck"
	"github.com/secex/wizard/steps/script/scripttest"
)

// hostileScript builds a .ps1 body that assigns every hostile value the
// encoder accepts, alone, in a list and in a hashtable, under a header
// comment that carries every hostile value too.
func hostileScript(t *testing.T, quote func(string) (string, error)) (body string, accepted int) {
	t.Helper()
	h := script.Header{Product: "Wizard", Version: "test", Procedures: []string{"ipsec"}, Target: "ex01"}
	var b strings.Builder
	b.WriteString(Comment(append(h.Lines(), scripttest.Hostile()...)))
	b.WriteString("Set-StrictMode -Version Latest\r\n")
	var quoted []string
	for i, s := range scripttest.Hostile() {
		q, err := quote(s)
		if err != nil {
			continue
		}
		quoted = append(quoted, q)
		fmt.Fprintf(&b, "$v%d = %s\r\n", i, q)
	}
	fmt.Fprintf(&b, "$All = @(%s)\r\n", strings.Join(quoted, ","))
	fmt.Fprintf(&b, "$Config = @{\r\n")
	for i, q := range quoted {
		fmt.Fprintf(&b, "    K%d = %s\r\n", i, q)
	}
	b.WriteString("}\r\nWrite-Output $All.Count\r\n")
	return b.String(), len(quoted)
}

func TestGeneratedParses(t *testing.T) {
	body, n := hostileScript(t, Quote)
	if n < len(scripttest.Hostile())/2 {
		t.Fatalf("only %d hostile values were accepted; the test would prove little", n)
	}
	path := filepath.Join(t.TempDir(), "hostile.ps1")
	if err := os.WriteFile(path, File(body), 0o644); err != nil {
		t.Fatal(err)
	}
	pscheck.Check(t, path)
}

func TestNaiveQuotingFailsParse(t *testing.T) {
	// Doubling only the ASCII apostrophe is the classic mistake; the parse
	// check must catch it, or TestGeneratedParses proves nothing.
	naive := func(s string) (string, error) {
		if _, err := Quote(s); err != nil {
			return "", err
		}
		return "'" + strings.ReplaceAll(s, "'", "''") + "'", nil
	}
	body, _ := hostileScript(t, naive)
	path := filepath.Join(t.TempDir(), "naive.ps1")
	if err := os.WriteFile(path, File(body), 0o644); err != nil {
		t.Fatal(err)
	}
	err := pscheck.Parse(t, path)
	var r *pscheck.Report
	if !errors.As(err, &r) {
		t.Fatalf("the parse check accepted naively quoted values (err = %v)", err)
	}
	if !strings.Contains(r.Output, "U+2019") {
		t.Errorf("report does not mention the typographic quote:\n%s", r.Output)
	}
}
