package mcp_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/cmd/factory/factorytest"
	"github.com/bsai-dev/bsai/cmd/root"
	"github.com/bsai-dev/bsai/internal/testkit"
)

// runBsai runs the real command tree like main does and returns the exit
// code with stdout and stderr.
func runBsai(t *testing.T, stdin string, args ...string) (int, string, string) {
	t.Helper()
	f, in, out, errOut := factorytest.New()
	in.WriteString(stdin)
	code := root.Execute(context.Background(), f, args)
	return code, out.String(), errOut.String()
}

func TestEndToEndExitCodes(t *testing.T) {
	entry := testkit.NPMServer(t, "server-everything")
	dir := t.TempDir()
	// Server logs go to the user cache dir; keep them out of the real one.
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	cfg := filepath.Join(dir, "app-config.yaml")
	if err := os.WriteFile(cfg, []byte(`bsai:
  mcp:
    servers:
      everything:
        command: node
        args: ["`+entry+`", "stdio"]
        env:
          SECRET_FOR_TEST: do-not-print
`), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		stdin    string
		args     []string
		code     int
		out, err string
	}{
		{"servers", "", []string{"mcp", "servers"}, 0, "everything  stdio", ""},
		{"echo", "", []string{"mcp", "call", "everything", "echo", "message=hi"}, 0, "Echo: hi\n", ""},
		{"args stdin json", `{"a": 1, "b": 2}`, []string{"mcp", "call", "everything", "get-sum", "--args", "-", "-o", "json"}, 0, `"isError": false`, ""},
		{"isError exits 1", "", []string{"mcp", "call", "everything", "get-sum", "--no-validate", "--args", `{"a": "x", "b": 1}`}, 1, "", ""},
		{"missing arg exits 2", "", []string{"mcp", "call", "everything", "get-sum", "a=1"}, 2, "", "missing required argument b"},
		{"unknown tool exits 2", "", []string{"mcp", "call", "everything", "get-summ"}, 2, "", "did you mean get-sum"},
		{"unknown server exits 2", "", []string{"mcp", "tools", "nope"}, 2, "", "configured servers: everything"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runBsai(t, tc.stdin, append([]string{"-c", cfg}, tc.args...)...)
			if code != tc.code || !strings.Contains(out, tc.out) || !strings.Contains(errOut, tc.err) {
				t.Fatalf("exit %d (want %d)\nstdout: %s\nstderr: %s", code, tc.code, out, errOut)
			}
			if strings.Contains(out+errOut, "do-not-print") {
				t.Fatal("env value printed")
			}
		})
	}
}
