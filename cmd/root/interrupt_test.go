//go:build unix

package root

import (
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
)

func waitExit(t *testing.T, codes chan int, within time.Duration) int {
	t.Helper()
	select {
	case c := <-codes:
		return c
	case <-time.After(within):
		t.Fatal("no forced exit")
	}
	return 0
}

// The first SIGINT cancels the context; a second one exits 130 even when
// the command ignores the context.
func TestSecondInterruptForcesExit(t *testing.T) {
	var errOut testkit.Buffer
	codes := make(chan int, 1)
	ctx, stop := notifyInterrupt(&errOut, nil, time.Hour, func(c int) { codes <- c })
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case <-ctx.Done():
	case <-time.After(10 * time.Second):
		t.Fatal("first SIGINT did not cancel the context")
	}
	select {
	case c := <-codes:
		t.Fatalf("exited (%d) on the first signal", c)
	case <-time.After(100 * time.Millisecond):
	}
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if c := waitExit(t, codes, 10*time.Second); c != 130 || !strings.Contains(errOut.String(), "interrupted") {
		t.Fatalf("second signal: exit %d, stderr %q", c, errOut.String())
	}
}

// A command that does not stop within the grace period after one
// interrupt is ended with 130 too.
func TestInterruptGracePeriod(t *testing.T) {
	var errOut testkit.Buffer
	codes := make(chan int, 1)
	_, stop := notifyInterrupt(&errOut, nil, 50*time.Millisecond, func(c int) { codes <- c })
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	if c := waitExit(t, codes, 10*time.Second); c != 130 || !strings.Contains(errOut.String(), "did not stop within 50ms") {
		t.Fatalf("grace: exit %d, stderr %q", c, errOut.String())
	}
}

// After stop, nothing fires.
func TestInterruptStop(t *testing.T) {
	codes := make(chan int, 1)
	ctx, stop := notifyInterrupt(&testkit.Buffer{}, nil, time.Millisecond, func(c int) { codes <- c })
	stop()
	stop()
	if ctx.Err() == nil {
		t.Fatal("stop did not cancel the context")
	}
	select {
	case c := <-codes:
		t.Fatalf("exit %d after stop", c)
	case <-time.After(50 * time.Millisecond):
	}
}

// A Ctrl-C the handler takes (the interactive session cancelling one
// answer) neither cancels the command nor counts towards a forced exit.
func TestInterruptHandlerTakesCtrlC(t *testing.T) {
	var taken sync.WaitGroup
	taken.Add(1)
	codes := make(chan int, 1)
	ctx, stop := notifyInterrupt(&testkit.Buffer{}, func() bool { taken.Done(); return true }, 20*time.Millisecond, func(c int) { codes <- c })
	defer stop()
	if err := syscall.Kill(syscall.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	taken.Wait()
	select {
	case c := <-codes:
		t.Fatalf("exit %d for a handled Ctrl-C", c)
	case <-time.After(100 * time.Millisecond):
	}
	if ctx.Err() != nil {
		t.Fatal("a handled Ctrl-C cancelled the command")
	}
}
