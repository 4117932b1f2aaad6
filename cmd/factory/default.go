package factory

import (
	"context"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/mcp"
)

// New returns a Factory wired to the real world.
func New(version, commit, date string) *Factory {
	f := &Factory{
		AppVersion: version, Commit: commit, Date: date,
		IOStreams: iostreams.System(),
		Globals:   &GlobalOptions{},
		Now:       time.Now,
	}
	f.Config = memo(func() (*config.Config, error) {
		c, err := config.Load(config.LoadOptions{Files: f.Globals.ConfigFiles, Env: os.Environ()})
		if err != nil {
			return nil, err
		}
		// Every block is type-checked up front, so a wrong-typed block is
		// reported by every command rather than silently defaulted.
		if err := c.Check(); err != nil {
			return nil, err
		}
		return c, nil
	})
	f.HTTPClient = memo(func() (*http.Client, error) {
		return &http.Client{Timeout: 120 * time.Second}, nil
	})
	f.Backstage = memo(func() (*backstage.Client, error) { return newBackstage(f) })
	f.LLM = func(command string) (llm.Provider, error) { return newLLM(f, command) }
	f.CatalogSource = memo(func() (catalog.Source, error) { return newCatalogSource(f) })
	// Loaded once per process and shared; see lazyCtx for why a cancelled
	// load is not kept.
	var graph lazyCtx[*catalog.Graph]
	f.Catalog = func(ctx context.Context) (*catalog.Graph, error) {
		return graph.get(ctx, func(ctx context.Context) (*catalog.Graph, error) { return newCatalogGraph(ctx, f) })
	}
	f.MCP = memo(func() (*mcp.Registry, error) {
		r, err := newMCP(f)
		if err == nil && r != nil {
			f.OnClose(r.Close)
		}
		return r, err
	})
	return f
}

// newBackstage builds the one Backstage connection: --catalog URL and
// --token win over config.
func newBackstage(f *Factory) (*backstage.Client, error) {
	bc, err := backstageConfig(f)
	if err != nil {
		return nil, err
	}
	if bc.BaseURL == "" {
		return nil, errs.Config("no backstage backend configured").
			WithHint("pass --catalog http://host:7007 or set backend.baseUrl in app-config.yaml")
	}
	hc, err := f.HTTPClient()
	if err != nil {
		return nil, err
	}
	if bc.Timeout.Duration > 0 {
		c := *hc
		c.Timeout = bc.Timeout.Duration
		hc = &c
	}
	return backstage.New(bc.BaseURL, bc.Token, hc), nil
}

// backstageConfig is the configured backend with --catalog URL and --token
// applied: the one place they override config.
func backstageConfig(f *Factory) (config.BackstageConfig, error) {
	cfg, err := f.Config()
	if err != nil {
		return config.BackstageConfig{}, err
	}
	bc, err := cfg.Backstage()
	if err != nil {
		return bc, err
	}
	if isURL(f.Globals.Catalog) {
		bc.BaseURL = f.Globals.Catalog
	}
	if f.Globals.Token != "" {
		bc.Token = f.Globals.Token
	}
	return bc, nil
}

func isURL(s string) bool {
	return strings.HasPrefix(s, "http://") || strings.HasPrefix(s, "https://")
}
