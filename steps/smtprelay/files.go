package smtprelay

import (
	"errors"
	"fmt"
	"slices"

	"github.com/secex/wizard/steps"
)

func files(in steps.Input) ([]steps.File, error) {
	c, err := load(in)
	if errors.Is(err, steps.ErrNoAnswers) {
		// Nothing was answered, so there is nothing to generate; a
		// procedure can only be completed with answers.
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	as := actions(in, c)
	var targets []string
	for _, a := range as {
		if !slices.Contains(targets, a.Target) {
			targets = append(targets, a.Target)
		}
	}
	// One file per job; a large organisation has hundreds, made side by
	// side and kept in this order.
	var jobs []func() (steps.File, error)
	for _, target := range targets {
		jobs = append(jobs, func() (steps.File, error) {
			var mine []steps.Action
			for _, a := range as {
				if a.Target == target {
					mine = append(mine, a)
				}
			}
			body, err := Checklist(in, ID, target, "Preventing open relaying: "+target,
				"Administrator's checklist: the relay settings of "+target, "the gateway and Message Screener procedures, and publishing SMTP through ISA Server", mine)
			if err != nil {
				return steps.File{}, fmt.Errorf("%s: %w", ChecklistFile, err)
			}
			return steps.File{Target: target, Name: ChecklistFile, Kind: steps.FileGuide, Body: body}, nil
		})
	}
	for _, s := range c.exchange {
		jobs = append(jobs, func() (steps.File, error) {
			return ExchangeVerifyFile(in, ExchangePolicy{Server: s.Name, Instance: DefaultInstance, Relay: c.relay,
				ConnectAll: c.connectAll, Connect: c.connect, AuthFlags: c.authFlags(), Step: ID})
		})
	}
	outsideTarget, _ := outsideTest(c)
	for _, s := range c.exchange {
		jobs = append(jobs, func() (steps.File, error) {
			h := TestHost{Server: s, Domain: in.Topology.Facts.PublicDomain, ConnectAll: c.connectAll, Connect: c.connect, Relay: c.relay}
			if string(s.Name) == outsideTarget {
				h.Outside = OutsideHost(in)
			}
			f, err := TestSheet(in, ID, ExchangeTestSheetName, h)
			if err != nil {
				return steps.File{}, fmt.Errorf("%s: %w", ExchangeTestSheetName, err)
			}
			return f, nil
		})
	}
	return steps.Concurrently(len(jobs), func(i int) (steps.File, error) { return jobs[i]() })
}
