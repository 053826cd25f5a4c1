package steps_test

import (
	"errors"
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
	if got, err := steps.Concurrently(0, func(int) (string, error) { return "", errors.New("called") }); err != nil || len(got) != 0 {
		t.Errorf("no items: %v, %v", got, err)
	}
}
