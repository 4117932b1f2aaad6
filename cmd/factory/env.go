package factory

import (
	"context"
	"errors"
	"os"
	"path/filepath"

	"github.com/bsai-dev/bsai/pkg/assistant"
	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/retrieval"
	"github.com/bsai-dev/bsai/pkg/scaffolder"
)

// The typed environments the capability functions in pkg/ run in
// (assistant.Prepare, scaffolder.RunGenerate, incident.Investigation),
// built from the factory's lazy constructors. A command and the matching
// tool of `bsai mcp serve` use the same environment, so both front ends
// share config blocks, the offline fallback and mode selection.

// AskEnv loads the catalog, bsai.ask and the "ask" provider (nil offline).
func (f *Factory) AskEnv(ctx context.Context) (assistant.Env, error) {
	ios := f.IOStreams
	env := assistant.Env{Warn: ios.Warnf, Verbosef: ios.Verbosef, Progress: ios.StartProgress}
	if f.Config != nil {
		cfg, err := f.Config()
		if err != nil {
			return env, err
		}
		if env.Config, err = cfg.Ask(); err != nil {
			return env, err
		}
	}
	g, err := f.Catalog(ctx)
	if err != nil {
		return env, err
	}
	env.Graph = g
	env.IndexCache = f.indexCache()
	p, err := f.LLM("ask")
	switch {
	case errors.Is(err, llm.ErrNoModel):
	case err != nil:
		return env, err
	default:
		env.Provider = p
	}
	return env, nil
}

// GenerateEnv reads bsai.scaffolder; the catalog, backend and "template"
// provider stay lazy.
func (f *Factory) GenerateEnv() (scaffolder.GenerateEnv, error) {
	ios := f.IOStreams
	env := scaffolder.GenerateEnv{Offline: f.Globals.Offline, Source: f.CatalogSource, Catalog: f.Catalog,
		Backstage: f.Backstage, Warn: ios.Warnf, Verbosef: ios.Verbosef, Progress: ios.StartProgress,
		Provider: func() (llm.Provider, error) { return f.LLM("template") }}
	if f.Config != nil {
		cfg, err := f.Config()
		if err != nil {
			return env, err
		}
		if env.Config, err = cfg.Scaffolder(); err != nil {
			return env, err
		}
	}
	return env, nil
}

// IncidentEnv is all lazy: the investigation opens what bsai.incident uses.
func (f *Factory) IncidentEnv() incident.Env {
	ios := f.IOStreams
	return incident.Env{Config: f.Config, Catalog: f.Catalog, HTTP: f.HTTPClient, Backstage: f.Backstage, MCP: f.MCP,
		Provider: func() (llm.Provider, error) { return f.LLM("incident") },
		Now:      f.Now, Warn: ios.Warnf, Verbosef: ios.Verbosef, Progress: ios.StartProgress}
}

// indexCache puts the retrieval index beside the catalog snapshots
// (os.UserCacheDir()/bsai/index); --refresh rebuilds it.
func (f *Factory) indexCache() retrieval.CacheOptions {
	dir, err := os.UserCacheDir()
	if err != nil {
		return retrieval.CacheOptions{}
	}
	return retrieval.CacheOptions{Dir: filepath.Join(dir, "bsai", "index"), MinEntities: retrieval.DefaultCacheMin,
		Refresh: f.Globals != nil && f.Globals.Refresh, Verbosef: f.IOStreams.Verbosef,
		SaveLater: f.saveLater}
}

// saveLater runs a cache write (index, catalog snapshot) in the
// background: a miss answers first and writes the cache while the answer
// is rendered; the command waits for the write before it exits.
func (f *Factory) saveLater(save func() string) {
	done := make(chan string, 1)
	go func() { done <- save() }()
	f.OnClose(func() error {
		f.IOStreams.Verbosef("%s", <-done)
		return nil
	})
}
