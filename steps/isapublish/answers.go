package isapublish

import (
	"fmt"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/isalistener"
	"github.com/secex/wizard/steps/owatopology"
)

// Config is the procedure's answers parsed again, with the answers of the
// OWA topology and listener procedures it builds on.
type Config struct {
	Topology     owatopology.Config
	Listener     isalistener.Config
	Target       owatopology.Host // the front-end ISA Server redirects to
	RuleName     steps.ObjectName
	Destinations string
	HostHeader   bool
}

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
}

// TargetOf returns the front-end this procedure publishes, if the answer
// names one.
func TargetOf(in steps.Input) (steps.Server, bool) {
	a, _ := reparse(in)
	if a[QTarget] == "" {
		return steps.Server{}, false
	}
	return frontEndByFQDN(in.Topology, a[QTarget])
}

func frontEndByFQDN(t steps.Topology, fqdn string) (steps.Server, bool) {
	for _, s := range t.WithRole(steps.RoleFrontEnd) {
		if strings.EqualFold(string(s.FQDN), fqdn) {
			return s, true
		}
	}
	return steps.Server{}, false
}

// Load parses the answers for generation; see owatopology.Load.
func Load(in steps.Input) (Config, error) {
	a, err := steps.LoadAnswers(ID, pages, in)
	if err != nil {
		return Config{}, err
	}
	var c Config
	if c.Topology, err = owatopology.Load(in); err != nil {
		return Config{}, fmt.Errorf("OWA topology: %w", err)
	}
	if c.Listener, err = isalistener.Load(in); err != nil {
		return Config{}, fmt.Errorf("ISA Server listener: %w", err)
	}
	s, ok := frontEndByFQDN(in.Topology, a[QTarget])
	if !ok {
		return Config{}, fmt.Errorf("%s is not an OWA front-end in the inventory", a[QTarget])
	}
	if c.Target, err = owatopology.HostOf(s); err != nil {
		return Config{}, err
	}
	c.RuleName = steps.ObjectName(a[QRuleName])
	c.Destinations = a[QDestinations]
	c.HostHeader = a.Is(QHostHeader, "yes")
	return c, nil
}
