package owatopology

import (
	"net/netip"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
)

// File names of the generated files.
const (
	HopsFile      = "owa-hops.txt"
	DNSVerifyFile = "owa-dns-verify.cmd"
)

// Hop is one leg of the path an OWA request and its password take.
type Hop struct {
	From, To   string
	Protocol   string
	Port       string
	Protection string
}

// Hops is the design every later OWA procedure builds: the protocol, port
// and protection of each hop.
func Hops(c Config) []Hop {
	fes := Join(Names(c.FrontEnds))
	bes := Join(Names(c.BackEnds))
	isa := string(c.ISA.Name)
	return []Hop{
		{
			From: "Browser on the Internet", To: isa + " at " + c.DNSTarget().String(),
			Protocol: "HTTPS", Port: "TCP 443",
			Protection: "SSL with " + isa + "'s certificate for " + string(c.OWAHost) + "; clear HTTP refused and 128-bit encryption required on the published site (procedures 5 and 6)",
		},
		{
			From: isa, To: "OWA front-end (" + fes + ")",
			Protocol: "HTTPS", Port: "TCP 443",
			Protection: "SSL again: ISA Server decrypts, inspects and re-encrypts to the front-end's own certificate from the internal CA (procedures 5 to 7)",
		},
		{
			From: "OWA front-end (" + fes + ")", To: "Exchange back-end (" + bes + ")",
			Protocol: "HTTP", Port: "TCP 80",
			Protection: "IPSec ESP with 3DES, computers authenticated by Kerberos, no fallback to clear (procedure 8)",
		},
		{
			From: "OWA front-end", To: "Domain controllers and global catalog",
			Protocol: "Kerberos, LDAP and others", Port: "their usual ports",
			Protection: "Not changed by this guide; the user's logon is checked there without the password crossing the wire in clear",
		},
	}
}

// HopLine renders a hop as one sentence for the runbook.
func HopLine(i int, h Hop) string {
	return "Hop " + strconv.Itoa(i+1) + ", " + h.From + " to " + h.To + ": " + h.Protocol + " on " + h.Port + ". Protection: " + h.Protection + "."
}

// FirewallRules lists, in words, what the network team opens for OWA.
func FirewallRules(c Config) []string {
	pub := c.PublishedIP.String()
	var rules []string
	front := "from the Internet to " + pub + " (" + string(c.ISA.Name) + ")"
	if c.PublicIP.IsValid() {
		front = "from the Internet to " + c.PublicIP.String() + ", translated to " + pub + " (" + string(c.ISA.Name) + ")"
	}
	internal := addrList(c.ISA.Addrs)
	var feAddrs []string
	for _, fe := range c.FrontEnds {
		for _, a := range fe.Addrs {
			feAddrs = append(feAddrs, a.String())
		}
	}
	if c.Layout {
		rules = append(rules,
			"Outer firewall: allow TCP 443 "+front+".",
			"Inner firewall: allow TCP 443 from "+string(c.ISA.Name)+"'s internal address ("+internal+") to the front-ends ("+strings.Join(feAddrs, ", ")+"), the SSL connection ISA Server makes to them.",
		)
	} else {
		rules = append(rules,
			"Outer firewall: allow TCP 443 "+front+".",
			"Inner firewall: pass the same TCP 443 traffic on to "+pub+"; "+string(c.ISA.Name)+" sits inside the inner firewall, on the same network as the front-ends.",
		)
	}
	rules = append(rules, "TCP 80 from the Internet stays closed: the publishing rule refuses clear HTTP anyway, and a closed port keeps browsers from sending anything in clear.")
	switch c.Placement {
	case PlacementMove:
		rules = append(rules, "Once the front-ends have moved and DNS points at "+string(c.ISA.Name)+", close the inner-firewall ports that were open for the front-ends in the perimeter network (their traffic to domain controllers, the global catalog and the back-ends), and any rule that published them directly.")
	case PlacementPerimeter:
		rules = append(rules, "The front-ends stay in the perimeter network, so the inner-firewall ports they use to reach domain controllers, the global catalog and the back-ends stay open; the front-end to back-end TCP 80 traffic crosses the inner firewall inside IPSec (IP protocol 50 and UDP 500 between the front-ends and the back-ends).")
	case PlacementInternal:
		rules = append(rules, "Remove any rule that still publishes a front-end directly to the Internet, once DNS points at "+string(c.ISA.Name)+".")
	}
	return rules
}

func addrList(as []netip.Addr) string {
	var ss []string
	for _, a := range as {
		ss = append(ss, a.String())
	}
	return strings.Join(ss, ", ")
}

func plan(in steps.Input) []steps.Action {
	c, err := Load(in)
	if err != nil {
		// Produce never plans a step whose answers do not parse: check
		// reports them as errors first.
		return nil
	}
	return actions(c)
}

