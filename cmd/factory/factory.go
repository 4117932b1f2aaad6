// Package factory holds the lazy constructors every command needs. Nothing
// is built until a command asks for it, so `bsai --help`, `bsai version` and
// `bsai completion` work with no config at all, and tests replace any field
// with a fake.
package factory

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/iostreams"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/mcp"
)

// GlobalOptions are the persistent flags after viper merged BSAI_* env
// (cmd/root unmarshals them by these keys, the flags' names).
type GlobalOptions struct {
	ConfigFiles []string `mapstructure:"config"`
	Output      string   `mapstructure:"output"`
	Catalog     string   `mapstructure:"catalog"`
	Token       string   `mapstructure:"token"`
	Provider    string   `mapstructure:"provider"`
	Model       string   `mapstructure:"model"`
	MCPConfig   string   `mapstructure:"mcp-config"`
	Offline     bool     `mapstructure:"offline"`
	NoColor     bool     `mapstructure:"no-color"`
	Verbose     bool     `mapstructure:"verbose"`
	Refresh     bool     `mapstructure:"refresh"`
}

// Factory is passed to every NewCmdX.
type Factory struct {
	AppVersion, Commit, Date string

	IOStreams *iostreams.IOStreams
	Globals   *GlobalOptions
	// Now is the clock; tests fix it.
	Now func() time.Time

	Config     func() (*config.Config, error)
	HTTPClient func() (*http.Client, error)
	// Backstage returns the configured backend connection, or an errs.Config
	// error when none is configured.
	Backstage func() (*backstage.Client, error)
	// LLM returns the provider for a command ("ask", "template", "incident");
	// llm.ErrNoModel when --offline or none is configured.
	LLM func(command string) (llm.Provider, error)
	// CatalogSource is the configured entity source.
	CatalogSource func() (catalog.Source, error)
	// Catalog loads the whole catalog once per process.
	Catalog func(ctx context.Context) (*catalog.Graph, error)
	// MCP is the process-wide server registry; the root command closes it.
	MCP func() (*mcp.Registry, error)

	closers []func() error
	mu      sync.Mutex
	// interrupt, when set, takes Ctrl-C instead of cancelling the command.
	interrupt func()
}

// OnClose registers cleanup run by Close (e.g. killing MCP servers).
func (f *Factory) OnClose(fn func() error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closers = append(f.closers, fn)
}

// OnInterrupt makes Ctrl-C call fn instead of cancelling the whole command
// until restore is called: an interactive session cancels only the answer
// in progress and keeps going.
func (f *Factory) OnInterrupt(fn func()) (restore func()) {
	f.mu.Lock()
	prev := f.interrupt
	f.interrupt = fn
	f.mu.Unlock()
	return func() {
		f.mu.Lock()
		f.interrupt = prev
		f.mu.Unlock()
	}
}

// HandleInterrupt runs the OnInterrupt handler, if any, and reports
// whether there was one (cmd/root's signal loop asks on every Ctrl-C).
func (f *Factory) HandleInterrupt() bool {
	f.mu.Lock()
	fn := f.interrupt
	f.mu.Unlock()
	if fn == nil {
		return false
	}
	fn()
	return true
}

// Close runs cleanups in reverse order.
func (f *Factory) Close() error {
	f.mu.Lock()
	cs := f.closers
	f.closers = nil
	f.mu.Unlock()
	var first error
	for i := len(cs) - 1; i >= 0; i-- {
		if err := cs[i](); err != nil && first == nil {
			first = err
		}
	}
	return first
}

// memo makes a lazy constructor that runs once and remembers its result.
func memo[T any](fn func() (T, error)) func() (T, error) {
	var once sync.Once
	var v T
	var err error
	return func() (T, error) {
		once.Do(func() { v, err = fn() })
		return v, err
	}
}

// Limits returns the read caps of bsai.limits (the defaults when no config
// loader is set, as in tests).
func (f *Factory) Limits() (config.Limits, error) {
	if f.Config == nil {
		return config.DefaultLimits(), nil
	}
	cfg, err := f.Config()
	if err != nil {
		return config.Limits{}, err
	}
	return cfg.Limits()
}
