package iostreams

import (
	"fmt"
	"time"
)

var spinFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

type spinner struct {
	label string
	stop  chan struct{}
	done  chan struct{}
}

// StartProgress shows a spinner with label on stderr if the wait lasts longer
// than SpinnerDelay. It is a no-op when stderr is not a TTY, so pipes and CI
// logs never see control characters. Call the returned func (or StopProgress)
// when the wait is over; both are safe to call twice.
func (s *IOStreams) StartProgress(label string) func() {
	if !s.stderrTTY {
		if s.verbose {
			fmt.Fprintf(s.ErrOut, "%s...\n", label)
		}
		return func() {}
	}
	sp := &spinner{label: label, stop: make(chan struct{}), done: make(chan struct{})}
	// Swap under the lock so two concurrent starts cannot leave an orphan
	// spinner drawing forever; the old one is cleared before the new draws.
	s.mu.Lock()
	old := s.spinner
	s.spinner = sp
	s.mu.Unlock()
	if old != nil {
		close(old.stop)
		<-old.done
	}
	go s.spin(sp)
	// Stop only this spinner: a stale stop func from an earlier wait must
	// not end a spinner some later caller started.
	return func() { s.stop(sp) }
}

func (s *IOStreams) spin(sp *spinner) {
	defer close(sp.done)
	select {
	case <-sp.stop:
		return
	case <-time.After(s.SpinnerDelay):
	}
	t := time.NewTicker(100 * time.Millisecond)
	defer t.Stop()
	for i := 0; ; i++ {
		fmt.Fprintf(s.ErrOut, "\r%s %s", spinFrames[i%len(spinFrames)], sp.label)
		select {
		case <-sp.stop:
			// Clear the line so the next output starts clean.
			fmt.Fprint(s.ErrOut, "\r\x1b[K")
			return
		case <-t.C:
		}
	}
}

// StopProgress stops the current spinner, if any.
func (s *IOStreams) StopProgress() { s.stop(nil) }

// stop stops the current spinner if it is only (or any spinner when only
// is nil) and waits until its line is cleared.
func (s *IOStreams) stop(only *spinner) {
	s.mu.Lock()
	sp := s.spinner
	if sp == nil || (only != nil && sp != only) {
		s.mu.Unlock()
		return
	}
	s.spinner = nil
	s.mu.Unlock()
	close(sp.stop)
	<-sp.done
}
