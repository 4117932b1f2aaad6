package iostreams

import (
	"bytes"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// waitFor polls until cond holds; the deadline only bounds a broken run.
func waitFor(t *testing.T, cond func() bool) bool {
	t.Helper()
	for end := time.Now().Add(5 * time.Second); time.Now().Before(end); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return true
		}
	}
	return false
}

func ttyStreams(stderrTTY bool, delay time.Duration) (*IOStreams, *bytes.Buffer, *testkit.Buffer) {
	s, _, out, _ := Test()
	errOut := &testkit.Buffer{}
	s.ErrOut = errOut
	s.SetTTY(true, true, stderrTTY)
	s.SpinnerDelay = delay
	return s, out, errOut
}

func TestTestStreamsAreNotTTYs(t *testing.T) {
	s, _, _, _ := Test()
	if s.IsStdinTTY() || s.IsStdoutTTY() || s.IsStderrTTY() || s.CanPrompt() || s.ColorEnabled() || s.ColorEnabledErr() {
		t.Error("Test() streams must behave like pipes")
	}
}

func TestSetTTYOverrides(t *testing.T) {
	s, _, _, _ := Test()
	s.SetTTY(true, false, true)
	if !s.IsStdinTTY() || s.IsStdoutTTY() || !s.IsStderrTTY() {
		t.Error("SetTTY not applied")
	}
	if !s.CanPrompt() || s.ColorEnabled() || !s.ColorEnabledErr() {
		t.Errorf("stdin+stderr TTY: CanPrompt %v ColorEnabled %v ColorEnabledErr %v", s.CanPrompt(), s.ColorEnabled(), s.ColorEnabledErr())
	}
	s.SetTTY(false, true, true)
	if s.CanPrompt() {
		t.Error("cannot prompt without a TTY stdin")
	}
	s.SetTTY(true, true, false)
	if s.CanPrompt() {
		t.Error("cannot prompt when stderr (where the question goes) is not a TTY")
	}
}

func TestDisableColor(t *testing.T) {
	s, _, _, _ := Test()
	s.SetTTY(true, true, true)
	if !s.ColorEnabled() || !s.ColorEnabledErr() {
		t.Fatal("TTY streams should allow colour")
	}
	s.DisableColor()
	if s.ColorEnabled() || s.ColorEnabledErr() {
		t.Error("--no-color must turn colour off on both streams")
	}
}

func TestSystemHonoursNoColor(t *testing.T) {
	for _, env := range []struct {
		noColor, term string
		want          bool
	}{
		{"", "xterm-256color", true},
		{"1", "xterm-256color", false},
		{"0", "xterm", false}, // any non-empty value counts (no-color.org)
		{"", "dumb", false},
	} {
		t.Setenv("NO_COLOR", env.noColor)
		t.Setenv("TERM", env.term)
		s := System()
		s.SetTTY(true, true, true) // go test's stdout is not a terminal
		if s.ColorEnabled() != env.want || s.ColorEnabledErr() != env.want {
			t.Errorf("NO_COLOR=%q TERM=%q: colour %v/%v, want %v", env.noColor, env.term, s.ColorEnabled(), s.ColorEnabledErr(), env.want)
		}
	}
}

func TestWarnfGoesToStderr(t *testing.T) {
	s, _, out, errOut := Test()
	s.Warnf("catalog %s is stale", "cache")
	if out.Len() != 0 {
		t.Errorf("stdout got %q", out.String())
	}
	if errOut.String() != "warning: catalog cache is stale\n" {
		t.Errorf("stderr %q", errOut.String())
	}
	// Colour only on a TTY stderr with colour allowed.
	s.SetTTY(false, false, true)
	errOut.Reset()
	s.Warnf("x")
	if !strings.Contains(errOut.String(), "\x1b[33m") {
		t.Errorf("TTY stderr warning not coloured: %q", errOut.String())
	}
	s.DisableColor()
	errOut.Reset()
	s.Warnf("x")
	if errOut.String() != "warning: x\n" {
		t.Errorf("no-color warning %q", errOut.String())
	}
	// A % in an argument is data, not a verb.
	errOut.Reset()
	s.Warnf("%s", "100%")
	if errOut.String() != "warning: 100%\n" {
		t.Errorf("stderr %q", errOut.String())
	}
}

func TestVerbosef(t *testing.T) {
	s, _, out, errOut := Test()
	s.Verbosef("hidden %d", 1)
	if errOut.Len() != 0 || out.Len() != 0 {
		t.Errorf("Verbosef without -v wrote %q / %q", out.String(), errOut.String())
	}
	s.SetVerbose(true)
	if !s.Verbose() {
		t.Fatal("SetVerbose not applied")
	}
	s.Verbosef("shown %d", 2)
	if out.Len() != 0 || errOut.String() != "shown 2\n" {
		t.Errorf("Verbosef with -v: stdout %q stderr %q", out.String(), errOut.String())
	}
}

