package steps_test

import (
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/secex/wizard/steps"
)

// TestConcurrently checks that results come back in order whatever order
// the calls finish in, and that the first error in order is returned after
// every call was made.
func TestConcurrently(t *testing.T) {
	var calls atomic.Int32
	got, err := steps.Concurrently(50, func(i int) (int, error) {
		calls.Add(1)
		time.Sleep(time.Duration(50-i) * 10 * time.Microsecond) // later items finish first
		switch i {
		case 7:
			return 0, errors.New("seven")
		case 30:
			return 0, errors.New("thirty")
		}
		return i * i, nil
	})
	if err == nil || err.Error() != "seven" {
		t.Errorf("error = %v, want the first in order, seven", err)
	}
	if calls.Load() != 50 {
		t.Errorf("%d calls, want 50", calls.Load())
	}
	for i, v := range got {
		if i != 7 && i != 30 && v != i*i {
			t.Fatalf("result %d = %d, want %d", i, v, i*i)
		}
	}
	// A panic is an error of its call, not the end of the program.
	_, err = steps.Concurrently(3, func(i int) (int, error) {
		if i == 1 {
			panic("assignment to entry in nil map")
		}
		return i, nil
	})
	if err == nil || !strings.Contains(err.Error(), "panic: assignment to entry in nil map") {
		t.Errorf("panicking call: %v", err)
	}
	if got, err := steps.Concurrently(0, func(int) (string, error) { return "", errors.New("called") }); err != nil || len(got) != 0 {
		t.Errorf("no items: %v, %v", got, err)
	}
}

// TestLoadAnswers checks the three ways loading a procedure's answers for
// generation ends: nothing answered, an asked question unanswered (a
// skipped page's question may stay unanswered) and everything parsed.
func TestLoadAnswers(t *testing.T) {
	pages := []steps.Page{
		{ID: "use", Questions: []steps.Question{{ID: "use", Label: "Use it?", Kind: steps.KindYesNo}}},
		{ID: "host", When: func(a steps.Answers) bool { return a.Is("use", "yes") },
			Questions: []steps.Question{{ID: "host", Label: "Which host?", Kind: steps.KindFQDN}}},
	}
	load := func(a steps.Answers) (steps.Answers, error) {
		return steps.LoadAnswers("p", pages, steps.Input{Answers: map[string]steps.Answers{"p": a}})
	}
	if _, err := load(nil); !errors.Is(err, steps.ErrNoAnswers) {
		t.Errorf("no answers: %v, want ErrNoAnswers", err)
	}
	if _, err := load(steps.Answers{"use": "yes"}); err == nil || err.Error() != `the question "Which host?" is not answered` {
		t.Errorf("asked and unanswered: %v", err)
	}
	if a, err := load(steps.Answers{"use": "no"}); err != nil || a["use"] != "no" {
		t.Errorf("skipped page: %v, %v", a, err)
	}
	if _, err := load(steps.Answers{"use": "yes", "host": "not a host!"}); err == nil {
		t.Error("an answer that does not parse was loaded")
	}
	if a, err := load(steps.Answers{"use": "yes", "host": "mail.example.com"}); err != nil || a["host"] != "mail.example.com" {
		t.Errorf("all answered: %v, %v", a, err)
	}
}

// TestFindingsReportAnswersThatNoLongerParse: a saved answer its question
// now refuses is an error finding on that question, once, whether or not
// the procedure's own check noticed it.
func TestFindingsReportAnswersThatNoLongerParse(t *testing.T) {
	named := false
	s := &steps.Step{ID: "p",
		Pages: []steps.Page{{ID: "one", Questions: []steps.Question{
			{ID: "a", Label: "First?", Kind: steps.KindYesNo},
			{ID: "b", Label: "Second?", Kind: steps.KindYesNo},
		}}},
		Check: func(in steps.Input) []steps.Finding {
			if named {
				return []steps.Finding{{Code: "own", Severity: steps.Error, Fix: []string{"a"}, Message: "First is wrong"}}
			}
			return nil
		},
	}
	in := steps.Input{Answers: map[string]steps.Answers{"p": {"a": "perhaps", "b": "yes"}}}
	fs := s.Findings(in)
	if len(fs) != 1 || fs[0].Code != steps.CodeAnswerInvalid || fs[0].Severity != steps.Error || fs[0].Fix[0] != "a" || !strings.Contains(fs[0].Message, "First?") {
		t.Fatalf("findings %+v, want one error on question a", fs)
	}
	named = true
	if fs := s.Findings(in); len(fs) != 1 || fs[0].Code != "own" {
		t.Fatalf("findings %+v, want only the check's own", fs)
	}
	in.Answers["p"]["a"] = "no"
	named = false
	if fs := s.Findings(in); len(fs) != 0 {
		t.Fatalf("findings %+v, want none", fs)
	}
}
