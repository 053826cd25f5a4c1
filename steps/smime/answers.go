package smime

import (
	"fmt"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
)

// config is the procedure's answers parsed again into typed values, checked
// against the servers as they are now.
type config struct {
	internet  bool
	source    string
	ca        *issuer // nil unless certificates come from the internal CA
	exchange  []string
	algorithm string
}

// issuer is the internal CA that issues users' certificates.
type issuer struct {
	name   steps.NetBIOSName
	fqdn   steps.FQDN
	config steps.CAConfig // empty until entered on the server's page
}

// caName is the CA's own name, the part of its configuration string after
// the backslash, or "" when the configuration string is not known.
func (i issuer) caName() string {
	_, name, _ := strings.Cut(string(i.config), `\`)
	return name
}

func (c config) internalCA() bool { return c.source == SourceInternalCA || c.source == SourceBoth }
func (c config) publicCA() bool   { return c.source == SourcePublicCA || c.source == SourceBoth }
func (c config) signedExchange() bool {
	return slices.Contains(c.exchange, ExchangeSignedMessage)
}
func (c config) gal() bool { return slices.Contains(c.exchange, ExchangeGAL) }

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
}

// load parses the answers for generation. Any answer that does not parse,
// any asked question left unanswered and any server value that does not
// parse is an error: nothing is generated from a value that was not parsed.
func load(in steps.Input) (config, error) {
	a, err := steps.LoadAnswers(ID, pages, in)
	if err != nil {
		return config{}, err
	}
	c := config{
		internet:  a.Is(QRecipients, RecipientsInternet),
		source:    a[QCertSource],
		exchange:  a.Values(QKeyExchange),
		algorithm: a[QAlgorithm],
	}
	if c.internalCA() {
		i, err := loadIssuer(in.Topology, a[QIssuingCA])
		if err != nil {
			return config{}, err
		}
		c.ca = &i
	}
	return c, nil
}

func loadIssuer(t steps.Topology, name string) (issuer, error) {
	s, ok := t.Server(name)
	if !ok {
		return issuer{}, fmt.Errorf("server %s is not in the inventory", name)
	}
	var i issuer
	var err error
	if i.name, err = steps.ParseNetBIOSName(string(s.Name)); err != nil {
		return issuer{}, fmt.Errorf("server %s: %w", name, err)
	}
	if i.fqdn, err = steps.ParseFQDN(string(s.FQDN)); err != nil {
		return issuer{}, fmt.Errorf("server %s: %w", name, err)
	}
	if s.CA.Config != "" {
		if i.config, err = steps.ParseCAConfig(string(s.CA.Config)); err != nil {
			return issuer{}, fmt.Errorf("server %s: %w", name, err)
		}
	}
	return i, nil
}
