// Package checklist exports a project's as-executed record as DISA STIG
// checklists: one CKLB file (the JSON checklist STIG Viewer 3 writes and
// STIG Manager imports) per server, holding every benchmark rule the
// change's plan covered on that server, with its status and evidence.
//
// A rule's status comes from the marks of the plan steps that cover it,
// never from the plan alone: a step not yet marked leaves its rules not
// reviewed, and a step that failed leaves them open. Where the team
// accepted a deviation from a rule, the rule is open with the team's
// reason, so a reviewer sees the decision instead of a clean checklist.
package checklist

import (
	"crypto/sha1"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/secex/wizard/steps"
)

// Mark is one mark of a plan action in the as-executed record.
type Mark struct {
	Status   string // done, skipped or failed
	Note     string
	Output   string // command output pasted with the mark
	By       string
	At       time.Time
	Evidence []string // each file's name, size and hash, as the change-window page shows it
}

// Input is what a checklist is made from.
type Input struct {
	Project  string // the project's name
	ID       int64  // the project's ID: with the server and rule it seeds the checklist's UUIDs
	Revision int
	Topology steps.Topology
	// Actions is the plan, in order; actions without Controls are skipped.
	Actions []steps.Action
	// Marks are each action's marks by steps.Action.Key, oldest first.
	Marks map[string][]Mark
	// Accepted holds the reason given for each accepted warning, by
	// steps.Finding.Key.
	Accepted map[string]string
}

// File is one server's checklist.
type File struct {
	Target string
	Name   string // <server>.cklb
	Body   []byte
}

// The statuses a CKLB rule takes.
const (
	NotAFinding = "not_a_finding"
	Open        = "open"
	NotReviewed = "not_reviewed"
)

