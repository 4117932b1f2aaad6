// Package mcp is the registry of MCP servers declared in config: spawned or
// connected lazily on first use, reused for the whole process, closed (with
// their process trees) at exit. Built on mark3labs/mcp-go's client.
package mcp

import (
	"context"
	"errors"

	"github.com/mark3labs/mcp-go/mcp"
)

// Registry holds configured servers and live connections.
type Registry struct {
	// TODO(issue 5): servers, connections, timeouts.
}

// ServerInfo describes a configured server.
type ServerInfo struct {
	ID        string `json:"id"`
	Transport string `json:"transport"` // stdio | http | sse
	Target    string `json:"target"`    // command line or URL (no secrets)
}

// Servers lists configured servers, sorted by id.
func (r *Registry) Servers() []ServerInfo { return nil }

// ListTools lists a server's tools, connecting on first use.
func (r *Registry) ListTools(ctx context.Context, server string) ([]mcp.Tool, error) {
	return nil, errors.New("mcp: not implemented yet")
}

// CallTool calls a tool after validating args against its input schema.
func (r *Registry) CallTool(ctx context.Context, server, tool string, args map[string]any) (*mcp.CallToolResult, error) {
	return nil, errors.New("mcp: not implemented yet")
}

// Close ends every connection and kills spawned server process trees.
func (r *Registry) Close() error { return nil }
