// Package isalistener is the procedure that prepares ISA Server to accept
// OWA over SSL: the certificate for the public OWA name in the computer's
// Personal store, an SSL listener on the published address (Incoming Web
// Requests), optionally no listener at all for Outgoing Web Requests, and
// the choice of how ISA Server handles SSL (pass it through, end it there,
// or end it and re-encrypt to the front-end).
//
// ISA Server 2000's administration objects are documented only in part:
// the property names for per-listener certificates, SSL listeners and
// outgoing listeners could not be confirmed. Every change is therefore a
// manual step with the exact console path, and the file generated for the
// ISA Server is a read-only check of what it listens on (netstat), which
// the outside-in test of the publishing procedure completes.
package isalistener