// Build returns one checklist per server with covered rules, in plan
// order. It returns none when the plan covers no benchmark rule.
func Build(in Input) ([]File, error) {
	type ruleState struct {
		ref      steps.ControlRef
		status   string
		details  []string
		comments []string
		at       time.Time
	}
	type target struct {
		name  string
		rules []*ruleState
	}
	var targets []*target
	byName := map[string]*target{}
	for i, a := range in.Actions {
		for _, ref := range a.Controls {
			if ref.Control == nil || ref.Control.Benchmark == nil {
				return nil, fmt.Errorf("checklist: plan step %q names a rule without its benchmark", a.Key())
			}
			server := a.Target
			if ref.Server != "" {
				server = ref.Server
			}
			t := byName[server]
			if t == nil {
				t = &target{name: server}
				byName[server] = t
				targets = append(targets, t)
			}
			idx := slices.IndexFunc(t.rules, func(r *ruleState) bool { return r.ref.Control == ref.Control })
			if idx < 0 {
				t.rules = append(t.rules, &ruleState{ref: ref, status: NotAFinding})
				idx = len(t.rules) - 1
			}
			rs := t.rules[idx]
			status, details, at := assess(i+1, a, ref, in.Marks[a.Key()])
			rs.status = worse(rs.status, status)
			rs.details = append(rs.details, details)
			if at.After(rs.at) {
				rs.at = at
			}
			if ref.Deviation != "" {
				reason, ok := in.Accepted[ref.Deviation]
				if !ok {
					reason = "no reason is recorded"
				}
				rs.comments = append(rs.comments, "The team chose not to meet this rule and accepted the deviation ("+ref.Deviation+"): "+reason)
			}
		}
	}
	var files []File
	for _, t := range targets {
		doc := document{
			Title:   t.name + " - " + in.Project,
			ID:      uuid(in.ID, t.name),
			Mode:    1,
			HasPath: true,
			Target: targetData{
				TargetType:     "Computing",
				HostName:       t.name,
				Role:           "Member Server",
				TechnologyArea: "Exchange Server",
				Comments:       fmt.Sprintf("As executed in the change of project %s, revision %d.", in.Project, in.Revision),
			},
		}
		if s, ok := in.Topology.Server(t.name); ok {
			doc.Target.FQDN = string(s.FQDN)
			if len(s.Addrs) > 0 {
				doc.Target.IPAddress = s.Addrs[0].String()
			}
		}
		for _, rs := range t.rules {
			c := rs.ref.Control
			b := c.Benchmark
			si := slices.IndexFunc(doc.STIGs, func(s stigEntry) bool { return s.ID == b.ID })
			if si < 0 {
				doc.STIGs = append(doc.STIGs, stigEntry{
					Name:        b.Title,
					DisplayName: b.Short,
					ID:          b.ID,
					Version:     b.Version,
					ReleaseInfo: fmt.Sprintf("Release: %d Benchmark Date: %s", b.Release, b.Date),
					UUID:        uuid(in.ID, t.name, b.ID),
					Reference:   "0000",
				})
				si = len(doc.STIGs) - 1
			}
			s := &doc.STIGs[si]
			r := rule{
				UUID:            uuid(in.ID, t.name, b.ID, c.VulnID),
				STIGUUID:        s.UUID,
				GroupID:         c.VulnID,
				RuleID:          strings.TrimSuffix(c.RuleID, "_rule"),
				RuleIDSrc:       c.RuleID,
				Weight:          "10.0",
				Classification:  "NONE",
				Severity:        c.Severity,
				RuleVersion:     c.STIGID,
				RuleTitle:       c.Title,
				CheckContent:    c.Check,
				FixText:         "Planned by the wizard; see the finding details for the plan steps.",
				Documentable:    "false",
				CheckContentRef: contentRef{Name: "M"},
				LegacyIDs:       []string{},
				CCIs:            []string{},
				GroupTree:       []group{{ID: c.VulnID}},
				Status:          rs.status,
				Overrides:       struct{}{},
				FindingDetails:  strings.Join(rs.details, "\n\n"),
				Comments:        strings.Join(rs.comments, "\n"),
				LegacySTIGUUID:  s.UUID,
			}
			if !rs.at.IsZero() {
				r.CreatedAt = rs.at.UTC().Format("2006-01-02T15:04:05.000Z")
				r.UpdatedAt = r.CreatedAt
			}
			s.Rules = append(s.Rules, r)
			s.Size = len(s.Rules)
		}
		body, err := json.MarshalIndent(doc, "", "  ")
		if err != nil {
			return nil, fmt.Errorf("checklist: %w", err)
		}
		files = append(files, File{Target: t.name, Name: t.name + ".cklb", Body: append(body, '\n')})
	}
	return files, nil
}

// assess is what one action's latest mark says of a rule it covers, and
// the finding details that show why.
func assess(number int, a steps.Action, ref steps.ControlRef, marks []Mark) (status, details string, at time.Time) {
	var b strings.Builder
	fmt.Fprintf(&b, "Plan step %d: %s.", number, a.Title)
	if len(marks) == 0 {
		b.WriteString(" Not marked in the as-executed record.")
		return NotReviewed, b.String(), at
	}
	m := marks[len(marks)-1]
	at = m.At
	fmt.Fprintf(&b, " Marked %s by %s at %s.", m.Status, m.By, m.At.UTC().Format("2006-01-02 15:04 UTC"))
	if m.Note != "" {
		b.WriteString(" Note: " + m.Note)
	}
	if m.Output != "" {
		b.WriteString("\nOutput:\n" + m.Output)
	}
	for _, e := range m.Evidence {
		b.WriteString("\nEvidence: " + e)
	}
	switch {
	case m.Status == "failed":
		status = Open
	case m.Status != "done":
		status = NotReviewed
	case ref.Deviation != "":
		status = Open
	default:
		status = NotAFinding
	}
	return status, b.String(), at
}

// statusRank orders the statuses from the best a rule can have.
var statusRank = map[string]int{NotAFinding: 0, NotReviewed: 1, Open: 2}

// worse returns the status a reviewer must see of two: an open rule
// stays open, and one unreviewed step leaves the rule unreviewed.
func worse(a, b string) string {
	if statusRank[b] > statusRank[a] {
		return b
	}
	return a
}

