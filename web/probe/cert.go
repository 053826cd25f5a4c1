package probe

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"time"
)

// CertPlan is what the plan expects of a server certificate.
type CertPlan struct {
	// Names the certificate must be valid for (the published host).
	Names []string
	// The change window: the certificate must be valid from its start to
	// its end. Zero times check against the moment of the probe.
	From, Until time.Time
	// Roots, when set, are the CA certificates the chain must end in (the
	// project's CA); nil means the system's roots.
	Roots *x509.CertPool
}

// MinRSABits is the smallest RSA key accepted for a server certificate.
const MinRSABits = 2048

// ErrPrivateKey is returned for a file that holds a private key.
var ErrPrivateKey = errors.New("the file holds a private key; it was neither read further nor kept. Export the certificate alone (a .cer or .pem file without its key) and check that")

// ParseCertificates reads PEM or DER certificates. A file with a private
// key in it is refused, whatever else it holds, so a key never enters the
// wizard's records by mistake.
func ParseCertificates(data []byte) ([]*x509.Certificate, error) {
	if strings.Contains(string(data), "PRIVATE KEY-----") {
		return nil, ErrPrivateKey
	}
	var certs []*x509.Certificate
	rest := data
	for {
		var b *pem.Block
		b, rest = pem.Decode(rest)
		if b == nil {
			break
		}
		if strings.Contains(b.Type, "PRIVATE KEY") {
			return nil, ErrPrivateKey
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("a certificate in the file cannot be read: %v", err)
		}
		certs = append(certs, c)
	}
	if len(certs) > 0 {
		return certs, nil
	}
	if _, err := x509.ParsePKCS8PrivateKey(data); err == nil {
		return nil, ErrPrivateKey
	}
	if _, err := x509.ParsePKCS1PrivateKey(data); err == nil {
		return nil, ErrPrivateKey
	}
	cs, err := x509.ParseCertificates(data)
	if err != nil || len(cs) == 0 {
		return nil, errors.New("the file is neither a PEM nor a DER certificate; export the certificate as Base-64 (.cer or .pem) or DER and try again")
	}
	return cs, nil
}

// CheckCertificate checks a certificate file, with its chain and the
// project's CA certificate if given, against plan.
func CheckCertificate(file, chain, ca []byte, plan CertPlan, now time.Time) Report {
	r := Report{Target: "certificate file", StartedAt: now.UTC()}
	certs, err := ParseCertificates(file)
	if err != nil {
		r.fail("cert.file", "a certificate", "unreadable", capital(err.Error()))
		return r
	}
	var inter []*x509.Certificate
	inter = append(inter, certs[1:]...)
	if len(chain) > 0 {
		cs, err := ParseCertificates(chain)
		if err != nil {
			r.fail("cert.chain-file", "the chain's certificates", "unreadable", "The chain file: "+err.Error())
			return r
		}
		inter = append(inter, cs...)
	}
	if len(ca) > 0 {
		cs, err := ParseCertificates(ca)
		if err != nil {
			r.fail("cert.ca-file", "the CA's certificate", "unreadable", "The CA file: "+err.Error())
			return r
		}
		plan.Roots = x509.NewCertPool()
		for _, c := range cs {
			plan.Roots.AddCert(c)
		}
	}
	checkCert(&r, certs[0], inter, plan, now)
	return r
}

