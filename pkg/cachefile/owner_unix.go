//go:build unix

package cachefile

import (
	"os"
	"syscall"
)

// ownedBy reports whether the file st describes belongs to uid.
func ownedBy(st os.FileInfo, uid int) bool {
	s, ok := st.Sys().(*syscall.Stat_t)
	return !ok || int64(s.Uid) == int64(uid)
}

func euid() int { return os.Geteuid() }
