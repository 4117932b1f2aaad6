package mcp_test

import (
	"bufio"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// `bsai mcp serve --http --max-sessions N` keeps at most N sessions: a
// client whose session was evicted gets 404 (and would initialise again),
// the newest ones keep working. Run as the real CLI in a child process.
func TestServeHTTPSessionCapFromCLI(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "app-config.yaml")
	if err := os.WriteFile(cfg, []byte("bsai:\n  mcp:\n    serve:\n      sessionIdleTimeout: 10m\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	self, _ := os.Executable()
	cmd := exec.Command(self, "-c", cfg, "--offline", "mcp", "serve", "--http", "127.0.0.1:0", "--max-sessions", "3")
	cmd.Env = append(os.Environ(), "BSAI_TEST_AS=bsai", "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		_ = cmd.Wait()
	}()
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stderr)
		re := regexp.MustCompile(`listening on (http://\S+)`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m[1]
			}
		}
		close(addr)
	}()
	var url string
	select {
	case u, ok := <-addr:
		if !ok {
			t.Fatal("mcp serve exited before listening")
		}
		url = u
	case <-time.After(30 * time.Second):
		t.Fatal("mcp serve did not start")
	}
	const list = `{"jsonrpc":"2.0","id":2,"method":"tools/list"}`
	var ids []string
	for i := 0; i < 6; i++ {
		code, id := testkit.MCPPost(t, url, "", testkit.MCPInitialize)
		if code != http.StatusOK || !strings.HasPrefix(id, "mcp-session-") {
			t.Fatalf("initialize %d: %d %q", i, code, id)
		}
		ids = append(ids, id)
	}
	if code, _ := testkit.MCPPost(t, url, ids[0], list); code != http.StatusNotFound {
		t.Fatalf("the oldest of 6 sessions with --max-sessions 3: %d, want 404", code)
	}
	for _, id := range ids[3:] {
		if code, _ := testkit.MCPPost(t, url, id, list); code != http.StatusOK {
			t.Fatalf("a recent session: %d, want 200", code)
		}
	}
}