func actions(c Config) []steps.Action {
	var as []steps.Action
	var hops []string
	for i, h := range Hops(c) {
		hops = append(hops, HopLine(i, h))
	}
	as = append(as, steps.Action{
		ID:     "hop-table",
		Phase:  steps.PhasePrerequisites,
		Target: TargetNetwork,
		Title:  "Agree how each hop of the OWA path is protected",
		Do: append([]string{
			"Print " + HopsFile + " from this folder and go through it with the owners of ISA Server, the front-ends, the back-ends and the firewalls. OWA uses Basic authentication, so the password travels with every request and must be encrypted on each hop:",
		}, hops...),
		Expect:  "Everyone involved signs the hop table; no hop is left without protection.",
		Verify:  "The later procedures' checks agree: the wizard reports no unencrypted hop.",
		Backout: "Nothing to undo: this step only agrees the design.",
	})
	if c.Placement == PlacementMove {
		for _, fe := range c.FrontEnds {
			as = append(as, steps.Action{
				ID:     "move-" + string(fe.Name),
				Phase:  steps.PhasePrerequisites,
				Target: string(fe.Name),
				Title:  "Move " + string(fe.Name) + " from the perimeter network to the internal network",
				Do: []string{
					"Take " + string(fe.FQDN) + " out of service for OWA (the other front-ends keep serving).",
					"Connect it to the internal network and give it the address recorded in the wizard (" + addrList(fe.Addrs) + "); update its internal DNS record.",
					"Check that it reaches the domain controllers, the global catalog and the back-ends without any rule on the inner firewall.",
				},
				Expect:     "From the internal network, http://" + string(fe.FQDN) + c.OWAPath + " asks for a user name and password.",
				Verify:     "ping " + string(fe.FQDN) + " from a back-end answers from " + addrList(fe.Addrs) + ".",
				Backout:    "Reconnect it to the perimeter network with its old address and restore its internal DNS record.",
				Interrupts: "OWA on " + string(fe.Name),
				Minutes:    60,
			})
		}
	}
	host := string(c.OWAHost)
	if c.NeedsDNSChange() {
		as = append(as, steps.Action{
			ID:     "dns-ttl",
			Phase:  steps.PhasePrerequisites,
			Target: TargetNetwork,
			Title:  "Shorten the time to live of the external DNS record for " + host,
			Do: []string{
				"At least one old time-to-live period before the switch (usually a day ahead), lower the TTL of the record for " + host + " in the external zone to 5 minutes, so that resolvers on the Internet pick up the switch quickly.",
			},
			Expect:  "The record's TTL shows 300 seconds.",
			Verify:  "nslookup -debug " + host + " on a computer outside the organisation shows a TTL of at most 300 seconds.",
			Backout: "Set the TTL back to its previous value.",
		})
	}
	as = append(as, steps.Action{
		ID:      "firewall",
		Phase:   steps.PhaseISA,
		Target:  TargetNetwork,
		Title:   "Open the firewall paths for OWA through " + string(c.ISA.Name),
		Do:      FirewallRules(c),
		Expect:  "The firewall rule lists show the new TCP 443 rules.",
		Verify:  "After ISA Server listens (procedure 5), a connection to " + c.DNSTarget().String() + " on TCP 443 from outside succeeds; the outside-in test of procedure 6 confirms it.",
		Backout: "Remove the rules added here; any rule removed at the end is put back from the firewall's saved configuration.",
	})
	return as
}

// DNSCutover is the action that points the public name at ISA Server. It
// belongs to this procedure's design, but the publishing procedure plans it
// once the publishing rule is in place and tested, so that external users
// never reach an address that does not answer yet.
func DNSCutover(c Config) steps.Action {
	host := string(c.OWAHost)
	target := c.DNSTarget().String()
	a := steps.Action{
		ID:     "dns-cutover",
		Phase:  steps.PhaseISA,
		Target: TargetNetwork,
		Script: DNSVerifyFile,
	}
	if !c.NeedsDNSChange() {
		a.Title = "Confirm that " + host + " resolves to " + target + " on the Internet"
		a.Do = []string{
			"The record already points at " + target + "; nothing changes in DNS.",
			"On a computer outside the organisation, run " + DNSVerifyFile + " from this folder.",
		}
		a.Expect = DNSVerifyFile + " reports that " + host + " resolves to " + target + "."
		a.Verify = "The outside-in test of procedure 6 passes its DNS check."
		a.Backout = "Nothing to undo."
		return a
	}
	old := "no record"
	if c.DNSCurrent.IsValid() {
		old = c.DNSCurrent.String()
	}
	a.Title = "Point " + host + " at " + target + " in external DNS"
	a.Do = []string{
		"In the external zone, change the A record of " + host + " from " + old + " to " + target + ".",
		"Wait one time-to-live period, then run " + DNSVerifyFile + " from this folder on a computer outside the organisation.",
		"Once the old record has expired everywhere (a day is safe), remove any firewall rule that published a front-end directly.",
	}
	a.Expect = DNSVerifyFile + " reports that " + host + " resolves to " + target + "."
	a.Verify = "The outside-in test of procedure 6 passes from a computer on the Internet."
	if c.DNSCurrent.IsValid() {
		a.Backout = "Change the A record of " + host + " back to " + old + "."
		a.Interrupts = "OWA for users whose resolver still holds the old record"
		a.Minutes = 5
	} else {
		a.Backout = "Delete the A record of " + host + "."
	}
	return a
}
