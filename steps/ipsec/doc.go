// Package ipsec is the procedure that encrypts the last hop of an OWA
// request, front-end to back-end on TCP 80, with IPSec policies delivered
// by Group Policy: on the front-ends, outbound TCP 80 must be encrypted and
// inbound TCP 80 is blocked; on the back-ends, inbound TCP 80 must be
// encrypted. ESP with 3DES, computers authenticated by Kerberos, no fallback
// to clear traffic, the default response rule active.
//
// The guide's names (OUs, GPOs, policies, filter lists, filter actions) are
// the defaults and can be changed. Two of the guide's choices are offered
// side by side with a corrected default: its back-end filter describes
// traffic leaving the back-end rather than arriving at its port 80, and its
// front-end filter demands IPSec from every web server rather than only the
// back-ends. Choosing the guide's version is allowed and raises a warning
// whose reason is recorded as a deviation.
//
// Tools follow each server's operating system. The policies are created in
// the Active Directory store once, from the server chosen for it: with
// ipsecpol in static mode on Windows 2000, with netsh ipsec static on
// Windows Server 2003 and later. The create script refuses to run if any of
// the names already exists, so its backout can delete by name exactly what
// it created; a read-only VBScript looks the objects up through ADSI before
// and after. Assigning a policy to a GPO has no command on Windows 2000 and
// stays a manual step in the Group Policy editor. Each front-end and
// back-end gets a refresh helper (secedit /refreshpolicy on Windows 2000,
// gpupdate later), a read-only check (netdiag or netsh), and, when chosen,
// a copy of its policy in the local store with a backout that removes it.
package ipsec
