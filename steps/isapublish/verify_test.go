package isapublish

import (
	"strings"
	"testing"

	"github.com/secex/wizard/steps/steptest"
)

// TestVerifyFailsClosed checks the outside-in test's clear-HTTP decision,
// which runs in PowerShell on a computer on the Internet: no answer on TCP
// 80 within the time limit, a connection that fails for another reason
// than a refusal, no HTTP status line and any answer other than an error
// or a redirect to https:// each fail, so a firewall that drops TCP 80 is
// never taken for ISA Server refusing clear HTTP.
func TestVerifyFailsClosed(t *testing.T) {
	files, err := Step.Files(steptest.Load(t, reference).Input())
	if err != nil {
		t.Fatal(err)
	}
	body := string(files[0].Body)
	check4 := body[strings.Index(body, "Write-Host 'Check 4: clear HTTP on TCP 80'"):]
	for _, want := range []string{
		"if (-not $pending.AsyncWaitHandle.WaitOne(10000, $false)) {\r\n        Write-Result $false ('cannot tell: ",
		"[System.Net.Sockets.SocketError]::ConnectionRefused)) {\r\n                throw\r\n",
		"catch {\r\n    Write-Result $false ('cannot tell: clear HTTP test: ",
		"$verdict = Get-ClearHttpVerdict @(Send-Get $stream)\r\n            Write-Result $verdict[0] $verdict[1]",
	} {
		if !strings.Contains(check4, want) {
			t.Errorf("check 4 lacks %q", want)
		}
	}
	if n := strings.Count(check4, "Write-Result $true"); n != 1 {
		t.Errorf("check 4 passes in %d places, want only for a refused connection", n)
	}
	verdict := body[strings.Index(body, "function Get-ClearHttpVerdict"):strings.Index(body, "Write-Host ('Public name: '")]
	for _, want := range []string{
		"if ($status -notmatch '^HTTP/1\\.[01] ([0-9][0-9][0-9])') {\r\n        return @($false, ('cannot tell:",
		"if ($code -eq 401 -or @($Head | Where-Object { $_ -match '^WWW-Authenticate:' }).Count -gt 0) {\r\n        return @($false,",
		"$location = @($Head | Where-Object { $_ -match '^Location:\\s*https://' })",
		"@($false, ('over clear HTTP the site answers ' + $status + ' instead of refusing'))\r\n}",
	} {
		if !strings.Contains(verdict, want) {
			t.Errorf("the verdict lacks %q", want)
		}
	}
	if n := strings.Count(verdict, "return @($true"); n != 2 {
		t.Errorf("the verdict passes in %d places, want an error status and a redirect to https://", n)
	}
}
