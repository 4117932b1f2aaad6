// Package complete decides what shell completion offers and where it comes
// from: MCP server names from config, tool names and argument keys from
// each tool's inputSchema (listed once, then cached on disk), entity refs
// and kinds from the cached catalog, provider names from config and models
// from the provider's /models (cached). cmd/ wires these into cobra's
// ValidArgsFunction and RegisterFlagCompletionFunc; nothing here knows
// about cobra.
package complete

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// Candidate is one completion: the value and an optional description the
// shell shows beside it.
type Candidate struct {
	Value, Description string
}

// String is cobra's "value\tdescription" form.
func (c Candidate) String() string {
	if c.Description == "" {
		return c.Value
	}
	return c.Value + "\t" + oneLine(c.Description)
}

// Strings renders candidates for cobra.
func Strings(cs []Candidate) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.String()
	}
	return out
}

// Tool is what completion needs of an MCP tool.
type Tool struct {
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	InputSchema json.RawMessage `json:"inputSchema,omitempty"`
}

// Completer answers completion requests. Every source is a func so the
// wiring can make each one lazy; a nil source completes nothing.
type Completer struct {
	// Servers lists configured MCP server ids (no server is started).
	Servers func() ([]string, error)
	// ServerKey identifies a server's declaration (command, args, URL) so a
	// changed config does not reuse an old tool list.
	ServerKey func(id string) string
	// Tools lists a server's tools; this may start the server.
	Tools func(ctx context.Context, server string) ([]Tool, error)
	// Entities returns the catalog as last cached (see catalog.CachedSource.Snapshot).
	Entities func(ctx context.Context) ([]catalog.Entity, error)
	// Providers lists configured model provider names.
	Providers func() ([]string, error)
	// Models lists the models of a provider ("" = the default one).
	Models func(ctx context.Context, provider string) ([]string, error)
	// ProviderKey identifies a provider's endpoint (type, base URL) so a
	// changed config does not reuse an old model list.
	ProviderKey func(provider string) string
	Cache       *Cache
}

// MCPServers completes server ids.
func (c *Completer) MCPServers(prefix string) []Candidate {
	if c.Servers == nil {
		return nil
	}
	ids, err := c.Servers()
	if err != nil {
		return nil
	}
	var out []Candidate
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			out = append(out, Candidate{Value: id})
		}
	}
	return out
}

// tools returns a server's tool list from the cache, or lists it (starting
// the server) and caches it.
func (c *Completer) tools(ctx context.Context, server string) []Tool {
	if c.Tools == nil || server == "" {
		return nil
	}
	key := "mcp-tools\n" + server
	if c.ServerKey != nil {
		key += "\n" + c.ServerKey(server)
	}
	var ts []Tool
	if c.Cache.Get(key, &ts) {
		return ts
	}
	ts, err := c.Tools(ctx, server)
	if err != nil {
		return nil
	}
	c.Cache.Put(key, ts)
	return ts
}

// MCPTools completes tool names of server.
func (c *Completer) MCPTools(ctx context.Context, server, prefix string) []Candidate {
	var out []Candidate
	for _, t := range c.tools(ctx, server) {
		if strings.HasPrefix(t.Name, prefix) {
			out = append(out, Candidate{Value: t.Name, Description: t.Description})
		}
	}
	return out
}

// schema is the part of a JSON Schema completion reads.
type schema struct {
	Properties map[string]struct {
		Type        any    `json:"type"`
		Description string `json:"description"`
		Enum        []any  `json:"enum"`
		Default     any    `json:"default"`
	} `json:"properties"`
	Required []string `json:"required"`
}

// ToolArgs completes key=value arguments of a tool call from the tool's
// inputSchema. Before "=" it offers the keys not used yet in args (as
// "key=", so the shell adds no space: NoSpace is true); after "=" it offers
// the enum values, or true/false for booleans.
func (c *Completer) ToolArgs(ctx context.Context, server, tool string, args []string, toComplete string) (cands []Candidate, noSpace bool) {
	var sch schema
	found := false
	for _, t := range c.tools(ctx, server) {
		if t.Name == tool {
			found = json.Unmarshal(t.InputSchema, &sch) == nil
			break
		}
	}
	if !found {
		return nil, false
	}
	if key, val, ok := strings.Cut(toComplete, "="); ok {
		p, ok := sch.Properties[key]
		if !ok {
			return nil, false
		}
		var values []string
		for _, e := range p.Enum {
			values = append(values, fmt.Sprint(e))
		}
		if len(values) == 0 && typeIs(p.Type, "boolean") {
			values = []string{"true", "false"}
		}
		for _, v := range values {
			if strings.HasPrefix(v, val) {
				cands = append(cands, Candidate{Value: key + "=" + v})
			}
		}
		return cands, false
	}
	used := map[string]bool{}
	for _, a := range args {
		if k, _, ok := strings.Cut(a, "="); ok {
			used[k] = true
		}
	}
	required := map[string]bool{}
	for _, r := range sch.Required {
		required[r] = true
	}
	keys := make([]string, 0, len(sch.Properties))
	for k := range sch.Properties {
		keys = append(keys, k)
	}
	// Required keys first, each group alphabetical: what must be typed
	// shows at the top.
	sort.Slice(keys, func(i, j int) bool {
		if required[keys[i]] != required[keys[j]] {
			return required[keys[i]]
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		if used[k] || !strings.HasPrefix(k, toComplete) {
			continue
		}
		p := sch.Properties[k]
		desc := typeString(p.Type)
		if required[k] {
			desc += ", required"
		}
		if p.Description != "" {
			desc += ": " + p.Description
		}
		cands = append(cands, Candidate{Value: k + "=", Description: desc})
	}
	return cands, true
}

func typeIs(t any, want string) bool {
	switch v := t.(type) {
	case string:
		return v == want
	case []any:
		for _, x := range v {
			if x == want {
				return true
			}
		}
	}
	return false
}

func typeString(t any) string {
	switch v := t.(type) {
	case string:
		return v
	case []any:
		parts := make([]string, 0, len(v))
		for _, x := range v {
			parts = append(parts, fmt.Sprint(x))
		}
		return strings.Join(parts, "|")
	}
	return "any"
}

func oneLine(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > 80 {
		s = string(r[:79]) + "…"
	}
	return s
}
