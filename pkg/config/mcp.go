package config

import (
	"sort"
	"strings"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// MCPServer is one MCP server declaration. The same shape is read from
// bsai.mcp.servers.<id>, scaffolder.mcpServers.<id> (the key the Backstage
// scaffolder MCP module reads, so its app-config works unchanged) and the
// Claude/Inspector {"mcpServers": {...}} JSON file, so it accepts both
// `transport` (ours) and `type` (theirs).
type MCPServer struct {
	// stdio: the command to spawn, its arguments, extra environment and
	// working directory (relative to the config file that set it).
	Command string            `json:"command,omitempty"`
	Args    []string          `json:"args,omitempty"`
	Env     map[string]string `json:"env,omitempty"`
	Cwd     string            `json:"cwd,omitempty"`
	// http/sse: the endpoint and extra request headers (e.g. Authorization).
	URL     string            `json:"url,omitempty"`
	Headers map[string]string `json:"headers,omitempty"`
	// Transport is stdio, http (streamable HTTP) or sse (the old HTTP+SSE
	// transport). Empty means: stdio with a command, http with a url.
	Transport string `json:"transport,omitempty"`
	// Type is the Claude/Inspector spelling of Transport
	// (stdio, http, streamable-http, sse).
	Type string `json:"type,omitempty"`
	// Timeout bounds starting the server and the initialize handshake.
	Timeout Duration `json:"timeout,omitempty"`
	// CallTimeout bounds each request (tools/call, tools/list, ...).
	CallTimeout Duration `json:"callTimeout,omitempty"`
	// ProtocolVersion pins the MCP protocol version; empty negotiates.
	ProtocolVersion string `json:"protocolVersion,omitempty"`
	// Disabled servers are skipped (the Claude/Roo "disabled" flag).
	Disabled bool `json:"disabled,omitempty"`
	// InheritEnv passes bsai's whole environment to a stdio server (keys
	// included). Off by default: a server gets only a safe default set
	// (HOME, PATH, ...) plus Env.
	InheritEnv bool `json:"inheritEnv,omitempty"`
	// MaxMessageSize caps one message from the server (a stdout line, an
	// HTTP body or SSE event); 0 means bsai.mcp.maxMessageSize or 10 MiB.
	MaxMessageSize ByteSize `json:"maxMessageSize,omitempty"`

	// Source says where the server was declared (a config key or a file),
	// for messages; not read from config.
	Source string `json:"-"`
}

// MCP transports after normalisation.
const (
	MCPStdio = "stdio"
	MCPHTTP  = "http"
	MCPSSE   = "sse"
)

// Normalize fills Transport from Type or from which of command/url is set,
// and checks the declaration is usable. id names the server in errors.
func (s *MCPServer) Normalize(id string) error {
	t := strings.ToLower(strings.TrimSpace(s.Transport))
	if t == "" {
		t = strings.ToLower(strings.TrimSpace(s.Type))
	}
	switch t {
	case "":
		switch {
		case s.Command != "":
			t = MCPStdio
		case s.URL != "":
			t = MCPHTTP
		}
	case "streamable-http", "streamablehttp", "streamable_http", "http":
		t = MCPHTTP
	case "sse", "stdio":
	default:
		return errs.Config("mcp server %q: unknown transport %q", id, t).
			WithHint("use transport: stdio, http or sse")
	}
	s.Transport = t
	switch t {
	case MCPStdio:
		if s.Command == "" {
			return errs.Config("mcp server %q: stdio transport needs a command", id).
				WithHint("set command (and args) or url in %s", s.sourceOr(id))
		}
	case MCPHTTP, MCPSSE:
		if s.URL == "" {
			return errs.Config("mcp server %q: %s transport needs a url", id, t).
				WithHint("set url in %s", s.sourceOr(id))
		}
	default:
		return errs.Config("mcp server %q: needs a command (stdio) or a url (http)", id).
			WithHint("set command or url in %s", s.sourceOr(id))
	}
	return nil
}

func (s *MCPServer) sourceOr(id string) string {
	if s.Source != "" {
		return s.Source
	}
	return "the declaration of " + id
}

// MCP is the bsai.mcp block: the servers and the limits that apply to all
// of them and to `mcp serve`.
type MCP struct {
	Servers map[string]MCPServer `json:"servers,omitempty"`
	// MaxMessageSize caps one message from any server (default 10 MiB); a
	// server's own maxMessageSize wins.
	MaxMessageSize ByteSize `json:"maxMessageSize,omitempty"`
	// Serve configures `bsai mcp serve --http`.
	Serve MCPServe `json:"serve,omitempty"`
}

// MCPServe bounds the sessions `mcp serve --http` keeps.
type MCPServe struct {
	// SessionIdleTimeout ends a session nobody used for this long.
	SessionIdleTimeout Duration `json:"sessionIdleTimeout,omitempty"`
	// MaxSessions caps live sessions; the least recently used one goes.
	MaxSessions int `json:"maxSessions,omitempty"`
}

// MCPSettings decodes bsai.mcp. A wrong-typed block (bsai.mcp: "x",
// bsai.mcp.servers: [...]) is a config error naming the key, never ignored.
func (c *Config) MCPSettings() (MCP, error) {
	var m MCP
	if v, ok := c.Get("bsai.mcp"); ok && v != nil {
		if _, isMap := v.(map[string]any); !isMap {
			return MCP{}, c.keyErr("bsai.mcp", "expected an object (servers, maxMessageSize, serve), got %s", typeName(v))
		}
	}
	for _, root := range []string{"scaffolder.mcpServers", "bsai.mcp.servers"} {
		if err := c.checkServerObjects(root); err != nil {
			return MCP{}, err
		}
	}
	if err := c.Decode("bsai.mcp", &m); err != nil {
		return MCP{}, err
	}
	if m.MaxMessageSize < 0 {
		return MCP{}, c.keyErr("bsai.mcp.maxMessageSize", "must not be negative")
	}
	if m.Serve.MaxSessions < 0 {
		return MCP{}, c.keyErr("bsai.mcp.serve.maxSessions", "must not be negative")
	}
	return m, nil
}

// checkServerObjects reports a server declaration that is not an object
// with its own key (Decode would name only the map and a Go type).
func (c *Config) checkServerObjects(root string) error {
	v, ok := c.Get(root)
	if !ok || v == nil {
		return nil
	}
	m, isMap := v.(map[string]any)
	if !isMap {
		return c.keyErr(root, "expected an object of servers by id, got %s", typeName(v))
	}
	for id, s := range m {
		if _, isMap := s.(map[string]any); !isMap && s != nil {
			return c.keyErr(root+"."+id, "expected an object (command and args, or url), got %s", typeName(s))
		}
	}
	return nil
}

// MCPServers returns the servers declared in config: the Backstage scaffolder
// MCP module's scaffolder.mcpServers first, then bsai.mcp.servers, which wins for the same
// id. A relative cwd is resolved against the config file that set it.
func (c *Config) MCPServers() (map[string]MCPServer, error) {
	if _, err := c.MCPSettings(); err != nil {
		return nil, err
	}
	out := map[string]MCPServer{}
	for _, root := range []string{"scaffolder.mcpServers", "bsai.mcp.servers"} {
		var m map[string]MCPServer
		if err := c.Decode(root, &m); err != nil {
			return nil, err
		}
		ids := make([]string, 0, len(m))
		for id := range m {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			s := m[id]
			key := root + "." + id
			s.Source = key
			if origin := c.Origin(key); origin != "" {
				s.Source = key + " (" + origin + ")"
			}
			if s.Disabled {
				delete(out, id)
				continue
			}
			if s.Cwd != "" {
				s.Cwd = c.ResolvePath(key+".cwd", s.Cwd)
			}
			if err := s.Normalize(id); err != nil {
				return nil, err
			}
			out[id] = s
		}
	}
	return out, nil
}
