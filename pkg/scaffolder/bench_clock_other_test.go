//go:build !unix

package scaffolder

import "time"

func nowNanos() int64 { return time.Now().UnixNano() }
func cpuNanos() int64 { return 0 }
