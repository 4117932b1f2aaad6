//go:build darwin || freebsd || netbsd

package catalog

import "syscall"

// ctimeOf is st's change time in nanoseconds (the field is Ctimespec here).
func ctimeOf(st *syscall.Stat_t) int64 {
	return int64(st.Ctimespec.Sec)*1e9 + int64(st.Ctimespec.Nsec)
}
