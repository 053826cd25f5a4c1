// Package smime is the procedure for signing and encrypting messages in
// Outlook with S/MIME certificates.
//
// RPC encryption protects mail only on the wire between Outlook and its
// server; S/MIME protects the message itself, wherever it is stored or
// forwarded. The procedure asks who the users write to, where their
// certificates come from and how correspondents obtain each other's public
// keys, checks that certificates for Internet mail come from a CA that
// Internet recipients trust, and produces a user procedure (as a printable
// sheet) and an administrator's checklist in the plan. Outlook's security
// settings have no supported scripting surface in the guide's era, so every
// step is manual.
package smime
