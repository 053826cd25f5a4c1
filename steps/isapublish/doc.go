// Package isapublish is the procedure that publishes OWA on ISA Server: a
// web publishing rule that redirects requests for the public OWA name to one
// front-end, with the bridging settings that refuse clear HTTP, demand
// 128-bit encryption and re-encrypt to the front-end over SSL, and the
// switch of external DNS to ISA Server once the rule works.
//
// Creating the rule through ISA Server 2000's administration objects is not
// offered: the collection path, the Add arguments and the property names
// for bridging and host headers could not be confirmed from any retrievable
// source, and a script that half-creates a publishing rule is worse than
// none. The rule is a manual step with the exact console path; the file
// generated for it is a read-only outside-in test in PowerShell that looks
// at the published site from the Internet as a browser would (certificate
// name, chain, expiry and cipher strength; the Basic challenge over SSL;
// nothing offered over clear HTTP).
package isapublish
