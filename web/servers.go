package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/ui"
)

// platformField is the choice of the project's platform.
func platformField(f steps.FactsForm, ps steps.Problems) ui.Field {
	field := ui.Field{ID: "platform", Label: steps.LabelPlatform, Value: f.Platform, Error: ps.For("platform"),
		Hint: "Which Windows and Exchange the plan is for. A project of the guide's platform can be planned as its migration: copy it (export and import), then choose current here and describe the new servers."}
	for _, p := range steps.Platforms {
		field.Options = append(field.Options, steps.Choice{Value: p.Slug(), Label: p.Label()})
	}
	return field
}

func factsFields(f steps.FactsForm, ps steps.Problems) ([]ui.Field, ui.Field) {
	tf := func(id, label, hint, v string) ui.Field {
		return ui.Field{ID: id, Label: label, Hint: hint, Value: v, Error: ps.For(id), Mono: true}
	}
	return []ui.Field{
			tf("ad-domain", steps.LabelADDomain, "For example, corp.example.com", f.ADDomain),
			tf("public-domain", steps.LabelPublicDomain, "For example, example.com", f.PublicDomain),
			tf("owa-host", steps.LabelOWAHost, "The name users type in the browser, for example mail.example.com", f.OWAHost),
			tf("owa-path", steps.LabelOWAPath, "For example, /exchange", f.OWAPath),
			{ID: "mx-host", Label: steps.LabelMXHost, Hint: "The host your domain's MX record names, for example smtp.example.com", Value: f.MXHost, Error: ps.For("mx-host"), Mono: true, Optional: true},
		}, ui.Field{ID: "pop3imap4", Label: "Do users read mail with POP3 or IMAP4?", Value: f.POP3IMAP4, Error: ps.For("pop3imap4"),
			Options: []steps.Choice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}}}
}

func (s *Server) factsForm(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	s.remember(r)
	p := s.formPage(w, r, "Describe the organisation")
	p.Back = projectPath(rs.project.ID)
	form := steps.FactsFormOf(rs.project.Facts)
	fields, pop := factsFields(form, nil)
	return render(w, r, http.StatusOK, ui.FactsPage(p, rs.project.FactsVersion, platformField(form, nil), fields, pop))
}

func (s *Server) factsSubmit(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	typed := steps.FactsForm{ADDomain: r.PostFormValue("ad-domain"), PublicDomain: r.PostFormValue("public-domain"),
		OWAHost: r.PostFormValue("owa-host"), OWAPath: r.PostFormValue("owa-path"), MXHost: r.PostFormValue("mx-host"),
		POP3IMAP4: r.PostFormValue("pop3imap4"), Platform: r.PostFormValue("platform")}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	facts, ps := typed.Parse()
	if len(ps) == 0 {
		err := s.st.SaveFacts(r.Context(), rs.user.ID, rs.project.ID, facts, version)
		if errors.Is(err, store.ErrConflict) {
			ps, version, err = s.factsConflict(r, typed, facts)
		}
		if err != nil {
			return err
		}
	}
	if len(ps) > 0 {
		p := s.formPage(w, r, "Describe the organisation")
		p.Back = projectPath(rs.project.ID)
		p.Problems = ps
		fields, pop := factsFields(typed, ps)
		return render(w, r, http.StatusUnprocessableEntity, ui.FactsPage(p, version, platformField(typed, ps), fields, pop))
	}
	s.setFlash(w, r, "Organisation facts saved.")
	return redirect(w, r, projectPath(rs.project.ID))
}

