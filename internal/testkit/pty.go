package testkit

import (
	"os"
	"os/exec"

	"github.com/creack/pty"
)

// StartPTY starts cmd on a new pseudo-terminal of cols×rows (stdin, stdout
// and stderr all the pty, as in a user's shell) and copies everything the
// process writes into out. The returned channel is closed once the pty has
// been read to its end (EIO after the process has exited). The caller owns
// the process and closes the tty.
func StartPTY(cmd *exec.Cmd, cols, rows int, out *Buffer) (*os.File, <-chan struct{}, error) {
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Cols: uint16(cols), Rows: uint16(rows)})
	if err != nil {
		return nil, nil, err
	}
	read := make(chan struct{})
	go func() {
		defer close(read)
		b := make([]byte, 4096)
		for {
			n, err := tty.Read(b)
			_, _ = out.Write(b[:n])
			if err != nil {
				return
			}
		}
	}()
	return tty, read, nil
}
