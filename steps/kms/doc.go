// Package kms is the procedure for Exchange 2000's Key Management Service
// (KMS), which enrols users in advanced security, publishes their
// certificates in the global address list and archives their encryption
// keys so that they can be recovered.
//
// KMS is administered only through Exchange System Manager, so the
// procedure's changes are manual steps. What can be checked from a command
// line is checked by a read-only verification file: that the certification
// authority KMS uses answers (certutil -ping with the CA's configuration
// string from the CA's server page), and, on a workstation, that an enrolled
// user holds certificates from that CA (certutil -user -store My).
package kms
