package ipsec

import (
	"embed"
	"fmt"
	"slices"
	"strings"
	"text/template"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/owatopology"
	"github.com/secex/wizard/steps/script"
	"github.com/secex/wizard/steps/script/batch"
	"github.com/secex/wizard/steps/script/vbscript"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// The templates print values only through encoders: batch.FuncMap for the
// .cmd files and for the netsh scripts (whose values are double-quoted the
// same way), vbscript.FuncMap for the directory check. A test checks each
// with script.CheckTemplate.
var (
	checkTemplate        = script.MustParseTemplate(templateFS, "domain-check.vbs.tmpl", vbscript.FuncMap())
	createTemplate       = script.MustParseTemplate(templateFS, "domain-create.cmd.tmpl", batch.FuncMap())
	deleteTemplate       = script.MustParseTemplate(templateFS, "domain-delete.cmd.tmpl", batch.FuncMap())
	createNetshTemplate  = script.MustParseTemplate(templateFS, "domain-create.netsh.tmpl", batch.FuncMap())
	deleteNetshTemplate  = script.MustParseTemplate(templateFS, "domain-delete.netsh.tmpl", batch.FuncMap())
	refreshTemplate      = script.MustParseTemplate(templateFS, "refresh.cmd.tmpl", batch.FuncMap())
	verifyTemplate       = script.MustParseTemplate(templateFS, "verify.cmd.tmpl", batch.FuncMap())
	localApplyTemplate   = script.MustParseTemplate(templateFS, "local-apply.cmd.tmpl", batch.FuncMap())
	localBackoutTemplate = script.MustParseTemplate(templateFS, "local-backout.cmd.tmpl", batch.FuncMap())
	tightenTemplate      = script.MustParseTemplate(templateFS, "domain-tighten.cmd.tmpl", batch.FuncMap())
	loosenTemplate       = script.MustParseTemplate(templateFS, "domain-loosen.cmd.tmpl", batch.FuncMap())
	setRuleNetshTemplate = script.MustParseTemplate(templateFS, "domain-set-rule.netsh.tmpl", batch.FuncMap())
)

// Templates lists every template with the encoders it may print through,
// for the template check.
func templates() map[*template.Template]map[string]bool {
	return map[*template.Template]map[string]bool{
		checkTemplate: vbscript.Encoders(), createTemplate: batch.Encoders(), deleteTemplate: batch.Encoders(),
		createNetshTemplate: batch.Encoders(), deleteNetshTemplate: batch.Encoders(), refreshTemplate: batch.Encoders(),
		verifyTemplate: batch.Encoders(), localApplyTemplate: batch.Encoders(), localBackoutTemplate: batch.Encoders(),
		tightenTemplate: batch.Encoders(), loosenTemplate: batch.Encoders(), setRuleNetshTemplate: batch.Encoders(),
	}
}

// The descriptions written into the IPSec objects, in our own words.
const (
	encryptDesc     = "Negotiate ESP with 3DES and SHA1; never fall back to clear traffic."
	transitionDesc  = "Temporary, until the OWA front-ends negotiate: accept clear traffic, answer with ESP 3DES and SHA1."
	blockActionDesc = "Block the traffic."
	feOutListDesc   = "TCP 80 from this OWA front-end to the back-ends."
	feInListDesc    = "TCP 80 arriving at this OWA front-end."
	beInListDesc    = "TCP 80 arriving at this back-end from the OWA front-ends."
	fePolicyDesc    = "OWA front-end: encrypt TCP 80 to the back-ends, block inbound TCP 80."
	bePolicyDesc    = "Back-end: encrypt inbound TCP 80 from the OWA front-ends."
)

type netshFilter struct{ Src, Dst string }

type ruleData struct {
	Name   steps.ObjectName // rule name; the filter list's name
	List   steps.ObjectName
	Action steps.ObjectName
	Block  bool
	Specs  []string // ipsecpol -f filter specifications
}

type listData struct {
	Name    steps.ObjectName
	Desc    string
	Filters []netshFilter
}

type policyData struct {
	Name  steps.ObjectName
	Desc  string
	Rules []ruleData
}

type checkObject struct {
	Class, Name, What string
}

type domainData struct {
	Ipsecpol         bool
	Domain           steps.FQDN
	Store            string // ipsecpol -w value for the directory
	Policies         []policyData
	PoliciesReversed []policyData
	Lists            []listData
	Encrypt          steps.ObjectName
	EncryptDesc      string
	Block            steps.ObjectName // empty when inbound TCP 80 is not blocked
	BlockDesc        string
	Objects          []checkObject
	// Transition names the temporary filter action the back-ends' rule
	// starts on (netsh only; empty when the rule does not require IPSec
	// or ipsecpol makes the actions). BEPolicy and BERule name the rule
	// the tightening switches from it to Encrypt.
	Transition     steps.ObjectName
	TransitionDesc string
	BEPolicy       steps.ObjectName
	BERule         steps.ObjectName
	// Rules are the rule names the policies hold: each is an ipsecNFA
	// object in the directory, which the leftover check looks for too.
	Rules []string
}

// setRuleData is what the tightening and loosening netsh scripts see.
type setRuleData struct {
	Domain       steps.FQDN
	Policy, Rule steps.ObjectName
	Action       steps.ObjectName
	Purpose      string
	RunBy        string
}

func rule(list steps.ObjectName, action steps.ObjectName, block bool, fs []Filter) ruleData {
	r := ruleData{Name: list, List: list, Action: action, Block: block}
	for _, f := range fs {
		r.Specs = append(r.Specs, f.ipsecpol())
	}
	return r
}

func list(name steps.ObjectName, desc string, fs []Filter) listData {
	l := listData{Name: name, Desc: desc}
	for _, f := range fs {
		l.Filters = append(l.Filters, netshFilter(f))
	}
	return l
}

// feOutListDesc and beInListDesc describe the filter lists as chosen.
func (c Config) feOutListDesc() string {
	if c.FEOutbound == OutboundAny {
		return "TCP 80 from this OWA front-end to any address."
	}
	return "TCP 80 from this OWA front-end to the back-ends."
}

func (c Config) beInListDesc() string {
	switch c.BEFilter {
	case FilterFromAny:
		return "TCP 80 arriving at this back-end from any address."
	case FilterAsGuide:
		return "TCP 80 from this back-end to any address, as printed in the guide."
	}
	return "TCP 80 arriving at this back-end from the OWA front-ends."
}

func (c Config) fePolicy() policyData {
	p := policyData{Name: c.FEPolicy, Desc: "OWA front-end: encrypt TCP 80 to the back-ends.", Rules: []ruleData{rule(c.FEOutList, c.EncryptAction, false, c.feOutboundFilters())}}
	if c.FEOutbound == OutboundAny {
		p.Desc = "OWA front-end: encrypt TCP 80 to any address."
	}
	if c.FEBlock {
		p.Rules = append(p.Rules, rule(c.FEInList, c.BlockAction, true, c.feInboundFilters()))
		p.Desc = strings.TrimSuffix(p.Desc, ".") + ", block inbound TCP 80."
	}
	return p
}

// bePolicy is the back-ends' policy with its rule on action: the
// encrypting action in the local copy and in the end, the temporary one
// while the front-ends do not negotiate yet.
func (c Config) bePolicy(action steps.ObjectName) policyData {
	desc := "Back-end: encrypt TCP 80 arriving from the OWA front-ends."
	switch c.BEFilter {
	case FilterFromAny:
		desc = "Back-end: encrypt TCP 80 arriving from any address."
	case FilterAsGuide:
		desc = "Back-end: encrypt TCP 80 from this back-end to any address, as printed in the guide."
	}
	return policyData{Name: c.BEPolicy, Desc: desc, Rules: []ruleData{rule(c.BEInList, action, false, c.beInboundFilters())}}
}

func (c Config) feLists() []listData {
	ls := []listData{list(c.FEOutList, c.feOutListDesc(), c.feOutboundFilters())}
	if c.FEBlock {
		ls = append(ls, list(c.FEInList, feInListDesc, c.feInboundFilters()))
	}
	return ls
}

func (c Config) beLists() []listData {
	return []listData{list(c.BEInList, c.beInListDesc(), c.beInboundFilters())}
}

func (c Config) domainData() domainData {
	ipsecpol := usesIpsecpol(c.PolicyHost)
	beAction := c.EncryptAction
	if c.Transition && !ipsecpol {
		beAction = c.TransitionAction
	}
	d := domainData{
		Ipsecpol: ipsecpol,
		Domain:   c.Domain,
		Store:    "DS:" + string(c.Domain),
		Policies: []policyData{c.bePolicy(beAction), c.fePolicy()},
		Lists:    append(c.feLists(), c.beLists()...),
		Encrypt:  c.EncryptAction, EncryptDesc: encryptDesc,
		BEPolicy: c.BEPolicy, BERule: c.BEInList,
	}
	if beAction != c.EncryptAction {
		d.Transition, d.TransitionDesc = c.TransitionAction, transitionDesc
	}
	d.PoliciesReversed = []policyData{d.Policies[1], d.Policies[0]}
	if c.FEBlock {
		d.Block, d.BlockDesc = c.BlockAction, blockActionDesc
	}
	for _, p := range d.Policies {
		d.Objects = append(d.Objects, checkObject{"ipsecPolicy", string(p.Name), "the policy " + string(p.Name)})
	}
	if !d.Ipsecpol {
		for _, l := range d.Lists {
			d.Objects = append(d.Objects, checkObject{"ipsecFilter", string(l.Name), "the filter list " + string(l.Name)})
		}
		d.Objects = append(d.Objects, checkObject{"ipsecNegotiationPolicy", string(c.EncryptAction), "the filter action " + string(c.EncryptAction)})
		if c.FEBlock {
			d.Objects = append(d.Objects, checkObject{"ipsecNegotiationPolicy", string(c.BlockAction), "the filter action " + string(c.BlockAction)})
		}
		if d.Transition != "" {
			d.Objects = append(d.Objects, checkObject{"ipsecNegotiationPolicy", string(d.Transition), "the temporary filter action " + string(d.Transition)})
		}
	}
	for _, p := range d.Policies {
		for _, r := range p.Rules {
			d.Rules = append(d.Rules, string(r.Name))
		}
	}
	return d
}

// serverData is what the per-server templates see.
type serverData struct {
	Name        steps.NetBIOSName
	BackEnd     bool
	Ipsecpol    bool
	Local       bool
	Policy      steps.ObjectName
	PolicyDesc  string
	Rules       []ruleData
	Lists       []listData
	Encrypt     steps.ObjectName
	EncryptDesc string
	Block       steps.ObjectName
	BlockDesc   string
	Names       []string // every name the local copy uses, checked free first
	// NamePatterns and PolicyPattern are findstr expressions that match
	// the registry export line naming each object.
	NamePatterns  []string
	PolicyPattern string
	// DirectoryPattern matches netdiag's line for the active policy from
	// the directory.
	DirectoryPattern string
}

// nameLine returns a findstr regular expression matching the line of a
// registry export that names an IPSec object name: "ipsecName"="name".
// The quotes are matched by "." (a double quote cannot be written inside
// a findstr argument), and dots in the name are escaped. Object names hold
// no other character that findstr's expressions treat specially.
func nameLine(name string) string {
	return "^.ipsecName.=." + strings.ReplaceAll(name, ".", `\.`) + ".$"
}

func (c Config) serverData(h owatopology.Host, backEnd bool) serverData {
	d := serverData{Name: h.Name, BackEnd: backEnd, Ipsecpol: usesIpsecpol(h), Local: c.Local,
		Encrypt: c.EncryptAction, EncryptDesc: encryptDesc}
	p, ls := c.fePolicy(), c.feLists()
	if backEnd {
		p, ls = c.bePolicy(c.EncryptAction), c.beLists()
	} else if c.FEBlock {
		d.Block, d.BlockDesc = c.BlockAction, blockActionDesc
	}
	d.Policy, d.PolicyDesc, d.Rules, d.Lists = p.Name, p.Desc, p.Rules, ls
	d.Names = []string{string(p.Name)}
	for _, r := range p.Rules {
		d.Names = append(d.Names, string(r.Name))
	}
	if !d.Ipsecpol {
		d.Names = append(d.Names, string(d.Encrypt))
		if d.Block != "" {
			d.Names = append(d.Names, string(d.Block))
		}
	}
	for _, n := range d.Names {
		d.NamePatterns = append(d.NamePatterns, nameLine(n))
	}
	d.PolicyPattern = nameLine(string(d.Policy))
	d.DirectoryPattern = "Directory IPSec Policy Active.*" + strings.ReplaceAll(string(d.Policy), ".", `\.`)
	return d
}

func files(in steps.Input) ([]steps.File, error) {
	c, err := Load(in)
	if err != nil {
		return nil, err
	}
	type file struct {
		name   string
		kind   steps.FileKind
		render func() ([]byte, error)
	}
	batchFile := func(h owatopology.Host, purpose, runFirst string, t *template.Template, data any) func() ([]byte, error) {
		return func() ([]byte, error) { return renderBatch(in, h, purpose, runFirst, t, data) }
	}
	// The policy host's files, then each server's, each server's made on
	// its own so that a large organisation's are made side by side.
	type job struct {
		host  owatopology.Host
		files func() []file
	}
	ph := c.PolicyHost
	jobs := []job{{ph, func() []file {
		d := c.domainData()
		fs := []file{
			{CreateFile, steps.FileApply, batchFile(ph, "create the IPSec filter actions, filter lists and policies in Active Directory, unassigned; "+DeleteFile+" undoes it",
				"the OU and GPO check in the runbook; run as a domain administrator", createTemplate, d)},
			{DeleteFile, steps.FileBackout, batchFile(ph, "backout of "+CreateFile+": delete exactly the IPSec objects it created",
				"un-assigning both policies in their GPOs and refreshing the servers", deleteTemplate, d)},
			{CheckFile, steps.FileVerify, func() ([]byte, error) { return renderVBS(in, ph, d) }},
		}
		if !d.Ipsecpol {
			fs = append(fs,
				file{CreateNetshFile, steps.FileHelper, func() ([]byte, error) {
					return renderNetsh(in, ph, "netsh commands run by "+CreateFile, createNetshTemplate, d)
				}},
				file{DeleteNetshFile, steps.FileHelper, func() ([]byte, error) {
					return renderNetsh(in, ph, "netsh commands run by "+DeleteFile, deleteNetshTemplate, d)
				}},
			)
		}
		if d.Transition != "" {
			tighten := setRuleData{Domain: c.Domain, Policy: c.BEPolicy, Rule: c.BEInList, Action: c.EncryptAction,
				Purpose: "switch the back-ends' rule to " + string(c.EncryptAction) + ", which requires IPSec", RunBy: TightenFile}
			loosen := tighten
			loosen.Action, loosen.Purpose, loosen.RunBy = c.TransitionAction, "put the back-ends' rule back on "+string(c.TransitionAction)+", which accepts clear traffic", LoosenFile
			fs = append(fs,
				file{TightenFile, steps.FileApply, batchFile(ph, "make the back-ends' rule require IPSec once every front-end negotiates; "+LoosenFile+" undoes it",
					"the traffic check on every front-end; run as a domain administrator", tightenTemplate, d)},
				file{TightenNetshFile, steps.FileHelper, func() ([]byte, error) {
					return renderSetRule(in, ph, "netsh commands run by "+TightenFile, tighten)
				}},
				file{LoosenFile, steps.FileBackout, batchFile(ph, "backout of "+TightenFile+": the back-ends' rule accepts clear traffic again",
					"nothing; refresh the back-ends afterwards", loosenTemplate, d)},
				file{LoosenNetshFile, steps.FileHelper, func() ([]byte, error) {
					return renderSetRule(in, ph, "netsh commands run by "+LoosenFile, loosen)
				}},
			)
		}
		return fs
	}}}
	for _, h := range append(append([]owatopology.Host{}, c.FrontEnds...), c.BackEnds...) {
		jobs = append(jobs, job{h, func() []file {
			backEnd := slices.ContainsFunc(c.BackEnds, func(x owatopology.Host) bool { return x.Name == h.Name })
			sd := c.serverData(h, backEnd)
			fs := []file{
				{RefreshFile, steps.FileHelper, batchFile(h, "refresh the computer's Group Policy so that its IPSec policy takes effect",
					"the assignment of the policy in its GPO", refreshTemplate, sd)},
				{VerifyFile, steps.FileVerify, batchFile(h, "read-only, nothing to back out: check that this server's IPSec policy is in force",
					RefreshFile+" and a restart", verifyTemplate, sd)},
			}
			if c.Local {
				fs = append(fs,
					file{LocalApplyFile, steps.FileApply, batchFile(h, "keep a copy of this server's IPSec policy in its local store; "+LocalBackoutFile+" undoes it",
						VerifyFile+", which must find the domain policy", localApplyTemplate, sd)},
					file{LocalBackoutFile, steps.FileBackout, batchFile(h, "backout of "+LocalApplyFile+": unassign and delete exactly the local copy it created",
						"nothing", localBackoutTemplate, sd)},
				)
			}
			return fs
		}})
	}
	made, err := steps.Concurrently(len(jobs), func(i int) ([]steps.File, error) {
		var out []steps.File
		for _, f := range jobs[i].files() {
			body, err := f.render()
			if err != nil {
				return nil, fmt.Errorf("%s/%s: %w", jobs[i].host.Name, f.name, err)
			}
			out = append(out, steps.File{Target: string(jobs[i].host.Name), Name: f.name, Kind: f.kind, Body: body})
		}
		return out, nil
	})
	if err != nil {
		return nil, err
	}
	return slices.Concat(made...), nil
}

func header(in steps.Input, h owatopology.Host, purpose, runFirst string) script.Header {
	return owatopology.Header(in, []string{ID}, string(h.Name), purpose, runFirst)
}

func renderBatch(in steps.Input, h owatopology.Host, purpose, runFirst string, t *template.Template, data any) ([]byte, error) {
	var b strings.Builder
	b.WriteString(batch.Prologue())
	b.WriteString(batch.Comment(header(in, h, purpose, runFirst).Lines()))
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	return batch.File(b.String())
}

// renderNetsh writes a netsh script: # comment lines, then one netsh
// command a line. Values are double-quoted by the batch encoder, which
// refuses the characters netsh could not take inside quotes either.
func renderNetsh(in steps.Input, h owatopology.Host, purpose string, t *template.Template, data any) ([]byte, error) {
	var b strings.Builder
	for _, l := range header(in, h, purpose, "nothing; run "+CreateFile+" or "+DeleteFile+" instead").Lines() {
		b.WriteString("# " + script.CommentText(l, true) + "\r\n")
	}
	if err := t.Execute(&b, data); err != nil {
		return nil, err
	}
	return script.ASCIIFile("netsh script", b.String())
}

// renderSetRule writes the netsh script that puts the back-ends' rule on
// another filter action.
func renderSetRule(in steps.Input, h owatopology.Host, purpose string, d setRuleData) ([]byte, error) {
	var b strings.Builder
	for _, l := range header(in, h, purpose, "nothing; run "+d.RunBy+" instead").Lines() {
		b.WriteString("# " + script.CommentText(l, true) + "\r\n")
	}
	if err := setRuleNetshTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return script.ASCIIFile("netsh script", b.String())
}

func renderVBS(in steps.Input, h owatopology.Host, d domainData) ([]byte, error) {
	var b strings.Builder
	b.WriteString(vbscript.Comment(header(in, h,
		"read-only, nothing to back out: look up the IPSec objects of the OWA change in Active Directory",
		"nothing; "+CreateFile+" runs it before and after").Lines()))
	if err := checkTemplate.Execute(&b, d); err != nil {
		return nil, err
	}
	return vbscript.File(b.String())
}
