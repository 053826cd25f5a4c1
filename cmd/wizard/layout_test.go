package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestImportDirection keeps the layers apart: the domain (steps) at the
// bottom knows nothing of storage or HTTP, the store knows nothing of the
// web, and the templ views never reach the store. A change that breaks
// this fails here rather than in review.
func TestImportDirection(t *testing.T) {
	const mod = "github.com/secex/wizard/"
	out, err := exec.Command("go", "list", "-deps", "-f", `{{.ImportPath}}: {{join .Deps " "}}`, "../../...").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	rules := []struct {
		pkg       string // package path prefix (within the module)
		forbidden []string
	}{
		{"steps", []string{mod + "store", mod + "web", mod + "cmd", "net/http", "database/sql"}},
		{"store", []string{mod + "web", mod + "cmd", "net/http"}},
		{"web/ui", []string{mod + "store", mod + "cmd"}},
		{"web", []string{mod + "steps/catalog", mod + "cmd"}},
	}
	checked := 0
	for _, line := range strings.Split(string(out), "\n") {
		pkg, deps, ok := strings.Cut(line, ": ")
		if !ok || !strings.HasPrefix(pkg, mod) {
			continue
		}
		rel := strings.TrimPrefix(pkg, mod)
		for _, r := range rules {
			if rel != r.pkg && !strings.HasPrefix(rel, r.pkg+"/") {
				continue
			}
			if r.pkg == "web" && strings.HasPrefix(rel, "web/ui") {
				continue
			}
			checked++
			for _, d := range strings.Fields(deps) {
				for _, f := range r.forbidden {
					if d == f || strings.HasPrefix(d, f+"/") {
						t.Errorf("%s imports %s", pkg, d)
					}
				}
			}
		}
	}
	if checked < 4 {
		t.Fatalf("checked only %d packages; the module path or layout changed", checked)
	}
}
