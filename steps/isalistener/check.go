package isalistener

import (
	"net/netip"
	"slices"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
)

// Finding codes.
const (
	CodeAnswerInvalid          = steps.CodeAnswerInvalid
	CodeServerInvalid          = owatopology.CodeServerInvalid
	CodeListenerCNMismatch     = "listener-cn-mismatch"
	CodeListenerCertNotPublic  = "listener-cert-not-public"
	CodeListenerIPNotOnISA     = "listener-ip-not-on-isa"
	CodeListenerIPNotPublished = "listener-ip-not-published"
	CodeClearHopISAFrontEnd    = "clear-hop-isa-front-end"
	CodeTunnelNotPlanned       = "tunnel-not-planned"
	CodeBridgingNeedsSP1       = "bridging-needs-sp1"
	CodeLegalReviewPending     = "legal-review-pending"
)

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	fs = append(fs, owatopology.CheckHosts(in.Topology, steps.RoleISA)...)
	isa, haveISA := in.Topology.Server(a[QISA])
	haveISA = haveISA && a[QISA] != ""
	isaName := string(isa.Name)
	fes := frontEndNames(in.Topology)

	if cn, ok := a[QCertCN]; ok && in.Topology.Facts.OWAHost != "" && cn != string(in.Topology.Facts.OWAHost) {
		fs = append(fs, steps.Finding{
			Code:     CodeListenerCNMismatch,
			Severity: steps.Error,
			Message: "The certificate's common name " + cn + " is not the public OWA host name " + string(in.Topology.Facts.OWAHost) + " that users type. " +
				"Every browser would warn that the certificate belongs to another site, and users learn to click through such warnings. " +
				"Use a certificate issued to " + string(in.Topology.Facts.OWAHost) + ", or correct the public host name on the organisation page.",
			Fix:     []string{QCertCN},
			Servers: nonEmpty(isaName),
		})
	}
	if a.Is(QCertIssuer, IssuerInternal) {
		fs = append(fs, steps.Finding{
			Code:     CodeListenerCertNotPublic,
			Severity: steps.Warning,
			Message: "ISA Server's certificate would come from the organisation's own CA. Browsers on computers the organisation does not manage do not trust it, so users would see a warning each time they open OWA. " +
				"Use a certificate from a CA that browsers trust, or record that only managed computers that trust the internal CA use OWA.",
			Fix:     []string{QCertIssuer},
			Servers: nonEmpty(isaName),
		})
	}
	if v, ok := a[QListenerIP]; ok && haveISA {
		ip := netip.MustParseAddr(v)
		if !slices.Contains(isa.ISA.ExternalAddrs, ip) {
			fs = append(fs, steps.Finding{
				Code:     CodeListenerIPNotOnISA,
				Severity: steps.Error,
				Message: v + " is not an external address of " + isaName + " (its page lists " + addrs(isa.ISA.ExternalAddrs) + "), so the listener could not be configured on it. " +
					"Choose one of its external addresses, or add the address on the server's page.",
				Fix:     []string{QListenerIP},
				Servers: []string{isaName},
			})
		}
		if pub, ok := owatopology.PublishedIP(in); ok && pub != ip {
			fs = append(fs, steps.Finding{
				Code:     CodeListenerIPNotPublished,
				Severity: steps.Error,
				Message: "The SSL listener would be on " + v + ", but the OWA topology procedure publishes OWA on " + pub.String() + ", where external DNS leads browsers. " +
					"They would find nothing listening. Use " + pub.String() + " here, or change the published address in the OWA topology procedure.",
				Fix:     []string{QListenerIP, QISA},
				Servers: []string{isaName},
			})
		}
	}
	switch a[QSSLMode] {
	case ModeTerminate:
		fs = append(fs, steps.Finding{
			Code:     CodeClearHopISAFrontEnd,
			Severity: steps.Error,
			Message: "With SSL ended at " + orISA(isaName) + " and the request forwarded in clear, every OWA password would cross the internal network in clear text between " + orISA(isaName) + " and the front-ends " + owatopology.Join(fes) + ": OWA uses Basic authentication, which sends the password with every request. " +
				"Choose bridging, which re-encrypts the request to the front-end.",
			Fix:     []string{QSSLMode},
			Servers: append(nonEmpty(isaName), fes...),
		})
	case ModeTunnel:
		fs = append(fs, steps.Finding{
			Code:     CodeTunnelNotPlanned,
			Severity: steps.Error,
			Message: "When ISA Server only passes the encrypted connection through, browsers see the front-end's own certificate, which the front-end certificate procedure requests from the internal CA in the front-end's internal name: every browser outside would warn. " +
				"ISA Server could also not inspect the requests, and one published address could reach only one front-end. The guide's procedures build bridging; choose it. " +
				"If the legal review rules out decrypting at ISA Server, OWA has to be published by a different design (a server publishing rule for HTTPS to one front-end holding a publicly trusted certificate for the public name), which this wizard does not plan.",
			Fix:     []string{QSSLMode},
			Servers: append(nonEmpty(isaName), fes...),
		})
	case ModeBridge:
		if haveISA && isa.ISA.ServicePack < 1 {
			fs = append(fs, steps.Finding{
				Code:     CodeBridgingNeedsSP1,
				Severity: steps.Error,
				Message: "Bridging SSL to the front-end needs ISA Server Service Pack 1 or later, and the page of " + isaName + " records no service pack: the publishing rule's bridging settings would not work. " +
					"Install Service Pack 1 (or later) first and record it on the server's page.",
				Fix:     []string{QSSLMode},
				Servers: []string{isaName},
			})
		}
	}
	if decrypts(a) && a.Is(QLegal, "no") {
		fs = append(fs, steps.Finding{
			Code:     CodeLegalReviewPending,
			Severity: steps.Warning,
			Message: "ISA Server will decrypt users' OWA traffic to inspect it, and the legal position on that has not been checked. Some countries restrict it. " +
				"Have it checked before the change goes live, and record who will confirm it.",
			Fix:     []string{QLegal},
			Servers: nonEmpty(isaName),
		})
	}
	return fs
}

func frontEndNames(t steps.Topology) []string {
	var out []string
	for _, s := range t.WithRole(steps.RoleFrontEnd) {
		out = append(out, string(s.Name))
	}
	return out
}

func addrs(as []netip.Addr) string {
	if len(as) == 0 {
		return "no external address"
	}
	var ss []string
	for _, a := range as {
		ss = append(ss, a.String())
	}
	return owatopology.Join(ss)
}

func nonEmpty(names ...string) []string {
	var out []string
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

func orISA(name string) string {
	if name == "" {
		return "ISA Server"
	}
	return name
}
