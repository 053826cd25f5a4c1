$request = New-ExchangeCertificate -Server 'EX01' -GenerateRequest -SubjectName 'C=US,O=Contoso Ltd,CN=mail.contoso.com' -DomainName @('mail.contoso.com','autodiscover.contoso.com','ex01.corp.contoso.com','ex02.corp.contoso.com') -KeySize 2048 -PrivateKeyExportable $true -FriendlyName 'Exchange services (shared)'
[System.IO.File]::WriteAllText('C:\CertRequests\shared-exchange.req', $request)
$pending = Get-ExchangeCertificate -Server 'EX01' | Where-Object { $_.FriendlyName -eq 'Exchange services (shared)' -and $_.Status -eq 'PendingRequest' }
$pending = Get-ExchangeCertificate -Server 'EX01' | Where-Object { $_.FriendlyName -eq 'Exchange services (shared)' -and $_.Status -eq 'PendingRequest' }
Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $pending.Thumbprint
$pfxPassword = Read-Host 'Password of the .pfx file' -AsSecureString
$cert = Import-ExchangeCertificate -Server 'EX01' -FileData ([System.IO.File]::ReadAllBytes('C:\CertRequests\shared-exchange.cer'))
Get-ExchangeCertificate -Server 'EX01' | Where-Object { $_.Services -match 'IIS' }
Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $cert.Thumbprint -Services 'IIS,SMTP'
Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $old -Services 'IIS'
Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $cert.Thumbprint
icacls 'C:\CertRequests' /inheritance:r /grant:r 'BUILTIN\Administrators:(OI)(CI)F' 'NT AUTHORITY\SYSTEM:(OI)(CI)F'
$thumbprint = Read-Host 'Thumbprint of the shared certificate'
$bincert = Export-ExchangeCertificate -Server 'EX01' -Thumbprint $thumbprint -BinaryEncoded -Password $pfxPassword
[System.IO.File]::WriteAllBytes('C:\CertRequests\shared-exchange.pfx', $bincert.FileData)
Test-Path -LiteralPath 'C:\CertRequests\shared-exchange.pfx'
[System.IO.File]::Delete('C:\CertRequests\shared-exchange.pfx')
