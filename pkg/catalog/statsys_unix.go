//go:build unix

package catalog

import (
	"fmt"
	"os"
	"syscall"
)

// sysSig is the device and inode of a file (see statSig).
func sysSig(fi os.FileInfo) string {
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		return fmt.Sprintf("%d:%d", st.Dev, st.Ino)
	}
	return ""
}
