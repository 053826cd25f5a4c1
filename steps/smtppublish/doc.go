// Package smtppublish is the procedure that publishes SMTP through ISA
// Server 2000, so that the server receiving mail from the Internet sits
// behind the firewall instead of in the perimeter network.
//
// It asks which ISA Server and external address publish SMTP, which
// internal host receives it (a separate gateway, the Message Screener host
// or an Exchange server), how the firewalls are laid out, where the MX
// record will point, whether anyone logs on over port 25 and how outgoing
// mail leaves. It checks that the MX record points at ISA's published
// address (or the public address translated to it), that logging on over
// port 25 is protected by TLS, and that outgoing SMTP is not published on
// an ISA array member, which ISA Server 2000 cannot do.
//
// ISA Server 2000 has no documented scripting surface for server
// publishing rules or its SMTP settings, so every change on ISA is a
// manual step with the exact path in ISA Management. What can be checked
// from a command line is: the public DNS records, by a read-only
// nslookup script, and the published service itself, by an SMTP
// conversation typed from outside that must refuse to relay.
package smtppublish
