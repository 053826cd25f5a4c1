package steps

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Kind says what sort of value a question takes and so how its answer is
// parsed, normalised and shown.
type Kind int

// The kinds of question.
const (
	KindChoice      Kind = iota + 1 // one of Choices (radios)
	KindChoices                     // any number of Choices (checkboxes)
	KindYesNo                       // "yes" or "no"
	KindServer                      // one server of the topology with Role
	KindServers                     // one or more servers with Role
	KindNumber                      // a whole number from Min to Max
	KindFQDN                        // a host name, see ParseFQDN
	KindIPv4                        // an address, see ParseIPv4
	KindPrefixes                    // networks, one a line, see ParsePrefix
	KindObjectName                  // see ParseObjectName
	KindCAConfig                    // see ParseCAConfig
	KindSubjectText                 // see ParseSubjectText
	KindList                        // any number of values, one a line, each parsed by Question.Item
)

// Multiple reports whether answers of this kind hold several values, stored
// one a line.
func (k Kind) Multiple() bool {
	return k == KindChoices || k == KindServers || k == KindPrefixes || k == KindList
}

// Choice is one option of a KindChoice or KindChoices question.
type Choice struct {
	Value string // stored value; a stable slug
	Label string
	Hint  string
}

// Question is one thing the wizard asks. Its answer is kept as a normalised
// string (several values one a line) and parsed to a typed value whenever it
// is used.
type Question struct {
	ID       string // stable; unique within its step
	Label    string // the question as the administrator reads it
	Hint     string
	Kind     Kind
	Choices  []Choice
	Role     Role   // for KindServer and KindServers: the servers offered
	Min, Max int    // for KindNumber
	Default  string // pre-filled answer in stored form; empty for none
	Optional bool   // may be left blank

	// For KindList: Item parses one line into its stored form or says
	// what is wrong with it, and MaxItems, when above zero, is the most
	// lines accepted. A list is as long as the administrator needs, where
	// a fixed number of boxes would be too few for some and clutter for
	// the rest.
	Item     func(string) (string, error)
	MaxItems int

	// DefaultFrom, when set, computes the pre-filled answer from the
	// topology and the procedure's answers so far (for example every
	// back-end server, or a fact of the server chosen on an earlier page);
	// it wins over Default.
	DefaultFrom func(Topology, Answers) string
}

// Page is one screen of a procedure: usually one question, sometimes a small
// group that only makes sense together (the parts of a certificate name).
type Page struct {
	ID        string // stable slug used in the page's address
	Title     string // heading; a one-question page may leave it empty and use the question's label
	Intro     string
	Questions []Question

	// When reports whether the page is asked, given the procedure's
	// answers so far. Nil means always.
	When func(Answers) bool
}

// Asked reports whether p is asked given a.
func (p Page) Asked(a Answers) bool { return p.When == nil || p.When(a) }

// Heading is the page's title, or its only question's label.
func (p Page) Heading() string {
	if p.Title != "" || len(p.Questions) != 1 {
		return p.Title
	}
	return p.Questions[0].Label
}

// Answers holds one procedure's answers by question ID, in stored form.
type Answers map[string]string

// Values splits a multi-value answer into its lines.
func (a Answers) Values(id string) []string {
	v := strings.TrimSpace(a[id])
	if v == "" {
		return nil
	}
	return strings.Split(v, "\n")
}

// Has reports whether a multi-value answer includes v.
func (a Answers) Has(id, v string) bool { return slices.Contains(a.Values(id), v) }

// Is reports whether the answer to id is exactly v.
func (a Answers) Is(id, v string) bool { return a[id] == v }

// DefaultFor gives the pre-filled answer for q in t, given the
// procedure's answers so far.
func (q Question) DefaultFor(t Topology, a Answers) string {
	if q.DefaultFrom != nil {
		return q.DefaultFrom(t, a)
	}
	return q.Default
}

// Options lists what the administrator can choose from: the fixed choices,
// or for server questions the servers of t that have the question's role.
func (q Question) Options(t Topology) []Choice {
	if q.Kind == KindYesNo {
		return []Choice{{Value: "yes", Label: "Yes"}, {Value: "no", Label: "No"}}
	}
	if q.Kind != KindServer && q.Kind != KindServers {
		return q.Choices
	}
	var cs []Choice
	for _, s := range t.WithRole(q.Role) {
		cs = append(cs, Choice{Value: string(s.Name), Label: string(s.Name), Hint: string(s.FQDN)})
	}
	return cs
}

