package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/store"
	"github.com/secex/wizard/web/ui"
)

func projectNameField(v, errMsg string) ui.Field {
	return ui.Field{ID: "name", Label: "Project name", Hint: "For example, the organisation and the change: Contoso mail hardening 2026", Value: v, Error: errMsg, Wide: true}
}

func parseProjectName(s string) (string, error) {
	s = strings.Join(strings.Fields(s), " ")
	if s == "" {
		return "", errors.New("Enter a project name")
	}
	if msg := steps.CheckText("Project name", s, 100, false); msg != "" {
		return "", errors.New(msg)
	}
	return s, nil
}

func (s *Server) projectList(w http.ResponseWriter, r *http.Request) error {
	return s.renderProjects(w, r, http.StatusOK, "", "")
}

func (s *Server) renderProjects(w http.ResponseWriter, r *http.Request, status int, typed, problem string) error {
	var ps steps.Problems
	if problem != "" {
		ps.Add("name", problem)
	}
	return s.renderProjectsWith(w, r, status, typed, ps)
}

func (s *Server) renderProjectsWith(w http.ResponseWriter, r *http.Request, status int, typed string, problems steps.Problems) error {
	rs := state(r)
	ps, err := s.st.Projects(r.Context(), rs.user.ID)
	if err != nil {
		return err
	}
	showArchived := r.URL.Query().Get("archived") == "1"
	var rows []ui.ProjectRow
	for _, p := range ps {
		if p.Archived && !showArchived {
			continue
		}
		rows = append(rows, ui.ProjectRow{ID: p.ID, Name: p.Name, Role: p.Role.String(), Archived: p.Archived,
			Revision: p.Revision, Updated: p.UpdatedAt.UTC().Format("2 Jan 2006 15:04 UTC")})
	}
	p := s.formPage(w, r, "Your projects")
	p.Problems = problems
	fileField := ui.Field{ID: "file", Label: "Project file", Hint: "A .json file exported from this wizard", Type: "file",
		Error: strings.Join(problemMessages(problems, "file"), " ")}
	return render(w, r, status, ui.ProjectsPage(p, rows, projectNameField(typed, problems.For("name")), fileField, showArchived, rs.user.Admin))
}

func (s *Server) projectCreate(w http.ResponseWriter, r *http.Request) error {
	typed := r.PostFormValue("name")
	name, err := parseProjectName(typed)
	if err != nil {
		return s.renderProjects(w, r, http.StatusUnprocessableEntity, typed, err.Error())
	}
	p, err := s.st.CreateProject(r.Context(), state(r).user.ID, name)
	if err != nil {
		return err
	}
	s.setFlash(w, r, "Project created. Start by describing the organisation and its servers.")
	return redirect(w, r, projectPath(p.ID))
}

func (s *Server) accounts(w http.ResponseWriter, r *http.Request) error {
	return s.renderAccounts(w, r, http.StatusOK, "", nil)
}

func (s *Server) renderAccounts(w http.ResponseWriter, r *http.Request, status int, typed string, ps steps.Problems) error {
	us, err := s.st.Users(r.Context())
	if err != nil {
		return err
	}
	var names []string
	for _, u := range us {
		n := u.Name
		if u.Admin {
			n += " (administrator)"
		}
		names = append(names, n)
	}
	p := s.formPage(w, r, "Accounts")
	p.Problems = ps
	return render(w, r, status, ui.AccountsPage(p, names, userField(typed, ps.For("username")),
		passwordField("password", "Password", "12 to 128 characters", ps.For("password"), "new-password")))
}

func (s *Server) accountCreate(w http.ResponseWriter, r *http.Request) error {
	typed := r.PostFormValue("username")
	var ps steps.Problems
	name, err := normaliseUserName(typed)
	if err != nil {
		ps.Add("username", err.Error())
	}
	pw := r.PostFormValue("password")
	if err := passwordProblem(pw, name); err != nil {
		ps.Add("password", err.Error())
	}
	if len(ps) == 0 {
		_, err = s.st.CreateUser(r.Context(), state(r).user.ID, name, hashPassword(pw))
		if errors.Is(err, store.ErrDuplicate) {
			ps.Add("username", "There is already an account named "+name)
		} else if err != nil {
			return err
		}
	}
	if len(ps) > 0 {
		return s.renderAccounts(w, r, http.StatusUnprocessableEntity, typed, ps)
	}
	s.setFlash(w, r, "Account "+name+" created.")
	return redirect(w, r, "/accounts")
}

func roleChoices() []steps.Choice {
	return []steps.Choice{
		{Value: "viewer", Label: "Viewer", Hint: "Reads everything"},
		{Value: "editor", Label: "Editor", Hint: "Also answers questions and describes servers"},
		{Value: "approver", Label: "Approver", Hint: "Also signs off the change"},
		{Value: "owner", Label: "Owner", Hint: "Also manages members and the project"},
	}
}

