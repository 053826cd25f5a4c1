// Package currenttest holds the checks every current-platform
// procedure's tests run on its generated PowerShell: each file parses in
// a real PowerShell grammar, and each cmdlet and parameter it uses exists
// in Microsoft's published reference for the version of the server the
// file is for.
package currenttest

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/script/powershell/cmdletref"
	"github.com/secex/wizard/steps/script/powershell/pscheck"
)

var (
	refOnce sync.Once
	ref     *cmdletref.Reference
	refErr  error
)

// Reference loads the cmdlet reference once per test binary. Without it a
// test fails in CI and is skipped elsewhere.
func Reference(tb testing.TB) *cmdletref.Reference {
	tb.Helper()
	refOnce.Do(func() {
		dir, err := cmdletref.Dir()
		if err != nil {
			refErr = err
			return
		}
		ref, refErr = cmdletref.Load(dir)
	})
	if refErr != nil {
		if os.Getenv("CI") != "" {
			tb.Fatalf("the cmdlet reference cannot be read: %v", refErr)
		}
		tb.Skipf("the cmdlet reference cannot be read: %v", refErr)
	}
	return ref
}

// WindowsVersion is the docset version of the Windows Server modules for
// os: "2019", "2022" or "2025".
func WindowsVersion(os steps.OS) string {
	return strings.TrimPrefix(string(os), "ws")
}

// CheckScripts checks every .ps1 of files: it parses, and every cmdlet and
// parameter exists for its server's Exchange product and Windows Server
// version.
func CheckScripts(tb testing.TB, t steps.Topology, files []steps.File) {
	tb.Helper()
	r := Reference(tb)
	dir := tb.TempDir()
	var paths []string
	for _, f := range files {
		if !strings.HasSuffix(f.Name, ".ps1") {
			continue
		}
		path := filepath.Join(dir, f.Target+"-"+f.Name)
		if err := os.WriteFile(path, f.Body, 0o644); err != nil {
			tb.Fatal(err)
		}
		paths = append(paths, path)
		var srv steps.Server
		for _, s := range t.Servers {
			if string(s.Name) == f.Target {
				srv = s
			}
		}
		exchange := string(srv.Exchange.Version)
		for _, p := range r.Check(string(f.Body), exchange, WindowsVersion(srv.OS)) {
			tb.Errorf("%s/%s (Exchange %s, Windows Server %s): %s", f.Target, f.Name, exchange, WindowsVersion(srv.OS), p)
		}
	}
	if len(paths) == 0 {
		tb.Error("no PowerShell file to check")
		return
	}
	pscheck.Check(tb, paths...)
}
