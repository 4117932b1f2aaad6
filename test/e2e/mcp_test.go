package e2e

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// mcpConfig writes a Claude/Inspector style mcpServers file naming the
// backend's mcp-actions endpoint (with the right and a wrong token) and, when
// installed, npm's server-everything over stdio.
func (e *Env) mcpConfig(t *testing.T) (path string, everything bool) {
	t.Helper()
	servers := map[string]any{
		"backstage": map[string]any{"type": "http", "url": e.BaseURL + "/api/mcp-actions/v1",
			"headers": map[string]string{"Authorization": "Bearer " + Token}},
		"backstage-bad": map[string]any{"type": "http", "url": e.BaseURL + "/api/mcp-actions/v1",
			"headers": map[string]string{"Authorization": "Bearer not-the-right-token"}},
	}
	ev := filepath.Join(e.Root, "test", "mcp-servers", "node_modules", "@modelcontextprotocol", "server-everything", "dist", "index.js")
	if _, err := os.Stat(ev); err == nil {
		servers["everything"] = map[string]any{"command": "node", "args": []string{ev}}
		everything = true
	}
	data, _ := json.MarshalIndent(map[string]any{"mcpServers": servers}, "", "  ")
	path = filepath.Join(t.TempDir(), "mcp.json")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path, everything
}

// TestE2EMCP runs `bsai mcp tools/call` against Backstage's mcp-actions
// (stateless streamable HTTP, SSE replies, bearer token) and npm's
// server-everything (stdio).
func TestE2EMCP(t *testing.T) {
	e := need(t)
	cfg, everything := e.mcpConfig(t)

	t.Run("tools backstage", func(t *testing.T) {
		var tools []struct {
			Name        string         `json:"name"`
			InputSchema map[string]any `json:"inputSchema"`
		}
		e.JSON(t, &tools, "--mcp-config", cfg, "mcp", "tools", "backstage")
		names := map[string]bool{}
		for _, tl := range tools {
			names[tl.Name] = true
		}
		for _, want := range []string{"catalog.get-catalog-entity", "catalog.query-catalog-entities",
			"scaffolder.list-scaffolder-actions", "scaffolder.dry-run-template"} {
			if !names[want] {
				t.Errorf("tool %s missing from %d tools", want, len(tools))
			}
		}
	})

	t.Run("call backstage catalog.get-catalog-entity", func(t *testing.T) {
		live, err := e.Backend.allEntities(t.Context())
		if err != nil {
			t.Fatal(err)
		}
		var comp rawEntity
		for _, le := range live {
			if le.Kind == "Component" && len(le.Relations) > 0 {
				comp = le
				break
			}
		}
		var res struct {
			Content []struct {
				Type, Text string
			} `json:"content"`
			IsError bool `json:"isError"`
		}
		e.JSON(t, &res, "--mcp-config", cfg, "mcp", "call", "backstage", "catalog.get-catalog-entity",
			"kind=Component", "name="+comp.Metadata.Name)
		if res.IsError || len(res.Content) == 0 {
			t.Fatalf("isError %v, %d content items", res.IsError, len(res.Content))
		}
		var got rawEntity
		if err := json.Unmarshal([]byte(res.Content[0].Text), &got); err != nil {
			t.Fatalf("tool text is not the entity JSON: %v\n%s", err, clip(res.Content[0].Text, 500))
		}
		if got.ref() != comp.ref() || relsOf(got) != relsOf(comp) {
			t.Errorf("tool returned %s (%s), want %s (%s)", got.ref(), relsOf(got), comp.ref(), relsOf(comp))
		}
	})

	t.Run("call backstage unknown entity is a tool error", func(t *testing.T) {
		r := e.Bsai(t, "--mcp-config", cfg, "mcp", "call", "backstage", "catalog.get-catalog-entity", "name=no-such-entity")
		if r.Code != 1 || !strings.Contains(r.Stdout+r.Stderr, "no-such-entity") {
			t.Errorf("want exit 1 naming the entity\n%s", r)
		}
	})

	t.Run("call backstage bad arguments exit 2", func(t *testing.T) {
		// name is required by the tool's input schema.
		r := e.Bsai(t, "--mcp-config", cfg, "mcp", "call", "backstage", "catalog.get-catalog-entity", "kind=Component")
		if r.Code != 2 || !strings.Contains(r.Stderr, "name") {
			t.Errorf("want exit 2 naming the missing argument\n%s", r)
		}
	})

	// An API entity of spec.type mcp-server whose remote is this backend's
	// mcp-actions: bsai resolves the ref from the catalog and sends the
	// configured Backstage token (bsai.backstage.token) with it.
	t.Run("call by catalog ref with the backstage token", func(t *testing.T) {
		dir := t.TempDir()
		writeFile(t, dir, "mcp-api.yaml", `apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: backstage-mcp
  description: Backstage's own MCP actions.
spec:
  type: mcp-server
  lifecycle: production
  owner: platform-team
  definition: mcp-actions
  remotes:
    - type: streamable-http
      url: `+e.BaseURL+`/api/mcp-actions/v1
`)
		writeFile(t, dir, "app-config.yaml", "backend:\n  baseUrl: "+e.BaseURL+"\nbsai:\n  backstage:\n    token: "+Token+
			"\n  catalog:\n    source: files\n    files: [./mcp-api.yaml]\n")
		r := e.BsaiIn(t, dir, nil, "mcp", "call", "api:default/backstage-mcp", "catalog.get-catalog-entity",
			"kind=Group", "name=platform-team", "-o", "json")
		if r.Code != 0 || !strings.Contains(r.Stdout, "platform-team") {
			t.Fatalf("want the group from mcp-actions\n%s", r)
		}
	})

	t.Run("wrong token", func(t *testing.T) {
		r := e.Bsai(t, "--mcp-config", cfg, "mcp", "tools", "backstage-bad")
		// A rejected token is a config/auth error: exit 4, with a message
		// about the credentials, and the token never printed.
		if r.Code != 4 || !strings.Contains(strings.ToLower(r.Stderr), "401") {
			t.Errorf("want exit 4 with a 401 message\n%s", r)
		}
		if strings.Contains(r.Stdout+r.Stderr, "not-the-right-token") {
			t.Errorf("token leaked\n%s", r)
		}
	})

	t.Run("server-everything", func(t *testing.T) {
		if !everything {
			if os.Getenv("BSAI_REQUIRE_NPM") != "" {
				t.Fatal("test/mcp-servers/node_modules is not installed (BSAI_REQUIRE_NPM is set)")
			}
			t.Skip("test/mcp-servers/node_modules is not installed; run scripts/npm-setup.sh test/mcp-servers")
		}
		var tools []struct {
			Name string `json:"name"`
		}
		e.JSON(t, &tools, "--mcp-config", cfg, "mcp", "tools", "everything")
		if len(tools) < 3 {
			t.Fatalf("server-everything listed %d tools", len(tools))
		}
		var res struct {
			Content []struct{ Text string } `json:"content"`
		}
		e.JSON(t, &res, "--mcp-config", cfg, "mcp", "call", "everything", "get-sum", "a=2", "b=40")
		if len(res.Content) == 0 || !strings.Contains(res.Content[0].Text, "42") {
			t.Errorf("get-sum 2+40: %+v", res)
		}
		r := e.Ok(t, "--mcp-config", cfg, "mcp", "call", "everything", "echo", "message=hello from bsai")
		if !strings.Contains(r.Stdout, "hello from bsai") {
			t.Errorf("echo\n%s", r)
		}
	})
}
