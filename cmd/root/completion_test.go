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

func TestCompleteMCPServersToolsAndArgs(t *testing.T) {
	spawns := completionEnv(t, "")

	// Server names come from config: nothing is started.
	got, dir := tabs(t, "mcp", "call", "")
	if strings.Join(got, ",") != "fake,other" || dir != ":4" {
		t.Errorf("servers = %v %s", got, dir)
	}
	if n := countLines(spawns); n != 0 {
		t.Errorf("listing server names started the server %d times", n)
	}

	// Tool names need the server once; the list is cached after that.
	got, _ = tabs(t, "mcp", "call", "fake", "")
	if strings.Join(got, ",") != "get-sum,progress,say,slow" {
		t.Errorf("tools = %v", got)
	}
	got, _ = tabs(t, "mcp", "tools", "fake", "g")
	if strings.Join(got, ",") != "get-sum" {
		t.Errorf("tools with prefix = %v", got)
	}
	if n := countLines(spawns); n != 1 {
		t.Errorf("server started %d times for two completions, want 1 (cached)", n)
	}

	// Argument keys from the inputSchema, without a trailing space
	// (directive 6 = NoSpace|NoFileComp), used keys left out.
	got, dir = tabs(t, "mcp", "call", "fake", "get-sum", "")
	if strings.Join(got, ",") != "a=,b=" || dir != ":6" {
		t.Errorf("arg keys = %v %s", got, dir)
	}
	got, _ = tabs(t, "mcp", "call", "fake", "get-sum", "a=1", "")
	if strings.Join(got, ",") != "b=" {
		t.Errorf("arg keys after a=1 = %v", got)
	}
	// Values: enum members and booleans.
	got, dir = tabs(t, "mcp", "call", "fake", "say", "mode=")
	if strings.Join(got, ",") != "mode=loud,mode=quiet" || dir != ":4" {
		t.Errorf("enum values = %v %s", got, dir)
	}
	got, _ = tabs(t, "mcp", "call", "fake", "say", "twice=t")
	if strings.Join(got, ",") != "twice=true" {
		t.Errorf("boolean values = %v", got)
	}
	if n := countLines(spawns); n != 1 {
		t.Errorf("server started %d times, want 1", n)
	}

	// An unreachable server completes nothing and fails nothing.
	if got, _ := tabs(t, "mcp", "call", "other", ""); len(got) != 0 {
		t.Errorf("unreachable server gave %v", got)
	}
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
	got, dir := tabs(t, "catalog", "get", "bil")
	if strings.Join(got, ",") != "billing-service" || dir != ":4" {
		t.Errorf("refs by name = %v %s", got, dir)
	}
	got, _ = tabs(t, "catalog", "get", "component:")
	if strings.Join(got, ",") != "component:default/billing-service" {
		t.Errorf("full refs = %v", got)
	}
	// Second argument: nothing.
	if got, _ := tabs(t, "catalog", "get", "billing-service", ""); len(got) != 0 {
		t.Errorf("second arg = %v", got)
	}
	got, _ = tabs(t, "catalog", "list", "--kind", "")
	joined := strings.Join(got, ",")
	if !strings.Contains(joined, "component") || !strings.Contains(joined, "widget") {
		t.Errorf("kinds = %v (want built-ins and the catalog's own kinds)", got)
	}
	// --filter: keys as the catalog has them, then that key's values.
	got, dir = tabs(t, "catalog", "list", "--filter", "spec.ty")
	if strings.Join(got, ",") != "spec.type=" || dir != ":6" {
		t.Errorf("--filter keys = %v %s", got, dir)
	}
	got, _ = tabs(t, "catalog", "list", "--filter", "spec.type=")
	if strings.Join(got, ",") != "spec.type=openapi,spec.type=service,spec.type=team" {
		t.Errorf("--filter values = %v", got)
	}
	got, _ = tabs(t, "catalog", "list", "--filter", "kind=group,spec.owner=t")
	if strings.Join(got, ",") != "kind=group,spec.owner=team-x" {
		t.Errorf("--filter second pair = %v", got)
	}
	got, _ = tabs(t, "incident", "investigate", "--service", "")
	if strings.Join(got, ",") != "billing-service" {
		t.Errorf("--service = %v (components only)", got)
	}
	got, _ = tabs(t, "template", "generate", "--owner", "team")
	if strings.Join(got, ",") != "team-x" {
		t.Errorf("--owner = %v", got)
	}
	got, _ = tabs(t, "catalog", "list", "-o", "")
	if strings.Join(got, ",") != "text,json,yaml" {
		t.Errorf("-o = %v", got)
	}
	got, _ = tabs(t, "incident", "investigate", "-o", "m")
	if strings.Join(got, ",") != "markdown" {
		t.Errorf("incident -o m = %v", got)
	}
	got, _ = tabs(t, "template", "validate", "-o", "")
	if strings.Join(got, ",") != "text,json,yaml,sarif,github" {
		t.Errorf("template validate -o = %v", got)
	}
	// Template paths: the shell completes files with these extensions.
	got, dir = tabs(t, "template", "validate", "")
	if strings.Join(got, ",") != "yaml,yml" || dir != ":8" {
		t.Errorf("template validate = %v %s", got, dir)
	}
}

func TestCompleteProvidersAndModels(t *testing.T) {
	srv := llmtest.New(t)
	srv.Models = []string{"gpt-x", "gpt-y", "other"}
	completionEnv(t, srv.URL)
	got, _ := tabs(t, "ask", "--provider", "")
	if strings.Join(got, ",") != "local,second" {
		t.Errorf("providers = %v", got)
	}
	got, _ = tabs(t, "ask", "--model", "gpt")
	if strings.Join(got, ",") != "gpt-x,gpt-y" {
		t.Errorf("models = %v", got)
	}
	got, _ = tabs(t, "--offline", "ask", "--model", "")
	if strings.Join(got, ",") != "gpt-x,gpt-y,other" {
		t.Errorf("models (cached) = %v", got)
	}
	if n := len(srv.Requests()); n != 1 {
		t.Errorf("%d requests to /models, want 1 (cached)", n)
	}
}
