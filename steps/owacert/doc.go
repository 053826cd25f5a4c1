// Package owacert is the procedure that encrypts the hop from ISA Server
// to the OWA front-ends: each front-end gets a server certificate from the
// organisation's enterprise CA in its own FQDN (the name ISA Server
// redirects to and checks when it bridges), then requires SSL with 128-bit
// encryption and accepts Basic authentication only.
//
// The tool for the certificate depends on the front-end's operating system.
// Windows 2000 has no certreq -new, so there the request is made with the
// IIS Web Server Certificate wizard (a manual step). On Windows Server 2003
// (an Exchange Server 2003 front-end) a certreq INF file and a script that
// requests, installs and, for the backout, deletes exactly that certificate
// are generated; binding it to the web site stays in IIS Manager.
//
// Exchange keeps the settings of its virtual directories in Active
// Directory and its DS2MB process copies them over the IIS metabase about
// every 15 minutes, silently undoing metabase edits. Authentication is
// therefore set in Exchange System Manager, never by script, and the file
// generated for every front-end is a read-only adsutil.vbs check meant to
// run at least 15 minutes after the change, when DS2MB has had its say.
package owacert
