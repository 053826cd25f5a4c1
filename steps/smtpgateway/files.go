package smtpgateway

import (
	"errors"
	"fmt"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/smtprelay"
)

func files(in steps.Input) ([]steps.File, error) {
	c, err := load(in)
	if errors.Is(err, steps.ErrNoAnswers) {
		// Nothing was answered, so there is nothing to generate; a
		// procedure can only be completed with answers.
		return nil, nil
	}
	if err != nil || !c.use {
		return nil, err
	}
	as := actions(in, c)
	gw := string(c.gateway.Name)
	var onGateway, onExchange []steps.Action
	for _, a := range as {
		if a.Target == gw {
			onGateway = append(onGateway, a)
		} else {
			onExchange = append(onExchange, a)
		}
	}
	var out []steps.File
	body, err := smtprelay.Checklist(in, ID, gw, "The SMTP gateway "+gw,
		"Administrator's checklist: build and lock down the SMTP gateway "+gw, "nothing", onGateway)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", GatewayChecklistFile, err)
	}
	out = append(out, steps.File{Target: gw, Name: GatewayChecklistFile, Kind: steps.FileGuide, Body: body})
	scripts, err := smtprelay.IISFiles(in, c.policy())
	if err != nil {
		return nil, err
	}
	out = append(out, scripts...)
	sheet, err := smtprelay.TestSheet(in, ID, c.policy().TestSheetName(), c.testHost(in))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", c.policy().TestSheetName(), err)
	}
	out = append(out, sheet)
	if len(onExchange) > 0 {
		target := onExchange[0].Target
		body, err := smtprelay.Checklist(in, ID, target, "Exchange's Internet mail through "+gw,
			"Administrator's checklist: send Exchange's Internet mail through "+gw, "the gateway's lockdown ("+c.policy().ApplyName()+" on "+gw+")", onExchange)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ConnectorChecklistFile, err)
		}
		out = append(out, steps.File{Target: target, Name: ConnectorChecklistFile, Kind: steps.FileGuide, Body: body})
	}
	return out, nil
}
