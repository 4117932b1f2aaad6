package e2e

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// term is the built binary on a real pseudo-terminal: stdin, stdout and
// stderr are the pty, so bsai sees a TTY exactly as in a person's shell
// (spinner, prompts, Ctrl-C through the line discipline as SIGINT).
type term struct {
	t    *testing.T
	cmd  *exec.Cmd
	out  testkit.Buffer
	tty  interface{ Write([]byte) (int, error) }
	done chan struct{}
	read <-chan struct{} // closed when the pty has been read to its end
	err  error
}

func (e *Env) startTerm(t *testing.T, args ...string) *term {
	t.Helper()
	dir := t.TempDir()
	cmd := exec.Command(e.Bin, args...)
	cmd.Dir = dir
	cmd.Env = append(cleanEnv(dir), "TERM=xterm-256color")
	tm := &term{t: t, cmd: cmd, done: make(chan struct{})}
	f, read, err := testkit.StartPTY(cmd, 160, 50, &tm.out)
	if err != nil {
		t.Fatalf("start on a pty: %v", err)
	}
	tm.tty, tm.read = f, read
	go func() {
		tm.err = cmd.Wait()
		close(tm.done)
	}()
	t.Cleanup(func() {
		select {
		case <-tm.done:
		default:
			_ = cmd.Process.Kill()
			<-tm.done
		}
		f.Close()
	})
	return tm
}

func (tm *term) output() string {
	return tm.out.String()
}

// waitFor waits until the output holds want n times.
func (tm *term) waitFor(want string, n int) string {
	tm.t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if o := tm.output(); strings.Count(o, want) >= n {
			return o
		}
		select {
		case <-tm.done:
			if o := tm.output(); strings.Count(o, want) >= n {
				return o
			}
			tm.t.Fatalf("bsai exited (%v) before %q appeared %d times:\n%s", tm.err, want, n, tm.output())
		case <-time.After(20 * time.Millisecond):
		}
	}
	tm.t.Fatalf("no %q (x%d) after 30s:\n%s", want, n, tm.output())
	return ""
}

func (tm *term) exitCode() int {
	tm.t.Helper()
	select {
	case <-tm.done:
	case <-time.After(30 * time.Second):
		tm.t.Fatalf("bsai still running:\n%s", tm.output())
	}
	// Everything bsai wrote is read once the pty reports its end (EIO
	// after the last writer closed).
	select {
	case <-tm.read:
	case <-time.After(5 * time.Second):
	}
	return testkit.ExitCode(tm.t, tm.err)
}

// copilotConfig swaps the bad-deploy scenario's actions for two webhooks on
// local servers that count what they receive.
func copilotConfig(t *testing.T, notify, ticket string) string {
	return writeFile(t, t.TempDir(), "copilot.yaml", fmt.Sprintf(`bsai:
  incident:
    actions:
      rollback: null
      page-owner: null
      notify-channel:
        url: %s/services/T000/B000/SECRETPART
      open-ticket:
        type: webhook
        description: open a ticket for the owning team
        on: [any]
        url: %s/tickets
        text: "{{.Cause}}"
`, notify, ticket))
}

func countingHook(t *testing.T) (*httptest.Server, *atomic.Int32) {
	var n atomic.Int32
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { n.Add(1) }))
	t.Cleanup(s.Close)
	return s, &n
}

