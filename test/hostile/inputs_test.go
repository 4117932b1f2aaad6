//go:build linux

package hostile

import (
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// endless is stdin that never ends (`yes | bsai …`); n counts what bsai
// took from it.
type endless struct{ n atomic.Int64 }

func (e *endless) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = ' ' // whitespace keeps a JSON decoder reading too
	}
	e.n.Add(int64(len(p)))
	return len(p), nil
}

// TestEndlessStdinStopsAtTheCap is issue #12 item 3 for stdin: each read
// stops one byte over bsai.limits.inputBytes with an error naming the cap
// and the key, so memory stays bounded whatever is piped in.
func TestEndlessStdinStopsAtTheCap(t *testing.T) {
	const capBytes = 1 << 20
	// What may be in flight besides the cap: bsai's read chunk, the pipe
	// buffer and os/exec's copy buffer.
	const slack = 1 << 20
	for _, args := range [][]string{
		{"incident", "investigate", "--alert", "-", "--catalog", "catalog.yaml"},
		{"template", "validate", "-", "--offline"},
		{"mcp", "call", "some-server", "some-tool", "--args", "-"},
	} {
		dir := t.TempDir()
		testkit.WriteFile(t, dir, "catalog.yaml", component("svc-a", ""))
		in := &endless{}
		r := bsai(t, invocation{dir: dir, stdin: in, timeout: time.Minute, env: []string{"APP_CONFIG_bsai_limits_inputBytes=1MiB"}}, args...)
		if r.code != 2 || !strings.Contains(r.stderr, "1.0 MiB limit") || !strings.Contains(r.stderr, "bsai.limits.inputBytes") {
			t.Errorf("want exit 2 naming the 1 MiB cap and bsai.limits.inputBytes\n%s", r)
		}
		if got := in.n.Load(); got > capBytes+slack {
			t.Errorf("bsai %s read %d bytes of stdin for a %d-byte cap", strings.Join(args, " "), got, capBytes)
		}
	}
}

// TestSpecialFilesAsInputsAreRefused: /dev/zero, a link to it and a FIFO
// as --alert, --args @file, a template, --mcp-config, or a config $file /
// $include target are refused up front (exit 2 for what the command line
// names, 4 for config), never read forever or waited on (items 3 and 6).
func TestSpecialFilesAsInputsAreRefused(t *testing.T) {
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "catalog.yaml", component("svc-a", ""))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.json"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		args []string
		code int
		what string
	}{
		{[]string{"incident", "investigate", "--alert", "/dev/zero", "--catalog", "catalog.yaml"}, 2, "character device"},
		{[]string{"incident", "investigate", "--alert", "fifo.json", "--catalog", "catalog.yaml"}, 2, "named pipe"},
		{[]string{"mcp", "call", "srv", "tool", "--args", "@/dev/zero"}, 2, "character device"},
		{[]string{"mcp", "call", "srv", "tool", "--args", "@fifo.json"}, 2, "named pipe"},
		{[]string{"template", "validate", "--offline", "fifo.yaml"}, 2, "named pipe"},
		{[]string{"template", "validate", "--offline", "zero.yaml"}, 2, "character device"},
		{[]string{"mcp", "servers", "--mcp-config", "fifo.json"}, 4, "named pipe"},
	} {
		r := bsai(t, invocation{dir: dir, timeout: 30 * time.Second}, tc.args...)
		if r.code != tc.code || !strings.Contains(r.stderr, tc.what) {
			t.Errorf("want exit %d naming a %s\n%s", tc.code, tc.what, r)
		}
	}
	for _, cfg := range []struct{ yaml, what string }{
		{"app:\n  title:\n    $file: ./fifo.json\n", "named pipe"},
		{"app:\n  title:\n    $file: /dev/zero\n", "character device"},
		{"app:\n  $include: ./fifo.yaml\n", "named pipe"},
		{"app:\n  $include: ./zero.yaml\n", "character device"},
	} {
		testkit.WriteFile(t, dir, "app-config.yaml", cfg.yaml)
		r := bsai(t, invocation{dir: dir, timeout: 30 * time.Second}, "catalog", "list", "--catalog", "catalog.yaml")
		if r.code != 4 || !strings.Contains(r.stderr, cfg.what) || !strings.Contains(r.stderr, "app-config.yaml:") {
			t.Errorf("config %q: want exit 4 naming a %s and the line\n%s", cfg.yaml, cfg.what, r)
		}
	}
	// Config is trusted, but still capped.
	testkit.WriteFile(t, dir, "big.txt", strings.Repeat("x", 4096))
	testkit.WriteFile(t, dir, "app-config.yaml", "app:\n  title:\n    $file: ./big.txt\n")
	r := bsai(t, invocation{dir: dir, env: []string{"APP_CONFIG_bsai_limits_inputBytes=1KiB"}}, "catalog", "list", "--catalog", "catalog.yaml")
	if r.code != 4 || !strings.Contains(r.stderr, "1.0 KiB limit") {
		t.Errorf("$file over the cap: want exit 4 naming it\n%s", r)
	}
}

