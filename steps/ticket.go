package steps

import (
	"fmt"
	"strings"
	"time"
)

// Ticket is the change ticket a change board approves: who asks, who does
// the work, who reviews and approves, when, and at what risk.
type Ticket struct {
	Number        string   // the organisation's change number, such as CHG0012345
	Title         string   // short title of the change
	Requester     string   //
	Implementers  []string // who carries out the steps
	Reviewer      string   // peer reviewer
	Approvers     []string // approvers, or the change advisory board
	CABReference  string   // CAB meeting or reference, optional
	WindowStart   string   // local date and time, 2006-01-02T15:04
	WindowEnd     string   // local date and time, 2006-01-02T15:04
	TimeZone      string   // IANA zone name, such as Europe/London
	Risk          string   // low, medium or high
	RiskReason    string   //
	AffectedUsers string   // who is affected and how
	Communication string   // who is told what, when; optional
}

// TicketRisks are the risk levels a ticket may carry.
var TicketRisks = []Choice{
	{Value: "low", Label: "Low", Hint: "No user-facing outage expected; simple backout"},
	{Value: "medium", Label: "Medium", Hint: "A short outage of one service, or several servers changed"},
	{Value: "high", Label: "High", Hint: "Outage of several services, or a backout that is hard or slow"},
}

// TicketLayout is how window times are typed and stored.
const TicketLayout = "2006-01-02T15:04"

// Window returns the change window as times in the ticket's zone.
func (t Ticket) Window() (start, end time.Time, err error) {
	loc, err := time.LoadLocation(t.TimeZone)
	if err != nil {
		return start, end, err
	}
	if start, err = time.ParseInLocation(TicketLayout, t.WindowStart, loc); err != nil {
		return start, end, err
	}
	end, err = time.ParseInLocation(TicketLayout, t.WindowEnd, loc)
	return start, end, err
}

// Normalise trims every field and splits the people lists, so the same
// ticket typed with different spacing is stored alike.
func (t Ticket) Normalise() Ticket {
	clean := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	list := func(ss []string) []string {
		var out []string
		for _, s := range ss {
			for _, p := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == '\n' || r == ';' }) {
				if p = clean(p); p != "" {
					out = append(out, p)
				}
			}
		}
		return out
	}
	t.Number, t.Title, t.Requester, t.Reviewer = clean(t.Number), clean(t.Title), clean(t.Requester), clean(t.Reviewer)
	t.CABReference, t.TimeZone, t.Risk = clean(t.CABReference), strings.TrimSpace(t.TimeZone), strings.ToLower(clean(t.Risk))
	t.WindowStart, t.WindowEnd = strings.Replace(strings.TrimSpace(t.WindowStart), " ", "T", 1), strings.Replace(strings.TrimSpace(t.WindowEnd), " ", "T", 1)
	t.RiskReason, t.AffectedUsers, t.Communication = strings.TrimSpace(t.RiskReason), strings.TrimSpace(t.AffectedUsers), strings.TrimSpace(t.Communication)
	t.Implementers, t.Approvers = list(t.Implementers), list(t.Approvers)
	return t
}

// Problems checks a normalised ticket and names each field that needs
// changing, by its form field.
func (t Ticket) Problems() Problems {
	var ps Problems
	// line checks a field of one line; text checks one that may hold
	// several (the reasons and notes a change board reads).
	check := func(field, label, v string, max int, multiline bool) {
		if v == "" {
			ps.Add(field, "Enter the "+label)
			return
		}
		if msg := CheckText("The "+label, v, max, multiline); msg != "" {
			ps.Add(field, msg)
		}
	}
	line := func(field, label, v string, max int) { check(field, label, v, max, false) }
	text := func(field, label, v string, max int) { check(field, label, v, max, true) }
	line("number", "change number", t.Number, 40)
	line("title", "change title", t.Title, 150)
	line("requester", "requester", t.Requester, 100)
	if len(t.Implementers) == 0 {
		ps.Add("implementers", "Enter at least one implementer")
	}
	line("reviewer", "reviewer", t.Reviewer, 100)
	if len(t.Approvers) == 0 && t.CABReference == "" {
		ps.Add("approvers", "Enter the approvers, or a CAB reference")
	}
	var loc *time.Location
	if t.TimeZone == "" {
		ps.Add("time-zone", "Enter the time zone of the change window, such as Europe/London or America/New_York")
	} else if l, err := time.LoadLocation(t.TimeZone); err != nil || t.TimeZone == "Local" {
		ps.Add("time-zone", fmt.Sprintf("%q is not a time zone name; use the form Europe/London, America/New_York or UTC", t.TimeZone))
	} else {
		loc = l
	}
	_, errStart := time.ParseInLocation(TicketLayout, t.WindowStart, time.UTC)
	if errStart != nil {
		ps.Add("window-start", "Enter the start of the window as a date and time, such as 2026-12-05 22:00")
	}
	_, errEnd := time.ParseInLocation(TicketLayout, t.WindowEnd, time.UTC)
	if errEnd != nil {
		ps.Add("window-end", "Enter the end of the window as a date and time, such as 2026-12-06 02:00")
	}
	if errStart == nil && errEnd == nil && loc != nil {
		start, _ := time.ParseInLocation(TicketLayout, t.WindowStart, loc)
		end, _ := time.ParseInLocation(TicketLayout, t.WindowEnd, loc)
		if !end.After(start) {
			ps.Add("window-end", "The window must end after it starts")
		} else if end.Sub(start) > 7*24*time.Hour {
			ps.Add("window-end", "The window is longer than a week; split the change or check the dates")
		}
	}
	switch t.Risk {
	case "low", "medium", "high":
	default:
		ps.Add("risk", "Select the risk level")
	}
	text("risk-reason", "reason for the risk level", t.RiskReason, 2000)
	text("affected-users", "users affected", t.AffectedUsers, 2000)
	if msg := CheckText("The communication notes", t.Communication, 2000, true); msg != "" {
		ps.Add("communication", msg)
	}
	return ps
}
