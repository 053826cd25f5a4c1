package steps

// MigrationTarget is what a migrated project's servers run.
type MigrationTarget struct {
	OS       OS            // one of OSesFor(PlatformCurrent)
	Exchange ExchangeFacts // for the Mailbox and Edge Transport servers
}

// ServerMove says what became of one server of a guide-platform project
// in its current-platform copy.
type ServerMove struct {
	Server  NetBIOSName
	Roles   []Role // its roles on the current platform; none when it is retired
	Dropped []Role // the guide roles that have no counterpart on it
	Why     []string
}

// currentRole is what each guide role becomes, and why a role without a
// counterpart goes.
var currentRole = map[Role]struct {
	to  Role
	why string
}{
	RoleDC:       {RoleDC, ""},
	RoleCA:       {RoleCA, ""},
	RoleBackEnd:  {RoleMailbox, ""},
	RoleISA:      {RoleProxy, ""},
	RoleGateway:  {RoleEdge, ""},
	RoleFrontEnd: {"", "an OWA front-end has no counterpart: the Client Access services of every Mailbox server accept the connections and proxy them to the mailbox's server"},
	RoleScreener: {"", "the Message Screener is retired: the anti-spam agents on the Edge Transport or Mailbox servers take its place"},
	RoleKMS:      {"", "the Key Management Service is retired: AD CS key archival on the issuing CA takes its place"},
}

// MigrateTopology returns t as a current-platform topology: each server
// keeps its names and addresses, runs to's operating system, and has the
// counterparts of its roles (a back-end becomes a Mailbox server, ISA
// Server the reverse proxy, an SMTP gateway an Edge Transport server); a
// server none of whose roles has a counterpart is left out. The moves say
// what became of every server, in inventory order.
func MigrateTopology(t Topology, to MigrationTarget) (Topology, []ServerMove) {
	out := Topology{Facts: t.Facts}
	out.Facts.Platform = PlatformCurrent
	if out.Facts.OWAPath == "" || out.Facts.OWAPath == "/exchange" {
		out.Facts.OWAPath = "/owa" // Outlook on the web's path
	}
	var moves []ServerMove
	for _, s := range t.Servers {
		m := ServerMove{Server: s.Name}
		n := Server{Name: s.Name, FQDN: s.FQDN, Addrs: s.Addrs, OS: to.OS}
		for _, r := range s.Roles {
			c, ok := currentRole[r]
			switch {
			case !ok || c.to == "":
				m.Dropped = append(m.Dropped, r)
				if c.why != "" {
					m.Why = append(m.Why, c.why)
				}
			case !n.Has(c.to):
				n.Roles = append(n.Roles, c.to)
			}
		}
		if n.Has(RoleCA) {
			n.CA = s.CA
		}
		if n.Has(RoleMailbox) || n.Has(RoleEdge) {
			n.Exchange = to.Exchange
		}
		m.Roles = n.Roles
		if len(n.Roles) > 0 {
			out.Servers = append(out.Servers, n)
		}
		moves = append(moves, m)
	}
	return out, moves
}
