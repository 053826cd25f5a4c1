package catalog

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/secex/wizard/steps"
	"github.com/secex/wizard/steps/steptest"
)

var slug = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)

func TestIDs(t *testing.T) {
	seen := map[string]bool{}
	for _, s := range All {
		if !slug.MatchString(s.ID) {
			t.Errorf("step ID %q is not a slug (lower-case letters and digits separated by single hyphens)", s.ID)
		}
		if seen[s.ID] {
			t.Errorf("step ID %q is used twice", s.ID)
		}
		seen[s.ID] = true
	}
}

// TestRequires checks that every required step exists and comes earlier in
// the catalogue, which also rules out cycles.
func TestRequires(t *testing.T) {
	earlier := map[string]bool{}
	for _, s := range All {
		for _, r := range s.Requires {
			if _, ok := Lookup(r); !ok {
				t.Errorf("%s requires %q, which is not in the catalogue", s.ID, r)
			} else if !earlier[r] {
				t.Errorf("%s requires %s, which does not come before it", s.ID, r)
			}
		}
		earlier[s.ID] = true
	}
}

func TestDescriptions(t *testing.T) {
	for _, s := range All {
		if strings.TrimSpace(s.Title) == "" || strings.TrimSpace(s.Section) == "" || strings.TrimSpace(s.Summary) == "" {
			t.Errorf("%s: title, section or summary is empty", s.ID)
		}
		if len(s.Rationale) == 0 {
			t.Errorf("%s: no rationale", s.ID)
		}
		for i, p := range append(append([]string{}, s.Rationale...), s.Notes...) {
			if strings.TrimSpace(p) == "" {
				t.Errorf("%s: paragraph %d of the rationale or notes is empty", s.ID, i+1)
			}
		}
		if s.Check == nil || s.Plan == nil || s.Files == nil {
			t.Errorf("%s: Check, Plan or Files is missing", s.ID)
		}
	}
}

func TestPagesAndQuestions(t *testing.T) {
	for _, s := range All {
		if len(s.Pages) == 0 {
			t.Errorf("%s: no pages", s.ID)
		}
		pages := map[string]bool{}
		questions := map[string]bool{}
		for _, p := range s.Pages {
			if !slug.MatchString(p.ID) {
				t.Errorf("%s: page ID %q is not a slug", s.ID, p.ID)
			}
			if pages[p.ID] {
				t.Errorf("%s: page ID %q is used twice", s.ID, p.ID)
			}
			pages[p.ID] = true
			if len(p.Questions) == 0 {
				t.Errorf("%s/%s: page without questions", s.ID, p.ID)
			}
			if p.Heading() == "" {
				t.Errorf("%s/%s: page without a heading", s.ID, p.ID)
			}
			for _, q := range p.Questions {
				if !slug.MatchString(q.ID) {
					t.Errorf("%s: question ID %q is not a slug", s.ID, q.ID)
				}
				if questions[q.ID] {
					t.Errorf("%s: question ID %q is used twice", s.ID, q.ID)
				}
				questions[q.ID] = true
				checkQuestion(t, s.ID, q)
			}
		}
	}
}

func checkQuestion(t *testing.T, step string, q steps.Question) {
	t.Helper()
	where := step + "/" + q.ID
	if strings.TrimSpace(q.Label) == "" {
		t.Errorf("%s: no label", where)
	}
	switch q.Kind {
	case steps.KindChoice, steps.KindChoices:
		if len(q.Choices) == 0 {
			t.Errorf("%s: a choice question without choices", where)
		}
		values := map[string]bool{}
		for _, c := range q.Choices {
			if !slug.MatchString(c.Value) || c.Label == "" {
				t.Errorf("%s: choice %q needs a slug value and a label", where, c.Value)
			}
			if values[c.Value] {
				t.Errorf("%s: choice %q twice", where, c.Value)
			}
			values[c.Value] = true
		}
		for _, d := range strings.Split(q.Default, "\n") {
			if d != "" && !values[d] {
				t.Errorf("%s: default %q is not a choice", where, d)
			}
		}
	case steps.KindServer, steps.KindServers:
		if q.Role == "" {
			t.Errorf("%s: a server question without a role", where)
		} else if _, err := steps.ParseRole(string(q.Role)); err != nil {
			t.Errorf("%s: %v", where, err)
		}
	case steps.KindNumber:
		if q.Min > q.Max {
			t.Errorf("%s: Min %d is above Max %d", where, q.Min, q.Max)
		}
	case 0:
		t.Errorf("%s: no kind", where)
	}
	if q.Kind != steps.KindChoice && q.Kind != steps.KindChoices && len(q.Choices) > 0 {
		t.Errorf("%s: choices on a question that is not a choice", where)
	}
}

