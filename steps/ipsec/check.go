package ipsec

import (
	"slices"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/isalistener"
	"github.com/secex/wizard/steps/owatopology"
)

// Finding codes.
const (
	CodeAnswerInvalid    = steps.CodeAnswerInvalid
	CodeServerInvalid    = owatopology.CodeServerInvalid
	CodeEarlierUnusable  = owatopology.CodeEarlierUnusable
	CodeClearHop         = "clear-hop-front-end-back-end"
	CodeNotMirrored      = "rules-not-mirrored"
	CodeBEFilterAsGuide  = "be-filter-as-guide"
	CodeBEOpenToAny      = "be-filter-open-to-any"
	CodeFEOutboundAny    = "fe-outbound-any"
	CodeFEBlockBreaksISA = "fe-block-breaks-isa"
	CodeFEOUMismatch     = "fe-ou-mismatch"
	CodeBEOUMismatch     = "be-ou-mismatch"
	CodeSameOU           = "same-ou"
	CodeNamesNotUnique   = "names-not-unique"
	CodeADDomainDiffers  = "ad-domain-differs"
	CodeLineTooLong      = "ipsecpol-line-too-long"
	CodeTransitionName   = "transition-action-name"
)

// pair is a front-end and a back-end whose traffic the rules decide.
type pair struct{ fe, be string }

func (p pair) String() string { return p.fe + " to " + p.be }

func check(in steps.Input) []steps.Finding {
	a, fs := reparse(in)
	fs = append(fs, owatopology.CheckHosts(in.Topology, steps.RoleFrontEnd, steps.RoleBackEnd, steps.RoleDC)...)
	if len(in.Of(ID)) > 0 {
		fs = append(fs, owatopology.CheckEarlier(in, isalistener.Step, func(in steps.Input) error { _, err := isalistener.Load(in); return err })...)
	}
	fs = append(fs, checkRules(in, a)...)

	if a.Is(QFEBlock, "yes") && isalistener.ModeOf(in) == isalistener.ModeTerminate {
		isa, _ := isalistener.ISAOf(in)
		fes := a.Values(QFrontEnds)
		fs = append(fs, steps.Finding{
			Code:     CodeFEBlockBreaksISA,
			Severity: steps.Error,
			Message: "The front-ends " + owatopology.Join(fes) + " would block inbound TCP 80, but " + orISA(string(isa.Name)) + " ends SSL and forwards OWA requests to them over HTTP on TCP 80 (the ISA Server listener procedure): OWA would stop for every user. " +
				"Blocking is safe only when ISA Server bridges to the front-ends over SSL. Change the SSL mode to bridging in the listener procedure, or do not block inbound TCP 80 here.",
			Fix:     []string{QFEBlock},
			Servers: append(nonEmpty(string(isa.Name)), fes...),
		})
	}
	fs = append(fs, checkLineLength(in, a)...)
	fs = append(fs, checkOUs(in, a)...)
	fs = append(fs, checkNames(a)...)
	if d, ok := a[QDomain]; ok && in.Topology.Facts.ADDomain != "" && !strings.EqualFold(d, string(in.Topology.Facts.ADDomain)) {
		fs = append(fs, steps.Finding{
			Code:     CodeADDomainDiffers,
			Severity: steps.Warning,
			Message: "The policies would be created in " + d + ", but the organisation's Active Directory domain is " + string(in.Topology.Facts.ADDomain) + ". " +
				"A GPO can only assign an IPSec policy stored in its own domain. Use the domain the front-ends and back-ends belong to, or record why it differs.",
			Fix: []string{QDomain},
		})
	}
	return fs
}

