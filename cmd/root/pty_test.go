package root

import (
	"errors"
	"io"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// ptyProc is bsai (this test binary, see TestMain) running on a pseudo
// terminal of a given width: stdin, stdout and stderr are all the pty, as
// in a user's shell.
type ptyProc struct {
	t    *testing.T
	cmd  *exec.Cmd
	tty  *os.File
	out  testkit.Buffer
	done <-chan struct{}
}

func startPTY(t *testing.T, cols int, args ...string) *ptyProc {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append(os.Environ(), "BSAI_ROOT_TEST_MAIN=1", "TERM=xterm-256color", "NO_COLOR=", "COLUMNS=")
	p := &ptyProc{t: t, cmd: cmd}
	tty, done, err := testkit.StartPTY(cmd, cols, 40, &p.out)
	if err != nil {
		t.Fatalf("start on a pty: %v", err)
	}
	p.tty, p.done = tty, done
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		tty.Close()
	})
	return p
}

// runPTY runs bsai on a pty cols wide until it exits (failing the test
// unless it exits 0 within timeout) and returns its output.
func runPTY(t *testing.T, cols int, timeout time.Duration, args ...string) string {
	t.Helper()
	p := startPTY(t, cols, args...)
	if code := p.wait(timeout); code != 0 {
		t.Fatalf("exit %d:\n%q", code, p.output())
	}
	return p.output()
}

// output is everything written so far, with the pty's CRLF as LF.
func (p *ptyProc) output() string {
	return strings.ReplaceAll(p.out.String(), "\r\n", "\n")
}

// waitFor waits until the output contains s.
func (p *ptyProc) waitFor(s string, timeout time.Duration) bool {
	deadline := time.Now().Add(timeout)
	for time.Now().Before(deadline) {
		if strings.Contains(p.output(), s) {
			return true
		}
		time.Sleep(20 * time.Millisecond)
	}
	return false
}

func (p *ptyProc) write(s string) {
	p.t.Helper()
	if _, err := io.WriteString(p.tty, s); err != nil {
		p.t.Fatalf("write to pty: %v", err)
	}
}

// wait waits for the process to exit and returns its exit code.
func (p *ptyProc) wait(timeout time.Duration) int {
	p.t.Helper()
	errc := make(chan error, 1)
	go func() { errc <- p.cmd.Wait() }()
	select {
	case err := <-errc:
		select {
		case <-p.done:
		case <-time.After(2 * time.Second):
		}
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
				return 128 + int(ws.Signal())
			}
			return ee.ExitCode()
		}
		if err != nil {
			p.t.Fatalf("wait: %v", err)
		}
		return 0
	case <-time.After(timeout):
		p.t.Fatalf("bsai did not exit within %s; output:\n%s", timeout, p.output())
		return -1
	}
}
