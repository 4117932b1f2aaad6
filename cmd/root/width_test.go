package root

import (
	"strings"
	"testing"
	"time"

	xansi "github.com/charmbracelet/x/ansi"
)

const wideCatalog = `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ledger-reconciler
  title: A component whose title explains at great length what it does and why it exists
spec: {type: service, lifecycle: production, owner: group:default/ledger-team}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: short
  description: 世界中のユーザーに向けた非常に長い説明文がここに入ります世界中のユーザー
spec: {type: service, lifecycle: experimental, owner: group:default/ledger-team}
`

// On an 80-column terminal every catalog list row fits in 80 cells, long
// titles are cut with "…", and refs are never cut; piped, nothing is cut.
func TestCatalogListFitsTerminalWidth(t *testing.T) {
	clearEnv(t)
	writeFile(t, "catalog.yaml", wideCatalog)
	out := xansi.Strip(runPTY(t, 80, 20*time.Second, "--catalog", "catalog.yaml", "catalog", "list"))
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if len(lines) != 3 {
		t.Fatalf("want a header and 2 rows (no wrapped rows), got:\n%s", out)
	}
	for _, l := range lines {
		if w := xansi.StringWidth(l); w > 80 {
			t.Errorf("%d cells wide on an 80-column terminal: %q", w, l)
		}
	}
	for _, ref := range []string{"component:default/ledger-reconciler", "component:default/short", "group:default/ledger-team"} {
		if !strings.Contains(out, ref) {
			t.Errorf("ref %s cut:\n%s", ref, out)
		}
	}
	// The title column stays (cut with "…"); lifecycle is the column
	// left out first when refs take the room.
	if !strings.Contains(lines[0], "TITLE") || !strings.Contains(lines[1], "…") {
		t.Errorf("long title not truncated:\n%s", out)
	}

	// Piped: the full title.
	r := run(t, "--catalog", "catalog.yaml", "catalog", "list")
	if !strings.Contains(r.out, "what it does and why it exists") {
		t.Errorf("piped output cut:\n%s", r.out)
	}
}

// With -v, MCP server log lines arriving while the spinner spins start on
// a line of their own: the spinner line is cleared before each one.
func TestVerboseServerLogsDoNotOverwriteSpinner(t *testing.T) {
	completionEnv(t, "")
	out := runPTY(t, 100, 30*time.Second, "-v", "mcp", "call", "fake", "slow")
	if !strings.Contains(out, "calling fake slow") {
		t.Fatalf("no spinner drawn (is stderr a tty?):\n%q", out)
	}
	for i := 1; i <= 4; i++ {
		line := "[fake] tick " + string(rune('0'+i))
		at := strings.Index(out, line)
		if at < 0 {
			t.Fatalf("%s missing:\n%q", line, out)
		}
		before := out[:at]
		if !strings.HasSuffix(before, "\n") && !strings.HasSuffix(before, "\r\x1b[K") {
			tail := before[max(0, len(before)-40):]
			t.Errorf("%s written on top of other output (after %q)", line, tail)
		}
	}
	if !strings.Contains(out, "done") {
		t.Errorf("result missing:\n%q", out)
	}
}

// mcp servers on a narrow terminal: long command lines are cut, ids not.
func TestMCPServersFitTerminalWidth(t *testing.T) {
	completionEnv(t, "")
	out := xansi.Strip(runPTY(t, 50, 20*time.Second, "mcp", "servers"))
	for _, l := range strings.Split(strings.TrimRight(out, "\n"), "\n") {
		if w := xansi.StringWidth(l); w > 50 {
			t.Errorf("%d cells wide on a 50-column terminal: %q", w, l)
		}
	}
	if !strings.Contains(out, "fake ") || !strings.Contains(out, "other ") || !strings.Contains(out, "…") {
		t.Errorf("want both ids and a cut target:\n%s", out)
	}
	// Piped, the target is whole.
	r := run(t, "mcp", "servers")
	if !strings.Contains(r.out, "http://127.0.0.1:1/mcp") {
		t.Errorf("piped output cut:\n%s", r.out)
	}
}

// mcp tools on a narrow terminal: descriptions are cut with "…", tool and
// argument names (what mcp call takes) and types never; piped, nothing is.
func TestMCPToolsFitTerminalWidth(t *testing.T) {
	completionEnv(t, "")
	out := xansi.Strip(runPTY(t, 36, 20*time.Second, "mcp", "tools", "fake"))
	var lines []string
	for _, l := range strings.Split(strings.TrimRight(out, "\r\n"), "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.Contains(l, "connecting to") || strings.Contains(l, "\r") {
			continue // the progress line on stderr
		}
		lines = append(lines, l)
		if w := xansi.StringWidth(l); w > 36 {
			t.Errorf("%d cells wide on a 36-column terminal: %q", w, l)
		}
	}
	text := strings.Join(lines, "\n")
	for _, want := range []string{"get-sum  ", "progress  ", "slow  ", "    a  number  required  ", "    message  string   required"} {
		if !strings.Contains(text, want) {
			t.Errorf("%q cut or missing:\n%s", want, text)
		}
	}
	if !strings.Contains(text, "progress  Three steps") {
		t.Errorf("long description not kept in part:\n%s", text)
	}
	if !strings.Contains(text, "…") || strings.Contains(text, "Three steps with progress notifications") {
		t.Errorf("long description not truncated:\n%s", text)
	}

	// Piped: every description whole.
	r := run(t, "mcp", "tools", "fake")
	for _, want := range []string{"progress  Three steps with progress notifications", "slow  Work for a while, logging to stderr", "first number"} {
		if !strings.Contains(r.out, want) {
			t.Errorf("piped output cut (%q):\n%s", want, r.out)
		}
	}
}
