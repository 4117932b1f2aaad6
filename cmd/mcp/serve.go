package mcp

import (
	"fmt"

	"github.com/mark3labs/mcp-go/server"
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/errs"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/mcpserve"
)

// ServeOptions for `bsai mcp serve`.
type ServeOptions struct {
	Common
	Version string
	// HTTP is a loopback host:port for streamable HTTP; empty serves stdio.
	HTTP string
	// Tools are what bsai exposes; built from the factory by ServeTools.
	Tools []server.ServerTool
	// Ready is told the bound HTTP address (tests use port 0).
	Ready func(addr string)
	// Sessions bound --http sessions (idle timeout, cap).
	Sessions pkgmcp.SessionOptions
}

// ServeTools is the list of bsai capabilities exposed over MCP
// (pkg/mcpserve defines them), wired from the same factory environments as
// the commands they mirror.
func ServeTools(f *factory.Factory) []server.ServerTool {
	return mcpserve.Tools(mcpserve.Deps{Catalog: f.Catalog, AskEnv: f.AskEnv, GenerateEnv: f.GenerateEnv, IncidentEnv: f.IncidentEnv})
}

// NewCmdServe runs bsai as an MCP server.
func NewCmdServe(f *factory.Factory, runF func(*ServeOptions) error) *cobra.Command {
	opts := &ServeOptions{}
	c := &cobra.Command{
		Use:   "serve",
		Short: "Serve bsai's capabilities as MCP tools (stdio, or streamable HTTP on loopback)",
		Example: `  bsai mcp serve -c app-config.yaml
  bsai mcp serve --http 127.0.0.1:8765 --offline
  claude mcp add bsai -- bsai mcp serve -c /path/to/app-config.yaml`,
		Long: `Run bsai as an MCP server so Claude Code, Cursor and other MCP clients can use
the catalog, templates and incidents: tools catalog_search, catalog_get, ask,
template_validate, template_generate and incident_investigate (read-only:
actions are proposed, never executed). They use the same config, catalog and
model as the CLI (offline with --offline or no model). Stdio by default; with
--http 127.0.0.1:PORT it serves streamable HTTP at http://127.0.0.1:PORT/mcp.

Claude Code: claude mcp add bsai -- bsai mcp serve -c /path/to/app-config.yaml`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Common = common(f, cmd)
			opts.Version = f.AppVersion
			if opts.HTTP != "" {
				// Flags win over bsai.mcp.serve; a bad config block is an
				// error only when the HTTP server would use it.
				cfg, err := f.Config()
				if err != nil {
					return err
				}
				settings, err := cfg.MCPSettings()
				if err != nil {
					return err
				}
				if !cmd.Flags().Changed("session-idle-timeout") {
					opts.Sessions.IdleTimeout = settings.Serve.SessionIdleTimeout.Duration
				}
				if !cmd.Flags().Changed("max-sessions") {
					opts.Sessions.MaxSessions = settings.Serve.MaxSessions
				}
				if opts.Sessions.IdleTimeout < 0 || opts.Sessions.MaxSessions < 0 {
					return errs.Usage("--session-idle-timeout and --max-sessions must not be negative")
				}
			}
			opts.Tools = ServeTools(f)
			if runF != nil {
				return runF(opts)
			}
			return RunServe(opts)
		},
	}
	c.Flags().StringVar(&opts.HTTP, "http", "", "serve streamable HTTP on this loopback address (127.0.0.1:PORT) instead of stdio")
	c.Flags().DurationVar(&opts.Sessions.IdleTimeout, "session-idle-timeout", pkgmcp.DefaultSessionIdleTimeout,
		"with --http: end a session unused for this long (bsai.mcp.serve.sessionIdleTimeout)")
	c.Flags().IntVar(&opts.Sessions.MaxSessions, "max-sessions", pkgmcp.DefaultMaxSessions,
		"with --http: keep at most this many sessions, ending the least recently used (bsai.mcp.serve.maxSessions)")
	return c
}

// RunServe serves until stdin ends (stdio) or the context is cancelled.
func RunServe(opts *ServeOptions) error {
	s := pkgmcp.NewServer(opts.Version, mcpserve.Instructions, opts.Tools...)
	if opts.HTTP == "" {
		return pkgmcp.ServeStdio(opts.ctx(), s, opts.IO.In, opts.IO.Out)
	}
	ready := opts.Ready
	if ready == nil {
		ready = func(addr string) {
			fmt.Fprintf(opts.IO.ErrOut, "bsai MCP server listening on http://%s/mcp\n", addr)
		}
	}
	return pkgmcp.ServeHTTP(opts.ctx(), s, opts.HTTP, ready, opts.Sessions)
}
