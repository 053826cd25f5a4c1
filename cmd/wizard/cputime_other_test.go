//go:build !unix

package main

import "testing"

// cpuTime is not measured on this system; the benchmark reports 0.
func cpuTime(testing.TB) int64 { return 0 }
