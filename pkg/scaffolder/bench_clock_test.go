//go:build unix

package scaffolder

import (
	"syscall"
	"time"
)

// nowNanos is the benchmark's wall stopwatch (b.Elapsed covers both runs).
func nowNanos() int64 { return time.Now().UnixNano() }

// cpuNanos is this process's user+system CPU time: on a shared, loaded
// machine wall time mostly measures the neighbours.
func cpuNanos() int64 {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}
