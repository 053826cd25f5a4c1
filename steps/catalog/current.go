package catalog

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/antispam"
	"github.com/secex/wizard/steps/edgetransport"
	"github.com/secex/wizard/steps/exchangecert"
	"github.com/secex/wizard/steps/extendedprotection"
	"github.com/secex/wizard/steps/keyarchival"
	"github.com/secex/wizard/steps/outlooktls"
	"github.com/secex/wizard/steps/proxypublish"
	"github.com/secex/wizard/steps/relayconnector"
	"github.com/secex/wizard/steps/smimeowa"
)

// current is the current platform's procedures (Windows Server 2019-2025,
// Exchange Server 2019 CU14 or later and SE), in the order of the guide's
// parts they stand for.
var current = []*steps.Step{
	outlooktls.Step,
	smimeowa.Step,
	keyarchival.Step,
	exchangecert.Step,
	proxypublish.Step,
	extendedprotection.Step,
	edgetransport.Step,
	antispam.Step,
	relayconnector.Step,
}

// Counterparts has one entry for each procedure of the guide, in the
// guide's order.
var Counterparts = []steps.Counterpart{
	{Guide: "outlook-rpc-encryption", Current: []string{outlooktls.ID}, Why: "Outlook no longer speaks RPC straight to the server: it connects over HTTPS with MAPI over HTTP (or Outlook Anywhere), so TLS protects the connection, and the Mailbox servers can refuse an Outlook Anywhere session that does not ask for encryption (Set-RpcClientAccess -EncryptionRequired), which the guide's platform could not."},
	{Guide: "smime", Current: []string{smimeowa.ID}, Why: "Outlook's S/MIME works as in the guide, with certificates from AD CS instead of the Exchange 2000 Key Management Service. Outlook on the web's S/MIME is set once for the organisation with Set-SmimeConfig, including the hash and encryption algorithms (left alone, Exchange signs with SHA-1) and revocation checking."},
	{Guide: "key-management-service", Current: []string{keyarchival.ID}, Why: "Retired: the Exchange 2000 Key Management Service does not exist after Exchange Server 2003. Key recovery for encryption certificates is done by AD CS key archival on the issuing CA: the CA keeps each S/MIME encryption key encrypted to two or more key recovery agents, whose own keys are kept offline."},
	{Guide: "owa-topology", Current: []string{proxypublish.ID}, Why: "Retired: Exchange Server 2019 and SE have no front-end and back-end servers. The Client Access services on every Mailbox server accept the connections and proxy them to the server holding the mailbox, so the split the guide's topology describes no longer exists; publishing the Exchange paths through a reverse proxy (" + proxypublish.ID + ") takes the place of its Internet-facing hop."},
	{Guide: "owa-front-end-certificate", Current: []string{exchangecert.ID}, Why: "There is no front-end server: each Mailbox server's IIS and SMTP services get a certificate from the issuing CA through the Exchange certificate cmdlets (New-ExchangeCertificate -GenerateRequest, Import-ExchangeCertificate, Enable-ExchangeCertificate)."},
	{Guide: "isa-ssl-listener", Current: []string{exchangecert.ID, proxypublish.ID}, Why: "ISA Server 2000 is retired. The certificate the published name needs is the Exchange certificate's part; the reverse proxy's HTTPS listener is the publishing procedure's. Because Extended Protection is on by default from Exchange Server 2019 CU14, the proxy must pass TLS through or re-encrypt to the Mailbox servers with the same certificate rather than end it."},
	{Guide: "isa-owa-publishing", Current: []string{proxypublish.ID}, Why: "ISA Server 2000 is retired. Outlook on the web, Autodiscover, EWS, MAPI over HTTP and ActiveSync are published through a reverse proxy (Web Application Proxy or another) path by path, the admin center only by choice, with TLS passed through or re-encrypted with the Mailbox servers' certificate."},
	{Guide: "owa-ipsec", Current: []string{extendedprotection.ID}, Why: "The front-end to back-end hop the guide protected with IPSec no longer exists: the Client Access services proxy to the mailbox's server over HTTPS, and Extended Protection binds authentication to the TLS channel, which a reverse proxy must not end. IPSec server isolation between the Mailbox servers with the NetSecurity cmdlets remains an option on top."},
	{Guide: "smtp-isa-publishing", Current: []string{edgetransport.ID}, Why: "ISA Server 2000 is retired. Inbound Internet mail reaches an Edge Transport server in the perimeter network, subscribed to the Mailbox servers' site with EdgeSync, with TLS on its receive connector."},
	{Guide: "smtp-message-screener", Current: []string{antispam.ID}, Why: "The Message Screener and ISA Server's SMTP filter are retired. The anti-spam agents of Exchange Server (content, sender and recipient filtering) stand for them, on the Edge Transport server or installed on the Mailbox servers with Install-AntiSpamAgents.ps1."},
	{Guide: "smtp-gateway", Current: []string{edgetransport.ID}, Why: "The separate IIS SMTP gateway becomes an Edge Transport server: a server role built for the perimeter, outside the domain, configured from the Mailbox servers through EdgeSync."},
	{Guide: "smtp-relay", Current: []string{relayconnector.ID}, Why: "Open relay is closed by default on Exchange Server 2019 and SE. Applications that must relay get a dedicated receive connector on the Frontend Transport service limited to their addresses (RemoteIPRanges), with either authentication or, against the Exchange STIG's finding, anonymous relay permission."},
}
