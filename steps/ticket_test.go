package steps

import (
	"strings"
	"testing"
)

func goodTicket() Ticket {
	return Ticket{Number: " CHG0012345 ", Title: "Secure Exchange communications", Requester: "Ann Lee",
		Implementers: []string{"Bo Chan, Cy Diaz"}, Reviewer: "Di Ek", Approvers: []string{"CAB"},
		WindowStart: "2026-12-05 22:00", WindowEnd: "2026-12-06 02:00", TimeZone: "Europe/London",
		Risk: "Medium", RiskReason: "OWA is down for up to 20 minutes", AffectedUsers: "All OWA users"}.Normalise()
}

func TestTicketNormaliseAndValid(t *testing.T) {
	tk := goodTicket()
	if tk.Number != "CHG0012345" || len(tk.Implementers) != 2 || tk.Risk != "medium" || tk.WindowStart != "2026-12-05T22:00" {
		t.Errorf("normalised: %+v", tk)
	}
	if ps := tk.Problems(); len(ps) != 0 {
		t.Errorf("problems: %v", ps)
	}
	s, e, err := tk.Window()
	if err != nil || e.Sub(s).Hours() != 4 || s.Location().String() != "Europe/London" {
		t.Errorf("window: %v %v %v", s, e, err)
	}
}

func TestTicketProblems(t *testing.T) {
	cases := []struct {
		edit  func(*Ticket)
		field string
		msg   string
	}{
		{func(t *Ticket) { t.WindowEnd = t.WindowStart }, "window-end", "end after it starts"},
		{func(t *Ticket) { t.WindowEnd = "2026-12-05T21:00" }, "window-end", "end after it starts"},
		{func(t *Ticket) { t.TimeZone = "" }, "time-zone", "Enter the time zone"},
		{func(t *Ticket) { t.TimeZone = "GMT+1 London" }, "time-zone", "not a time zone name"},
		{func(t *Ticket) { t.WindowStart = "5/12/2026 10pm" }, "window-start", "such as 2026-12-05 22:00"},
		{func(t *Ticket) { t.Approvers = nil }, "approvers", "or a CAB reference"},
		{func(t *Ticket) { t.Risk = "extreme" }, "risk", "Select the risk"},
		{func(t *Ticket) { t.Number = "" }, "number", "Enter the change number"},
		{func(t *Ticket) { t.Title = "a\x00b" }, "title", "control characters"},
		{func(t *Ticket) { t.Number = strings.Repeat("9", 41) }, "number", "40 characters or fewer"},
	}
	for _, c := range cases {
		tk := goodTicket()
		c.edit(&tk)
		ps := tk.Normalise().Problems()
		if !strings.Contains(ps.For(c.field), c.msg) {
			t.Errorf("%s: problems %v, want %q", c.field, ps, c.msg)
		}
	}
	tk := goodTicket()
	tk.Approvers, tk.CABReference = nil, "CAB 2026-48"
	if ps := tk.Problems(); len(ps) != 0 {
		t.Errorf("CAB reference instead of approvers: %v", ps)
	}
}