// factsConflict handles a save of the facts that another member's save
// overtook. It names, on each field that differs, who saved what and when,
// and returns the current version, which the form takes so that saving
// again is a deliberate replacement. When they saved exactly what the user
// typed there is nothing to report and nothing left to save.
func (s *Server) factsConflict(r *http.Request, typed steps.FactsForm, facts steps.Facts) (steps.Problems, int64, error) {
	rs := state(r)
	cur, err := s.st.Project(r.Context(), rs.project.ID)
	if err != nil {
		return nil, 0, err
	}
	theirs, mine := steps.FactsFormOf(cur.Facts), steps.FactsFormOf(facts)
	who, when := s.lastChangedBy(r, "project", "facts")
	differ := map[string][2]string{ // theirs, yours
		"ad-domain": {theirs.ADDomain, mine.ADDomain}, "public-domain": {theirs.PublicDomain, mine.PublicDomain},
		"owa-host": {theirs.OWAHost, mine.OWAHost}, "owa-path": {theirs.OWAPath, mine.OWAPath},
		"mx-host": {theirs.MXHost, mine.MXHost}, "pop3imap4": {theirs.POP3IMAP4, mine.POP3IMAP4},
		"platform": {theirs.Platform, mine.Platform},
	}
	fields, pop := factsFields(typed, nil)
	var ps steps.Problems
	for _, f := range append(fields, pop, platformField(typed, nil)) {
		v := differ[f.ID]
		if v[0] == v[1] {
			continue
		}
		saved := "left it empty"
		if v[0] != "" {
			saved = "saved it as " + v[0]
		}
		ps.Add(f.ID, fmt.Sprintf("%s: %s %s%s, after you opened this page. The form shows what you typed: select Save and continue to replace theirs with yours, or change it.", f.Label, who, saved, when))
	}
	return ps, cur.FactsVersion, nil
}

func roleOptions(p steps.Platform) []steps.Choice {
	var cs []steps.Choice
	for _, r := range steps.RolesFor(p) {
		cs = append(cs, steps.Choice{Value: string(r), Label: r.Label()})
	}
	return cs
}

func osOptions(p steps.Platform) []steps.Choice {
	var cs []steps.Choice
	for _, o := range steps.OSesFor(p) {
		cs = append(cs, steps.Choice{Value: string(o), Label: o.Label()})
	}
	return cs
}

func serverRow(pid int64, rec store.ServerRecord) ui.ServerRow {
	srv := rec.Server
	var addrs, roles []string
	for _, a := range srv.Addrs {
		addrs = append(addrs, a.String())
	}
	for _, r := range srv.Roles {
		roles = append(roles, r.Label())
	}
	return ui.ServerRow{ID: rec.ID, Name: string(srv.Name), FQDN: string(srv.FQDN), Addrs: strings.Join(addrs, ", "),
		OS: srv.OS.Label(), Roles: strings.Join(roles, ", "), Href: fmt.Sprintf("%s/servers/%d", projectPath(pid), rec.ID)}
}

func readServerForm(r *http.Request) steps.ServerForm {
	r.ParseForm()
	f := r.PostForm
	return steps.ServerForm{
		Platform:  state(r).project.Facts.Platform,
		ExVersion: f.Get("ex-version"), ExCU: f.Get("ex-cu"),
		Name: f.Get("name"), FQDN: f.Get("fqdn"), Addrs: f.Get("addrs"), OS: f.Get("os"), Roles: f["roles"],
		ISAExternal: f.Get("isa-external"), ISAServicePack: f.Get("isa-sp"), ISAArray: f.Get("isa-array"), ISAInside: f.Get("isa-inside"),
		FESiteID: f.Get("fe-site"), FEOU: f.Get("fe-ou"), BEOU: f.Get("be-ou"),
		GWDomainMember: f.Get("gw-domain"), GWAntiVirus: f.Get("gw-av"),
		CAConfig: f.Get("ca-config"), CAThirdParty: f.Get("ca-thirdparty"),
	}
}

func newServerForm(p steps.Platform) steps.ServerForm {
	f := steps.ServerForm{OS: string(steps.OSWindows2000), ISAServicePack: "1", ISAArray: "no", ISAInside: "no",
		FESiteID: "1", GWDomainMember: "no", GWAntiVirus: "yes", CAThirdParty: "no", Platform: p}
	if p == steps.PlatformCurrent {
		f.OS, f.ExVersion, f.ExCU = string(steps.OSWindows2022), string(steps.Exchange2019), strconv.Itoa(steps.MinExchange2019CU)
	}
	return f
}

