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
		plan := TLSPlan{Addr: addr, ServerName: p.Name, Cert: cert, OWAPath: p.Path}
		if p.HTTPPort != 0 {
			plan.HTTPAddr = net.JoinHostPort(p.Host, strconv.Itoa(int(p.HTTPPort)))
		}
		return n.ProbeTLS(ctx, plan)
	case steps.ProbeSMTP:
		return n.ProbeSMTP(ctx, SMTPPlan{Addr: addr, HeloName: "wizard-probe.invalid", STARTTLS: p.STARTTLS, Cert: cert,
			OutsideFrom: p.OutsideFrom, OutsideTo: p.OutsideTo, LongHELORefused: p.LongHELORefused})
	}
	r := Report{Target: addr, StartedAt: n.now().UTC()}
	r.fail("probe", "a TLS or SMTP probe", string(p.Kind), fmt.Sprintf("The plan names a kind of probe (%q) this version cannot run", p.Kind))
	return r
}
