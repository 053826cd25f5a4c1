$pfxPassword = Read-Host 'Password of the .pfx file' -AsSecureString
$cert = Import-ExchangeCertificate -Server 'EX02' -FileData ([System.IO.File]::ReadAllBytes('\\ex01.corp.contoso.com\C$\CertRequests\shared-exchange.pfx')) -Password $pfxPassword -PrivateKeyExportable $false
Get-ExchangeCertificate -Server 'EX02' | Where-Object { $_.Services -match 'IIS' }
Enable-ExchangeCertificate -Server 'EX02' -Thumbprint $cert.Thumbprint -Services 'IIS,SMTP'
Enable-ExchangeCertificate -Server 'EX02' -Thumbprint $old -Services 'IIS'
Remove-ExchangeCertificate -Server 'EX02' -Thumbprint $cert.Thumbprint