func TestProgressf(t *testing.T) {
	// Pipe, no -v: silent so CI logs stay clean.
	s, _, out, errOut := Test()
	s.Progressf("loading %s", "catalog")
	if out.Len()+errOut.Len() != 0 {
		t.Errorf("Progressf on a pipe wrote %q / %q", out.String(), errOut.String())
	}
	// Pipe with -v: shown on stderr.
	s.SetVerbose(true)
	s.Progressf("loading %s", "catalog")
	if out.Len() != 0 || errOut.String() != "loading catalog\n" {
		t.Errorf("Progressf -v: stdout %q stderr %q", out.String(), errOut.String())
	}
	// TTY stderr without -v: shown on stderr, still never stdout.
	s2, _, out2, errOut2 := Test()
	s2.SetTTY(true, true, true)
	s2.Progressf("step %d", 3)
	if out2.Len() != 0 || errOut2.String() != "step 3\n" {
		t.Errorf("Progressf TTY: stdout %q stderr %q", out2.String(), errOut2.String())
	}
}

func TestSpinnerNeverOnPipe(t *testing.T) {
	s, out, errOut := ttyStreams(false, 0)
	stop := s.StartProgress("loading catalog")
	time.Sleep(50 * time.Millisecond) // ample time for a (wrongly) started spinner to draw
	stop()
	stop()
	if out.Len() != 0 || errOut.String() != "" {
		t.Errorf("spinner on a non-TTY stderr: stdout %q stderr %q", out.String(), errOut.String())
	}
	// With -v, a pipe gets one plain line instead.
	s.SetVerbose(true)
	s.StartProgress("loading catalog")()
	if errOut.String() != "loading catalog...\n" || out.Len() != 0 {
		t.Errorf("verbose pipe progress: stdout %q stderr %q", out.String(), errOut.String())
	}
}

func TestSpinnerWaitsForDelay(t *testing.T) {
	s, out, errOut := ttyStreams(true, time.Hour)
	stop := s.StartProgress("loading catalog")
	time.Sleep(50 * time.Millisecond)
	stop()
	if errOut.String() != "" || out.Len() != 0 {
		t.Errorf("a wait shorter than SpinnerDelay drew %q", errOut.String())
	}
}

func TestSpinnerDrawsAndClears(t *testing.T) {
	s, out, errOut := ttyStreams(true, 0)
	stop := s.StartProgress("loading catalog")
	if !waitFor(t, func() bool { return strings.Contains(errOut.String(), "loading catalog") }) {
		t.Fatal("spinner never drew on a TTY stderr")
	}
	stop()
	got := errOut.String()
	if !strings.HasSuffix(got, "\r\x1b[K") {
		t.Errorf("spinner did not clear its line: %q", got)
	}
	if out.Len() != 0 {
		t.Errorf("spinner wrote to stdout: %q", out.String())
	}
	// Stopped means stopped: nothing more is drawn.
	time.Sleep(150 * time.Millisecond)
	if errOut.String() != got {
		t.Error("spinner kept drawing after stop")
	}
}

func TestStopProgressIdempotent(t *testing.T) {
	s, _, _ := ttyStreams(true, 0)
	s.StopProgress() // nothing running
	stop := s.StartProgress("a")
	stop()
	stop()
	s.StopProgress()
	s.StopProgress()
}

func TestStopProgressConcurrent(t *testing.T) {
	s, _, _ := ttyStreams(true, 0)
	stop := s.StartProgress("a")
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); stop(); s.StopProgress() }()
	}
	wg.Wait()
}

// A line printed while the spinner runs must not be glued to a frame.
func TestWarnStopsSpinner(t *testing.T) {
	s, _, errOut := ttyStreams(true, 0)
	s.DisableColor()
	s.StartProgress("loading")
	waitFor(t, func() bool { return strings.Contains(errOut.String(), "loading") })
	s.Warnf("careful")
	if !strings.HasSuffix(errOut.String(), "\r\x1b[Kwarning: careful\n") {
		t.Errorf("warning not on a cleared line: %q", errOut.String())
	}
}

// The stop func of an earlier spinner must not stop a later one: the
// caller that started the second wait still owns it.
func TestStaleStopLeavesNewSpinner(t *testing.T) {
	s, _, errOut := ttyStreams(true, 0)
	stop1 := s.StartProgress("first")
	stop2 := s.StartProgress("second")
	stop1()
	n := len(errOut.String())
	if !waitFor(t, func() bool { return strings.Count(errOut.String()[n:], "second") >= 2 }) {
		t.Error("the first stop func stopped the second spinner")
	}
	stop2()
	if !strings.HasSuffix(errOut.String(), "\r\x1b[K") {
		t.Errorf("second spinner not cleared: %q", errOut.String())
	}
}

// Concurrent starts must leave exactly one live spinner, which a single
// StopProgress ends.
func TestConcurrentStartsLeaveOneSpinner(t *testing.T) {
	s, _, errOut := ttyStreams(true, 0)
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() { defer wg.Done(); s.StartProgress("x") }()
	}
	wg.Wait()
	s.StopProgress()
	got := errOut.String()
	time.Sleep(250 * time.Millisecond)
	if errOut.String() != got {
		t.Error("an orphan spinner kept drawing after StopProgress")
	}
}
