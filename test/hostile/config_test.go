//go:build linux

package hostile

import (
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// A bad value in config is a config error (exit 4) naming the key and the
// file that set it, never a flag error (exit 2, "--top-k") the user did
// not type.
func TestConfigValueOutOfRangeNamesKey(t *testing.T) {
	dir := t.TempDir()
	testkit.WriteFile(t, dir, "catalog.yaml", component("svc-a", ""))
	testkit.WriteFile(t, dir, "app-config.yaml", "bsai:\n  ask:\n    topK: 12345\n")
	r := bsai(t, invocation{dir: dir}, "ask", "--offline", "--catalog", "catalog.yaml", "who owns svc-a")
	if r.code != 4 || !strings.Contains(r.stderr, "bsai.ask.topK") || !strings.Contains(r.stderr, "app-config.yaml:3") ||
		strings.Contains(r.stderr, "--top-k") {
		t.Fatalf("want exit 4 naming bsai.ask.topK at app-config.yaml:3\n%s", r)
	}
	// A valid config value is used; a bad flag stays a usage error.
	testkit.WriteFile(t, dir, "app-config.yaml", "bsai:\n  ask:\n    topK: 3\n")
	r = bsai(t, invocation{dir: dir}, "ask", "--offline", "--catalog", "catalog.yaml", "who owns svc-a")
	if r.code != 0 {
		t.Fatalf("topK: 3: want exit 0\n%s", r)
	}
	r = bsai(t, invocation{dir: dir}, "ask", "--offline", "--catalog", "catalog.yaml", "--top-k", "0", "who owns svc-a")
	if r.code != 2 || !strings.Contains(r.stderr, "--top-k") {
		t.Fatalf("--top-k 0: want exit 2 naming the flag\n%s", r)
	}
}

// Wrong-typed blocks are reported by every command, not silently ignored
// because the command at hand does not read them.
func TestWrongTypedConfigBlocksAreReported(t *testing.T) {
	for _, tc := range []struct{ config, key string }{
		{"bsai: 5\n", `"bsai"`},
		{"bsai:\n  catalog: 5\n", `"bsai.catalog"`},
		{"bsai:\n  ask: [1, 2]\n", `"bsai.ask"`},
		{"bsai:\n  incident: none\n", `"bsai.incident"`},
		{"bsai:\n  incident:\n    sources: 3\n", `"bsai.incident.sources"`},
		{"bsai:\n  ai:\n    providers: [openai]\n", `"bsai.ai.providers"`},
		{"bsai:\n  scaffolder:\n    actions: {id: x}\n", `"bsai.scaffolder.actions"`},
		{"bsai:\n  limits:\n    inputBytes: lots\n", `"bsai.limits.inputBytes"`},
		{"backend: http://localhost:7007\n", `"backend"`},
		{"bsai:\n  mcp:\n    servers: [a]\n", `"bsai.mcp.servers"`},
		{"catalog:\n  locations: {type: file}\n", `"catalog.locations"`},
	} {
		dir := t.TempDir()
		testkit.WriteFile(t, dir, "catalog.yaml", component("svc-a", ""))
		testkit.WriteFile(t, dir, "app-config.yaml", tc.config)
		r := bsai(t, invocation{dir: dir}, "catalog", "list", "--catalog", "catalog.yaml")
		if r.code != 4 || !strings.Contains(r.stderr, tc.key) || !strings.Contains(r.stderr, "app-config.yaml:") {
			t.Errorf("config %q: want exit 4 naming %s and the file\n%s", tc.config, tc.key, r)
		}
	}
}