func (s *Server) serverList(w http.ResponseWriter, r *http.Request) error {
	s.remember(r)
	return s.renderServers(w, r, http.StatusOK, newServerForm(state(r).project.Facts.Platform), "", nil)
}

func (s *Server) renderServers(w http.ResponseWriter, r *http.Request, status int, add steps.ServerForm, paste string, ps steps.Problems) error {
	rs := state(r)
	recs, err := s.st.Servers(r.Context(), rs.project.ID)
	if err != nil {
		return err
	}
	var rows []ui.ServerRow
	for _, rec := range recs {
		rows = append(rows, serverRow(rs.project.ID, rec))
	}
	p := s.formPage(w, r, "Servers")
	p.Back = projectPath(rs.project.ID)
	ps = lineProblems(ps)
	p.Problems = ps
	platform := rs.project.Facts.Platform
	edit := ui.ServerEdit{Action: projectPath(rs.project.ID) + "/servers", Form: add, Roles: roleOptions(platform), OSes: osOptions(platform), IsNew: true}
	example := "For example: EXBE01 exbe01.corp.example.com 10.0.1.10 win2000 exchange-be,kms"
	if platform == steps.PlatformCurrent {
		example = "For an Exchange server, add its product and update as a sixth part: 2019-CU14, 2019-CU15, SE-RTM or SE-CU1. For example: EX01 ex01.corp.example.com 10.0.1.10 ws2022 exchange-mbx 2019-CU15"
	}
	list := ui.ServerList{
		Action: projectPath(rs.project.ID) + "/servers",
		Field: ui.Field{ID: "list", Label: "Servers, one a line", Rows: pasteRows, Wide: true, Mono: true, Value: paste,
			Hint: "On each line: the name, the FQDN, the addresses (separated by commas), the operating system and the roles (separated by commas), with spaces between them. " +
				"The operating system is " + osSlugs(platform) + ". The roles are " + roleSlugs(platform) + ". " + example},
	}
	for _, pr := range ps {
		if pr.Field == "list" || strings.HasPrefix(pr.Field, "list-line-") {
			list.Errors = append(list.Errors, pr)
		}
	}
	canEdit := rs.role >= store.RoleEditor && !rs.project.Archived
	return render(w, r, status, ui.ServersPage(p, rows, canEdit, edit, list))
}

// pasteRows is how many lines of servers the paste box shows at once.
const pasteRows = 20

// lineProblems gives each problem of a pasted list that names its line
// ("Line 3: …") the field list-line-3, so the error summary links to that
// line's message rather than to the whole list.
func lineProblems(ps steps.Problems) steps.Problems {
	out := make(steps.Problems, 0, len(ps))
	for _, p := range ps {
		if p.Field == "list" {
			if n, ok := problemLine(p.Message); ok {
				p.Field = fmt.Sprintf("list-line-%d", n)
			}
		}
		out = append(out, p)
	}
	return out
}

// problemLine reads the line number of a message "Line 3: …".
func problemLine(msg string) (int, bool) {
	rest, ok := strings.CutPrefix(msg, "Line ")
	if !ok {
		return 0, false
	}
	num, _, ok := strings.Cut(rest, ": ")
	if !ok {
		return 0, false
	}
	n, err := strconv.Atoi(num)
	return n, err == nil && n > 0
}

// osSlugs names every operating system a pasted line may give, with what
// each means: "win2000 (Windows 2000 Server SP4), … or later (…)".
func osSlugs(p steps.Platform) string {
	var ss []string
	for _, o := range steps.OSesFor(p) {
		ss = append(ss, string(o)+" ("+o.Label()+")")
	}
	return andOrList(ss, " or ")
}