// checkCert adds the checks of one server certificate.
func checkCert(r *Report, leaf *x509.Certificate, inter []*x509.Certificate, plan CertPlan, now time.Time) {
	names := leaf.DNSNames
	if len(names) == 0 && leaf.Subject.CommonName != "" {
		names = []string{leaf.Subject.CommonName}
	}
	observed := strings.Join(names, ", ")
	for _, want := range plan.Names {
		if err := leaf.VerifyHostname(want); err != nil {
			why := "Request a certificate whose subject alternative names include " + want
			if len(leaf.DNSNames) == 0 {
				why += " (the certificate has no subject alternative names; browsers today ignore the common name)"
			}
			r.fail("cert.name", want, orDash(observed), why)
		} else {
			r.pass("cert.name", want, observed, "The certificate is valid for "+want)
		}
	}

	from, until := plan.From, plan.Until
	if from.IsZero() {
		from = now
	}
	if until.IsZero() {
		until = now
	}
	if leaf.NotBefore.After(from) {
		r.fail("cert.valid-from", "valid from "+day(from), day(leaf.NotBefore), "The certificate is not valid yet when the change starts; use one issued earlier or move the window")
	} else {
		r.pass("cert.valid-from", "valid from "+day(from), day(leaf.NotBefore), "Valid when the change starts")
	}
	switch {
	case leaf.NotAfter.Before(now):
		r.fail("cert.valid-until", "valid until after "+day(until), day(leaf.NotAfter), "The certificate has expired; renew it before the change")
	case leaf.NotAfter.Before(until):
		r.fail("cert.valid-until", "valid until after "+day(until), day(leaf.NotAfter), "The certificate expires before the change window ends; renew it first")
	default:
		r.pass("cert.valid-until", "valid until after "+day(until), day(leaf.NotAfter), "Valid for the whole change window")
	}

	key, ok := keyOK(leaf)
	if ok {
		r.pass("cert.key", fmt.Sprintf("RSA %d bits or more, or ECDSA P-256 or more", MinRSABits), key, "The key is strong enough")
	} else {
		r.fail("cert.key", fmt.Sprintf("RSA %d bits or more, or ECDSA P-256 or more", MinRSABits), key, fmt.Sprintf("Request a new certificate with an RSA key of %d bits or more", MinRSABits))
	}

	switch leaf.SignatureAlgorithm {
	case x509.MD2WithRSA, x509.MD5WithRSA, x509.SHA1WithRSA, x509.DSAWithSHA1, x509.ECDSAWithSHA1:
		r.fail("cert.signature", "SHA-256 or stronger", leaf.SignatureAlgorithm.String(), "Browsers refuse certificates signed with "+leaf.SignatureAlgorithm.String()+"; have the CA sign with SHA-256")
	default:
		r.pass("cert.signature", "SHA-256 or stronger", leaf.SignatureAlgorithm.String(), "The signature algorithm is accepted")
	}

	eku := "none (any use)"
	serverAuth := len(leaf.ExtKeyUsage) == 0
	var uses []string
	for _, u := range leaf.ExtKeyUsage {
		switch u {
		case x509.ExtKeyUsageServerAuth:
			serverAuth = true
			uses = append(uses, "serverAuth")
		case x509.ExtKeyUsageAny:
			serverAuth = true
			uses = append(uses, "any")
		case x509.ExtKeyUsageClientAuth:
			uses = append(uses, "clientAuth")
		case x509.ExtKeyUsageEmailProtection:
			uses = append(uses, "emailProtection")
		default:
			uses = append(uses, fmt.Sprint(u))
		}
	}
	if len(uses) > 0 {
		eku = strings.Join(uses, ", ")
	}
	if serverAuth {
		r.pass("cert.eku", "serverAuth", eku, "The certificate may be used by a web or mail server")
	} else {
		r.fail("cert.eku", "serverAuth", eku, "Request the certificate from the Web Server template (server authentication)")
	}

	pool := x509.NewCertPool()
	for _, c := range inter {
		pool.AddCert(c)
	}
	where := "the system's trusted roots"
	if plan.Roots != nil {
		where = "the project's CA"
	}
	_, err := leaf.Verify(x509.VerifyOptions{Roots: plan.Roots, Intermediates: pool, CurrentTime: now, KeyUsages: []x509.ExtKeyUsage{x509.ExtKeyUsageAny}})
	if err != nil {
		r.fail("cert.chain", "chains to "+where, "issuer "+leaf.Issuer.String(), "The chain does not verify ("+shortErr(err)+"); install the issuing CA's certificate (and any intermediate) on the server, or check against the right CA")
	} else {
		r.pass("cert.chain", "chains to "+where, "issuer "+leaf.Issuer.String(), "The chain verifies")
	}
}

func keyOK(c *x509.Certificate) (string, bool) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d bits", k.N.BitLen()), k.N.BitLen() >= MinRSABits
	case *ecdsa.PublicKey:
		return "ECDSA " + k.Curve.Params().Name, k.Curve.Params().BitSize >= 256
	}
	return c.PublicKeyAlgorithm.String(), false
}

func shortErr(err error) string {
	var ua x509.UnknownAuthorityError
	var ci x509.CertificateInvalidError
	switch {
	case errors.As(err, &ua):
		return "signed by an authority that is not trusted"
	case errors.As(err, &ci):
		return ci.Error()
	}
	return err.Error()
}

func day(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") }

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func capital(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
