//go:build unix

package catalog

import (
	"fmt"
	"os"
	"syscall"
)

// sysSig is the device, inode and change time of a file (see statSig).
// The change time is what catches a rewrite in place that keeps the size
// and modification time (tar extracting a reproducible archive over the
// old tree, cp -p, touch -r): the kernel sets it on every write or
// metadata change and no tool can set it back.
func sysSig(fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d:%d:%d", st.Dev, st.Ino, ctimeOf(st))
	}
	return ""
}