// checkRules works out, for every front-end and back-end of the inventory,
// whether each side's rules demand encryption of the TCP 80 traffic between
// them, and reports the pairs where neither does (the password crosses in
// clear) or only one does (the rules do not mirror each other and the
// traffic stops).
func checkRules(in steps.Input, a steps.Answers) []steps.Finding {
	var fs []steps.Finding
	for _, id := range []string{QFrontEnds, QBackEnds, QFEOutbound, QBEFilter} {
		if _, ok := a[id]; !ok {
			return nil
		}
	}
	// Every front-end is paired with every back-end, so the lists are
	// looked up as sets: searching them for each pair grew with the cube
	// of the number of servers.
	feList, beList := a.Values(QFrontEnds), a.Values(QBackEnds)
	feSet, beSet := setOf(feList), setOf(beList)
	var clear, feOnly, beOnly []pair
	var servers []string
	named := map[string]bool{}
	addServer := func(p pair) {
		for _, n := range []string{p.fe, p.be} {
			if !named[n] {
				named[n] = true
				servers = append(servers, n)
			}
		}
	}
	backEnds := in.Topology.WithRole(steps.RoleBackEnd)
	for _, fe := range in.Topology.WithRole(steps.RoleFrontEnd) {
		inFE := feSet[string(fe.Name)]
		for _, be := range backEnds {
			p := pair{string(fe.Name), string(be.Name)}
			inBE := beSet[p.be]
			feSide := inFE && (a.Is(QFEOutbound, OutboundAny) || inBE)
			beSide := inBE && (a.Is(QBEFilter, FilterFromAny) || (a.Is(QBEFilter, FilterFromFrontEnds) && inFE))
			switch {
			case !feSide && !beSide:
				clear = append(clear, p)
				addServer(p)
			case feSide && !beSide && !inBE:
				feOnly = append(feOnly, p)
				addServer(p)
			case !feSide && beSide:
				beOnly = append(beOnly, p)
				addServer(p)
			}
		}
	}
	fix := []string{QFrontEnds, QBackEnds, QBEFilter, QFEOutbound}
	if len(clear) > 0 {
		fs = append(fs, steps.Finding{
			Code:     CodeClearHop,
			Severity: steps.Error,
			Message: "No rule would encrypt TCP 80 from " + pairs(clear) + ": OWA uses Basic authentication, so every password of a user whose mailbox is reached that way would cross the network in clear. " +
				"Give every front-end and every back-end its policy (select them all above), and keep the back-ends' filter on the front-ends' addresses or on any address.",
			Fix:     fix,
			Servers: servers,
		})
	}
	if len(feOnly)+len(beOnly) > 0 {
		var why []string
		if len(feOnly) > 0 {
			why = append(why, "from "+pairs(feOnly)+" the front-end demands IPSec but the back-end has no policy to answer with, so the front-end refuses to talk to it")
		}
		if len(beOnly) > 0 {
			why = append(why, "from "+pairs(beOnly)+" the back-end demands IPSec but the front-end has no policy and sends clear HTTP, which the back-end drops")
		}
		fs = append(fs, steps.Finding{
			Code:     CodeNotMirrored,
			Severity: steps.Error,
			Message: "The front-end and back-end rules do not mirror each other: " + strings.Join(why, "; ") + ". OWA would stop for mailboxes reached that way. " +
				"Both sides need matching rules (same addresses, TCP port 80, ESP with 3DES, Kerberos): select every front-end and back-end that talk to each other.",
			Fix:     fix,
			Servers: servers,
		})
	}
	switch a[QBEFilter] {
	case FilterAsGuide:
		fs = append(fs, steps.Finding{
			Code:     CodeBEFilterAsGuide,
			Severity: steps.Warning,
			Message: "The back-ends' filter as printed in the guide (source My IP Address, destination Any IP Address, port 80) matches the back-ends' own outgoing web traffic, so it does not mirror the front-ends' rule: " +
				"the back-ends " + owatopology.Join(beList) + " answer the front-ends' IPSec through their default response rule but never require it, anyone can still reach their port 80 in clear, and they demand IPSec from every web server they contact themselves. " +
				"The corrected filter (source the front-ends' addresses, destination My IP Address, port 80) does what the guide intends. Choose it, or record why the printed version is kept.",
			Fix:     []string{QBEFilter},
			Servers: beList,
		})
	case FilterFromAny:
		fs = append(fs, steps.Finding{
			Code:     CodeBEOpenToAny,
			Severity: steps.Warning,
			Message: "The back-ends " + owatopology.Join(beList) + " would demand IPSec from every computer that connects to their port 80, not only from the front-ends. Every other HTTP client of the back-ends (Exchange System Manager's web parts, WebDAV tools, monitoring) then loses access unless it has an IPSec policy too. " +
				"Limit the filter to the front-ends' addresses, or record which other clients were checked.",
			Fix:     []string{QBEFilter},
			Servers: beList,
		})
	}
	if a.Is(QFEOutbound, OutboundAny) {
		fs = append(fs, steps.Finding{
			Code:     CodeFEOutboundAny,
			Severity: steps.Warning,
			Message: "With destination Any IP Address, as printed in the guide, the front-ends " + owatopology.Join(feList) + " demand IPSec from every web server they contact on TCP 80 and cannot reach any that does not speak it, such as a certificate revocation list or update server. " +
				"Limit the destination to the back-ends, or record that the front-ends need no other web server.",
			Fix:     []string{QFEOutbound},
			Servers: feList,
		})
	}
	return fs
}

func pairs(ps []pair) string {
	var ss []string
	for _, p := range ps {
		ss = append(ss, p.String())
	}
	return owatopology.Join(ss)
}