func (s *Server) members(w http.ResponseWriter, r *http.Request) error {
	return s.renderMembers(w, r, http.StatusOK, "", "", nil)
}

func (s *Server) renderMembers(w http.ResponseWriter, r *http.Request, status int, typedUser, typedRole string, ps steps.Problems) error {
	rs := state(r)
	ms, err := s.st.Members(r.Context(), rs.project.ID)
	if err != nil {
		return err
	}
	var rows []ui.MemberRow
	for _, m := range ms {
		rows = append(rows, ui.MemberRow{Name: m.Name, Role: m.Role.String()})
	}
	p := s.formPage(w, r, "Members")
	p.Back = projectPath(rs.project.ID)
	p.Problems = ps
	return render(w, r, status, ui.MembersPage(p, rows, rs.role >= store.RoleOwner,
		userField(typedUser, ps.For("username")),
		ui.Field{ID: "role", Label: "Role", Value: typedRole, Options: roleChoices(), Error: ps.For("role")}))
}

func (s *Server) memberSave(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	typedUser, typedRole := r.PostFormValue("username"), r.PostFormValue("role")
	var ps steps.Problems
	var u store.User
	name, err := normaliseUserName(typedUser)
	if err != nil {
		ps.Add("username", err.Error())
	} else if u, _, err = s.st.UserByName(r.Context(), name); errors.Is(err, store.ErrNotFound) {
		ps.Add("username", "There is no account named "+name+"; an administrator creates accounts first")
	} else if err != nil {
		return err
	}
	role, err := store.ParseRole(typedRole)
	if err != nil {
		ps.Add("role", "Select a role")
	}
	if len(ps) == 0 {
		if err := s.st.SetMember(r.Context(), rs.user.ID, rs.project.ID, u.ID, role); err != nil {
			ps.Add("username", err.Error())
		}
	}
	if len(ps) > 0 {
		return s.renderMembers(w, r, http.StatusUnprocessableEntity, typedUser, typedRole, ps)
	}
	s.setFlash(w, r, fmt.Sprintf("%s is now %s of this project.", u.Name, role))
	return redirect(w, r, projectPath(rs.project.ID)+"/members")
}

// memberRemove takes a member out of the project. Their open pages stop
// receiving live updates at once: the change is published like any other,
// and every stream checks membership before it delivers.
func (s *Server) memberRemove(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	typed := r.PostFormValue("username")
	var ps steps.Problems
	name, err := normaliseUserName(typed)
	if err != nil {
		ps.Add("username", err.Error())
	} else if u, _, err := s.st.UserByName(r.Context(), name); errors.Is(err, store.ErrNotFound) {
		ps.Add("username", name+" is not a member of this project")
	} else if err != nil {
		return err
	} else if err := s.st.RemoveMember(r.Context(), rs.user.ID, rs.project.ID, u.ID); errors.Is(err, store.ErrNotFound) {
		ps.Add("username", name+" is not a member of this project")
	} else if errors.Is(err, store.ErrLastOwner) {
		ps.Add("username", "A project must keep at least one owner: make another member owner before removing "+name)
	} else if err != nil {
		return err
	} else if u.ID == rs.user.ID {
		s.setFlash(w, r, "You are no longer a member of "+rs.project.Name+".")
		return redirect(w, r, "/")
	}
	if len(ps) > 0 {
		return s.renderMembers(w, r, http.StatusUnprocessableEntity, typed, "", ps)
	}
	s.setFlash(w, r, name+" is no longer a member of this project.")
	return redirect(w, r, projectPath(rs.project.ID)+"/members")
}

func (s *Server) settings(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	p := s.formPage(w, r, "Project settings")
	p.Back = projectPath(rs.project.ID)
	return render(w, r, http.StatusOK, ui.SettingsPage(p, projectNameField(rs.project.Name, ""), rs.project.Archived))
}

func (s *Server) rename(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	typed := r.PostFormValue("name")
	name, err := parseProjectName(typed)
	if err != nil {
		p := s.formPage(w, r, "Project settings")
		p.Problems = steps.Problems{{Field: "name", Message: err.Error()}}
		return render(w, r, http.StatusUnprocessableEntity, ui.SettingsPage(p, projectNameField(typed, err.Error()), rs.project.Archived))
	}
	if err := s.st.RenameProject(r.Context(), rs.user.ID, rs.project.ID, name); err != nil {
		return err
	}
	s.setFlash(w, r, "Project renamed.")
	return redirect(w, r, projectPath(rs.project.ID))
}

func (s *Server) archive(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	archived := r.PostFormValue("archived") == "yes"
	if err := s.st.SetArchived(r.Context(), rs.user.ID, rs.project.ID, archived); err != nil {
		return err
	}
	if archived {
		s.setFlash(w, r, "Project archived.")
		return redirect(w, r, "/")
	}
	s.setFlash(w, r, "Project restored.")
	return redirect(w, r, projectPath(rs.project.ID))
}