// Parse checks the raw form values for q and returns the answer in stored
// form, or an error written for the administrator. raw holds one element per
// submitted form value (several for checkboxes, one for everything else).
func (q Question) Parse(raw []string, t Topology) (string, error) {
	var vals []string
	for _, r := range raw {
		switch q.Kind {
		case KindPrefixes:
			vals = append(vals, strings.FieldsFunc(r, func(c rune) bool { return c == '\n' || c == '\r' || c == ',' })...)
			continue
		case KindList:
			vals = append(vals, strings.FieldsFunc(r, func(c rune) bool { return c == '\n' || c == '\r' })...)
			continue
		}
		vals = append(vals, r)
	}
	var kept []string
	for _, v := range vals {
		if v = strings.TrimSpace(v); v != "" {
			kept = append(kept, v)
		}
	}
	if len(kept) == 0 {
		if q.Optional {
			return "", nil
		}
		return "", errors.New(q.emptyMessage())
	}
	if !q.Kind.Multiple() && len(kept) > 1 {
		return "", errors.New("Give one answer only")
	}
	var opts []Choice
	switch q.Kind {
	case KindChoice, KindChoices, KindYesNo, KindServer, KindServers:
		opts = q.Options(t)
	}
	out := make([]string, 0, len(kept))
	for _, v := range kept {
		n, err := q.parseOne(v, opts)
		if err != nil {
			return "", err
		}
		if !slices.Contains(out, n) {
			out = append(out, n)
		}
	}
	if q.MaxItems > 0 && len(out) > q.MaxItems {
		return "", fmt.Errorf("Give at most %d, one a line; there are %d", q.MaxItems, len(out))
	}
	if q.Kind == KindChoices || q.Kind == KindServers {
		// Keep the order the options are shown in, so the stored answer
		// does not depend on the order a browser sends the boxes.
		pos := make(map[string]int, len(opts))
		for i, c := range opts {
			pos[c.Value] = i
		}
		slices.SortStableFunc(out, func(a, b string) int { return pos[a] - pos[b] })
	}
	return strings.Join(out, "\n"), nil
}

func (q Question) emptyMessage() string {
	switch q.Kind {
	case KindChoice, KindYesNo, KindServer:
		return "Select an answer: " + lowerFirst(q.Label)
	case KindChoices, KindServers:
		return "Select at least one answer: " + lowerFirst(q.Label)
	default:
		return "Enter an answer: " + lowerFirst(q.Label)
	}
}

func lowerFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToLower(s[:1]) + s[1:]
}

// parseOne parses one value; opts are the question's options, for the
// kinds that have them.
func (q Question) parseOne(v string, opts []Choice) (string, error) {
	switch q.Kind {
	case KindChoice, KindChoices, KindYesNo, KindServer, KindServers:
		for _, c := range opts {
			if strings.EqualFold(c.Value, v) {
				return c.Value, nil
			}
		}
		if q.Kind == KindServer || q.Kind == KindServers {
			if len(opts) == 0 {
				return "", fmt.Errorf("No server has the role %s yet; add one on the servers page first", q.Role.Label())
			}
			return "", fmt.Errorf("%q is not a server with the role %s; choose one from the list", v, q.Role.Label())
		}
		return "", fmt.Errorf("%q is not one of the answers offered; choose one from the list", v)
	case KindNumber:
		n, err := strconv.Atoi(v)
		if err != nil || n < q.Min || n > q.Max {
			return "", fmt.Errorf("Enter a whole number from %d to %d", q.Min, q.Max)
		}
		return strconv.Itoa(n), nil
	case KindFQDN:
		f, err := ParseFQDN(v)
		return string(f), err
	case KindIPv4:
		a, err := ParseIPv4(v)
		if err != nil {
			return "", err
		}
		return a.String(), nil
	case KindPrefixes:
		p, err := ParsePrefix(v)
		if err != nil {
			return "", fmt.Errorf("%q: %w", v, err)
		}
		return p.String(), nil
	case KindObjectName:
		n, err := ParseObjectName(v)
		return string(n), err
	case KindCAConfig:
		c, err := ParseCAConfig(v)
		return string(c), err
	case KindSubjectText:
		s, err := ParseSubjectText(v)
		return string(s), err
	case KindList:
		if q.Item == nil {
			return "", fmt.Errorf("question %s has no parser for its lines", q.ID)
		}
		s, err := q.Item(v)
		if err != nil {
			return "", fmt.Errorf("%q: %w", v, err)
		}
		return s, nil
	}
	return "", fmt.Errorf("question %s has no kind", q.ID)
}
