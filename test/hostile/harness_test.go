//go:build linux

// Package hostile (Linux: it uses /proc/self/environ and FIFOs) runs the built bsai binary against hostile and broken
// inputs (issue #12): files that never end, FIFOs, placeholders that reach
// for /proc/self/environ, terminal escapes in catalog text, wrong-typed
// config. It needs nothing but the Go toolchain; TestMain builds the binary
// once.
package hostile

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// Secrets the tests put in bsai's environment; none may ever appear in
// output or in a request to a model.
const (
	secretToken = "bst-hostile-7f3a9c1e5b"
	secretKey   = "sk-hostile-0d8e2b6a4c"
)

var bin string

func TestMain(m *testing.M) { os.Exit(run(m)) }

func run(m *testing.M) int {
	tmp, err := os.MkdirTemp("", "bsai-hostile-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	if bin, err = testkit.BsaiBinary(tmp); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return m.Run()
}

// result is one run of the binary.
type result struct {
	args           []string
	stdout, stderr string
	code           int
}

func (r result) String() string {
	return fmt.Sprintf("bsai %s\nexit %d\n--- stdout ---\n%s\n--- stderr ---\n%s",
		strings.Join(r.args, " "), r.code, clip(r.stdout), clip(r.stderr))
}

func clip(s string) string {
	if len(s) > 3000 {
		return s[:3000] + "\n…(clipped)"
	}
	return s
}

// run is one invocation: dir is the working directory, stdin may be nil.
type invocation struct {
	dir     string
	env     []string
	stdin   io.Reader
	timeout time.Duration
	// started, when set, receives the process once it runs (to signal it).
	started func(*os.Process)
}

// bsai runs the binary with secrets in its environment (so a leak of
// /proc/self/environ is visible) and no user config.
func bsai(t *testing.T, inv invocation, args ...string) result {
	t.Helper()
	if inv.dir == "" {
		inv.dir = t.TempDir()
	}
	if inv.timeout == 0 {
		inv.timeout = 2 * time.Minute
	}
	ctx, cancel := context.WithTimeout(context.Background(), inv.timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Dir = inv.dir
	cmd.Env = append(baseEnv(inv.dir), inv.env...)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	if inv.stdin != nil {
		cmd.Stdin = inv.stdin
	} else {
		cmd.Stdin = strings.NewReader("")
	}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start bsai: %v", err)
	}
	if inv.started != nil {
		inv.started(cmd.Process)
	}
	err := cmd.Wait()
	r := result{args: args, stdout: out.String(), stderr: errb.String(), code: testkit.ExitCode(t, err)}
	if ctx.Err() != nil {
		t.Fatalf("bsai timed out after %s (killed)\n%s", inv.timeout, r)
	}
	return r
}

func baseEnv(home string) []string {
	var out []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		switch {
		case strings.HasPrefix(k, "BSAI_"), strings.HasPrefix(k, "APP_CONFIG_"), k == "BACKSTAGE_TOKEN", k == "HOME",
			strings.HasPrefix(k, "XDG_"), strings.HasSuffix(k, "_API_KEY"):
			continue
		}
		out = append(out, kv)
	}
	return append(out, "HOME="+home, "XDG_CACHE_HOME="+filepath.Join(home, ".cache"), "XDG_CONFIG_HOME="+filepath.Join(home, ".config"),
		"NO_COLOR=1", "BACKSTAGE_TOKEN="+secretToken, "OPENAI_API_KEY="+secretKey)
}

// noSecrets fails when any output holds one of the environment's secrets.
func noSecrets(t *testing.T, what string, texts ...string) {
	t.Helper()
	for _, s := range texts {
		for _, secret := range []string{secretToken, secretKey} {
			if strings.Contains(s, secret) {
				t.Errorf("%s leaks %s:\n%s", what, secret, clip(s))
			}
		}
	}
}

// component is a minimal valid catalog entity with extra spec YAML
// (indented by four spaces).
func component(name, spec string) string {
	return `apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ` + name + `
  description: a service
spec:
  type: service
  lifecycle: production
  owner: group:default/team-a
` + spec
}
