//go:build !unix

package boundedio

import "os"

// openNoBlock is a plain open where O_NONBLOCK does not exist; ReadFile has
// already refused non-regular files by Stat.
func openNoBlock(path string) (*os.File, error) { return os.Open(path) }
