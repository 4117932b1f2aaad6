package factory

import (
	"context"
	"net/http"
	"os"
	"path/filepath"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/iostreams"
)

func mcpTestFactory(t *testing.T, mcpConfig string) *Factory {
	ios, _, _, _ := iostreams.Test()
	cfg := config.FromMap(map[string]any{
		"backend": map[string]any{"baseUrl": "http://backstage.local:7007"},
		"bsai": map[string]any{
			"backstage": map[string]any{"token": "tok"},
			"mcp": map[string]any{"servers": map[string]any{
				"a": map[string]any{"command": "from-config"},
				"c": map[string]any{"url": "http://127.0.0.1:1/mcp"},
			}},
		},
	})
	g := catalog.NewGraph([]catalog.Entity{
		{Kind: "API", Metadata: catalog.Metadata{Name: "actions"}, Spec: map[string]any{"type": "mcp-server",
			"remotes": []any{map[string]any{"type": "streamable-http", "url": "http://backstage.local:7007/api/mcp-actions/v1"}}}},
		{Kind: "API", Metadata: catalog.Metadata{Name: "elsewhere"}, Spec: map[string]any{"type": "mcp-server",
			"remotes": []any{map[string]any{"url": "https://mcp.example.com/mcp"}}}},
	})
	return &Factory{
		IOStreams:  ios,
		Globals:    &GlobalOptions{MCPConfig: mcpConfig},
		Config:     func() (*config.Config, error) { return cfg, nil },
		HTTPClient: func() (*http.Client, error) { return &http.Client{}, nil },
		Catalog:    func(context.Context) (*catalog.Graph, error) { return g, nil },
	}
}

func TestNewMCPMergesConfigAndFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "mcp.json")
	_ = os.WriteFile(p, []byte(`{"mcpServers": {"a": {"command": "from-file"}, "b": {"type": "sse", "url": "http://127.0.0.1:2/sse"}}}`), 0o600)
	r, err := newMCP(mcpTestFactory(t, p))
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	got := map[string]string{}
	for _, s := range r.Servers() {
		got[s.ID] = s.Transport + " " + s.Target
	}
	want := map[string]string{"a": "stdio from-file", "b": "sse http://127.0.0.1:2/sse", "c": "http http://127.0.0.1:1/mcp"}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("%s: got %q want %q (all %v)", k, got[k], v, got)
		}
	}
}

func TestResolveMCPRef(t *testing.T) {
	f := mcpTestFactory(t, "")
	s, ok, err := resolveMCPRef(context.Background(), f, "api:default/actions")
	if err != nil || !ok || s.URL != "http://backstage.local:7007/api/mcp-actions/v1" || s.Headers["Authorization"] != "Bearer tok" {
		t.Fatalf("%+v %v %v", s, ok, err)
	}
	// The Backstage token only goes to the Backstage backend.
	s, ok, err = resolveMCPRef(context.Background(), f, "api:elsewhere")
	if err != nil || !ok || s.Headers["Authorization"] != "" {
		t.Fatalf("%+v %v %v", s, ok, err)
	}
	if _, ok, _ := resolveMCPRef(context.Background(), f, "everything"); ok {
		t.Fatal("a plain id is not a ref")
	}
	if _, ok, _ := resolveMCPRef(context.Background(), f, "api:default/missing"); ok {
		t.Fatal("missing entity resolved")
	}
}
