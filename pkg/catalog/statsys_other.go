//go:build !unix

package catalog

import "os"

// sysSig: the platform has no inode numbers in FileInfo; mode, size and
// modification time (statSig) identify the file.
func sysSig(os.FileInfo) string { return "" }
