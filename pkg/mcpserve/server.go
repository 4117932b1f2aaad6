// Package mcpserve is bsai as an MCP server: every tool `bsai mcp serve`
// exposes is defined here, and each one calls the same pkg/ function as
// the CLI command it mirrors (assistant.Prepare, scaffolder.RunGenerate,
// incident.Investigation, the validator, the catalog search). pkg/mcp
// supplies the protocol and transports.
package mcpserve

import (
	"context"

	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/assistant"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/incident"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/scaffolder"
)

// Deps are the environments the tools run in, built by the caller (the
// CLI's factory) exactly as for the matching commands.
type Deps struct {
	Catalog     func(ctx context.Context) (*catalog.Graph, error)
	AskEnv      func(ctx context.Context) (assistant.Env, error)
	GenerateEnv func() (scaffolder.GenerateEnv, error)
	IncidentEnv func() incident.Env
}

// Instructions tell a client what the tools are for.
const Instructions = "bsai exposes a Backstage software catalog and its tooling. " +
	"Use catalog_search to find entities, then catalog_get with a ref for details; ask answers questions about the catalog with checked citations. " +
	"template_generate drafts a scaffolder template and template_validate checks one. " +
	"incident_investigate gathers evidence and ranks causes for an alert or a service; it only proposes actions and never executes them."

// Tools is the list of tools bsai serves.
func Tools(d Deps) []server.ServerTool {
	tools := CatalogTools(d.Catalog)
	return append(tools, TemplateValidateTool(), TemplateGenerateTool(d.GenerateEnv), AskTool(d.AskEnv), IncidentInvestigateTool(d.IncidentEnv))
}

// NewServer is bsai's MCP server with every tool.
func NewServer(version string, d Deps) *server.MCPServer {
	return pkgmcp.NewServer(version, Instructions, Tools(d)...)
}
