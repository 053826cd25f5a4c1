//go:build unix

package main

import (
	"syscall"
	"testing"
)

// cpuTime is the processor time the process has used so far, user and
// system, in nanoseconds: beside the wall time it shows how well a render
// spreads over the processors, and it varies less than wall time on a
// shared machine.
func cpuTime(tb testing.TB) int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		tb.Fatal(err)
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