var spinnerFrames = []string{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"}

// spinnerIn says whether any of texts holds a spinner frame.
func spinnerIn(texts ...string) bool {
	for _, s := range texts {
		for _, f := range spinnerFrames {
			if strings.Contains(s, f) {
				return true
			}
		}
	}
	return false
}

// copilot is the bad-deploy scenario investigated offline on a terminal,
// its two webhook actions posting to counting hooks.
type copilot struct {
	tm                   *term
	notifyURL, ticketURL string
	notified, ticketed   *atomic.Int32
}

// startCopilot starts `incident investigate` on the bad-deploy scenario in
// co-pilot mode on a terminal, with extra arguments after the command's.
func startCopilot(t *testing.T, extra ...string) copilot {
	t.Helper()
	e := need(t)
	notify, notified := countingHook(t)
	ticket, ticketed := countingHook(t)
	scen := filepath.Join(e.Root, "examples/incidents/bad-deploy")
	args := append([]string{"-c", filepath.Join(scen, "app-config.yaml"), "-c", copilotConfig(t, notify.URL, ticket.URL),
		"--offline", "incident", "investigate", "--alert", filepath.Join(scen, "alert.json")}, extra...)
	return copilot{tm: e.startTerm(t, args...), notifyURL: notify.URL, ticketURL: ticket.URL, notified: notified, ticketed: ticketed}
}

// TestE2ECopilotOnTerminal: on a real terminal the co-pilot prints the
// report before the first question, no spinner draws over a question, each
// question shows what the action will really do, and a yes runs it.
func TestE2ECopilotOnTerminal(t *testing.T) {
	c := startCopilot(t)
	tm, notified, ticketed := c.tm, c.notified, c.ticketed

	first := tm.waitFor("[y/N]", 1)
	before := first[:strings.Index(first, "[y/N]")]
	// On a terminal each metric gets a sparkline (off one, none: see
	// cmd/incident's TestReadableReportThroughCLI).
	if !strings.Contains(before, "Signals") || !strings.ContainsAny(before, "▁▂▃▄▅▆▇█") {
		t.Errorf("no sparkline on a terminal:\n%s", before)
	}
	for _, want := range []string{"Candidate causes", "Plan", "v2.14.0"} {
		if !strings.Contains(before, want) {
			t.Errorf("%q is not printed before the first question:\n%s", want, first)
		}
	}
	q := before[max(0, len(before)-400):]
	if i := strings.LastIndex(before, "Run \""); i >= 0 {
		q = before[i:]
	}
	host := strings.TrimPrefix(c.notifyURL, "http://")
	tickHost := strings.TrimPrefix(c.ticketURL, "http://")
	if !(strings.Contains(q, "POST to http://"+host+"/…") || strings.Contains(q, "POST to http://"+tickHost+"/…")) {
		t.Errorf("the question does not show where the action posts:\n%q", q)
	}
	if strings.Contains(tm.output(), "SECRETPART") {
		t.Errorf("the webhook URL's secret path is shown:\n%s", tm.output())
	}
	// Waiting at the question: nothing may draw over it (the spinner
	// waits SpinnerDelay before its first frame, so give it time).
	time.Sleep(1500 * time.Millisecond)
	after := tm.output()[len(first):]
	if spinnerIn(after, q) {
		t.Errorf("a spinner draws at the question: %q", after)
	}
	fmt.Fprint(tm.tty, "y\r")
	tm.waitFor("[y/N]", 2)
	fmt.Fprint(tm.tty, "y\r")
	if code := tm.exitCode(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, tm.output())
	}
	if notified.Load() != 1 || ticketed.Load() != 1 {
		t.Errorf("posts: notify %d, ticket %d; want one each\n%s", notified.Load(), ticketed.Load(), tm.output())
	}
	if o := tm.output(); !strings.Contains(o, "notify-channel: executed") || !strings.Contains(o, "open-ticket: executed") {
		t.Errorf("actions not reported:\n%s", o)
	}
}

// TestE2ECopilotCtrlC: Ctrl-C at the first question exits 130 and runs
// neither that action nor any after it.
func TestE2ECopilotCtrlC(t *testing.T) {
	c := startCopilot(t)
	tm, notified, ticketed := c.tm, c.notified, c.ticketed
	tm.waitFor("[y/N]", 1)
	fmt.Fprint(tm.tty, "\x03") // the terminal turns it into SIGINT
	if code := tm.exitCode(); code != 130 {
		t.Fatalf("exit %d, want 130:\n%s", code, tm.output())
	}
	if n := notified.Load() + ticketed.Load(); n != 0 {
		t.Errorf("%d actions ran after Ctrl-C", n)
	}
	o := tm.output()
	if strings.Count(o, "[y/N]") != 1 || !strings.Contains(o, "interrupted") {
		t.Errorf("want one question and an interrupted result:\n%s", o)
	}
}

