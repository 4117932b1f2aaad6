package iostreams

import (
	"fmt"
	"io"
	"time"
)

var spinFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

type spinner struct {
	label string
	stop  chan struct{}
	done  chan struct{}
	// drawn is set (under IOStreams.draw) once a frame is on screen, so a
	// log line knows there is a spinner line to clear first.
	drawn bool
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
		s.draw.Lock()
		// \x1b[K: a shorter label than the last frame's leaves no tail.
		fmt.Fprintf(s.ErrOut, "\r%s %s\x1b[K", spinFrames[i%len(spinFrames)], sp.label)
		sp.drawn = true
		s.draw.Unlock()
		select {
		case <-sp.stop:
			// Clear the line so the next output starts clean.
			s.draw.Lock()
			fmt.Fprint(s.ErrOut, "\r\x1b[K")
			sp.drawn = false
			s.draw.Unlock()
			return
		case <-t.C:
		}
	}
}

// UpdateProgress changes the current spinner's label (e.g. the progress a
// server reports); the next frame shows it. Without a TTY it prints the
// label as a line with -v, like StartProgress.
func (s *IOStreams) UpdateProgress(label string) {
	if !s.stderrTTY {
		if s.verbose {
			fmt.Fprintln(s.ErrOut, label)
		}
		return
	}
	s.draw.Lock()
	s.mu.Lock()
	if s.spinner != nil {
		s.spinner.label = label
	}
	s.mu.Unlock()
	s.draw.Unlock()
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

// LogWriter returns a writer for lines that arrive while a spinner may be
// drawing (MCP server stderr with -v): each write first clears the spinner
// line, so log lines never land on top of it; the spinner redraws below
// them on its next frame.
func (s *IOStreams) LogWriter() io.Writer { return logWriter{s} }

type logWriter struct{ s *IOStreams }

func (w logWriter) Write(p []byte) (int, error) {
	s := w.s
	s.draw.Lock()
	defer s.draw.Unlock()
	s.mu.Lock()
	sp := s.spinner
	s.mu.Unlock()
	if sp != nil && sp.drawn {
		fmt.Fprint(s.ErrOut, "\r\x1b[K")
		sp.drawn = false
	}
	return s.ErrOut.Write(p)
}