// andOrList joins items with commas and last before the final one.
func andOrList(items []string, last string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + last + items[len(items)-1]
}

// roleSlugs names every role a pasted line may give, with what each means.
func roleSlugs(p steps.Platform) string {
	var ss []string
	for _, r := range steps.RolesFor(p) {
		ss = append(ss, string(r)+" ("+r.Label()+")")
	}
	return andOrList(ss, " and ")
}

func problemMessages(ps steps.Problems, field string) []string {
	var out []string
	for _, p := range ps {
		if p.Field == field {
			out = append(out, p.Message)
		}
	}
	return out
}

// serverAdd adds the servers of either form of the servers page: one
// server, or a pasted list (add=list). Both post to the page's own
// address, so after an error the browser is still on the servers page.
func (s *Server) serverAdd(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	if r.PostFormValue("add") == "list" {
		return s.serverPaste(w, r)
	}
	form := readServerForm(r)
	srv, ps := form.Parse()
	if len(ps) == 0 {
		topo, err := s.st.Topology(r.Context(), rs.project.ID)
		if err != nil {
			return err
		}
		ps = topo.Conflicts(srv, "")
	}
	if len(ps) == 0 {
		err := s.st.AddServers(r.Context(), rs.user.ID, rs.project.ID, []steps.Server{srv})
		var dup *store.DuplicateError
		if errors.As(err, &dup) {
			ps.Add("name", dup.Error())
		} else if err != nil {
			return err
		}
	}
	if len(ps) > 0 {
		return s.renderServers(w, r, http.StatusUnprocessableEntity, form, "", ps)
	}
	s.setFlash(w, r, "Server "+string(srv.Name)+" added.")
	return redirect(w, r, projectPath(rs.project.ID)+"/servers")
}

func (s *Server) serverPaste(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	text := r.PostFormValue("list")
	topo, err := s.st.Topology(r.Context(), rs.project.ID)
	if err != nil {
		return err
	}
	srvs, ps := steps.ParseServerList(text, topo)
	if len(ps) == 0 {
		err := s.st.AddServers(r.Context(), rs.user.ID, rs.project.ID, srvs)
		var dup *store.DuplicateError
		if errors.As(err, &dup) {
			ps.Add("list", dup.Error())
		} else if err != nil {
			return err
		}
	}
	if len(ps) > 0 {
		// Nothing is added while any line is wrong, so the list can be
		// corrected and sent again as a whole.
		return s.renderServers(w, r, http.StatusUnprocessableEntity, newServerForm(rs.project.Facts.Platform), text, ps)
	}
	s.setFlash(w, r, fmt.Sprintf("%d servers added.", len(srvs)))
	return redirect(w, r, projectPath(rs.project.ID)+"/servers")
}

func (s *Server) findServer(r *http.Request) (store.ServerRecord, error) {
	rs := state(r)
	id, err := strconv.ParseInt(r.PathValue("sid"), 10, 64)
	if err != nil {
		return store.ServerRecord{}, errNotFound
	}
	recs, err := s.st.Servers(r.Context(), rs.project.ID)
	if err != nil {
		return store.ServerRecord{}, err
	}
	for _, rec := range recs {
		if rec.ID == id {
			return rec, nil
		}
	}
	return store.ServerRecord{}, errNotFound
}

func (s *Server) serverEdit(r *http.Request, rec store.ServerRecord, form steps.ServerForm) ui.ServerEdit {
	base := fmt.Sprintf("%s/servers/%d", projectPath(state(r).project.ID), rec.ID)
	p := state(r).project.Facts.Platform
	form.Platform = p
	return ui.ServerEdit{Action: base, Version: rec.Version, Form: form, Roles: roleOptions(p), OSes: osOptions(p), Delete: base + "/delete"}
}

