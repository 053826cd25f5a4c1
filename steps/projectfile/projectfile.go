// Package projectfile reads and writes a project as one JSON file, so a
// project can be kept in version control, moved between wizards, and
// rendered without a server (wizard render).
//
// A file holds the organisation's facts and servers, every answer, which
// procedures are completed, the change ticket and the recorded deviations.
// It never holds accounts, passwords or sessions.
//
// Reading is as strict as the web forms: every value is parsed by the same
// parser, the cross-checks run, and a file with any problem yields every
// problem, each named by its path in the file (servers[2].fqdn), and no
// project at all. A file is never half imported.
package projectfile

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/secex/wizard/steps"
)

// SchemaVersion is the version of the format this package writes and the
// newest it reads.
const SchemaVersion = 1

// File is the JSON form of a project.
type File struct {
	SchemaVersion int                          `json:"schemaVersion"`
	Project       string                       `json:"project"`
	Revision      int64                        `json:"revision,omitempty"`
	UpdatedAt     time.Time                    `json:"updatedAt,omitzero"`
	Facts         Facts                        `json:"facts"`
	Servers       []Server                     `json:"servers"`
	Answers       map[string]map[string]string `json:"answers"`
	Completed     []string                     `json:"completed"`
	Ticket        *Ticket                      `json:"ticket,omitempty"`
	Deviations    []Deviation                  `json:"deviations,omitempty"`
}

// Facts are the project-wide facts.
type Facts struct {
	ADDomain     string `json:"adDomain"`
	PublicDomain string `json:"publicDomain"`
	OWAHost      string `json:"owaHost"`
	OWAPath      string `json:"owaPath"`
	MXHost       string `json:"mxHost,omitempty"`
	POP3IMAP4    bool   `json:"pop3Imap4"`
	// Platform is "current" for Windows Server 2019-2025 with Exchange
	// Server 2019 or SE; absent for the guide's platform.
	Platform string `json:"platform,omitempty"`
}

// Server is one server and its role facts.
type Server struct {
	Name      string    `json:"name"`
	FQDN      string    `json:"fqdn"`
	Addresses []string  `json:"addresses"`
	OS        string    `json:"os"`
	Roles     []string  `json:"roles"`
	ISA       *ISA      `json:"isa,omitempty"`
	FrontEnd  *FrontEnd `json:"frontEnd,omitempty"`
	BackEnd   *BackEnd  `json:"backEnd,omitempty"`
	Gateway   *Gateway  `json:"gateway,omitempty"`
	CA        *CA       `json:"ca,omitempty"`
	Exchange  *Exchange `json:"exchange,omitempty"`
}

// Exchange holds a current-platform Exchange server's product ("2019" or
// "SE") and cumulative update (0 for the release to manufacturing).
type Exchange struct {
	Version string `json:"version"`
	CU      int    `json:"cu"`
}

// ISA holds an ISA Server's facts.
type ISA struct {
	ExternalAddresses []string `json:"externalAddresses"`
	ServicePack       int      `json:"servicePack"`
	ArrayMember       bool     `json:"arrayMember"`
	InsideFirewall    bool     `json:"insideFirewall"`
}

// FrontEnd holds an OWA front-end's facts.
type FrontEnd struct {
	SiteID int    `json:"siteId"`
	OU     string `json:"ou,omitempty"`
}

// BackEnd holds an Exchange back-end's facts.
type BackEnd struct {
	OU string `json:"ou,omitempty"`
}

// Gateway holds an SMTP gateway's facts.
type Gateway struct {
	DomainMember bool `json:"domainMember"`
	AntiVirus    bool `json:"antiVirus"`
}

// CA holds a certification authority's facts.
type CA struct {
	Config         string `json:"config,omitempty"`
	ThirdPartyRoot bool   `json:"thirdPartyRoot"`
}

