package isapublish

import (
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/isalistener"
	"github.com/secex/wizard/steps/owatopology"
)

// Finding codes.
const (
	CodeAnswerInvalid   = steps.CodeAnswerInvalid
	CodeServerInvalid   = owatopology.CodeServerInvalid
	CodeEarlierUnusable = owatopology.CodeEarlierUnusable
	CodeTargetNotFE     = "target-not-front-end"
	CodeHostHeaderOff   = "host-header-off"
)

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	fs = append(fs, owatopology.CheckHosts(in.Topology, steps.RoleFrontEnd)...)
	if len(in.Of(ID)) > 0 {
		fs = append(fs, owatopology.CheckEarlier(in, owatopology.Step, func(in steps.Input) error { _, err := owatopology.Load(in); return err })...)
		fs = append(fs, owatopology.CheckEarlier(in, isalistener.Step, func(in steps.Input) error { _, err := isalistener.Load(in); return err })...)
	}
	isa, _ := isalistener.ISAOf(in)
	if target, ok := a[QTarget]; ok {
		if _, found := frontEndByFQDN(in.Topology, target); !found {
			var fes []string
			for _, s := range in.Topology.WithRole(steps.RoleFrontEnd) {
				fes = append(fes, string(s.FQDN)+" ("+string(s.Name)+")")
			}
			msg := target + " is not an OWA front-end in the inventory"
			servers := []string{}
			for _, s := range in.Topology.Servers {
				if strings.EqualFold(string(s.FQDN), target) {
					var roles []string
					for _, r := range s.Roles {
						roles = append(roles, r.Label())
					}
					msg += ": it is " + string(s.Name) + ", recorded as " + owatopology.Join(roles) + ". Publishing anything but a front-end puts that server in front of the Internet in the front-end's place"
					servers = append(servers, string(s.Name))
				}
			}
			if isa.Name != "" {
				servers = append(servers, string(isa.Name))
			}
			fs = append(fs, steps.Finding{
				Code:     CodeTargetNotFE,
				Severity: steps.Error,
				Message: msg + ". ISA Server must redirect to a front-end by the name its certificate carries. Choose one of: " + owatopology.Join(fes) +
					", or give the server the role " + steps.RoleFrontEnd.Label() + " on its page if it is one.",
				Fix:     []string{QTarget},
				Servers: servers,
			})
		}
	}
	if a.Is(QHostHeader, "no") {
		fs = append(fs, steps.Finding{
			Code:     CodeHostHeaderOff,
			Severity: steps.Warning,
			Message: "Without the original host header, the front-end sees its own internal name in each request and OWA builds links and redirects with it; browsers on the Internet cannot follow those. " +
				"Send the original host header, as the guide does, or record why OWA works without it here.",
			Fix: []string{QHostHeader},
		})
	}
	return fs
}
