package ipsec

import (
	"errors"
	"fmt"
	"net/netip"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/isalistener"
	"github.com/secex/wizard/steps/owatopology"
)

// Config is the procedure's answers parsed again into typed values, checked
// against the servers as they are now.
type Config struct {
	ISA        owatopology.Host
	FrontEnds  []owatopology.Host
	BackEnds   []owatopology.Host
	Domain     steps.FQDN
	PolicyHost owatopology.Host

	OUs                           [3]steps.ObjectName
	FEOU, BEOU                    steps.ObjectName
	FEGPO, BEGPO                  steps.ObjectName
	FEPolicy, BEPolicy            steps.ObjectName
	FEOutList, FEInList, BEInList steps.ObjectName
	BlockAction, EncryptAction    steps.ObjectName
	FEOutbound                    string
	FEBlock                       bool
	BEFilter                      string
	Local                         bool

	// Transition is set when the back-ends' rule requires IPSec from the
	// front-ends: the rule then starts on TransitionAction, which accepts
	// clear traffic and answers with IPSec, and is tightened to
	// EncryptAction once every front-end negotiates. Without it the
	// back-ends would refuse the front-ends' clear HTTP from the moment
	// their policy applies until the front-ends' does.
	Transition       bool
	TransitionAction steps.ObjectName
}

// transitionSuffix makes the temporary filter action's name from the
// encrypting action's.
const transitionSuffix = " (transition)"

// transitionName returns the name of the temporary filter action for the
// encrypting action encrypt, parsed as any other object name; a name too
// long to take the suffix is refused.
func transitionName(encrypt string) (steps.ObjectName, error) {
	return steps.ParseObjectName(encrypt + transitionSuffix)
}

// reparse parses the saved answers again; see steps.Reparse.
func reparse(in steps.Input) (steps.Answers, []steps.Finding) {
	return steps.Reparse(ID, pages, in)
}

func hosts(t steps.Topology, names []string) ([]owatopology.Host, error) {
	var out []owatopology.Host
	for _, n := range names {
		h, err := owatopology.LoadHost(t, n)
		if err != nil {
			return nil, err
		}
		out = append(out, h)
	}
	return out, nil
}

// Load parses the answers for generation. Any answer that does not parse,
// any asked question left unanswered, and anything check reports as an
// error make it fail: nothing is generated from a value that was not parsed
// or that would cut a server off.
func Load(in steps.Input) (Config, error) {
	a, err := steps.LoadAnswers(ID, pages, in)
	if err != nil {
		return Config{}, err
	}
	if fs := errorsOf(check(in)); len(fs) > 0 {
		return Config{}, errors.New(fs[0].Message)
	}
	l, err := isalistener.Load(in)
	if err != nil {
		return Config{}, fmt.Errorf("ISA Server listener: %w", err)
	}
	c := Config{ISA: l.ISA}
	if c.FrontEnds, err = hosts(in.Topology, a.Values(QFrontEnds)); err != nil {
		return Config{}, err
	}
	if c.BackEnds, err = hosts(in.Topology, a.Values(QBackEnds)); err != nil {
		return Config{}, err
	}
	if c.PolicyHost, err = owatopology.LoadHost(in.Topology, a[QPolicyHost]); err != nil {
		return Config{}, err
	}
	c.Domain = steps.FQDN(a[QDomain])
	obj := func(id string) steps.ObjectName { return steps.ObjectName(a[id]) }
	c.OUs = [3]steps.ObjectName{obj(QOU1), obj(QOU2), obj(QOU3)}
	c.FEOU, c.BEOU = obj(QFEOU), obj(QBEOU)
	c.FEGPO, c.BEGPO = obj(QFEGPO), obj(QBEGPO)
	c.FEPolicy, c.BEPolicy = obj(QFEPolicy), obj(QBEPolicy)
	c.FEOutList, c.BEInList = obj(QFEOutList), obj(QBEInList)
	c.FEBlock = a.Is(QFEBlock, "yes")
	if c.FEBlock {
		c.FEInList, c.BlockAction = obj(QFEInList), obj(QBlockAction)
	}
	c.EncryptAction = obj(QEncryptAction)
	c.FEOutbound = a[QFEOutbound]
	c.BEFilter = a[QBEFilter]
	c.Local = a.Is(QLocal, "yes")
	if c.Transition = c.beRequires(); c.Transition {
		if c.TransitionAction, err = transitionName(string(c.EncryptAction)); err != nil {
			return Config{}, fmt.Errorf("the temporary filter action: %w", err)
		}
	}
	return c, nil
}

func errorsOf(fs []steps.Finding) []steps.Finding {
	var out []steps.Finding
	for _, f := range fs {
		if f.Severity == steps.Error {
			out = append(out, f)
		}
	}
	return out
}

// Filter is one IPSec filter: TCP to port 80, mirrored. An endpoint is
// "me" (My IP Address), "any" (Any IP Address) or an address.
type Filter struct {
	Src, Dst string
}

func addr(a netip.Addr) string { return a.String() }

// ipsecpol returns the filter in ipsecpol's -f syntax: 0 for my address,
// * for any, + for mirrored, then the destination port and protocol.
func (f Filter) ipsecpol() string {
	end := func(s string) string {
		switch s {
		case "me":
			return "0"
		case "any":
			return "*"
		}
		return s
	}
	return end(f.Src) + "+" + end(f.Dst) + ":80:TCP"
}

// feOutboundFilters are the filters of the front-ends' encrypted rule.
func (c Config) feOutboundFilters() []Filter {
	if c.FEOutbound == OutboundAny {
		return []Filter{{Src: "me", Dst: "any"}}
	}
	var fs []Filter
	for _, be := range c.BackEnds {
		for _, a := range be.Addrs {
			fs = append(fs, Filter{Src: "me", Dst: addr(a)})
		}
	}
	return fs
}

// feInboundFilters are the filters of the front-ends' blocking rule.
func (c Config) feInboundFilters() []Filter {
	return []Filter{{Src: "any", Dst: "me"}}
}

// beInboundFilters are the filters of the back-ends' encrypted rule.
func (c Config) beInboundFilters() []Filter {
	switch c.BEFilter {
	case FilterFromAny:
		return []Filter{{Src: "any", Dst: "me"}}
	case FilterAsGuide:
		return []Filter{{Src: "me", Dst: "any"}}
	}
	var fs []Filter
	for _, fe := range c.FrontEnds {
		for _, a := range fe.Addrs {
			fs = append(fs, Filter{Src: addr(a), Dst: "me"})
		}
	}
	return fs
}