func checkOUs(in steps.Input, a steps.Answers) []steps.Finding {
	var fs []steps.Finding
	type side struct {
		code, q, label string
		list           []string
		ou             func(steps.Server) steps.ObjectName
		gpo            string
	}
	for _, sd := range []side{
		{CodeFEOUMismatch, QFEOU, "front-end", a.Values(QFrontEnds), func(s steps.Server) steps.ObjectName { return s.FrontEnd.OU }, a[QFEGPO]},
		{CodeBEOUMismatch, QBEOU, "back-end", a.Values(QBackEnds), func(s steps.Server) steps.ObjectName { return s.BackEnd.OU }, a[QBEGPO]},
	} {
		want, ok := a[sd.q]
		if !ok {
			continue
		}
		var names, where []string
		for _, n := range sd.list {
			s, _ := in.Topology.Server(n)
			if ou := sd.ou(s); ou != "" && !strings.EqualFold(string(ou), want) {
				names = append(names, n)
				where = append(where, n+" in "+string(ou))
			}
		}
		if len(names) > 0 {
			fs = append(fs, steps.Finding{
				Code:     sd.code,
				Severity: steps.Error,
				Message: "The " + sd.label + " policy is assigned through " + sd.gpo + ", linked to the OU " + want + ", but the server pages record " + owatopology.Join(where) + ": the GPO would never reach them and their traffic would stay in clear. " +
					"Correct the OU here or on the server pages, or move the computer accounts into " + want + " (the runbook's first IPSec step).",
				Fix:     []string{sd.q},
				Servers: names,
			})
		}
	}
	if fe, be := a[QFEOU], a[QBEOU]; fe != "" && strings.EqualFold(fe, be) {
		fs = append(fs, steps.Finding{
			Code:     CodeSameOU,
			Severity: steps.Error,
			Message: "The front-ends and the back-ends would sit in the same OU, " + fe + ". Each OU's GPOs assign one IPSec policy to every computer in it, so one side would get the other's policy. " +
				"Put them in two OUs, as the guide does.",
			Fix: []string{QFEOU, QBEOU},
		})
	}
	return fs
}

// checkNames reports names that must differ but do not. Windows compares
// them without regard to case.
func checkNames(a steps.Answers) []steps.Finding {
	groups := [][]string{
		{QFEGPO, QBEGPO},
		{QFEPolicy, QBEPolicy},
		{QFEOutList, QBEInList, QFEInList},
		{QEncryptAction, QBlockAction},
	}
	var fs []steps.Finding
	for _, g := range groups {
		seen := map[string]string{}
		for _, id := range g {
			v, ok := a[id]
			if !ok {
				continue
			}
			if id == QFEInList || id == QBlockAction {
				if !a.Is(QFEBlock, "yes") {
					continue
				}
			}
			k := strings.ToLower(v)
			if other, dup := seen[k]; dup {
				q1, q2 := question(other), question(id)
				fs = append(fs, steps.Finding{
					Code:     CodeNamesNotUnique,
					Severity: steps.Error,
					Message: "\u201c" + q1.Label + "\u201d and \u201c" + q2.Label + "\u201d are both called " + v + ". The tools find objects by name, so one would overwrite or stand in for the other. " +
						"Give them different names.",
					Fix: []string{other, id},
				})
				continue
			}
			seen[k] = id
		}
	}
	return append(fs, checkTransitionName(a)...)
}

// checkTransitionName reports an encrypting action whose name cannot give
// the temporary action's name, or gives one another action already has.
func checkTransitionName(a steps.Answers) []steps.Finding {
	enc, ok := a[QEncryptAction]
	if !ok || a.Is(QBEFilter, FilterAsGuide) || a[QBEFilter] == "" {
		return nil
	}
	t, err := transitionName(enc)
	if err != nil {
		return []steps.Finding{{
			Code:     CodeTransitionName,
			Severity: steps.Error,
			Message: "The back-ends' rule starts on a temporary filter action named after \u201c" + question(QEncryptAction).Label + "\u201d with \u201c" + transitionSuffix[1:] + "\u201d added, " +
				"so that the front-ends keep working until they negotiate IPSec, and that name would be too long (" + err.Error() + "). " +
				"Shorten the filter action name to " + strconv.Itoa(64-len(transitionSuffix)) + " characters or fewer.",
			Fix: []string{QEncryptAction},
		}}
	}
	if a.Is(QFEBlock, "yes") && strings.EqualFold(string(t), a[QBlockAction]) {
		return []steps.Finding{{
			Code:     CodeNamesNotUnique,
			Severity: steps.Error,
			Message: "\u201c" + question(QBlockAction).Label + "\u201d is called " + a[QBlockAction] + ", the name of the temporary filter action the back-ends' rule starts on. The tools find objects by name, so one would stand in for the other. " +
				"Give the blocking action another name.",
			Fix: []string{QBlockAction, QEncryptAction},
		}}
	}
	return nil
}

