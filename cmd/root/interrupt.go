package root

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"
)

// forceExitAfter is how long a command may take to stop after Ctrl-C.
const forceExitAfter = 10 * time.Second

// notifyInterrupt returns a context cancelled by the first SIGINT or
// SIGTERM; every command and blocking read watches it and returns, which
// exits 130. A Ctrl-C goes to handle first when it is set and takes it (the
// interactive ask session cancels one answer and keeps the session). A
// second signal after the cancel, or a command still running forceAfter
// it, exits 130 at once: a wait somewhere that ignores the context must
// never leave the user unable to stop bsai (the issue saw three SIGINTs and
// a SIGTERM do nothing). stop releases the signals.
func notifyInterrupt(errOut io.Writer, handle func() bool, forceAfter time.Duration, exit func(int)) (context.Context, func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	go func() {
		for cancelled := false; !cancelled; {
			select {
			case s := <-sigs:
				if s == os.Interrupt && handle != nil && handle() {
					continue
				}
				cancelled = true
			case <-done:
				return
			}
		}
		cancel()
		timer := time.NewTimer(forceAfter)
		defer timer.Stop()
		select {
		case <-sigs:
		case <-timer.C:
			fmt.Fprintf(errOut, "bsai did not stop within %s of the interrupt; exiting\n", forceAfter)
		case <-done:
			return
		}
		fmt.Fprintln(errOut, "interrupted")
		exit(130)
	}()
	var once sync.Once
	return ctx, func() {
		once.Do(func() {
			signal.Stop(sigs)
			close(done)
			cancel()
		})
	}
}