// Ticket is the change ticket.
type Ticket struct {
	Number        string   `json:"number"`
	Title         string   `json:"title"`
	Requester     string   `json:"requester"`
	Implementers  []string `json:"implementers"`
	Reviewer      string   `json:"reviewer"`
	Approvers     []string `json:"approvers,omitempty"`
	CABReference  string   `json:"cabReference,omitempty"`
	WindowStart   string   `json:"windowStart"`
	WindowEnd     string   `json:"windowEnd"`
	TimeZone      string   `json:"timeZone"`
	Risk          string   `json:"risk"`
	RiskReason    string   `json:"riskReason"`
	AffectedUsers string   `json:"affectedUsers"`
	Communication string   `json:"communication,omitempty"`
}

// Deviation is an accepted warning: the finding's key, the reason given
// and who accepted it when.
type Deviation struct {
	Key        string    `json:"key"`
	Reason     string    `json:"reason"`
	AcceptedBy string    `json:"acceptedBy,omitempty"`
	At         time.Time `json:"at,omitzero"`
}

// Project is a project file's content after every value was checked.
type Project struct {
	Name       string
	Revision   int64
	UpdatedAt  time.Time // when the revision was made; printed on the runbook
	Topology   steps.Topology
	Answers    map[string]steps.Answers
	Completed  []string
	Ticket     *steps.Ticket
	Deviations []Deviation
}

// Complete reports whether step id is completed.
func (p Project) Complete(id string) bool { return slices.Contains(p.Completed, id) }

