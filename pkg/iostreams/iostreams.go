// Package iostreams is the one IO struct every command writes through: data
// to Out (stdout), progress, warnings and errors to ErrOut (stderr). Colour
// and spinners appear only on a TTY with NO_COLOR unset.
package iostreams

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strconv"
	"sync"
	"time"

	"golang.org/x/term"
)

// IOStreams bundles the standard streams and what we know about them.
type IOStreams struct {
	In     io.Reader
	Out    io.Writer
	ErrOut io.Writer

	stdinTTY, stdoutTTY, stderrTTY bool
	colorDisabled                  bool
	verbose                        bool
	jq                             string
	width                          int

	// SpinnerDelay is how long a wait must last before a spinner shows; short
	// waits stay quiet so fast commands don't flicker.
	SpinnerDelay time.Duration

	mu      sync.Mutex
	spinner *spinner
	// draw serialises spinner frames and log lines on stderr.
	draw sync.Mutex
}

// System returns streams bound to the process's stdin/stdout/stderr.
func System() *IOStreams {
	s := &IOStreams{
		In:           os.Stdin,
		Out:          os.Stdout,
		ErrOut:       os.Stderr,
		stdinTTY:     isTerminal(os.Stdin),
		stdoutTTY:    isTerminal(os.Stdout),
		stderrTTY:    isTerminal(os.Stderr),
		SpinnerDelay: 300 * time.Millisecond,
	}
	// https://no-color.org: any non-empty value disables colour.
	if os.Getenv("NO_COLOR") != "" || os.Getenv("TERM") == "dumb" {
		s.colorDisabled = true
	}
	return s
}

// Test returns streams backed by buffers, none of them a TTY.
func Test() (s *IOStreams, in, out, errOut *bytes.Buffer) {
	in, out, errOut = &bytes.Buffer{}, &bytes.Buffer{}, &bytes.Buffer{}
	return &IOStreams{In: in, Out: out, ErrOut: errOut, SpinnerDelay: 300 * time.Millisecond}, in, out, errOut
}

func isTerminal(f *os.File) bool { return term.IsTerminal(int(f.Fd())) }

// SetTTY overrides TTY detection (tests, and the fake prompter).
func (s *IOStreams) SetTTY(stdin, stdout, stderr bool) {
	s.stdinTTY, s.stdoutTTY, s.stderrTTY = stdin, stdout, stderr
}

// DisableColor turns colour off (--no-color).
func (s *IOStreams) DisableColor() { s.colorDisabled = true }

// SetVerbose turns on Verbosef output (-v).
func (s *IOStreams) SetVerbose(v bool) { s.verbose = v }

// TerminalWidth is the width of stdout in cells when it is a terminal, so
// tables can fit it; 0 when stdout is not a terminal (piped output is never
// cut). The size comes from the terminal, else $COLUMNS, else 80.
func (s *IOStreams) TerminalWidth() int {
	if !s.stdoutTTY {
		return 0
	}
	if s.width > 0 {
		return s.width
	}
	if f, ok := s.Out.(*os.File); ok {
		if w, _, err := term.GetSize(int(f.Fd())); err == nil && w > 0 {
			return w
		}
	}
	if c, err := strconv.Atoi(os.Getenv("COLUMNS")); err == nil && c > 0 {
		return c
	}
	return 80
}

// SetWidth fixes the terminal width (tests).
func (s *IOStreams) SetWidth(w int) { s.width = w }

// SetJQ sets the --jq expression JSON output is filtered through.
func (s *IOStreams) SetJQ(expr string) { s.jq = expr }

// JQ is the --jq expression, or "".
func (s *IOStreams) JQ() string { return s.jq }

// Verbose reports whether -v was given.
func (s *IOStreams) Verbose() bool { return s.verbose }

// IsStdinTTY reports whether stdin is a terminal.
func (s *IOStreams) IsStdinTTY() bool { return s.stdinTTY }

// IsStdoutTTY reports whether stdout is a terminal.
func (s *IOStreams) IsStdoutTTY() bool { return s.stdoutTTY }

// IsStderrTTY reports whether stderr is a terminal.
func (s *IOStreams) IsStderrTTY() bool { return s.stderrTTY }

// ColorEnabled reports whether stdout may carry ANSI colour.
func (s *IOStreams) ColorEnabled() bool { return s.stdoutTTY && !s.colorDisabled }

// ColorEnabledErr reports whether stderr may carry ANSI colour.
func (s *IOStreams) ColorEnabledErr() bool { return s.stderrTTY && !s.colorDisabled }

// CanPrompt reports whether we may ask the user a question: a person must be
// able to read stderr and type on stdin.
func (s *IOStreams) CanPrompt() bool { return s.stdinTTY && s.stderrTTY }

// Warnf prints a warning line to stderr.
func (s *IOStreams) Warnf(format string, args ...any) {
	s.StopProgress()
	prefix := "warning: "
	if s.ColorEnabledErr() {
		prefix = "\x1b[33mwarning:\x1b[0m "
	}
	fmt.Fprintf(s.ErrOut, prefix+format+"\n", args...)
}

// Verbosef prints a line to stderr only with -v.
func (s *IOStreams) Verbosef(format string, args ...any) {
	if !s.verbose {
		return
	}
	s.StopProgress()
	fmt.Fprintf(s.ErrOut, format+"\n", args...)
}

// Progressf prints a progress line to stderr: always with -v, otherwise only
// on a TTY (so CI logs stay clean and stdout is never touched).
func (s *IOStreams) Progressf(format string, args ...any) {
	if !s.verbose && !s.stderrTTY {
		return
	}
	s.StopProgress()
	fmt.Fprintf(s.ErrOut, format+"\n", args...)
}
