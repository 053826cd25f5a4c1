$request = New-ExchangeCertificate -Server 'FAB-MBX1' -GenerateRequest -SubjectName 'C=GB,O=Fabrikam & Partners (UK) Ltd.,CN=webmail.fabrikam.com' -DomainName @('webmail.fabrikam.com','autodiscover.fabrikam.com','smtp.fabrikam.com','fab-mbx1.ad.fabrikam.com') -KeySize 4096 -PrivateKeyExportable $false -FriendlyName 'Exchange services FAB-MBX1'
[System.IO.File]::WriteAllText('C:\CertRequests\FAB-MBX1-exchange.req', $request)
$pending = Get-ExchangeCertificate -Server 'FAB-MBX1' | Where-Object { $_.FriendlyName -eq 'Exchange services FAB-MBX1' -and $_.Status -eq 'PendingRequest' }
$pending = Get-ExchangeCertificate -Server 'FAB-MBX1' | Where-Object { $_.FriendlyName -eq 'Exchange services FAB-MBX1' -and $_.Status -eq 'PendingRequest' }
Remove-ExchangeCertificate -Server 'FAB-MBX1' -Thumbprint $pending.Thumbprint
$cert = Import-ExchangeCertificate -Server 'FAB-MBX1' -FileData ([System.IO.File]::ReadAllBytes('C:\CertRequests\FAB-MBX1-exchange.cer'))
Get-ExchangeCertificate -Server 'FAB-MBX1' | Where-Object { $_.Services -match 'IIS' }
Enable-ExchangeCertificate -Server 'FAB-MBX1' -Thumbprint $cert.Thumbprint -Services 'IIS,SMTP'
Enable-ExchangeCertificate -Server 'FAB-MBX1' -Thumbprint $old -Services 'IIS'
Remove-ExchangeCertificate -Server 'FAB-MBX1' -Thumbprint $cert.Thumbprint
