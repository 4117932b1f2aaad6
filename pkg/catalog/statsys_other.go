//go:build !unix

package catalog

import "os"

// sysSig: the platform has no inode numbers or change time in FileInfo;
// mode, size and modification time (statSig) identify the file, so a
// rewrite in place that keeps the size and sets the old modification time
// back is not noticed here (README, "Caches for big catalogs").
func sysSig(os.FileInfo) string { return "" }
