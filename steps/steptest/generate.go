package steptest

import (
	"fmt"
	"net/netip"
	"strconv"

	"github.com/secex/wizard/steps"
)

// BigTopology builds an organisation of the given numbers of ISA Servers,
// OWA front-ends, Exchange back-ends and SMTP gateways, plus one domain
// controller that is also the certification authority, for benchmarks.
func BigTopology(isa, fe, be, gw int) steps.Topology {
	t := steps.Topology{Facts: steps.Facts{ADDomain: "corp.example.com", PublicDomain: "example.com",
		OWAHost: "mail.example.com", OWAPath: "/exchange", MXHost: "smtp.example.com"}}
	n := 0
	add := func(prefix string, count int, role steps.Role, os steps.OS) {
		for i := 1; i <= count; i++ {
			n++
			name := fmt.Sprintf("%s%03d", prefix, i)
			s := steps.Server{
				Name:  steps.NetBIOSName(name),
				FQDN:  steps.FQDN(fmt.Sprintf("%s.corp.example.com", lower(name))),
				Addrs: []netip.Addr{netip.AddrFrom4([4]byte{10, byte(n / 250), byte(n % 250), 10})},
				OS:    os, Roles: []steps.Role{role},
			}
			switch role {
			case steps.RoleISA:
				s.ISA = steps.ISAFacts{ExternalAddrs: []netip.Addr{netip.AddrFrom4([4]byte{192, 0, 2, byte(i)})}, ServicePack: 1}
			case steps.RoleFrontEnd:
				s.FrontEnd = steps.FrontEndFacts{SiteID: 1, OU: "OWA Front-end Servers"}
			case steps.RoleBackEnd:
				s.BackEnd = steps.BackEndFacts{OU: "Back-end Servers"}
				if i == 1 {
					s.Roles = append(s.Roles, steps.RoleKMS)
				}
			case steps.RoleGateway:
				s.Gateway = steps.GatewayFacts{AntiVirus: true}
			case steps.RoleCA:
				s.Roles = append(s.Roles, steps.RoleDC)
				s.CA = steps.CAFacts{Config: `dc001.corp.example.com\Corp Issuing CA`}
			}
			t.Servers = append(t.Servers, s)
		}
	}
	add("DC", 1, steps.RoleCA, steps.OSWindows2000)
	add("ISA", isa, steps.RoleISA, steps.OSWindows2000)
	add("OWAFE", fe, steps.RoleFrontEnd, steps.OSWindows2000)
	add("EXBE", be, steps.RoleBackEnd, steps.OSWindows2000)
	add("SMTPGW", gw, steps.RoleGateway, steps.OSWindows2003)
	return t
}

func lower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// AnswerAll answers every asked question of every step in catalog with its
// default, or else the first option or a plausible value of its kind, page
// by page so that conditional pages are asked as a user would meet them.
// The answers are well formed but not necessarily free of findings.
func AnswerAll(catalog []*steps.Step, t steps.Topology) map[string]steps.Answers {
	all := map[string]steps.Answers{}
	for _, st := range catalog {
		a := steps.Answers{}
		for _, p := range st.Pages {
			if !p.Asked(a) {
				continue
			}
			for _, q := range p.Questions {
				a[q.ID] = answerFor(q, t, a)
			}
		}
		all[st.ID] = a
	}
	return all
}

func answerFor(q steps.Question, t steps.Topology, a steps.Answers) string {
	if d := q.DefaultFor(t, a); d != "" {
		if v, err := q.Parse([]string{d}, t); err == nil || q.Kind.Multiple() {
			if q.Kind.Multiple() {
				return d
			}
			return v
		}
	}
	if opts := q.Options(t); len(opts) > 0 {
		return opts[0].Value
	}
	switch q.Kind {
	case steps.KindNumber:
		return strconv.Itoa(max(q.Min, 1))
	case steps.KindFQDN:
		return "host.example.com"
	case steps.KindIPv4:
		return "10.250.0.1"
	case steps.KindPrefixes:
		return "10.0.0.0/8"
	case steps.KindObjectName:
		return "Generated name"
	case steps.KindCAConfig:
		return `dc001.corp.example.com\Corp Issuing CA`
	case steps.KindSubjectText:
		return "Contoso"
	case steps.KindList:
		// The first of a few plausible lines that the question's own
		// parser takes.
		if q.Item == nil {
			return ""
		}
		for _, v := range []string{"spam.example.net", "offers@bulk.example.net", "limited offer"} {
			if s, err := q.Item(v); err == nil {
				return s
			}
		}
	}
	return ""
}
