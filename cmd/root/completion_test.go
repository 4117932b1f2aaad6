package root

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

// completionEnv writes an app-config.yaml with one stdio MCP server (this
// test binary, see TestMain), a files catalog and, when llmURL is set, a
// model provider; the cache goes to a temporary XDG_CACHE_HOME. It returns
// the file that counts server starts.
func completionEnv(t *testing.T, llmURL string) string {
	t.Helper()
	clearEnv(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	dir := t.TempDir()
	spawns := filepath.Join(dir, "spawns")
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cat := filepath.Join(dir, "catalog.yaml")
	writeFile(t, cat, `apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: billing-service, title: Billing service}
spec: {type: service, lifecycle: production, owner: team-x}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: billing-service}
spec: {type: openapi, lifecycle: production, owner: team-x, definition: "openapi: 3.0.0"}
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata: {name: team-x}
spec: {type: team, children: []}
---
apiVersion: example.com/v1
kind: Widget
metadata: {name: blue-widget}
spec: {owner: team-x}
`)
	cfg := `bsai:
  catalog:
    files: [` + cat + `]
  mcp:
    servers:
      fake:
        command: ` + exe + `
        env: {BSAI_ROOT_TEST_MCP: "1", BSAI_ROOT_TEST_SPAWNS: ` + spawns + `}
      other:
        url: http://127.0.0.1:1/mcp
`
	if llmURL != "" {
		cfg += `  ai:
    default: local
    providers:
      local: {type: openai-compatible, baseUrl: ` + llmURL + `, apiKey: ` + llmtest.APIKey + `, model: test-model}
      second: {type: ollama, model: llama3}
`
	}
	writeFile(t, "app-config.yaml", cfg)
	return spawns
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func countLines(path string) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0
	}
	return strings.Count(string(b), "\n")
}

// tabs runs `bsai __complete args...` and returns the candidates
// (value only) and the directive line.
func tabs(t *testing.T, args ...string) (values []string, directive string) {
	t.Helper()
	r := run(t, append([]string{"__complete"}, args...)...)
	if r.code != 0 {
		t.Fatalf("__complete %v: exit %d, stderr %q", args, r.code, r.errOut)
	}
	for _, line := range strings.Split(strings.TrimSpace(r.out), "\n") {
		if strings.HasPrefix(line, ":") {
			directive = line
			continue
		}
		v, _, _ := strings.Cut(line, "\t")
		values = append(values, v)
	}
	return values, directive
}

// wantTabs checks one completion: the candidates joined with "," (none at
// all for "") and, when directive is not "", the directive line.
func wantTabs(t *testing.T, want, directive string, args ...string) {
	t.Helper()
	got, dir := tabs(t, args...)
	if strings.Join(got, ",") != want || want == "" && len(got) != 0 || directive != "" && dir != directive {
		t.Errorf("__complete %q = %v %s, want %q %s", args, got, dir, want, directive)
	}
}

func TestCompleteMCPServersToolsAndArgs(t *testing.T) {
	spawns := completionEnv(t, "")

	// Server names come from config: nothing is started.
	wantTabs(t, "fake,other", ":4", "mcp", "call", "")
	if n := countLines(spawns); n != 0 {
		t.Errorf("listing server names started the server %d times", n)
	}

	// Tool names need the server once; the list is cached after that.
	wantTabs(t, "get-sum,progress,say,slow", "", "mcp", "call", "fake", "")
	wantTabs(t, "get-sum", "", "mcp", "tools", "fake", "g")
	if n := countLines(spawns); n != 1 {
		t.Errorf("server started %d times for two completions, want 1 (cached)", n)
	}

	// Argument keys from the inputSchema, without a trailing space
	// (directive 6 = NoSpace|NoFileComp), used keys left out.
	wantTabs(t, "a=,b=", ":6", "mcp", "call", "fake", "get-sum", "")
	wantTabs(t, "b=", "", "mcp", "call", "fake", "get-sum", "a=1", "")
	// Values: enum members and booleans.
	wantTabs(t, "mode=loud,mode=quiet", ":4", "mcp", "call", "fake", "say", "mode=")
	wantTabs(t, "twice=true", "", "mcp", "call", "fake", "say", "twice=t")
	if n := countLines(spawns); n != 1 {
		t.Errorf("server started %d times, want 1", n)
	}

	// An unreachable server completes nothing and fails nothing.
	wantTabs(t, "", "", "mcp", "call", "other", "")
}

// A changed server declaration must not reuse the old tool list.
func TestCompleteToolCacheKeyedByServerConfig(t *testing.T) {
	spawns := completionEnv(t, "")
	tabs(t, "mcp", "call", "fake", "")
	b, _ := os.ReadFile("app-config.yaml")
	writeFile(t, "app-config.yaml", strings.Replace(string(b), "env: {", "args: [--changed]\n        env: {", 1))
	tabs(t, "mcp", "call", "fake", "")
	if n := countLines(spawns); n != 2 {
		t.Errorf("server started %d times, want 2 (config changed)", n)
	}
}

func TestCompleteEntityRefsKindsFormats(t *testing.T) {
	completionEnv(t, "")
	wantTabs(t, "billing-service", ":4", "catalog", "get", "bil")
	wantTabs(t, "component:default/billing-service", "", "catalog", "get", "component:")
	// Second argument: nothing.
	wantTabs(t, "", "", "catalog", "get", "billing-service", "")
	got, _ := tabs(t, "catalog", "list", "--kind", "")
	joined := strings.Join(got, ",")
	if !strings.Contains(joined, "component") || !strings.Contains(joined, "widget") {
		t.Errorf("kinds = %v (want built-ins and the catalog's own kinds)", got)
	}
	// --filter: keys as the catalog has them, then that key's values.
	wantTabs(t, "spec.type=", ":6", "catalog", "list", "--filter", "spec.ty")
	wantTabs(t, "spec.type=openapi,spec.type=service,spec.type=team", "", "catalog", "list", "--filter", "spec.type=")
	wantTabs(t, "kind=group,spec.owner=team-x", "", "catalog", "list", "--filter", "kind=group,spec.owner=t")
	wantTabs(t, "billing-service", "", "incident", "investigate", "--service", "")
	wantTabs(t, "team-x", "", "template", "generate", "--owner", "team")
	wantTabs(t, "text,json,yaml", "", "catalog", "list", "-o", "")
	wantTabs(t, "markdown", "", "incident", "investigate", "-o", "m")
	wantTabs(t, "text,json,yaml,sarif,github", "", "template", "validate", "-o", "")
	// Template paths: the shell completes files with these extensions.
	wantTabs(t, "yaml,yml", ":8", "template", "validate", "")
}

func TestCompleteProvidersAndModels(t *testing.T) {
	srv := llmtest.New(t)
	srv.Models = []string{"gpt-x", "gpt-y", "other"}
	completionEnv(t, srv.URL)
	wantTabs(t, "local,second", "", "ask", "--provider", "")
	wantTabs(t, "gpt-x,gpt-y", "", "ask", "--model", "gpt")
	wantTabs(t, "gpt-x,gpt-y,other", "", "--offline", "ask", "--model", "")
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests to /models, want 1 (cached)", n)
	}
}
