package root

import (
	"strings"
	"testing"
	"time"

	xansi "github.com/charmbracelet/x/ansi"
)

// mcp call asks for progress and shows it as the spinner's line on a
// terminal; the server's log notification shows with -v.
func TestMCPCallProgressOnTTY(t *testing.T) {
	completionEnv(t, "")
	out := runPTY(t, 120, 30*time.Second, "-v", "mcp", "call", "fake", "progress")
	for _, want := range []string{"calling fake progress: 2/3 (66%) step 2", "calling fake progress: 3/3 (100%) step 3"} {
		if !strings.Contains(out, want) {
			t.Errorf("progress line %q missing:\n%q", want, out)
		}
	}
	if !strings.Contains(xansi.Strip(out), `[fake] info: "starting the steps"`) {
		t.Errorf("log notification missing with -v:\n%q", out)
	}
	if !strings.Contains(out, "finished (token true)") {
		t.Errorf("result missing:\n%q", out)
	}
	// The progress line is redrawn in place, never left in the output
	// as separate lines.
	if strings.Contains(out, "step 2\n") {
		t.Errorf("progress printed as lines on a terminal:\n%q", out)
	}
}

// Piped with -v, progress is a line per notification on stderr; stdout
// holds only the result. Without -v stderr stays empty.
func TestMCPCallProgressPiped(t *testing.T) {
	completionEnv(t, "")
	r := run(t, "-v", "mcp", "call", "fake", "progress")
	if r.code != 0 || strings.TrimSpace(r.out) != "finished (token true)" {
		t.Fatalf("exit %d, stdout %q, stderr %q", r.code, r.out, r.errOut)
	}
	if !strings.Contains(r.errOut, "calling fake progress: 1/3 (33%) step 1\n") {
		t.Errorf("stderr %q", r.errOut)
	}
	r = run(t, "mcp", "call", "fake", "progress")
	if r.errOut != "" {
		t.Errorf("without -v stderr = %q", r.errOut)
	}
}
