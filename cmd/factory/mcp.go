package factory

import (
	"github.com/bsai-dev/bsai/pkg/mcp"
)

// newMCP builds the process-wide MCP server registry from config.
// TODO(issue 5): read bsai.mcp.servers, scaffolder.mcpServers, --mcp-config.
func newMCP(f *Factory) (*mcp.Registry, error) {
	return &mcp.Registry{}, nil
}
