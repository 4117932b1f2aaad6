package mcp

import (
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// LooksLikeRef reports whether a server argument is meant as an entity ref
// (api:default/x, default/x, api:x) rather than a configured id.
func LooksLikeRef(s string) bool { return strings.ContainsAny(s, ":/") }

// ServerFromEntity turns an API entity of spec.type mcp-server into a server
// declaration (Backstage RFC #32062: spec.remotes[] mirrors the MCP
// registry's remotes, {type: streamable-http|sse, url}). A streamable-http
// remote is preferred over sse.
func ServerFromEntity(e *catalog.Entity) (config.MCPServer, error) {
	ref := e.Ref().String()
	if !strings.EqualFold(e.Kind, "API") || e.SpecString("type") != "mcp-server" {
		return config.MCPServer{}, errs.Usage("%s is not an MCP server (want kind API with spec.type mcp-server)", ref).
			WithHint("declare it with spec.type: mcp-server and spec.remotes: [{type: streamable-http, url: ...}]")
	}
	remotes, _ := e.Spec["remotes"].([]any)
	var best config.MCPServer
	for _, x := range remotes {
		m, _ := x.(map[string]any)
		u, _ := m["url"].(string)
		if u == "" {
			continue
		}
		t, _ := m["type"].(string)
		if t == "" {
			t, _ = m["transport"].(string)
		}
		s := config.MCPServer{URL: u, Type: t, Source: ref + " spec.remotes"}
		if err := s.Normalize(ref); err != nil {
			continue
		}
		if s.Transport == config.MCPHTTP {
			return s, nil
		}
		if best.URL == "" {
			best = s
		}
	}
	if best.URL == "" {
		return config.MCPServer{}, errs.Config("%s has no usable spec.remotes[].url", ref).
			WithHint("add spec.remotes: [{type: streamable-http, url: https://.../mcp}] to the entity")
	}
	return best, nil
}
