package mcp

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"path/filepath"
	"regexp"
	"slices"
	"sort"

	"github.com/bsai-dev/bsai/pkg/boundedio"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// LoadServersFile reads the widely used {"mcpServers": {...}} JSON (Claude
// Desktop, Claude Code's .mcp.json, the MCP Inspector; VS Code's "servers"
// key too). ${VAR} and ${VAR:-default} in string values are expanded from
// getenv; an unset variable without a default is an error naming it. A
// relative cwd is resolved against the file's folder.
func LoadServersFile(path string, getenv func(string) (string, bool)) (map[string]config.MCPServer, error) {
	b, err := boundedio.ReadFile(context.Background(), path, boundedio.Input())
	if err != nil {
		return nil, errs.Config("cannot read mcp config %s: %w", path, err).
			WithHint("--mcp-config takes a JSON file in the {\"mcpServers\": {...}} shape")
	}
	var doc struct {
		MCPServers map[string]json.RawMessage `json:"mcpServers"`
		Servers    map[string]json.RawMessage `json:"servers"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		return nil, errs.Config("invalid mcp config %s: %w", path, err)
	}
	raw := doc.MCPServers
	if raw == nil {
		raw = doc.Servers
	}
	if raw == nil {
		return nil, errs.Config("mcp config %s has no mcpServers object", path).
			WithHint(`expected {"mcpServers": {"id": {"command": "...", "args": [...]}}}`)
	}
	ids := make([]string, 0, len(raw))
	for id := range raw {
		ids = append(ids, id)
	}
	sort.Strings(ids)
	out := map[string]config.MCPServer{}
	for _, id := range ids {
		var tree any
		if err := json.Unmarshal(raw[id], &tree); err != nil {
			return nil, errs.Config("mcp config %s: server %q: %w", path, id, err)
		}
		tree, err = expandTree(tree, getenv)
		if err != nil {
			return nil, errs.Config("mcp config %s: server %q: %w", path, id, err).
				WithHint("export the variable or write ${VAR:-default}")
		}
		eb, _ := json.Marshal(tree)
		var s config.MCPServer
		if err := json.Unmarshal(eb, &s); err != nil {
			return nil, errs.Config("mcp config %s: server %q: %w", path, id, err)
		}
		if s.Disabled {
			continue
		}
		s.Source = path
		if s.Cwd != "" && !filepath.IsAbs(s.Cwd) {
			s.Cwd = filepath.Join(filepath.Dir(path), s.Cwd)
		}
		if err := s.Normalize(id); err != nil {
			return nil, err
		}
		out[id] = s
	}
	return out, nil
}

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-([^}]*))?\}`)

func expandTree(v any, getenv func(string) (string, bool)) (any, error) {
	switch t := v.(type) {
	case string:
		var firstErr error
		s := envRef.ReplaceAllStringFunc(t, func(m string) string {
			sub := envRef.FindStringSubmatch(m)
			if val, ok := getenv(sub[1]); ok && val != "" {
				return val
			}
			if sub[2] != "" {
				return sub[3]
			}
			if firstErr == nil {
				firstErr = fmt.Errorf("environment variable %s is not set", sub[1])
			}
			return ""
		})
		return s, firstErr
	case map[string]any:
		// Sorted keys: with several unset variables the error always names
		// the same one.
		for _, k := range slices.Sorted(maps.Keys(t)) {
			x := t[k]
			y, err := expandTree(x, getenv)
			if err != nil {
				return nil, err
			}
			t[k] = y
		}
	case []any:
		for i, x := range t {
			y, err := expandTree(x, getenv)
			if err != nil {
				return nil, err
			}
			t[i] = y
		}
	}
	return v, nil
}
