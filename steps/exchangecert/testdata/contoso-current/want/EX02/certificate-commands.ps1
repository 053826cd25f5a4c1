$request = New-ExchangeCertificate -Server 'EX02' -GenerateRequest -SubjectName 'C=US,O=Contoso Ltd,CN=mail.contoso.com' -DomainName @('mail.contoso.com','autodiscover.contoso.com','ex02.corp.contoso.com') -KeySize 2048 -PrivateKeyExportable $false -FriendlyName 'Exchange services EX02'
[System.IO.File]::WriteAllText('C:\CertRequests\EX02-exchange.req', $request)
$pending = Get-ExchangeCertificate -Server 'EX02' | Where-Object { $_.FriendlyName -eq 'Exchange services EX02' -and $_.Status -eq 'PendingRequest' }
$pending = Get-ExchangeCertificate -Server 'EX02' | Where-Object { $_.FriendlyName -eq 'Exchange services EX02' -and $_.Status -eq 'PendingRequest' }
Remove-ExchangeCertificate -Server 'EX02' -Thumbprint $pending.Thumbprint
$cert = Import-ExchangeCertificate -Server 'EX02' -FileData ([System.IO.File]::ReadAllBytes('C:\CertRequests\EX02-exchange.cer'))
Get-ExchangeCertificate -Server 'EX02' | Where-Object { $_.Services -match 'IIS' }
Enable-ExchangeCertificate -Server 'EX02' -Thumbprint $cert.Thumbprint -Services 'IIS,SMTP'
Enable-ExchangeCertificate -Server 'EX02' -Thumbprint $old -Services 'IIS'
Remove-ExchangeCertificate -Server 'EX02' -Thumbprint $cert.Thumbprint
