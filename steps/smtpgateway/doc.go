// Package smtpgateway is the procedure that puts a separate SMTP gateway
// between the Internet and the Exchange servers.
//
// The gateway runs the plain IIS SMTP service: it is not a member of any
// Windows domain, runs no Exchange, and scans mail with anti-virus
// software. Mail from the Internet meets it before any Exchange server,
// and the Exchange servers send their Internet mail through it. If it
// fails, mail to and from the Internet stops while mail inside the
// organisation goes on; the runbook says so and plans the way back.
//
// Because no Exchange runs on the gateway, its SMTP virtual server's
// settings live only in the IIS metabase, so its relay and connection
// lists are set by generated VBScript through ADSI (IIS://localhost/
// SMTPSVC/n): the apply script saves the lists it finds beside itself
// first, the backout script restores exactly that file, and the verify
// script only reads. The SMTP connector that sends Exchange's mail to the
// gateway lives in Active Directory and is made by hand in Exchange System
// Manager, as are the gateway's remote domains and delivery settings,
// whose metabase form is not documented well enough to script.
package smtpgateway
