package ipsec

import (
	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
)

// corrections lists where the plan departs from the guide's printed text
// because the text is wrong, for the runbook's deviations section.
func corrections(in steps.Input) []steps.Correction {
	c, err := Load(in)
	if err != nil || len(c.BackEnds) == 0 {
		return nil
	}
	var backEnds []string
	for _, be := range c.BackEnds {
		backEnds = append(backEnds, string(be.Name))
	}
	cs := []steps.Correction{{
		Guide:   "After the back-end's policy is assigned, refresh Group Policy at a command prompt on the OWA front-end.",
		Plan:    "Refreshes Group Policy on each back-end itself (" + RefreshFile + " there), and on the front-ends only after their own policy is assigned.",
		Why:     "A Group Policy object applies on the computers it is linked to; a refresh on the front-end never applies the back-end's policy, so the back-end would go on without it.",
		Servers: backEnds,
	}}
	var all []string
	for _, h := range append(append([]owatopology.Host{}, c.FrontEnds...), c.BackEnds...) {
		all = append(all, string(h.Name))
	}
	cs = append(cs, steps.Correction{
		Guide:   "Restart each server after refreshing its Group Policy, so that the new IPSec policy is used.",
		Plan:    "Restarts only the IPSec Policy Agent on each server (" + RefreshFile + " runs net stop and net start policyagent after the refresh).",
		Why:     "The restart is there for the Policy Agent, which reads the assigned policy when it starts; a reboot also stops Exchange and IIS for its length, the agent's restart interrupts OWA for about a minute.",
		Servers: all,
	})
	if c.Transition {
		cs = append(cs, steps.Correction{
			Guide:   "Assign the back-ends' policy with its encrypting action, then the front-ends' policy.",
			Plan:    "The back-ends' rule starts on the filter action " + string(c.TransitionAction) + ", which accepts clear traffic and answers with IPSec, and is switched to " + string(c.EncryptAction) + " once every front-end is seen negotiating.",
			Why:     "With the encrypting action from the start, the back-ends refuse the front-ends' clear HTTP until every front-end has its policy, and OWA is down for that whole time.",
			Servers: backEnds,
		})
	}
	switch c.BEFilter {
	case FilterFromFrontEnds, FilterFromAny:
		source := "each front-end's address"
		if c.BEFilter == FilterFromAny {
			source = "any address"
		}
		cs = append(cs, steps.Correction{
			Guide:   "On the back-end, the filter that encrypts TCP port 80 has source My IP Address, destination Any IP Address, TCP destination port 80.",
			Plan:    "Source " + source + ", destination My IP Address, TCP destination port 80, mirrored.",
			Why:     "The guide's filter matches traffic leaving the back-end for port 80 elsewhere, not the front-ends' requests arriving at its port 80: the back-end would never require encryption, and it would demand IPSec from every web server it contacts itself.",
			Servers: backEnds,
		})
	}
	return cs
}
