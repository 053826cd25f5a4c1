package isalistener

import (
	"fmt"
	"net/netip"
	"slices"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
)

// Config is the procedure's answers parsed again into typed values, checked
// against the servers as they are now.
type Config struct {
	ISA         owatopology.Host
	ListenerIP  netip.Addr
	CertCN      steps.FQDN
	Issuer      string
	Mode        string
	Accelerator bool
	Outgoing    bool // remove the outgoing web request listeners
}

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
}

// ModeOf returns the SSL mode answered in this procedure, or "" when it is
// not answered (or no longer parses). Later procedures check against it.
func ModeOf(in steps.Input) string {
	a, _ := reparse(in)
	return a[QSSLMode]
}

// ISAOf returns the ISA Server answered in this procedure, if any.
func ISAOf(in steps.Input) (steps.Server, bool) {
	a, _ := reparse(in)
	if a[QISA] == "" {
		return steps.Server{}, false
	}
	return in.Topology.Server(a[QISA])
}

// Load parses the answers for generation. Any answer that does not parse,
// any asked question left unanswered, a listener address the ISA Server
// does not have and any SSL mode other than bridging make it fail: nothing
// is generated from a value that was not parsed or that check reports.
func Load(in steps.Input) (Config, error) {
	a, err := steps.LoadAnswers(ID, pages, in)
	if err != nil {
		return Config{}, err
	}
	var c Config
	if c.ISA, err = owatopology.LoadHost(in.Topology, a[QISA]); err != nil {
		return Config{}, err
	}
	c.ListenerIP = netip.MustParseAddr(a[QListenerIP])
	if !slices.Contains(c.ISA.Server.ISA.ExternalAddrs, c.ListenerIP) {
		return Config{}, fmt.Errorf("%s is not an external address of %s", c.ListenerIP, c.ISA.Name)
	}
	c.CertCN = steps.FQDN(a[QCertCN])
	c.Issuer = a[QCertIssuer]
	c.Mode = a[QSSLMode]
	if c.Mode != ModeBridge {
		return Config{}, fmt.Errorf("the SSL mode %q is not one the OWA procedures build", c.Mode)
	}
	c.Accelerator = a.Is(QAccelerator, "yes")
	c.Outgoing = a.Is(QOutgoing, "yes")
	return c, nil
}
