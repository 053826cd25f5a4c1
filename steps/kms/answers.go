package kms

import (
	"fmt"
	"strings"

	"github.com/secex/wizard/steps"
)

// config is the procedure's answers parsed again into typed values, checked
// against the servers as they are now. When KMS is not used, only use is
// set.
type config struct {
	use        bool
	kms        host
	ca         host
	caConfig   steps.CAConfig
	thirdParty bool
}

// host is a server named in an answer, its names parsed again.
type host struct {
	name steps.NetBIOSName
	fqdn steps.FQDN
}

// caName is the CA's own name: the part of the configuration string after
// the backslash.
func (c config) caName() string {
	_, name, _ := strings.Cut(string(c.caConfig), `\`)
	return name
}

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
}

// load parses the answers for generation. Any answer that does not parse,
// any asked question left unanswered and any server value that does not
// parse (the CA's configuration string included, which must be present) is
// an error: nothing is generated from a value that was not parsed.
func load(in steps.Input) (config, error) {
	a, err := steps.LoadAnswers(ID, pages, in)
	if err != nil {
		return config{}, err
	}
	c := config{use: a.Is(QUse, "yes")}
	if !c.use {
		return c, nil
	}
	if c.kms, err = loadHost(in.Topology, a[QServer]); err != nil {
		return config{}, err
	}
	if c.ca, err = loadHost(in.Topology, a[QCA]); err != nil {
		return config{}, err
	}
	s, _ := in.Topology.Server(a[QCA])
	if s.CA.Config == "" {
		return config{}, fmt.Errorf("server %s: no CA configuration string; enter it on the server's page", s.Name)
	}
	if c.caConfig, err = steps.ParseCAConfig(string(s.CA.Config)); err != nil {
		return config{}, fmt.Errorf("server %s: %w", s.Name, err)
	}
	c.thirdParty = a.Is(QCAThirdParty, "yes")
	return c, nil
}

func loadHost(t steps.Topology, name string) (host, error) {
	s, ok := t.Server(name)
	if !ok {
		return host{}, fmt.Errorf("server %s is not in the inventory", name)
	}
	var h host
	var err error
	if h.name, err = steps.ParseNetBIOSName(string(s.Name)); err != nil {
		return host{}, fmt.Errorf("server %s: %w", name, err)
	}
	if h.fqdn, err = steps.ParseFQDN(string(s.FQDN)); err != nil {
		return host{}, fmt.Errorf("server %s: %w", name, err)
	}
	return h, nil
}
