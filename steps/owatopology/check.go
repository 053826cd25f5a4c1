package owatopology

import (
	"net/netip"
	"slices"

	"github.com/secex/wizard/steps"
)

// Finding codes.
const (
	CodeAnswerInvalid        = steps.CodeAnswerInvalid
	CodeFactsInvalid         = "owa-facts-invalid"
	CodeServerInvalid        = "server-invalid"
	CodePublishedIPNotOnISA  = "published-ip-not-on-isa"
	CodeISAPlacementDiffers  = "isa-placement-differs"
	CodeDNSNotPublishedIP    = "dns-not-published-ip"
	CodeFrontEndsInPerimeter = "front-ends-in-perimeter"
)

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	if len(in.Topology.Servers) == 0 {
		return fs
	}
	if _, _, err := Facts(in.Topology); err != nil {
		fs = append(fs, steps.Finding{
			Code:     CodeFactsInvalid,
			Severity: steps.Error,
			Message:  "The " + err.Error() + ". Correct it on the organisation page: every OWA procedure, and the outside-in test, use it.",
		})
	}
	fs = append(fs, CheckHosts(in.Topology, steps.RoleISA, steps.RoleFrontEnd, steps.RoleBackEnd)...)

	pub, answered := a[QPublishedIP]
	var isa steps.Server
	if answered {
		addr := netip.MustParseAddr(pub)
		var ok bool
		isa, ok = isaWith(in.Topology, addr)
		if !ok {
			msg := pub + " is not an external address of any ISA Server in the inventory"
			var servers []string
			if s, found := owner(in.Topology, addr); found {
				msg += "; it belongs to " + string(s.Name) + ", so browsers would reach that server directly and bypass ISA Server"
				servers = append(servers, string(s.Name))
			}
			var isas []string
			for _, s := range in.Topology.WithRole(steps.RoleISA) {
				isas = append(isas, string(s.Name))
			}
			servers = append(servers, isas...)
			fs = append(fs, steps.Finding{
				Code:     CodePublishedIPNotOnISA,
				Severity: steps.Error,
				Message: msg + ". Enter one of the external addresses of " + Join(isas) + ", or add the address to the ISA Server's page if it is missing there." +
					externalList(in.Topology),
				Fix:     []string{QPublishedIP},
				Servers: servers,
			})
		}
	}
	if isa.Name != "" {
		if v, ok := a[QLayout]; ok && (v == "no") != isa.ISA.InsideFirewall {
			said, page := "ISA Server goes between the two firewalls", "inside the inner firewall"
			if v == "no" {
				said, page = "ISA Server goes inside the inner firewall", "between the two firewalls"
			}
			fs = append(fs, steps.Finding{
				Code:     CodeISAPlacementDiffers,
				Severity: steps.Error,
				Message: "You answered that " + said + ", but the page of " + string(isa.Name) + " says it sits " + page + ". " +
					"The firewall changes for the network team follow this answer, so they would open the wrong paths. Correct whichever is wrong.",
				Fix:     []string{QLayout},
				Servers: []string{string(isa.Name)},
			})
		}
	}
	if answered && a.Is(QDNSChange, DNSKeep) {
		target := netip.MustParseAddr(pub)
		if v := a[QPublicIP]; v != "" {
			target = netip.MustParseAddr(v)
		}
		var current netip.Addr
		if v := a[QDNSCurrent]; v != "" {
			current = netip.MustParseAddr(v)
		}
		if current != target {
			host := string(in.Topology.Facts.OWAHost)
			if host == "" {
				host = "the public OWA name"
			}
			msg := "External DNS is to be left as it is, but " + host
			var servers []string
			switch s, found := owner(in.Topology, current); {
			case !current.IsValid():
				msg += " has no record yet, so nobody on the Internet can reach OWA"
			case found && s.Has(steps.RoleFrontEnd):
				msg += " resolves to " + current.String() + ", the address of the front-end " + string(s.Name) + ": browsers would go straight to it, bypassing ISA Server and its SSL listener"
				servers = append(servers, string(s.Name))
			default:
				msg += " resolves to " + current.String() + ", not to " + target.String() + ", which ISA Server publishes"
			}
			if isa.Name != "" {
				servers = append(servers, string(isa.Name))
			}
			fs = append(fs, steps.Finding{
				Code:     CodeDNSNotPublishedIP,
				Severity: steps.Error,
				Message:  msg + ". Answer that the record will be changed, or correct the address it resolves to today.",
				Fix:      []string{QDNSChange, QDNSCurrent},
				Servers:  servers,
			})
		}
	}
	if a.Is(QPlacement, PlacementPerimeter) {
		fes := in.Topology.WithRole(steps.RoleFrontEnd)
		var names []string
		for _, s := range fes {
			names = append(names, string(s.Name))
		}
		fs = append(fs, steps.Finding{
			Code:     CodeFrontEndsInPerimeter,
			Severity: steps.Warning,
			Message: "The front-ends " + Join(names) + " stay in the perimeter network. ISA Server then protects only the browser's side: the inner firewall must keep open every port the front-ends use to reach the domain controllers, the global catalog and the back-ends, which is the exposure the guide sets out to remove. " +
				"Move them to the internal network, or record why they stay.",
			Fix:     []string{QPlacement},
			Servers: names,
		})
	}
	return fs
}

func externalList(t steps.Topology) string {
	var parts []string
	for _, s := range t.WithRole(steps.RoleISA) {
		for _, e := range s.ISA.ExternalAddrs {
			parts = append(parts, e.String()+" ("+string(s.Name)+")")
		}
	}
	if len(parts) == 0 {
		return " No ISA Server has an external address recorded yet."
	}
	return " Recorded external addresses: " + Join(parts) + "."
}

// CheckHosts reports, as errors, the servers with any of roles whose names
// or addresses no longer parse (a damaged or hand-edited project file):
// their values would otherwise reach a script.
func CheckHosts(t steps.Topology, roles ...steps.Role) []steps.Finding {
	var fs []steps.Finding
	var seen []string
	for _, s := range t.Servers {
		if !slices.ContainsFunc(roles, s.Has) || slices.Contains(seen, string(s.Name)) {
			continue
		}
		seen = append(seen, string(s.Name))
		if _, err := HostOf(s); err != nil {
			fs = append(fs, steps.Finding{
				Code:     CodeServerInvalid,
				Severity: steps.Error,
				Message:  "The inventory holds a value that cannot be used: " + err.Error() + ". Open the server's page and save it again with a corrected value.",
				Servers:  []string{string(s.Name)},
			})
		}
	}
	return fs
}

// CodeEarlierUnusable is the finding a procedure gives when a procedure it
// builds on has answers it cannot use yet.
const CodeEarlierUnusable = "earlier-procedure-unusable"

// CheckEarlier reports, as an error, that the earlier procedure st cannot be
// used yet: load fails on its answers although its own check reports no
// error (that error would be shown on its page already). Typically st is
// not answered to the end.
func CheckEarlier(in steps.Input, st *steps.Step, load func(steps.Input) error) []steps.Finding {
	err := load(in)
	if err == nil {
		return nil
	}
	if slices.ContainsFunc(st.Check(in), func(f steps.Finding) bool { return f.Severity == steps.Error }) {
		return nil
	}
	return []steps.Finding{{
		Code:     CodeEarlierUnusable,
		Severity: steps.Error,
		Message:  "This procedure builds on \u201c" + st.Title + "\u201d, whose answers cannot be used yet: " + err.Error() + ". Answer that procedure to the end first.",
	}}
}