// TestCtrlCInterruptsABlockedStdinRead is item 6: bsai waiting on a stdin
// nobody writes to stops on SIGINT with exit 130 (today three SIGINTs did
// nothing).
func TestCtrlCInterruptsABlockedStdinRead(t *testing.T) {
	for _, args := range [][]string{
		{"incident", "investigate", "--alert", "-", "--catalog", "catalog.yaml"},
		{"template", "validate", "--offline", "-"},
		{"mcp", "call", "srv", "tool", "--args", "-"},
	} {
		dir := t.TempDir()
		testkit.WriteFile(t, dir, "catalog.yaml", component("svc-a", ""))
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		r := bsai(t, invocation{dir: dir, stdin: pr, timeout: 30 * time.Second, started: func(p *os.Process) {
			go func() {
				time.Sleep(1500 * time.Millisecond) // let it reach the read
				_ = p.Signal(os.Interrupt)
			}()
		}}, args...)
		pw.Close()
		pr.Close()
		if r.code != 130 || !strings.Contains(r.stderr, "interrupted") {
			t.Errorf("want exit 130 after SIGINT\n%s", r)
		}
	}
}

// TestConfigFileItselfAFIFO: an app-config.yaml that is a FIFO (or a link
// to /dev/zero) in the working directory is refused, by the load and by
// `config path`, which only looks for it.
func TestConfigFileItselfAFIFO(t *testing.T) {
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "catalog.yaml", component("svc-a", ""))
	if err := syscall.Mkfifo(filepath.Join(dir, "app-config.yaml"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "app-config.local.yaml")); err != nil {
		t.Fatal(err)
	}
	r := bsai(t, invocation{dir: dir, timeout: 30 * time.Second}, "catalog", "list", "--catalog", "catalog.yaml")
	if r.code != 4 || !strings.Contains(r.stderr, "named pipe") {
		t.Errorf("want exit 4 naming the FIFO\n%s", r)
	}
	r = bsai(t, invocation{dir: dir, timeout: 30 * time.Second}, "config", "path")
	if !strings.Contains(r.stdout+r.stderr, "app-config.yaml") {
		t.Errorf("config path: want the file listed\n%s", r)
	}
}

// TestIncidentDataFilesSpecialFilesRefused: deploys, metrics and logs
// files named in config are read like every other input — a FIFO (which
// blocked the investigation forever) or /dev/zero is refused up front and
// named, and the investigation still finishes from the other sources.
func TestIncidentDataFilesSpecialFilesRefused(t *testing.T) {
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "catalog.yaml", component("svc-a", ""))
	testkit.WriteFile(t, dir, "alert.json", `{"status":"firing","alerts":[{"status":"firing","labels":{"alertname":"HighErrorRate","service":"svc-a"},"startsAt":"2026-03-14T10:00:00Z"}]}`)
	if err := syscall.Mkfifo(filepath.Join(dir, "deploys.jsonl"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "logs.jsonl"), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "metrics.json")); err != nil {
		t.Fatal(err)
	}
	testkit.WriteFile(t, dir, "app-config.yaml", "bsai:\n  incident:\n    sources:\n"+
		"      deploys: {files: [./deploys.jsonl]}\n      logs: {files: [./logs.jsonl]}\n      metrics: {files: [./metrics.json]}\n")
	r := bsai(t, invocation{dir: dir, timeout: 30 * time.Second}, "incident", "investigate", "--offline",
		"--catalog", "catalog.yaml", "--alert", "alert.json", "-o", "json")
	for _, want := range []string{"deploys.jsonl", "logs.jsonl", "named pipe", "character device"} {
		if !strings.Contains(r.stderr+r.stdout, want) {
			t.Errorf("want %q named\n%s", want, r)
		}
	}
}