func TestLookup(t *testing.T) {
	for _, s := range All {
		if got, ok := Lookup(s.ID); !ok || got != s {
			t.Errorf("Lookup(%q) = %v, %v", s.ID, got, ok)
		}
	}
	if _, ok := Lookup("no-such-step"); ok {
		t.Error("Lookup found a step that does not exist")
	}
}

// TestProduceWithoutAnswers runs the whole catalogue over an empty project:
// nothing is complete, so nothing may be produced and nothing may fail.
func TestProduceWithoutAnswers(t *testing.T) {
	out, err := steps.Produce(All, steps.Input{}, func(string) bool { return false })
	if err != nil || len(out.Findings)+len(out.Actions)+len(out.Files) != 0 {
		t.Errorf("Produce = %+v, %v", out, err)
	}
	for _, s := range All {
		if s.Check != nil {
			_ = s.Check(steps.Input{})
		}
	}
}

// TestProduce runs the whole catalogue over a project with every procedure
// complete: no finding, a plan in phase order and file names unique per
// target.
func TestProduce(t *testing.T) {
	b, err := os.ReadFile("testdata/contoso.json")
	if err != nil {
		t.Fatal(err)
	}
	var sc steptest.Scenario
	if err := json.Unmarshal(b, &sc); err != nil {
		t.Fatal(err)
	}
	out, err := steps.Produce(All, sc.Input(), func(string) bool { return true })
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Findings) > 0 {
		t.Errorf("findings: %+v", out.Findings)
	}
	for i := 1; i < len(out.Actions); i++ {
		if out.Actions[i].Phase < out.Actions[i-1].Phase {
			t.Errorf("action %s comes before %s but has an earlier phase", out.Actions[i-1].ID, out.Actions[i].ID)
		}
	}
	ids := map[string]bool{}
	for _, a := range out.Actions {
		if ids[a.Step+"/"+a.ID] {
			t.Errorf("action %s/%s twice", a.Step, a.ID)
		}
		ids[a.Step+"/"+a.ID] = true
	}
	names := map[string]bool{}
	for _, f := range out.Files {
		key := f.Target + "/" + f.Name
		if names[key] {
			t.Errorf("two files named %s", key)
		}
		names[key] = true
		steptest.CheckPlainFile(t, f)
	}
	for _, want := range []string{
		steps.TargetClients + "/outlook-encryption-instructions.txt",
		steps.TargetClients + "/smime-user-instructions.txt",
		steps.TargetClients + "/kms-verify.cmd",
		"EXBE02/kms-admin-checklist.txt",
	} {
		if !names[want] {
			t.Errorf("no file %s", want)
		}
	}
}

// TestCounterparts: every procedure of the guide says what it becomes on
// the current platform, once; every counterpart named exists there.
func TestCounterparts(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range Counterparts {
		st, ok := Lookup(c.Guide)
		if !ok || st.Platform != steps.PlatformGuide {
			t.Errorf("%s is not a procedure of the guide", c.Guide)
		}
		if seen[c.Guide] {
			t.Errorf("%s is listed twice", c.Guide)
		}
		seen[c.Guide] = true
		if strings.TrimSpace(c.Why) == "" {
			t.Errorf("%s: no reason given", c.Guide)
		}
		for _, id := range c.Current {
			if st, ok := Lookup(id); !ok || st.Platform != steps.PlatformCurrent {
				t.Errorf("%s: counterpart %s is not a current-platform procedure", c.Guide, id)
			}
		}
	}
	for _, st := range steps.OnPlatform(All, steps.PlatformGuide) {
		if !seen[st.ID] {
			t.Errorf("%s has no entry in Counterparts", st.ID)
		}
	}
}
