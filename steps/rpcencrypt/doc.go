// Package rpcencrypt is the procedure that turns on encryption of the MAPI
// (RPC) connection between Outlook and the Exchange back-end servers.
//
// Exchange 2000 cannot demand an encrypted connection: the setting lives in
// each user's Outlook profile, so the work is done on the client population
// rather than on a server. The procedure therefore produces a per-user
// instruction sheet written for the Outlook versions in use, the matching
// setting for profiles created later (by hand, from a PRF file or with the
// Custom Installation Wizard), a helpdesk check, and a pair of read-only
// helpers that export the user's profile key before and after the box is
// ticked. No registry change is generated: which profile property the
// Outlook 2002 box writes is not documented, and a blind binary patch of a
// profile is exactly what must never be shipped. A pilot's before and after
// exports let a site derive and test its own change instead.
package rpcencrypt
