package mcp_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// A bsai.mcp block of the wrong type is a config error (exit 4) naming the
// key, not silently ignored (which left "no servers configured").
func TestWrongTypedMCPConfig(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	for _, tc := range []struct{ body, key string }{
		{"bsai:\n  mcp: servers\n", `"bsai.mcp"`},
		{"bsai:\n  mcp: [everything]\n", `"bsai.mcp"`},
		{"bsai:\n  mcp:\n    servers: [everything]\n", `bsai.mcp.servers`},
		{"bsai:\n  mcp:\n    servers:\n      everything: npx server\n", `bsai.mcp.servers.everything`},
		{"bsai:\n  mcp:\n    maxMessageSize: [1]\n", `bsai.mcp.maxMessageSize`},
		{"bsai:\n  mcp:\n    serve: {maxSessions: many}\n", `bsai.mcp.serve.maxSessions`},
	} {
		cfg := filepath.Join(dir, "app-config.yaml")
		if err := os.WriteFile(cfg, []byte(tc.body), 0o600); err != nil {
			t.Fatal(err)
		}
		code, _, errOut := runBsai(t, "", "-c", cfg, "mcp", "servers")
		if code != 4 || !strings.Contains(errOut, tc.key) {
			t.Errorf("%q: exit %d, want 4 naming %s\n%s", tc.body, code, tc.key, errOut)
		}
	}
}

// A server error with an empty message says so instead of ending in
// "tools/list:" or "tool x:".
func TestEmptyErrorReasons(t *testing.T) {
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	cfg := hostileConfig(t, dir, nil, "")
	code, _, errOut := runBsai(t, "", "-c", cfg, "mcp", "call", "hostile", "empty-error")
	if code != 1 || !strings.Contains(errOut, "no message") || strings.Contains(errOut, "empty-error: \n") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
	cfg = hostileConfig(t, dir, map[string]string{"HOSTILE_LIST_ERROR": "1"}, "")
	code, _, errOut = runBsai(t, "", "-c", cfg, "mcp", "tools", "hostile")
	if code != 1 || !strings.Contains(errOut, "tools/list: the server answered with an error and no message") {
		t.Fatalf("exit %d\n%s", code, errOut)
	}
}

// A tool's inputSchema comes from the server; a $ref to a local file (here
// a FIFO nobody writes to, like /dev/tty) must not make bsai open it and
// block: external refs are not followed.
func TestSchemaRefToLocalFileNotFollowed(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no FIFOs here:", err)
	}
	cfg := hostileConfig(t, dir, map[string]string{"HOSTILE_REF": fifo}, "")
	self, _ := os.Executable()
	cmd := exec.Command(self, "-c", cfg, "mcp", "call", "hostile", "ref-file", "a=1")
	cmd.Env = append(os.Environ(), "BSAI_TEST_AS=bsai", "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil || !strings.Contains(out.String(), "ok") {
			t.Fatalf("%v\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		_ = cmd.Process.Kill()
		<-done
		t.Fatalf("bsai blocked opening the FIFO a tool schema referenced\n%s", out.String())
	}
}