func (s *Server) serverForm(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	rec, err := s.findServer(r)
	if err != nil {
		return err
	}
	s.remember(r)
	p := s.formPage(w, r, "Server "+string(rec.Server.Name))
	p.Back = projectPath(rs.project.ID) + "/servers"
	form := steps.FormOf(rec.Server)
	return render(w, r, http.StatusOK, ui.ServerPage(p, s.serverEdit(r, rec, form), rs.role >= store.RoleEditor && !rs.project.Archived))
}

func (s *Server) serverUpdate(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	rec, err := s.findServer(r)
	if err != nil {
		return err
	}
	form := readServerForm(r)
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	srv, ps := form.Parse()
	if len(ps) == 0 {
		topo, err := s.st.Topology(r.Context(), rs.project.ID)
		if err != nil {
			return err
		}
		ps = topo.Conflicts(srv, rec.Server.Name)
	}
	if len(ps) == 0 {
		err := s.st.UpdateServer(r.Context(), rs.user.ID, rs.project.ID, rec.ID, version, srv)
		var dup *store.DuplicateError
		switch {
		case errors.Is(err, store.ErrConflict):
			msg, cur, err := s.serverConflict(r, rec.ID)
			if err != nil {
				return err
			}
			ps.Add("name", msg)
			version = cur
		case errors.As(err, &dup):
			ps.Add("name", dup.Error())
		case err != nil:
			return err
		}
	}
	if len(ps) > 0 {
		p := s.formPage(w, r, "Server "+string(rec.Server.Name))
		p.Back = projectPath(rs.project.ID) + "/servers"
		p.Problems = ps
		e := s.serverEdit(r, rec, form)
		e.Version = version
		return render(w, r, http.StatusUnprocessableEntity, ui.ServerPage(p, e, true))
	}
	s.setFlash(w, r, "Server "+string(srv.Name)+" saved.")
	return redirect(w, r, projectPath(rs.project.ID)+"/servers")
}

func (s *Server) serverDelete(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	rec, err := s.findServer(r)
	if err != nil {
		return err
	}
	version, _ := strconv.ParseInt(r.PostFormValue("version"), 10, 64)
	if err := s.st.DeleteServer(r.Context(), rs.user.ID, rs.project.ID, rec.ID, version); err != nil {
		return err
	}
	s.setFlash(w, r, "Server "+string(rec.Server.Name)+" removed.")
	return redirect(w, r, projectPath(rs.project.ID)+"/servers")
}

// lastChangedBy names who last changed a thing of the request's project
// and when (" at 15:04 UTC on 2 Jan 2006"), for conflict messages; when the
// history cannot say, "Another member" and no time.
func (s *Server) lastChangedBy(r *http.Request, entity, key string) (who, when string) {
	e, ok, err := s.st.LastChange(r.Context(), state(r).project.ID, entity, key)
	if err != nil || !ok {
		return "Another member", ""
	}
	return e.User, " at " + e.At.UTC().Format("15:04 UTC on 2 Jan 2006")
}

// serverConflict describes a server as another member saved it after the
// user opened the form: who, when and the values now saved, so the user
// can choose between theirs and their own. It returns the current version,
// which the form takes so that saving again is a deliberate replacement.
func (s *Server) serverConflict(r *http.Request, id int64) (string, int64, error) {
	rs := state(r)
	recs, err := s.st.Servers(r.Context(), rs.project.ID)
	if err != nil {
		return "", 0, err
	}
	for _, cur := range recs {
		if cur.ID != id {
			continue
		}
		who, when := s.lastChangedBy(r, "server", string(cur.Server.Name))
		row := serverRow(rs.project.ID, cur)
		return fmt.Sprintf("%s changed this server%s, after you opened this page. It is now saved as %s, %s, %s, %s, with the roles %s. The form shows what you typed: select Save server to replace their version with yours, or change it.",
			who, when, row.Name, row.FQDN, row.Addrs, row.OS, row.Roles), cur.Version, nil
	}
	return "", 0, errNotFound
}
