package screener

import (
	"errors"
	"fmt"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtppublish"
	"github.com/secex/wizard/steps/smtprelay"
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
	as := actions(c)
	isa := string(c.isa.Name)
	var onISA, onHost []steps.Action
	for _, a := range as {
		if a.Target == isa {
			onISA = append(onISA, a)
		} else {
			onHost = append(onHost, a)
		}
	}
	var out []steps.File
	body, err := smtprelay.Checklist(in, ID, isa, "ISA Server's SMTP filter: "+isa,
		"Administrator's checklist: the SMTP filter on "+isa, "publishing SMTP through ISA Server", onISA)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", FilterChecklistFile, err)
	}
	out = append(out, steps.File{Target: isa, Name: FilterChecklistFile, Kind: steps.FileGuide, Body: body})
	if !c.use {
		return out, nil
	}
	host := string(c.host.Name)
	body, err = smtprelay.Checklist(in, ID, host, "The Message Screener on "+host,
		"Administrator's checklist: install and configure the Message Screener on "+host, "nothing", onHost)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", ScreenerChecklistFile, err)
	}
	out = append(out, steps.File{Target: host, Name: ScreenerChecklistFile, Kind: steps.FileGuide, Body: body})
	scripts, err := smtprelay.IISFiles(in, c.policy())
	if err != nil {
		return nil, err
	}
	out = append(out, scripts...)
	h := smtprelay.TestHost{Server: c.host, Domain: c.domain, ConnectAll: c.connectAll, Connect: c.connect, Relay: c.relay}
	if to, name := smtppublish.Published(in.Of(smtppublish.ID)); to == smtppublish.ToScreener && strings.EqualFold(name, host) {
		h.Outside = c.outside
	}
	sheet, err := smtprelay.TestSheet(in, ID, c.policy().TestSheetName(), h)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.policy().TestSheetName(), err)
	}
	return append(out, sheet), nil
}
