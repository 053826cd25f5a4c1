package cmdletref

import (
	"os"
	"strings"
	"testing"
)

// Open loads the reference for a test. Without it the test fails in CI
// and is skipped elsewhere.
func open(t *testing.T) *Reference {
	t.Helper()
	dir, err := Dir()
	if err == nil {
		var r *Reference
		if r, err = Load(dir); err == nil {
			return r
		}
	}
	if os.Getenv("CI") != "" {
		t.Fatalf("the cmdlet reference cannot be read: %v", err)
	}
	t.Skipf("the cmdlet reference cannot be read: %v", err)
	return nil
}

func TestCheck(t *testing.T) {
	r := open(t)
	for _, tt := range []struct {
		src, exchange, windows string
		want                   []string // substrings of the problems, in order; none for a clean script
	}{
		{"Set-RpcClientAccess -Server 'EX01' -EncryptionRequired $true -Confirm:$false\r\n", "2019", "2022", nil},
		{"(Get-RpcClientAccess -Server 'EX01').EncryptionRequired\r\n", "SE", "2025", nil},
		// An abbreviation that is unambiguous is what PowerShell accepts.
		{"Set-RpcClientAccess -Serv 'EX01' -EncryptionReq $true\r\n", "2019", "2022", nil},
		{"Set-RpcClientAccess -Server 'EX01' -Encrypt $true\r\n", "2019", "2022", nil},
		{"Set-RpcClientAccess -Server 'EX01' -EncryptionRequested $true\r\n", "2019", "2022", []string{"-encryptionrequested is not one of its parameters"}},
		{"Set-RpcClientAcces -Server 'EX01'\r\n", "2019", "2022", []string{"not in Microsoft's cmdlet reference"}},
		// A parameter that exists only in Exchange Online.
		{"Set-OrganizationConfig -MapiHttpEnabled $true -AutoEnableArchiveMailbox $true\r\n", "2019", "2022", []string{"-autoenablearchivemailbox does not exist in version 2019"}},
		// Core cmdlets have their own short list.
		{"$c = Join-Path -Path $PSScriptRoot -ChildPath 'x.xml'\r\nImport-Clixml -LiteralPath $c\r\n", "2019", "2022", nil},
		{"Import-Clixml -Force $c\r\n", "2019", "2022", []string{"-force is not a parameter"}},
		// Names inside strings and comments, and the script's own
		// functions, are not calls.
		{"# Set-Nothing -Foo\r\nWrite-Host 'Set-Nothing -Foo'\r\nfunction Test-Same { }\r\nTest-Same $a $b\r\n", "2019", "2022", nil},
		// Parameters of a piped command belong to it.
		{"Get-ReceiveConnector -Identity 'EX01\\Relay' | Add-ADPermission -User 'NT AUTHORITY\\ANONYMOUS LOGON' -ExtendedRights 'Ms-Exch-SMTP-Accept-Any-Recipient'\r\n", "2019", "2022", nil},
		{"Get-ReceiveConnector -Identity 'x' -User 'y'\r\n", "2019", "2022", []string{"-user is not one of its parameters"}},
		// A Windows Server cmdlet is checked against the OS version.
		{"New-NetIPsecRule -DisplayName 'x' -InboundSecurity Require\r\n", "2019", "2022", nil},
	} {
		got := r.Check(tt.src, tt.exchange, tt.windows)
		if len(got) != len(tt.want) {
			t.Errorf("%q: %v, want %d problems %q", tt.src, got, len(tt.want), tt.want)
			continue
		}
		for i, w := range tt.want {
			if !strings.Contains(got[i].Message, w) {
				t.Errorf("%q: problem %q, want %q", tt.src, got[i].Message, w)
			}
		}
	}
}