// Encode writes p as an indented JSON file with a final newline. The same
// project always gives the same bytes.
func Encode(p Project, catalog []*steps.Step) ([]byte, error) {
	f := File{SchemaVersion: SchemaVersion, Project: p.Name, Revision: p.Revision, UpdatedAt: p.UpdatedAt.UTC(),
		Facts: Facts{ADDomain: string(p.Topology.Facts.ADDomain), PublicDomain: string(p.Topology.Facts.PublicDomain),
			OWAHost: string(p.Topology.Facts.OWAHost), OWAPath: p.Topology.Facts.OWAPath, MXHost: string(p.Topology.Facts.MXHost),
			POP3IMAP4: p.Topology.Facts.POP3IMAP4, Platform: string(p.Topology.Facts.Platform)},
		Servers:    []Server{},
		Answers:    map[string]map[string]string{},
		Completed:  []string{},
		Deviations: p.Deviations,
	}
	for _, s := range p.Topology.Servers {
		f.Servers = append(f.Servers, serverOf(s))
	}
	for id, a := range p.Answers {
		if len(a) > 0 {
			f.Answers[id] = map[string]string(a)
		}
	}
	for _, st := range catalog {
		if p.Complete(st.ID) {
			f.Completed = append(f.Completed, st.ID)
		}
	}
	if p.Ticket != nil {
		t := Ticket(*p.Ticket)
		f.Ticket = &t
	}
	sort.Slice(f.Deviations, func(i, j int) bool { return f.Deviations[i].Key < f.Deviations[j].Key })
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(f); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func addrs(as []string) string { return strings.Join(as, ",") }

func serverOf(s steps.Server) Server {
	out := Server{Name: string(s.Name), FQDN: string(s.FQDN), OS: string(s.OS)}
	for _, a := range s.Addrs {
		out.Addresses = append(out.Addresses, a.String())
	}
	for _, r := range s.Roles {
		out.Roles = append(out.Roles, string(r))
		switch r {
		case steps.RoleISA:
			isa := &ISA{ServicePack: s.ISA.ServicePack, ArrayMember: s.ISA.ArrayMember, InsideFirewall: s.ISA.InsideFirewall}
			for _, a := range s.ISA.ExternalAddrs {
				isa.ExternalAddresses = append(isa.ExternalAddresses, a.String())
			}
			out.ISA = isa
		case steps.RoleFrontEnd:
			out.FrontEnd = &FrontEnd{SiteID: s.FrontEnd.SiteID, OU: string(s.FrontEnd.OU)}
		case steps.RoleBackEnd:
			out.BackEnd = &BackEnd{OU: string(s.BackEnd.OU)}
		case steps.RoleGateway:
			out.Gateway = &Gateway{DomainMember: s.Gateway.DomainMember, AntiVirus: s.Gateway.AntiVirus}
		case steps.RoleCA:
			out.CA = &CA{Config: string(s.CA.Config), ThirdPartyRoot: s.CA.ThirdPartyRoot}
		}
	}
	if s.Exchange.Version != "" {
		out.Exchange = &Exchange{Version: string(s.Exchange.Version), CU: s.Exchange.CU}
	}
	return out
}

// maxFileSize bounds what Decode reads: a project of a thousand servers is
// far smaller.
const maxFileSize = 8 << 20

// Decode reads a project file and checks everything in it as the web forms
// do. On any problem it returns every problem found, each Field a path in
// the file, and no project. A warning of a completed procedure that the
// file does not accept in deviations is a problem too: a project whose
// warnings nobody answered for is not imported.
func Decode(r io.Reader, catalog []*steps.Step) (Project, steps.Problems) {
	p, ps := DecodeUnchecked(r, catalog)
	if len(ps) > 0 {
		return Project{}, ps
	}
	out, err := steps.Produce(catalog, steps.Input{Topology: p.Topology, Answers: p.Answers}, p.Complete)
	if ps := CrossCheck(p, out, err); len(ps) > 0 {
		return Project{}, ps
	}
	return p, nil
}

// CrossCheck turns what producing a project's output found into the
// problems Decode reports: every error finding, every warning p does not
// accept in its deviations, and an error from making the files (a value a
// script could not take). wizard render uses it with the output it
// renders, so that the procedures run once.
func CrossCheck(p Project, out steps.Output, err error) steps.Problems {
	var ps steps.Problems
	if err != nil {
		ps.Add("answers", err.Error())
	}
	for _, fd := range Findings(p, out) {
		if fd.Accepted == nil {
			ps.Add(fd.Path, fd.Problem())
		}
	}
	return ps
}

// A Finding is a procedure's finding as it concerns a project file: where
// in the file it is changed, and whether the file accepts it.
type Finding struct {
	steps.Finding
	Path     string     // the file's path of the procedure's answers, such as answers.smime
	Fields   []string   // the paths of the answers and servers that change it
	Accepted *Deviation // the file's deviation accepting the warning, if any
}

// Findings lists every finding of out with its paths in p's file, errors
// first, and for each warning the deviation that accepts it.
func Findings(p Project, out steps.Output) []Finding {
	accepted := map[string]*Deviation{}
	for i := range p.Deviations {
		accepted[p.Deviations[i].Key] = &p.Deviations[i]
	}
	var fs []Finding
	for _, fd := range out.Findings {
		f := Finding{Finding: fd, Path: "answers." + fd.Step}
		for _, q := range fd.Fix {
			f.Fields = append(f.Fields, f.Path+"."+q)
		}
		for _, name := range fd.Servers {
			for i, s := range p.Topology.Servers {
				if string(s.Name) == name {
					f.Fields = append(f.Fields, fmt.Sprintf("servers[%d]", i))
				}
			}
		}
		if fd.Severity == steps.Warning {
			f.Accepted = accepted[fd.Key()]
		}
		fs = append(fs, f)
	}
	sort.SliceStable(fs, func(i, j int) bool { return fs[i].Severity > fs[j].Severity })
	return fs
}

// Problem is the finding as one message: what is wrong, where, and for a
// warning how the file accepts it.
func (f Finding) Problem() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s", capitalise(f.Severity.String()), f.Key())
	if len(f.Servers) > 0 {
		fmt.Fprintf(&b, " (servers %s)", strings.Join(f.Servers, ", "))
	}
	fmt.Fprintf(&b, ": %s", f.Message)
	if len(f.Fields) > 0 {
		fmt.Fprintf(&b, " Change: %s.", strings.Join(f.Fields, ", "))
	}
	if f.Severity == steps.Warning {
		fmt.Fprintf(&b, ` Or accept it: add {"key": %q, "reason": "why it is acceptable here"} to deviations, or give the reason on the procedure's Check your answers page.`, f.Key())
	}
	return b.String()
}

