//go:build linux || openbsd || solaris || dragonfly || aix

package catalog

import "syscall"

// ctimeOf is st's change time in nanoseconds (the field is Ctim here).
func ctimeOf(st *syscall.Stat_t) int64 { return int64(st.Ctim.Sec)*1e9 + int64(st.Ctim.Nsec) }
