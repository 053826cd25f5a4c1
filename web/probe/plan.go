package probe

import (
	"context"
	"crypto/x509"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/secex/wizard/steps"
)

// Run runs the probe a plan step defines. roots are the project's CA
// certificates (nil for the system's roots); from and until are the
// change window the certificate must cover.
func (n Network) Run(ctx context.Context, p steps.Probe, roots *x509.CertPool, from, until time.Time) Report {
	addr := net.JoinHostPort(p.Host, strconv.Itoa(int(p.Port)))
	cert := CertPlan{Roots: roots, From: from, Until: until}
	if p.Name != "" {
		cert.Names = []string{p.Name}
	}
	switch p.Kind {
	case steps.ProbeTLS:
		plan := TLSPlan{Addr: addr, ServerName: p.Name, Cert: cert, OWAPath: p.Path, FormsSignIn: p.FormsSignIn}
		if p.HTTPPort != 0 {
			plan.HTTPAddr = net.JoinHostPort(p.Host, strconv.Itoa(int(p.HTTPPort)))
		}
		return n.ProbeTLS(ctx, plan)
	case steps.ProbeSMTP:
		return n.ProbeSMTP(ctx, SMTPPlan{Addr: addr, HeloName: "wizard-probe.invalid", STARTTLS: p.STARTTLS, Cert: cert,
			OutsideFrom: p.OutsideFrom, OutsideTo: p.OutsideTo, LongHELORefused: p.LongHELORefused})
	}
	r := Report{Target: addr, StartedAt: n.now().UTC()}
	if p.Kind == steps.ProbeCert {
		r.Target = "certificate file for " + p.Name
		r.fail("cert.file", "a certificate file", "none given", "This check reads the certificate file; give it with the check")
		return r
	}
	r.fail("probe", "a TLS or SMTP probe", string(p.Kind), fmt.Sprintf("The plan names a kind of probe (%q) this version cannot run", p.Kind))
	return r
}

// CheckFile runs a certificate probe of the plan on file, the
// certificate the team gives (PEM or DER, possibly followed by its
// chain): the names, the change window, key, signature, EKU and chain to
// roots (nil for the system's roots). Without a file the check is
// skipped, saying how to give one.
func CheckFile(p steps.Probe, file []byte, roots *x509.CertPool, from, until, now time.Time) Report {
	if len(file) == 0 {
		r := Report{Target: "certificate file for " + p.Name, StartedAt: now.UTC()}
		r.skip("cert.file", "the issued certificate for "+p.Name, "No certificate file was given; give the issued certificate (on the command line with -cert FILE) to check it")
		return r
	}
	plan := CertPlan{Roots: roots, From: from, Until: until}
	if p.Name != "" {
		plan.Names = []string{p.Name}
	}
	r := CheckCertificate(file, nil, nil, plan, now)
	r.Target = "certificate file for " + p.Name
	return r
}
