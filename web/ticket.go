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

func ticketFields(tk steps.Ticket, ps steps.Problems) []ui.QuestionField {
	text := func(id, label, hint, v string, mono bool) ui.QuestionField {
		return ui.QuestionField{Control: "text", Field: ui.Field{ID: id, Label: label, Hint: hint, Value: v, Error: ps.For(id), Mono: mono, Wide: !mono}}
	}
	area := func(id, label, hint, v string, optional bool) ui.QuestionField {
		return ui.QuestionField{Control: "textarea", Field: ui.Field{ID: id, Label: label, Hint: hint, Value: v, Error: ps.For(id), Optional: optional, Wide: true, Rows: 3}}
	}
	show := func(t string) string { return strings.Replace(t, "T", " ", 1) }
	return []ui.QuestionField{
		text("number", "Change number", "As your change system shows it, for example CHG0012345", tk.Number, true),
		text("title", "Title", "For example, Secure Exchange communications", tk.Title, false),
		text("requester", "Requester", "Who asked for the change", tk.Requester, false),
		area("implementers", "Implementers", "One a line, or separated by commas", strings.Join(tk.Implementers, "\n"), false),
		text("reviewer", "Reviewer", "Who reviews the plan before the change board", tk.Reviewer, false),
		area("approvers", "Approvers", "One a line; may be left empty when a CAB reference is given", strings.Join(tk.Approvers, "\n"), true),
		text("cab", "CAB reference (optional)", "The change advisory board meeting or reference", tk.CABReference, false),
		text("window-start", "Window starts", "Date and time, for example 2026-12-05 22:00", show(tk.WindowStart), true),
		text("window-end", "Window ends", "Date and time, for example 2026-12-06 02:00", show(tk.WindowEnd), true),
		text("time-zone", "Time zone of the window", "A time zone name, for example Europe/London, America/New_York or UTC", tk.TimeZone, true),
		{Control: "radios", Field: ui.Field{ID: "risk", Label: "Risk level", Value: tk.Risk, Options: steps.TicketRisks, Error: ps.For("risk")}},
		area("risk-reason", "Why this risk level", "What could go wrong and how quickly it can be undone", tk.RiskReason, false),
		area("affected-users", "Users affected", "Who notices the change and how, for example OWA users lose access for up to 20 minutes", tk.AffectedUsers, false),
		area("communication", "Communication", "Who is told what, and when", tk.Communication, true),
	}
}

func readTicket(r *http.Request) steps.Ticket {
	f := r.PostForm
	return steps.Ticket{
		Number: f.Get("number"), Title: f.Get("title"), Requester: f.Get("requester"),
		Implementers: []string{f.Get("implementers")}, Reviewer: f.Get("reviewer"), Approvers: []string{f.Get("approvers")},
		CABReference: f.Get("cab"), WindowStart: f.Get("window-start"), WindowEnd: f.Get("window-end"), TimeZone: f.Get("time-zone"),
		Risk: f.Get("risk"), RiskReason: f.Get("risk-reason"), AffectedUsers: f.Get("affected-users"), Communication: f.Get("communication"),
	}
}

func (s *Server) ticketForm(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	rec, err := s.st.Ticket(r.Context(), rs.project.ID)
	if err != nil {
		return err
	}
	s.remember(r)
	p := s.formPage(w, r, "Change ticket")
	p.Back = projectPath(rs.project.ID)
	return render(w, r, http.StatusOK, ui.TicketPage(p, rec.Version, ticketFields(rec.Ticket, nil), rs.role >= store.RoleEditor && !rs.project.Archived))
}

func (s *Server) ticketSubmit(w http.ResponseWriter, r *http.Request) error {
	rs := state(r)
	if err := r.ParseForm(); err != nil {
		return errBadRequest
	}
	typed := readTicket(r)
	version, _ := strconv.ParseInt(r.PostForm.Get("version"), 10, 64)
	tk := typed.Normalise()
	ps := tk.Problems()
	if len(ps) == 0 {
		err := s.st.SaveTicket(r.Context(), rs.user.ID, rs.project.ID, tk, version)
		if errors.Is(err, store.ErrConflict) {
			cur, err := s.st.Ticket(r.Context(), rs.project.ID)
			if err != nil {
				return err
			}
			ps.Add("number", fmt.Sprintf("%s changed the change ticket at %s, after you opened this page. The form shows what you typed: select Save to replace their version with yours, or reload the page to see theirs.",
				cur.UpdatedBy, cur.UpdatedAt.UTC().Format("15:04 UTC on 2 Jan 2006")))
			version = cur.Version
		} else if err != nil {
			return err
		}
	}
	if len(ps) > 0 {
		p := s.formPage(w, r, "Change ticket")
		p.Back = projectPath(rs.project.ID)
		p.Problems = ps
		// Show exactly what was typed, not the normalised form.
		shown := typed
		shown.Implementers, shown.Approvers = []string{r.PostForm.Get("implementers")}, []string{r.PostForm.Get("approvers")}
		status := http.StatusUnprocessableEntity
		if version != 0 && strings.Contains(ps.For("number"), "changed the change ticket") {
			status = http.StatusConflict
		}
		return render(w, r, status, ui.TicketPage(p, version, ticketFields(shown, ps), true))
	}
	s.setFlash(w, r, "Change ticket saved.")
	return redirect(w, r, projectPath(rs.project.ID))
}
