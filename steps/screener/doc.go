// Package screener is the procedure for content filtering of SMTP with ISA
// Server 2000's SMTP filter and its Message Screener.
//
// The SMTP filter on ISA Server inspects the SMTP conversation on port 25
// and limits the length of each SMTP command, which blunts buffer-overflow
// attacks on the mail server behind it. Its rules on senders, sender
// domains, attachments and keywords are carried out by the Message
// Screener, a separate component of ISA Server that runs inside an IIS
// SMTP virtual server. The most secure place for it is a host of its own
// that receives the mail and passes it on to Exchange.
//
// The filter rules are entered here as lists and checked before anything
// is produced: each value has its own parser (sender domains, sender
// addresses, keywords) with fuzz tests, and a rule that would reject the
// organisation's own mail is an error. The SMTP filter and the Message
// Screener have no documented scripting surface, so their configuration
// is manual, with the exact paths in ISA Management. The Message Screener
// host runs the plain IIS SMTP service without Exchange, so its relay and
// connection lists are set by a generated ADSI script with a backout, as
// for the gateway (see package smtprelay).
package screener