func capitalise(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// DecodeUnchecked is Decode without the procedures' cross-checks, for a
// caller that produces the output next and passes it to CrossCheck.
func DecodeUnchecked(r io.Reader, catalog []*steps.Step) (Project, steps.Problems) {
	f, ps := Read(r)
	if len(ps) > 0 {
		return Project{}, ps
	}
	return Check(f, catalog)
}

// Read reads a project file's JSON without checking its values. Its
// problems mean the file is not a usable project file at all: not JSON, of
// another schema, or with a field of the wrong form.
func Read(r io.Reader) (File, steps.Problems) {
	var ps steps.Problems
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		ps.Add("", "The file could not be read: "+err.Error())
		return File{}, ps
	}
	if len(data) > maxFileSize {
		ps.Add("", fmt.Sprintf("The file is larger than %d MB; it is not a project file", maxFileSize>>20))
		return File{}, ps
	}
	var head struct {
		SchemaVersion *int `json:"schemaVersion"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		ps.Add("", "The file is not valid JSON: "+describeJSONError(data, err))
		return File{}, ps
	}
	switch {
	case head.SchemaVersion == nil:
		ps.Add("schemaVersion", "The file has no schemaVersion; it is not a project file of this wizard")
		return File{}, ps
	case *head.SchemaVersion > SchemaVersion:
		ps.Add("schemaVersion", fmt.Sprintf("The file was written by a newer version of the wizard (schema %d); this version reads schema %d. Upgrade the wizard to read it", *head.SchemaVersion, SchemaVersion))
		return File{}, ps
	case *head.SchemaVersion < 1:
		ps.Add("schemaVersion", fmt.Sprintf("schemaVersion %d is not a version of this format", *head.SchemaVersion))
		return File{}, ps
	}
	var f File
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		field, msg := fieldOf(data, err)
		ps.Add(field, "The file does not match the project format: "+msg)
		return File{}, ps
	}
	if dec.More() {
		ps.Add("", "The file has more than one JSON value; a project file holds exactly one")
		return File{}, ps
	}
	return f, nil
}

// fieldOf names the top-level field whose value failed to decode, for the
// errors encoding/json reports without one (a time that does not parse,
// say), by decoding each top-level field alone.
func fieldOf(data []byte, err error) (field, msg string) {
	msg = describeJSONError(data, err)
	var te *json.UnmarshalTypeError
	var se *json.SyntaxError
	if errors.As(err, &te) || errors.As(err, &se) || strings.Contains(err.Error(), "unknown field") {
		return "", msg
	}
	var top map[string]json.RawMessage
	if json.Unmarshal(data, &top) != nil {
		return "", msg
	}
	keys := make([]string, 0, len(top))
	for k := range top {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		one, _ := json.Marshal(map[string]json.RawMessage{k: top[k]})
		var f File
		if ferr := json.Unmarshal(one, &f); ferr != nil {
			var pe *time.ParseError
			if errors.As(ferr, &pe) {
				return k, fmt.Sprintf("%s is %s, which is not a date and time; write it as in 2026-12-06T09:30:00Z (RFC 3339)", k, top[k])
			}
			return k, fmt.Sprintf("%s could not be read: %s", k, strings.TrimPrefix(ferr.Error(), "json: "))
		}
	}
	return "", msg
}

func describeJSONError(data []byte, err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	off := int64(-1)
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
		msg := fmt.Sprintf("%s should be %s, not %s", te.Field, te.Type, te.Value)
		line, col := position(data, off)
		return fmt.Sprintf("%s (line %d, column %d)", msg, line, col)
	}
	if off >= 0 {
		line, col := position(data, off)
		return fmt.Sprintf("%v (line %d, column %d)", err, line, col)
	}
	return strings.TrimPrefix(err.Error(), "json: ")
}

func position(data []byte, off int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < off && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

func yn(b bool) string {
	if b {
		return "yes"
	}
	return "no"
}

// Check validates every value of f as the web forms do, without the
// procedures' cross-checks.
func Check(f File, catalog []*steps.Step) (Project, steps.Problems) {
	var ps steps.Problems
	p := Project{Revision: f.Revision, UpdatedAt: f.UpdatedAt.UTC(), Answers: map[string]steps.Answers{}}
	name := strings.Join(strings.Fields(f.Project), " ")
	if msg := steps.CheckText("Project name", name, 100, false); name == "" || msg != "" {
		ps.Add("project", "Enter a project name of 1 to 100 characters, valid UTF-8 and without control characters")
	}
	p.Name = name

	facts, fps := steps.FactsForm{ADDomain: f.Facts.ADDomain, PublicDomain: f.Facts.PublicDomain, OWAHost: f.Facts.OWAHost,
		OWAPath: f.Facts.OWAPath, MXHost: f.Facts.MXHost, POP3IMAP4: yn(f.Facts.POP3IMAP4), Platform: f.Facts.Platform}.Parse()
	for _, fp := range fps {
		ps.Add("facts."+factsField(fp.Field), fp.Message)
	}
	p.Topology.Facts = facts

	for i, s := range f.Servers {
		path := fmt.Sprintf("servers[%d]", i)
		form := steps.ServerForm{Name: s.Name, FQDN: s.FQDN, Addrs: addrs(s.Addresses), OS: s.OS, Roles: s.Roles,
			ISAServicePack: "0", ISAArray: "no", ISAInside: "no", GWDomainMember: "no", GWAntiVirus: "no", CAThirdParty: "no",
			Platform: facts.Platform}
		if s.ISA != nil {
			form.ISAExternal, form.ISAServicePack = addrs(s.ISA.ExternalAddresses), strconv.Itoa(s.ISA.ServicePack)
			form.ISAArray, form.ISAInside = yn(s.ISA.ArrayMember), yn(s.ISA.InsideFirewall)
		}
		if s.FrontEnd != nil {
			form.FESiteID, form.FEOU = strconv.Itoa(s.FrontEnd.SiteID), s.FrontEnd.OU
		}
		if s.BackEnd != nil {
			form.BEOU = s.BackEnd.OU
		}
		if s.Gateway != nil {
			form.GWDomainMember, form.GWAntiVirus = yn(s.Gateway.DomainMember), yn(s.Gateway.AntiVirus)
		}
		if s.CA != nil {
			form.CAConfig, form.CAThirdParty = s.CA.Config, yn(s.CA.ThirdPartyRoot)
		}
		if s.Exchange != nil {
			form.ExVersion, form.ExCU = s.Exchange.Version, strconv.Itoa(s.Exchange.CU)
		}
		srv, sps := form.Parse()
		for _, sp := range sps {
			ps.Add(path+"."+serverField(sp.Field), sp.Message)
		}
		if len(sps) > 0 {
			continue
		}
		for _, c := range p.Topology.Conflicts(srv, "") {
			ps.Add(path+"."+serverField(c.Field), c.Message)
		}
		p.Topology.Servers = append(p.Topology.Servers, srv)
	}
	if len(ps) > 0 {
		// Answers are checked against the servers; with servers wrong,
		// their problems would only repeat these.
		return Project{}, ps
	}

	ids := map[string]*steps.Step{}
	for _, st := range catalog {
		ids[st.ID] = st
	}
	answerSteps := make([]string, 0, len(f.Answers))
	for id := range f.Answers {
		answerSteps = append(answerSteps, id)
	}
	sort.Strings(answerSteps)
	for _, id := range answerSteps {
		st, ok := ids[id]
		if !ok {
			ps.Add("answers."+id, fmt.Sprintf("%q is not a procedure of this wizard; `wizard procedures` lists them", id))
			continue
		}
		saved := steps.Answers(f.Answers[id])
		if st.Upgrade != nil {
			saved = st.Upgrade(saved)
		}
		qids := make([]string, 0, len(saved))
		for q := range saved {
			qids = append(qids, q)
		}
		sort.Strings(qids)
		// Every answer is parsed; one that does not parse is refused only
		// when its page is asked. An answer on a page the other answers
		// skip is what the web keeps too (given before, say, a server was
		// removed): it reaches no script, it is checked again if its page
		// comes back, and it is part of the answers hash, so it is kept as
		// written for the render to match the web's.
		a := steps.Answers{}
		bad := map[string]error{}
		for _, qid := range qids {
			raw := saved[qid]
			q, ok := st.Question(qid)
			if !ok {
				ps.Add("answers."+id+"."+qid, fmt.Sprintf("%q is not a question of %s", qid, id))
				continue
			}
			vals := []string{raw}
			if q.Kind.Multiple() {
				vals = strings.Split(raw, "\n")
			}
			v, err := q.Parse(vals, p.Topology)
			if err != nil {
				bad[qid], v = err, raw
			}
			a[qid] = v
		}
		for _, pg := range st.Pages {
			if !pg.Asked(a) {
				continue
			}
			for _, q := range pg.Questions {
				if err, ok := bad[q.ID]; ok {
					ps.Add("answers."+id+"."+q.ID, err.Error())
				}
			}
		}
		p.Answers[id] = a
	}
	for i, id := range f.Completed {
		path := fmt.Sprintf("completed[%d]", i)
		st, ok := ids[id]
		switch {
		case !ok:
			ps.Add(path, fmt.Sprintf("%q is not a procedure of this wizard", id))
		case slices.Contains(p.Completed, id):
			ps.Add(path, fmt.Sprintf("%q is listed twice", id))
		default:
			if pg, missing := st.Unanswered(p.Answers[id]); missing {
				ps.Add(path, fmt.Sprintf("%s is marked completed but the page %q is not answered", id, pg.Heading()))
			}
			for _, req := range st.Requires {
				if !slices.Contains(f.Completed, req) {
					ps.Add(path, fmt.Sprintf("%s is marked completed but it needs %s completed first", id, req))
				}
			}
			p.Completed = append(p.Completed, id)
		}
	}
	if f.Ticket != nil {
		tk := steps.Ticket(*f.Ticket).Normalise()
		for _, tp := range tk.Problems() {
			ps.Add("ticket."+tp.Field, tp.Message)
		}
		p.Ticket = &tk
	}
	for i, d := range f.Deviations {
		path := fmt.Sprintf("deviations[%d]", i)
		if !strings.Contains(d.Key, "/") {
			ps.Add(path+".key", "A deviation key has the form procedure/finding, such as smime/weak-default-algorithm")
		}
		if strings.TrimSpace(d.Reason) == "" {
			ps.Add(path+".reason", "Enter why the warning is acceptable")
		}
		p.Deviations = append(p.Deviations, d)
	}
	if len(ps) > 0 {
		return Project{}, ps
	}
	return p, nil
}

func factsField(f string) string {
	return map[string]string{"ad-domain": "adDomain", "public-domain": "publicDomain", "owa-host": "owaHost",
		"owa-path": "owaPath", "mx-host": "mxHost", "pop3imap4": "pop3Imap4", "platform": "platform"}[f]
}

func serverField(f string) string {
	if m, ok := map[string]string{"name": "name", "fqdn": "fqdn", "addrs": "addresses", "os": "os", "roles": "roles",
		"isa-external": "isa.externalAddresses", "isa-sp": "isa.servicePack", "fe-site": "frontEnd.siteId", "fe-ou": "frontEnd.ou",
		"be-ou": "backEnd.ou", "ca-config": "ca.config", "ex-version": "exchange.version", "ex-cu": "exchange.cu"}[f]; ok {
		return m
	}
	return f
}

func newEncoder(w io.Writer) *json.Encoder {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	return enc
}
