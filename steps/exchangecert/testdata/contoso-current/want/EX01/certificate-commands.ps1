$request = New-ExchangeCertificate -Server 'EX01' -GenerateRequest -SubjectName 'C=US,O=Contoso Ltd,CN=mail.contoso.com' -DomainName @('mail.contoso.com','autodiscover.contoso.com','ex01.corp.contoso.com') -KeySize 2048 -PrivateKeyExportable $false -FriendlyName 'Exchange services EX01'
[System.IO.File]::WriteAllText('C:\CertRequests\EX01-exchange.req', $request)
$pending = Get-ExchangeCertificate -Server 'EX01' | Where-Object { $_.FriendlyName -eq 'Exchange services EX01' -and $_.Status -eq 'PendingRequest' }
$pending = Get-ExchangeCertificate -Server 'EX01' | Where-Object { $_.FriendlyName -eq 'Exchange services EX01' -and $_.Status -eq 'PendingRequest' }
Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $pending.Thumbprint
$cert = Import-ExchangeCertificate -Server 'EX01' -FileData ([System.IO.File]::ReadAllBytes('C:\CertRequests\EX01-exchange.cer'))
Get-ExchangeCertificate -Server 'EX01' | Where-Object { $_.Services -match 'IIS' }
Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $cert.Thumbprint -Services 'IIS,SMTP'
Enable-ExchangeCertificate -Server 'EX01' -Thumbprint $old -Services 'IIS'
Remove-ExchangeCertificate -Server 'EX01' -Thumbprint $cert.Thumbprint