// uuid derives a stable name-based UUID (version 5 layout) from parts, so
// exporting the same record twice gives the same file and a checklist
// tool sees one checklist, not a new one each time.
func uuid(project int64, parts ...string) string {
	h := sha1.New()
	fmt.Fprintf(h, "secex-wizard/%d", project)
	for _, p := range parts {
		h.Write([]byte{0})
		h.Write([]byte(p))
	}
	u := h.Sum(nil)[:16]
	u[6] = u[6]&0x0f | 0x50
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// document is a CKLB file: the fields STIG Viewer 3 writes, with the
// names it gives them.
type document struct {
	Title   string      `json:"title"`
	ID      string      `json:"id"`
	Active  bool        `json:"active"`
	Mode    int         `json:"mode"`
	HasPath bool        `json:"has_path"`
	Target  targetData  `json:"target_data"`
	STIGs   []stigEntry `json:"stigs"`
}

type targetData struct {
	TargetType     string `json:"target_type"`
	HostName       string `json:"host_name"`
	IPAddress      string `json:"ip_address"`
	MACAddress     string `json:"mac_address"`
	FQDN           string `json:"fqdn"`
	Comments       string `json:"comments"`
	Role           string `json:"role"`
	IsWebDatabase  bool   `json:"is_web_database"`
	TechnologyArea string `json:"technology_area"`
	WebDBSite      string `json:"web_db_site"`
	WebDBInstance  string `json:"web_db_instance"`
}

type stigEntry struct {
	Name        string `json:"stig_name"`
	DisplayName string `json:"display_name"`
	ID          string `json:"stig_id"`
	Version     int    `json:"version"`
	ReleaseInfo string `json:"release_info"`
	UUID        string `json:"uuid"`
	Reference   string `json:"reference_identifier"`
	Size        int    `json:"size"`
	Rules       []rule `json:"rules"`
}

type rule struct {
	UUID              string     `json:"uuid"`
	STIGUUID          string     `json:"stig_uuid"`
	TargetKey         *string    `json:"target_key"`
	STIGRef           *string    `json:"stig_ref"`
	GroupID           string     `json:"group_id"`
	RuleID            string     `json:"rule_id"`
	RuleIDSrc         string     `json:"rule_id_src"`
	Weight            string     `json:"weight"`
	Classification    string     `json:"classification"`
	Severity          string     `json:"severity"`
	RuleVersion       string     `json:"rule_version"`
	GroupTitle        string     `json:"group_title"`
	RuleTitle         string     `json:"rule_title"`
	FixText           string     `json:"fix_text"`
	FalsePositives    string     `json:"false_positives"`
	FalseNegatives    string     `json:"false_negatives"`
	Discussion        string     `json:"discussion"`
	CheckContent      string     `json:"check_content"`
	Documentable      string     `json:"documentable"`
	Mitigations       string     `json:"mitigations"`
	PotentialImpacts  string     `json:"potential_impacts"`
	ThirdPartyTools   string     `json:"third_party_tools"`
	MitigationControl string     `json:"mitigation_control"`
	Responsibility    string     `json:"responsibility"`
	SecurityOverrides string     `json:"security_override_guidance"`
	IAControls        string     `json:"ia_controls"`
	CheckContentRef   contentRef `json:"check_content_ref"`
	LegacyIDs         []string   `json:"legacy_ids"`
	CCIs              []string   `json:"ccis"`
	GroupTree         []group    `json:"group_tree"`
	CreatedAt         string     `json:"createdAt,omitempty"`
	UpdatedAt         string     `json:"updatedAt,omitempty"`
	LegacySTIGUUID    string     `json:"STIGUuid"`
	Status            string     `json:"status"`
	Overrides         struct{}   `json:"overrides"`
	Comments          string     `json:"comments"`
	FindingDetails    string     `json:"finding_details"`
}

type contentRef struct {
	Href string `json:"href"`
	Name string `json:"name"`
}

type group struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description"`
}
