Add-WebApplicationProxyApplication -Name 'Exchange Outlook on the web' -ExternalUrl 'https://mail.contoso.com/owa/' -BackendServerUrl 'https://mail.contoso.com/owa/' -ExternalCertificateThumbprint '0123456789ABCDEF0123456789ABCDEF01234567' -ExternalPreauthentication 'PassThrough' -BackendServerCertificateValidation 'ValidateCertificate' -EnableHTTPRedirect
Get-WebApplicationProxyApplication -Name 'Exchange Outlook on the web'
Remove-WebApplicationProxyApplication -Name 'Exchange Outlook on the web'
Add-WebApplicationProxyApplication -Name 'Exchange Autodiscover' -ExternalUrl 'https://autodiscover.contoso.com/autodiscover/' -BackendServerUrl 'https://mail.contoso.com/autodiscover/' -ExternalCertificateThumbprint '0123456789ABCDEF0123456789ABCDEF01234567' -ExternalPreauthentication 'PassThrough' -BackendServerCertificateValidation 'ValidateCertificate' -EnableHTTPRedirect
Get-WebApplicationProxyApplication -Name 'Exchange Autodiscover'
Remove-WebApplicationProxyApplication -Name 'Exchange Autodiscover'
Add-WebApplicationProxyApplication -Name 'Exchange Web Services' -ExternalUrl 'https://mail.contoso.com/ews/' -BackendServerUrl 'https://mail.contoso.com/ews/' -ExternalCertificateThumbprint '0123456789ABCDEF0123456789ABCDEF01234567' -ExternalPreauthentication 'PassThrough' -BackendServerCertificateValidation 'ValidateCertificate' -EnableHTTPRedirect
Get-WebApplicationProxyApplication -Name 'Exchange Web Services'
Remove-WebApplicationProxyApplication -Name 'Exchange Web Services'
Add-WebApplicationProxyApplication -Name 'Exchange MAPI over HTTP' -ExternalUrl 'https://mail.contoso.com/mapi/' -BackendServerUrl 'https://mail.contoso.com/mapi/' -ExternalCertificateThumbprint '0123456789ABCDEF0123456789ABCDEF01234567' -ExternalPreauthentication 'PassThrough' -BackendServerCertificateValidation 'ValidateCertificate' -EnableHTTPRedirect
Get-WebApplicationProxyApplication -Name 'Exchange MAPI over HTTP'
Remove-WebApplicationProxyApplication -Name 'Exchange MAPI over HTTP'
Add-WebApplicationProxyApplication -Name 'Exchange ActiveSync' -ExternalUrl 'https://mail.contoso.com/Microsoft-Server-ActiveSync/' -BackendServerUrl 'https://mail.contoso.com/Microsoft-Server-ActiveSync/' -ExternalCertificateThumbprint '0123456789ABCDEF0123456789ABCDEF01234567' -ExternalPreauthentication 'PassThrough' -BackendServerCertificateValidation 'ValidateCertificate' -EnableHTTPRedirect
Get-WebApplicationProxyApplication -Name 'Exchange ActiveSync'
Remove-WebApplicationProxyApplication -Name 'Exchange ActiveSync'
