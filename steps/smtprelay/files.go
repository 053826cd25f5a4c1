package smtprelay

import (
	"fmt"
	"slices"

	"github.com/secex/wizard/steps"
)

func files(in steps.Input) ([]steps.File, error) {
	c, err := load(in)
	if err == errNoAnswers {
		// Nothing was answered, so there is nothing to generate; a
		// procedure can only be completed with answers.
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	as := actions(in, c)
	var out []steps.File
	var targets []string
	for _, a := range as {
		if !slices.Contains(targets, a.Target) {
			targets = append(targets, a.Target)
		}
	}
	for _, target := range targets {
		var mine []steps.Action
		for _, a := range as {
			if a.Target == target {
				mine = append(mine, a)
			}
		}
		body, err := Checklist(in, ID, target, "Preventing open relaying: "+target,
			"Administrator's checklist: the relay settings of "+target, "the gateway and Message Screener procedures, and publishing SMTP through ISA Server", mine)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ChecklistFile, err)
		}
		out = append(out, steps.File{Target: target, Name: ChecklistFile, Kind: steps.FileGuide, Body: body})
	}
	for _, s := range c.exchange {
		f, err := ExchangeVerifyFile(in, ExchangePolicy{Server: s.Name, Instance: DefaultInstance, Relay: c.relay,
			ConnectAll: c.connectAll, Connect: c.connect, AuthFlags: c.authFlags(), Step: ID})
		if err != nil {
			return nil, err
		}
		out = append(out, f)
	}
	_, outsideTarget, _ := outsideHost(in, c)
	for _, s := range c.exchange {
		h := TestHost{Server: s, Domain: in.Topology.Facts.PublicDomain, ConnectAll: c.connectAll, Connect: c.connect, Relay: c.relay}
		if string(s.Name) == outsideTarget {
			h.Outside = string(in.Topology.Facts.MXHost)
		}
		f, err := TestSheet(in, ID, ExchangeTestSheetName, h)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ExchangeTestSheetName, err)
		}
		out = append(out, f)
	}
	return out, nil
}
