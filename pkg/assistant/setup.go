package assistant

import (
	"cmp"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// DefaultTopK is how many entities a question retrieves when neither the
// caller nor bsai.ask.topK says.
const DefaultTopK = 5

// Request is one question as `bsai ask` and the `ask` tool of `bsai mcp
// serve` receive it, before config and mode selection are applied.
type Request struct {
	Question string
	// TopK is the number of entities to retrieve; 0 means bsai.ask.topK,
	// else DefaultTopK.
	TopK int
	Kind string
	// Agent forces agent mode on or off; nil means on when the provider
	// supports tools, unless bsai.ask.agent is false.
	Agent *bool
	// ShowPrompt, when set, receives the request that would be sent to
	// the model instead of calling it (Ask then returns llm.ErrPromptShown).
	ShowPrompt io.Writer
}

// Env is what an Assistant is built from.
type Env struct {
	Graph *catalog.Graph
	// Provider is the configured model; nil answers offline.
	Provider llm.Provider
	Config   config.AskConfig
	// EmbeddingCacheDir overrides os.UserCacheDir()/bsai/embeddings.
	EmbeddingCacheDir string
	Warn              func(format string, args ...any)
	Verbosef          func(format string, args ...any)
	Progress          func(label string) (stop func())

	// IndexCache is where the retrieval index is cached on disk (zero: it
	// is built in memory every time).
	IndexCache retrieval.CacheOptions
}

// Prepare applies bsai.ask to req, checks it against the catalog, and picks
// the mode: offline without a provider, the prompt printer for ShowPrompt,
// agent when asked or when the provider has tools, and hybrid retrieval
// when the provider embeds. The CLI and the MCP tool both start here, so
// they answer the same question the same way.
func Prepare(ctx context.Context, env Env, req Request) (*Assistant, Question, error) {
	cfg := env.Config
	topK := cmp.Or(req.TopK, cfg.TopK, DefaultTopK)
	if topK <= 0 || topK > 100 {
		return nil, Question{}, errs.Usage("--top-k must be between 1 and 100, got %d", topK)
	}
	agent := req.Agent
	if agent == nil && cfg.Agent != nil && !*cfg.Agent {
		// agent: false in config turns the default off; agent: true keeps
		// the capability check (a provider without tools cannot do it).
		agent = new(bool)
	}
	g := env.Graph
	if req.Kind != "" && !g.HasKind(req.Kind) {
		return nil, Question{}, errs.Usage("--kind %s: the catalog has no entities of that kind", req.Kind).
			WithHint("kinds in the catalog: %s", strings.Join(g.Kinds(), ", "))
	}
	q := Question{Text: req.Question, TopK: topK, Kind: req.Kind}
	a := &Assistant{
		Graph: g, Index: retrieval.ForCached(g, env.IndexCache), Warn: env.Warn, Progress: env.Progress,
		ContextBudget: cfg.ContextTokens,
		Budget:        llm.Budget{MaxSteps: cfg.MaxSteps, MaxToolCalls: cfg.MaxToolCalls, MaxTokens: cfg.MaxTokens},
	}
	p := env.Provider
	if req.ShowPrompt != nil {
		a.Provider = llm.NewPromptPrinter(req.ShowPrompt, p)
		if agent != nil {
			a.Agent = *agent
		} else {
			a.Agent = p != nil && llm.CapabilitiesOf(p).Tools
		}
		return a, q, nil
	}
	if p == nil {
		if agent != nil && *agent {
			return nil, Question{}, errs.Usage("--agent needs a model, and none is configured").
				WithHint("configure a provider under bsai.ai, or drop --agent for the offline answer")
		}
		return a, q, nil
	}
	caps := llm.CapabilitiesOf(p)
	a.Provider = p
	switch {
	case agent == nil:
		a.Agent = caps.Tools
	case *agent && !caps.Tools:
		return nil, Question{}, errs.Usage("provider %s does not support tool calls", p.Name()).
			WithHint("drop --agent, or use a provider with tool support")
	default:
		a.Agent = *agent
	}
	if caps.Embeddings {
		if err := embed(ctx, env, a.Index, p); err != nil {
			return nil, Question{}, err
		}
	}
	return a, q, nil
}

// embed adds embeddings to the index; only a cancelled context is an
// error, anything else falls back to keyword retrieval.
func embed(ctx context.Context, env Env, idx *retrieval.Index, p llm.Provider) error {
	dir := env.EmbeddingCacheDir
	if dir == "" {
		if c, err := os.UserCacheDir(); err == nil {
			dir = filepath.Join(c, "bsai", "embeddings")
		}
	}
	stop := func() {}
	if env.Progress != nil {
		stop = env.Progress("embedding the catalog")
	}
	err := idx.WithEmbeddings(ctx, p, retrieval.EmbedOptions{CacheDir: dir, Model: p.Name() + "-" + embeddingModel(p)})
	stop()
	if err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if env.Verbosef != nil {
			env.Verbosef("embeddings unavailable, using keyword retrieval: %v", err)
		}
	}
	return nil
}

// embeddingModel names the provider's embedding model for the cache key.
func embeddingModel(p llm.Provider) string {
	if c, ok := p.(interface{ Config() llm.ProviderConfig }); ok {
		if m := c.Config().EmbeddingModel; m != "" {
			return m
		}
	}
	return p.Model()
}