// TestE2ECopilotSpinnerStopsForMarkdown: with -o markdown (or json/yaml) on a
// terminal the actions are decided before the report is printed; the
// "collecting evidence" spinner must be gone before the first question,
// not redraw over it.
func TestE2ECopilotSpinnerStopsForMarkdown(t *testing.T) {
	c := startCopilot(t, "-o", "markdown")
	tm, notified := c.tm, c.notified
	first := tm.waitFor("[y/N]", 1)
	time.Sleep(1500 * time.Millisecond)
	after := tm.output()[len(first):]
	q := first[max(0, strings.LastIndex(first, "Run \"")):]
	if spinnerIn(after, q) {
		t.Fatalf("a spinner draws at the question:\nquestion %q\nafter %q", q, after)
	}
	fmt.Fprint(tm.tty, "y\r")
	tm.waitFor("[y/N]", 2)
	fmt.Fprint(tm.tty, "n\r")
	if code := tm.exitCode(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, tm.output())
	}
	o := tm.output()
	if notified.Load() != 1 || !strings.Contains(o, "## Incident:") || !strings.Contains(o, "- `notify-channel`: executed") {
		t.Errorf("posts %d, output:\n%s", notified.Load(), o)
	}
}

// TestE2EChooseAlertingEntity: with a real Alertmanager holding alerts for
// two services and no --alert or --service, bsai asks on the terminal which
// to investigate; Ctrl-C at that question exits 130.
func TestE2EChooseAlertingEntity(t *testing.T) {
	e := need(t)
	am := startAlertmanager(t)
	at := time.Date(2026, 3, 14, 10, 0, 0, 0, time.UTC)
	amtoolAdd(t, am, map[string]string{"alertname": "LedgerJournalErrors", "service": "ledger-service", "severity": "page"}, nil, at.Add(-4*time.Minute), "")
	amtoolAdd(t, am, map[string]string{"alertname": "PaymentsHighErrorRate", "service": "payments-api", "severity": "page"},
		map[string]string{"summary": "payments-api 5xx ratio above 5%"}, at, "")
	scen := filepath.Join(e.Root, "examples/incidents/bad-deploy")
	amCfg := writeFile(t, t.TempDir(), "am.yaml", "bsai:\n  incident:\n    sources:\n      alertmanager:\n        url: "+am.URL+"\n")
	args := []string{"-c", filepath.Join(scen, "app-config.yaml"), "-c", amCfg, "--offline", "incident", "investigate", "--dry-run"}

	tm := e.startTerm(t, args...)
	q := tm.waitFor("Choose 1-2:", 1)
	if !strings.Contains(q, "2 entities have firing alerts; investigate which?") || !strings.Contains(q, "1) component:default/ledger-service: LedgerJournalErrors since 2026-03-14 09:56 UTC") ||
		!strings.Contains(q, "2) component:default/payments-api: PaymentsHighErrorRate since 2026-03-14 10:00 UTC") {
		t.Fatalf("question:\n%s", q)
	}
	fmt.Fprint(tm.tty, "2\r")
	if code := tm.exitCode(); code != 0 {
		t.Fatalf("exit %d:\n%s", code, tm.output())
	}
	if o := tm.output(); !strings.Contains(o, "Incident: component:default/payments-api") || !strings.Contains(o, "v2.14.0") {
		t.Errorf("did not investigate the chosen entity:\n%s", o)
	}

	tm = e.startTerm(t, args...)
	tm.waitFor("Choose 1-2:", 1)
	fmt.Fprint(tm.tty, "\x03")
	if code := tm.exitCode(); code != 130 {
		t.Fatalf("Ctrl-C at the choice: exit %d, want 130:\n%s", code, tm.output())
	}
	if strings.Contains(tm.output(), "Incident:") {
		t.Errorf("investigated after Ctrl-C:\n%s", tm.output())
	}
}
