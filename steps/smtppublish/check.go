package smtppublish

import (
	"net/netip"

	"github.com/secex/wizard/steps"
)

// Finding codes.
const (
	CodeAnswerInvalid       = steps.CodeAnswerInvalid
	CodeAddressNotExternal  = "smtp-address-not-external"
	CodeMXHostMissing       = "mx-host-missing"
	CodeMXNotISA            = "mx-not-isa-address"
	CodeMXNotRoutable       = "mx-address-not-routable"
	CodeOutgoingOnArray     = "outgoing-smtp-on-array-member"
	CodeAuthWithoutTLS      = "smtp-auth-without-tls"
	CodeFirewallsDiffer     = "firewall-layout-differs"
	CodePublicAddressIsISAs = "public-address-is-isa-address"
)

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	t := in.Topology
	isa, haveISA := t.Server(a[QISA])
	haveISA = haveISA && isa.Has(steps.RoleISA)
	addr, addrErr := netip.ParseAddr(a[QAddress])
	if haveISA && addrErr == nil && !isExternal(isa, addr) {
		fs = append(fs, steps.Finding{
			Code: CodeAddressNotExternal, Severity: steps.Error, Fix: []string{QAddress}, Servers: []string{string(isa.Name)},
			Message: addr.String() + " is not one of the external addresses recorded for " + string(isa.Name) + ". The publishing rule can only listen on an external address of ISA Server: choose one, or add it on the server's page.",
		})
	}
	if len(a) > 0 && t.Facts.MXHost == "" {
		fs = append(fs, steps.Finding{
			Code: CodeMXHostMissing, Severity: steps.Error,
			Message: "The organisation's description names no MX host, so the DNS change cannot say which record to point at ISA Server. Enter the MX host (the name your domain's MX record gives) on the page that describes the organisation.",
		})
	}
	nat := a.Is(QFirewalls, InsideInner) && a.Is(QOuterNAT, "yes")
	want := addr
	if nat {
		want, _ = netip.ParseAddr(a[QPublicAddress])
		if want == addr && want.IsValid() {
			fs = append(fs, steps.Finding{
				Code: CodePublicAddressIsISAs, Severity: steps.Warning, Fix: []string{QPublicAddress, QOuterNAT},
				Message: "The public address given is ISA Server's own SMTP address, so nothing is translated. Answer No to the translation question, or give the public address the firewall in front translates.",
			})
		}
	}
	if mx, err := netip.ParseAddr(a[QMXAddress]); err == nil && want.IsValid() {
		switch {
		case mx != want:
			what := "ISA Server's published SMTP address " + want.String()
			if nat {
				what = "the public address " + want.String() + " that the firewall translates to ISA Server's " + addr.String()
			}
			var servers []string
			if haveISA {
				servers = []string{string(isa.Name)}
			}
			fs = append(fs, steps.Finding{
				Code: CodeMXNotISA, Severity: steps.Error, Fix: []string{QMXAddress, QAddress}, Servers: servers,
				Message: "Public DNS would give " + mx.String() + " for the MX host, but mail must arrive at " + what +
					". Senders would try to reach another host, and mail would bounce or bypass ISA Server. Point the MX host at " + want.String() + ".",
			})
		case !Routable(mx):
			fix := []string{QMXAddress, QFirewalls}
			if a.Is(QFirewalls, InsideInner) {
				fix = append(fix, QOuterNAT)
			}
			fs = append(fs, steps.Finding{
				Code: CodeMXNotRoutable, Severity: steps.Error, Fix: fix,
				Message: mx.String() + " is a private address that senders on the Internet cannot reach. If a firewall in front of ISA Server translates a public address to it, say so (ISA inside the inner firewall, with translation) and give that public address.",
			})
		}
	}
	if haveISA && a.Is(QOutbound, OutboundPublish) && isa.ISA.ArrayMember {
		fs = append(fs, steps.Finding{
			Code: CodeOutgoingOnArray, Severity: steps.Error, Fix: []string{QOutbound, QISA}, Servers: []string{string(isa.Name)},
			Message: string(isa.Name) + " is a member of an ISA array, and ISA Server 2000 cannot publish outgoing SMTP on an active array member. " +
				"Let outgoing mail leave through a protocol rule instead, or publish on a stand-alone ISA Server.",
		})
	}
	if a.Is(QSMTPAuth, "yes") && a.Is(QAuthTLS, "no") {
		fs = append(fs, steps.Finding{
			Code: CodeAuthWithoutTLS, Severity: steps.Error, Fix: []string{QAuthTLS, QSMTPAuth},
			Message: "People would log on over port 25 without TLS, so their user names and passwords would cross the Internet in clear text, readable by anyone on the way. Require TLS (the published server then needs a certificate), or let nobody log on over port 25.",
		})
	}
	if haveISA {
		if v, ok := a[QFirewalls]; ok && (v == InsideInner) != isa.ISA.InsideFirewall {
			page := "between the two firewalls"
			if isa.ISA.InsideFirewall {
				page = "inside the inner firewall"
			}
			fs = append(fs, steps.Finding{
				Code: CodeFirewallsDiffer, Severity: steps.Warning, Fix: []string{QFirewalls}, Servers: []string{string(isa.Name)},
				Message: "The answer about the firewalls differs from " + string(isa.Name) + "'s page, which places it " + page + ". Correct whichever is wrong: the OWA publishing procedures use the server's page.",
			})
		}
	}
	return fs
}
