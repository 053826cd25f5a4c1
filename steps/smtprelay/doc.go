// Package smtprelay is the procedure that prevents open relaying, and the
// home of the relay rules and SMTP scripts the other SMTP procedures share.
//
// The procedure locks down the Default SMTP Virtual Server of each Exchange
// 2000 server: anonymous access only, no relaying for computers that log
// on, relaying only for listed internal programs, and connections only
// from the hosts that deliver mail. Users who must log on to send (POP3
// and IMAP4, or users outside the network) get a separate virtual server
// that demands TLS. It checks every relay list against the organisation's
// networks and ends with a relay test typed by hand from outside.
//
// Exchange 2000 keeps those settings in Active Directory and its System
// Attendant rewrites the IIS metabase from there about every 15 minutes
// (DS2MB), so on Exchange the changes are manual steps in Exchange System
// Manager and the generated VBScript only reads the metabase afterwards.
// On a server with the plain IIS SMTP service and no Exchange (the gateway
// and the Message Screener host), the metabase is the only copy, so
// IISFiles writes the relay list (RelayIpList), the connection list
// (IPSecurity) and the authenticated-relay setting (RelayForAuth) through
// ADSI on IIS://localhost/SMTPSVC/n, after saving what it found to a file
// that the backout script restores exactly.
//
// The relay rules (CheckRelayList, Outside), the script generators
// (IISFiles, ExchangeVerifyFile), the printed sheets (Checklist,
// TestSheet) and the hand-typed SMTP test (RelayProbes, TelnetSteps) are
// exported for the publishing, Message Screener and gateway procedures,
// which import this package; this package reads their answers by name
// only, and a test checks those names against them.
package smtprelay