func (s *Server) history(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	es, err := s.st.Audit(r.Context(), rs.project.ID, 0)
	if err != nil {
		return err
	}
	ms, err := s.st.Members(r.Context(), rs.project.ID)
	if err != nil {
		return err
	}
	topo, err := s.st.Topology(r.Context(), rs.project.ID)
	if err != nil {
		return err
	}
	q := r.URL.Query()
	f := historyFilter{member: q.Get("member"), server: q.Get("server"), procedure: q.Get("procedure")}
	var rows [][]string
	for _, e := range es {
		if !f.keeps(e) {
			continue
		}
		rows = append(rows, []string{e.At.UTC().Format("2006-01-02 15:04:05"), e.User, e.Action + " " + e.Entity + " " + e.Key, e.Old, e.New})
	}
	var members, servers, procedures []steps.Choice
	for _, m := range ms {
		members = append(members, steps.Choice{Value: m.Name, Label: m.Name})
	}
	for _, sv := range topo.Servers {
		servers = append(servers, steps.Choice{Value: string(sv.Name), Label: string(sv.Name)})
	}
	for _, st := range s.catalog {
		procedures = append(procedures, steps.Choice{Value: st.ID, Label: st.Title})
	}
	p := s.page(r, "History")
	p.Back = projectPath(rs.project.ID)
	s.remember(r)
	filters := []ui.Field{
		{ID: "member", Label: "Member", Value: f.member, Options: members},
		{ID: "server", Label: "Server", Value: f.server, Options: servers},
		{ID: "procedure", Label: "Procedure", Value: f.procedure, Options: procedures},
	}
	return render(w, r, http.StatusOK, ui.HistoryPage(p, filters, rows))
}

// historyFilter selects audit entries by who made them and what they
// concern. An empty field selects everything.
type historyFilter struct{ member, server, procedure string }

func (f historyFilter) keeps(e store.AuditEntry) bool {
	if f.member != "" && e.User != f.member {
		return false
	}
	if f.procedure != "" {
		switch e.Entity {
		case "answer", "finding":
			if !strings.HasPrefix(e.Key, f.procedure+"/") {
				return false
			}
		case "step":
			if e.Key != f.procedure {
				return false
			}
		default:
			return false
		}
	}
	if f.server != "" {
		mentions := func(v string) bool {
			for _, l := range strings.Split(v, "\n") {
				if strings.EqualFold(strings.TrimSpace(l), f.server) {
					return true
				}
			}
			return false
		}
		switch {
		case e.Entity == "server" && strings.EqualFold(e.Key, f.server):
		case e.Entity == "answer" && (mentions(e.Old) || mentions(e.New)):
		default:
			return false
		}
	}
	return true
}

// remember records the page as where the user stopped in this project.
func (s *Server) remember(r *http.Request) {
	rs := state(r)
	if rs.user == nil || rs.project == nil {
		return
	}
	key := [2]int64{rs.user.ID, rs.project.ID}
	at := r.URL.RequestURI()
	var same bool
	if s.st.Shared() {
		// Another replica may have moved the position since this one
		// saved it: ask the database, which is still cheaper than a write.
		cur, err := s.st.Position(r.Context(), rs.user.ID, rs.project.ID)
		same = err == nil && cur == at
	} else {
		s.stateMu.Lock()
		same = s.positions[key] == at
		s.stateMu.Unlock()
	}
	if same {
		// Reloading a page must not cost a synchronous write each time.
		return
	}
	if err := s.st.SetPosition(r.Context(), rs.user.ID, rs.project.ID, at); err != nil {
		s.log.Warn("saving position", "err", err)
		return
	}
	s.stateMu.Lock()
	if s.positions == nil {
		s.positions = map[[2]int64]string{}
	}
	s.positions[key] = at
	s.stateMu.Unlock()
}

func (s *Server) resume(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	path, err := s.st.Position(r.Context(), rs.user.ID, rs.project.ID)
	if err != nil {
		return err
	}
	if pp := projectPath(rs.project.ID); safeNext(path) == "" || (path != pp && !strings.HasPrefix(path, pp+"/")) {
		path = projectPath(rs.project.ID)
	}
	return redirect(w, r, path)
}

// counterparts shows what each procedure of the guide becomes on the
// current platform, linking to the procedures that stand for it.
func (s *Server) counterparts(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	pp := projectPath(rs.project.ID)
	var rows []ui.CounterpartRow
	for _, c := range s.cfg.Counterparts {
		row := ui.CounterpartRow{Guide: c.Guide, Why: c.Why}
		if st, err := s.lookupStep(c.Guide); err == nil {
			row.Guide = st.Title
		}
		for _, id := range c.Current {
			if st, err := s.lookupStep(id); err == nil {
				row.Current = append(row.Current, ui.Link{Label: st.Title, Href: pp + "/steps/" + st.ID})
			}
		}
		rows = append(rows, row)
	}
	p := s.page(r, "The guide's procedures on the current platform")
	p.Back = pp
	return render(w, r, http.StatusOK, ui.CounterpartsPage(p, rows))
}
