package factory

import (
	"context"
	"os"
	"path/filepath"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/mcp"
)

// newMCP builds the process-wide MCP server registry: scaffolder.mcpServers
// (the key the Backstage scaffolder MCP module reads), then bsai.mcp.servers, then the --mcp-config JSON file;
// later sources win for the same id. Servers that are not configured can be
// named by entity ref (an API entity with spec.type mcp-server).
func newMCP(f *Factory) (*mcp.Registry, error) {
	cfg, err := f.Config()
	if err != nil {
		return nil, err
	}
	settings, err := cfg.MCPSettings()
	if err != nil {
		return nil, err
	}
	servers, err := cfg.MCPServers()
	if err != nil {
		return nil, err
	}
	if f.Globals.MCPConfig != "" {
		fromFile, err := mcp.LoadServersFile(f.Globals.MCPConfig, os.LookupEnv)
		if err != nil {
			return nil, err
		}
		for id, s := range fromFile {
			servers[id] = s
		}
	}
	opts := mcp.Options{
		Servers:        servers,
		MaxMessageSize: int64(settings.MaxMessageSize),
		ClientName:     "bsai",
		ClientVersion:  f.AppVersion,
		Resolve:        func(ctx context.Context, id string) (config.MCPServer, bool, error) { return resolveMCPRef(ctx, f, id) },
	}
	if dir, err := os.UserCacheDir(); err == nil {
		opts.LogDir = filepath.Join(dir, "bsai", "mcp")
	}
	if f.Globals.Verbose {
		// Server logs clear the spinner line before they are written.
		opts.Stderr = f.IOStreams.LogWriter()
	}
	if hc, err := f.HTTPClient(); err == nil {
		// MCP calls have their own per-call timeouts; the shared client's
		// overall timeout would cut long SSE replies short.
		c := *hc
		c.Timeout = 0
		opts.HTTPClient = &c
	}
	return mcp.New(opts), nil
}

// resolveMCPRef finds an API entity of spec.type mcp-server by ref. Remotes
// on the configured Backstage backend get its token, as mcp-actions needs.
func resolveMCPRef(ctx context.Context, f *Factory, id string) (config.MCPServer, bool, error) {
	if !mcp.LooksLikeRef(id) || f.Catalog == nil {
		return config.MCPServer{}, false, nil
	}
	g, err := f.Catalog(ctx)
	if err != nil {
		return config.MCPServer{}, false, err
	}
	e, ok := g.Get(id)
	if !ok {
		r, perr := catalog.ParseRef(id, "api", catalog.DefaultNamespace)
		if perr != nil {
			return config.MCPServer{}, false, nil
		}
		if e, ok = g.Get(r.String()); !ok {
			return config.MCPServer{}, false, nil
		}
	}
	s, err := mcp.ServerFromEntity(e)
	if err != nil {
		return config.MCPServer{}, false, err
	}
	if bc, err := backstageConfig(f); err == nil && bc.BaseURL != "" && bc.Token != "" &&
		strings.HasPrefix(s.URL, strings.TrimRight(bc.BaseURL, "/")+"/") {
		s.Headers = map[string]string{"Authorization": "Bearer " + bc.Token}
	}
	return s, true, nil
}