func nonEmpty(names ...string) []string {
	var out []string
	for _, n := range names {
		if n != "" {
			out = append(out, n)
		}
	}
	return out
}

func orISA(name string) string {
	if name == "" {
		return "ISA Server"
	}
	return name
}

// question finds a question of the procedure by ID (Step.Question would
// make the step's initialisation refer to itself).
func question(id string) steps.Question {
	for _, p := range pages {
		for _, q := range p.Questions {
			if q.ID == id {
				return q
			}
		}
	}
	return steps.Question{Label: id}
}

// maxCommandLine is the longest command line cmd.exe on Windows 2000
// accepts; Windows XP and Server 2003 take 8191 characters.
const maxCommandLine = 2047

// ipsecpolLength is the length of the ipsecpol command line the templates
// write for one rule: the store (quoted unless it is the keyword REG), the
// policy and rule names quoted, each filter quoted after -f, then the
// action.
func ipsecpolLength(store, policy, rule string, filters []Filter, block bool) int {
	if store != "REG" {
		store = `"` + store + `"`
	}
	n := len(`ipsecpol -w ` + store + ` -p "` + policy + `" -r "` + rule + `" -f`)
	for _, f := range filters {
		n += len(` "` + f.ipsecpol() + `"`)
	}
	if block {
		return n + len(" -n BLOCK")
	}
	return n + len(" -n ESP[3DES,SHA] -a K")
}

// checkLineLength reports rules whose ipsecpol command line would be too
// long for cmd.exe on a Windows 2000 server that runs it: one filter per
// address, so many front-ends or back-ends make long lines.
func checkLineLength(in steps.Input, a steps.Answers) []steps.Finding {
	for _, id := range []string{QFrontEnds, QBackEnds, QFEOutbound, QBEFilter, QDomain, QPolicyHost, QFEPolicy, QBEPolicy, QFEOutList, QBEInList, QLocal} {
		if _, ok := a[id]; !ok {
			return nil
		}
	}
	var c Config
	for _, list := range []struct {
		names []string
		into  *[]owatopology.Host
	}{{a.Values(QFrontEnds), &c.FrontEnds}, {a.Values(QBackEnds), &c.BackEnds}} {
		for _, n := range list.names {
			s, ok := in.Topology.Server(n)
			if !ok {
				return nil
			}
			*list.into = append(*list.into, owatopology.Host{Name: s.Name, Addrs: s.Addrs, OS: s.OS})
		}
	}
	c.FEOutbound, c.BEFilter = a[QFEOutbound], a[QBEFilter]
	feLen := func(store string) int {
		return ipsecpolLength(store, a[QFEPolicy], a[QFEOutList], c.feOutboundFilters(), false)
	}
	beLen := func(store string) int {
		return ipsecpolLength(store, a[QBEPolicy], a[QBEInList], c.beInboundFilters(), false)
	}
	var hosts []string
	longest := 0
	note := func(name string, n int) {
		if n > maxCommandLine && !slices.Contains(hosts, name) {
			hosts = append(hosts, name)
		}
		longest = max(longest, n)
	}
	if s, ok := in.Topology.Server(a[QPolicyHost]); ok && s.OS == steps.OSWindows2000 {
		note(string(s.Name), max(feLen("DS:"+a[QDomain]), beLen("DS:"+a[QDomain])))
	}
	if a.Is(QLocal, "yes") {
		for _, h := range c.FrontEnds {
			if h.OS == steps.OSWindows2000 {
				note(string(h.Name), feLen("REG"))
			}
		}
		for _, h := range c.BackEnds {
			if h.OS == steps.OSWindows2000 {
				note(string(h.Name), beLen("REG"))
			}
		}
	}
	if len(hosts) == 0 {
		return nil
	}
	return []steps.Finding{{
		Code:     CodeLineTooLong,
		Severity: steps.Error,
		Message: "With one filter for each front-end and back-end address, an ipsecpol command would be " + strconv.Itoa(longest) + " characters long, more than the " + strconv.Itoa(maxCommandLine) +
			" that cmd.exe accepts on Windows 2000 (" + owatopology.Join(hosts) + "). Create the policies from a domain controller on Windows Server 2003, whose netsh takes one filter a line, and leave out the local copies on Windows 2000 servers; or narrow the lists of front-ends and back-ends.",
		Fix:     []string{QPolicyHost, QLocal, QFrontEnds, QBackEnds},
		Servers: hosts,
	}}
}

// setOf is the set of the values vs.
func setOf(vs []string) map[string]bool {
	set := make(map[string]bool, len(vs))
	for _, v := range vs {
		set[v] = true
	}
	return set
}
