// Package owatopology is the procedure that plans how Outlook Web Access is
// published: ISA Server in front of the OWA front-ends instead of front-ends
// in a perimeter network, where ISA Server sits between the firewalls, the
// address ISA Server publishes, and the external DNS record for the public
// OWA name.
//
// It produces the design every later OWA procedure implements: a table of
// the hops a password crosses (browser to ISA Server, ISA Server to the
// front-end, front-end to back-end), each with its protocol, port and
// protection, and the firewall and DNS changes for the network team. Those
// are changes to devices the wizard does not script, so they are manual
// steps; the only file that runs is a read-only DNS check.
//
// The later procedures (steps/isalistener, steps/isapublish, steps/owacert,
// steps/ipsec) import this package for its answers, never the other way
// round, so the design is decided once and checked everywhere.
package owatopology
