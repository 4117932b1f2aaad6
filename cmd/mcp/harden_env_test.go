package mcp_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// getEnv calls server-everything's get-env tool (it prints its whole
// process environment as JSON) and returns what the server saw.
func getEnv(t *testing.T, args ...string) map[string]string {
	t.Helper()
	code, out, errOut := runBsai(t, "", args...)
	if code != 0 {
		t.Fatalf("exit %d\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	var env map[string]string
	if err := json.Unmarshal([]byte(out), &env); err != nil {
		t.Fatalf("get-env output is not JSON: %v\n%s", err, out)
	}
	return env
}

// Stdio servers get a safe default environment (as the TypeScript MCP SDK's
// getDefaultEnvironment: HOME, LOGNAME, PATH, SHELL, TERM, USER) plus what
// the declaration's env says, never bsai's own credentials, unless the
// server opts in with inheritEnv: true. Same for all three places a server
// can be declared.
func TestStdioServerEnvironment(t *testing.T) {
	entry := testkit.NPMServer(t, "server-everything")
	dir := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(dir, "cache"))
	t.Setenv("OPENAI_API_KEY", "sk-test-openai-key-123456")
	t.Setenv("BACKSTAGE_TOKEN", "backstage-test-token-654321")
	t.Setenv("BSAI_TEST_PASSED_ON", "declared-value")
	t.Setenv("HOME", dir)
	server := func(extra string) string {
		return `        command: node
        args: ["` + entry + `", "stdio"]
        env:
          FROM_CONFIG: "${BSAI_TEST_PASSED_ON}"
` + extra
	}
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	bsaiCfg := write("bsai.yaml", "bsai:\n  mcp:\n    servers:\n      everything:\n"+server(""))
	bsaiInherit := write("bsai-inherit.yaml", "bsai:\n  mcp:\n    servers:\n      everything:\n"+server("        inheritEnv: true\n"))
	seedCfg := write("seed.yaml", "scaffolder:\n  mcpServers:\n    everything:\n"+server(""))
	seedInherit := write("seed-inherit.yaml", "scaffolder:\n  mcpServers:\n    everything:\n"+server("        inheritEnv: true\n"))
	empty := write("empty.yaml", "bsai: {}\n")
	jsonServer := func(inherit bool) string {
		m := map[string]any{"command": "node", "args": []string{entry, "stdio"},
			"env": map[string]string{"FROM_CONFIG": "${BSAI_TEST_PASSED_ON}"}}
		if inherit {
			m["inheritEnv"] = true
		}
		b, _ := json.Marshal(map[string]any{"mcpServers": map[string]any{"everything": m}})
		return string(b)
	}
	jsonCfg := write("servers.json", jsonServer(false))
	jsonInherit := write("servers-inherit.json", jsonServer(true))

	call := []string{"mcp", "call", "everything", "get-env"}
	for _, tc := range []struct {
		name    string
		args    []string
		inherit bool
	}{
		{"bsai.mcp.servers", []string{"-c", bsaiCfg}, false},
		{"bsai.mcp.servers inheritEnv", []string{"-c", bsaiInherit}, true},
		{"scaffolder.mcpServers", []string{"-c", seedCfg}, false},
		{"scaffolder.mcpServers inheritEnv", []string{"-c", seedInherit}, true},
		{"--mcp-config", []string{"-c", empty, "--mcp-config", jsonCfg}, false},
		{"--mcp-config inheritEnv", []string{"-c", empty, "--mcp-config", jsonInherit}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := getEnv(t, append(tc.args, call...)...)
			if env["FROM_CONFIG"] != "declared-value" {
				t.Errorf("declared env with ${VAR} expansion missing: FROM_CONFIG=%q", env["FROM_CONFIG"])
			}
			for _, k := range []string{"PATH", "HOME"} {
				if env[k] != os.Getenv(k) {
					t.Errorf("%s=%q, want the default environment's %q", k, env[k], os.Getenv(k))
				}
			}
			for _, k := range []string{"OPENAI_API_KEY", "BACKSTAGE_TOKEN", "BSAI_TEST_PASSED_ON"} {
				_, has := env[k]
				if has != tc.inherit {
					t.Errorf("%s present=%v, want %v (inheritEnv=%v)", k, has, tc.inherit, tc.inherit)
				}
			}
		})
	}
	// The value never shows in output either way.
	_, out, errOut := runBsai(t, "", "-c", bsaiCfg, "mcp", "servers")
	if strings.Contains(out+errOut, "declared-value") {
		t.Fatalf("env value printed by mcp servers:\n%s%s", out, errOut)
	}
}
