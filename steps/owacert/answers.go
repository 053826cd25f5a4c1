package owacert

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/isapublish"
	"github.com/secex/wizard/steps/owatopology"
)

// FrontEnd is a front-end that gets a certificate, with the IIS web site
// that hosts its Exchange virtual directories.
type FrontEnd struct {
	owatopology.Host
	SiteID int
}

// Config is the procedure's answers parsed again, with the publishing
// procedure's answers it builds on.
type Config struct {
	Publish   isapublish.Config
	FrontEnds []FrontEnd
	CA        owatopology.Host
	CAConfig  steps.CAConfig
	CertName  steps.SubjectText
	Org       steps.SubjectText
	OrgUnit   steps.SubjectText // empty when not given
	City      steps.SubjectText
	State     steps.SubjectText
	Country   string
	ISATrust  string
}

// caName is the CA's own name: the part of the configuration string after
// the backslash.
func (c Config) caName() string {
	_, name, _ := strings.Cut(string(c.CAConfig), `\`)
	return name
}

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
}

// validCountry reports whether s is a two-letter country code.
func validCountry(s string) bool {
	if len(s) != 2 {
		return false
	}
	for _, r := range s {
		if (r < 'A' || r > 'Z') && (r < 'a' || r > 'z') {
			return false
		}
	}
	return true
}

// Load parses the answers for generation; see owatopology.Load.
func Load(in steps.Input) (Config, error) {
	a, err := steps.LoadAnswers(ID, pages, in)
	if err != nil {
		return Config{}, err
	}
	var c Config
	if c.Publish, err = isapublish.Load(in); err != nil {
		return Config{}, fmt.Errorf("OWA publishing: %w", err)
	}
	for _, name := range a.Values(QFrontEnds) {
		h, err := owatopology.LoadHost(in.Topology, name)
		if err != nil {
			return Config{}, err
		}
		if h.OS == steps.OSLater {
			return Config{}, fmt.Errorf("front-end %s runs %s, where no Exchange front-end of the guide's era runs", h.Name, h.OS.Label())
		}
		site := h.Server.FrontEnd.SiteID
		if site < 1 || site > 999999 {
			return Config{}, fmt.Errorf("front-end %s: IIS site number %d is not valid", h.Name, site)
		}
		c.FrontEnds = append(c.FrontEnds, FrontEnd{Host: h, SiteID: site})
	}
	if !slices.ContainsFunc(c.FrontEnds, func(f FrontEnd) bool { return f.Name == c.Publish.Target.Name }) {
		return Config{}, fmt.Errorf("the front-end ISA Server publishes, %s, gets no certificate", c.Publish.Target.Name)
	}
	if c.CA, err = owatopology.LoadHost(in.Topology, a[QCA]); err != nil {
		return Config{}, err
	}
	if c.CA.Server.CA.Config == "" {
		return Config{}, fmt.Errorf("server %s: no CA configuration string; enter it on the server's page", c.CA.Name)
	}
	if c.CAConfig, err = steps.ParseCAConfig(string(c.CA.Server.CA.Config)); err != nil {
		return Config{}, fmt.Errorf("server %s: %w", c.CA.Name, err)
	}
	c.CertName = steps.SubjectText(a[QCertName])
	c.Org = steps.SubjectText(a[QOrg])
	c.OrgUnit = steps.SubjectText(a[QOrgUnit])
	c.City = steps.SubjectText(a[QCity])
	c.State = steps.SubjectText(a[QState])
	if !validCountry(a[QCountry]) {
		return Config{}, fmt.Errorf("country %q is not a two-letter code", a[QCountry])
	}
	c.Country = strings.ToUpper(a[QCountry])
	c.ISATrust = a[QISATrust]
	if c.ISATrust == TrustNone {
		return Config{}, errors.New("ISA Server would not trust the front-end certificates")
	}
	return c, nil
}
