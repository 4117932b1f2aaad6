// Package ask holds the `bsai ask` command.
package ask

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/assistant"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/output"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// Options for bsai ask.
type Options struct {
	Factory *factory.Factory
	Ctx     context.Context

	Question   string
	TopK       int
	Kind       string
	ShowPrompt bool
	// Agent is --agent; AgentSet says whether it was given (otherwise agent
	// mode is on when the provider supports tools).
	Agent    bool
	AgentSet bool
	// TopKSet says whether --top-k was given (otherwise bsai.ask.topK).
	TopKSet bool
	// EmbeddingCacheDir overrides os.UserCacheDir()/bsai/embeddings (tests).
	EmbeddingCacheDir string

	cfg askConfig
}

// askConfig is the bsai.ask config block; flags win over it.
//
//	bsai:
//	  ask:
//	    topK: 5             # entities retrieved
//	    contextTokens: 3000 # card budget in a prompt (chars/4)
//	    agent: true         # tool use when the provider supports it
//	    maxSteps: 6         # agent model turns
//	    maxToolCalls: 12
//	    maxTokens: 40000    # agent total tokens
type askConfig struct {
	TopK          int   `json:"topK"`
	ContextTokens int   `json:"contextTokens"`
	Agent         *bool `json:"agent"`
	MaxSteps      int   `json:"maxSteps"`
	MaxToolCalls  int   `json:"maxToolCalls"`
	MaxTokens     int   `json:"maxTokens"`
}

// NewCmdAsk answers questions over the catalog.
func NewCmdAsk(f *factory.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	cmd := &cobra.Command{
		Use:   "ask [QUESTION]",
		Short: "Ask a question about the catalog",
		Long: `Answer a question about the catalog, citing the entities the answer uses by ref.

Retrieval ranks entities with BM25 over their names, titles, descriptions, tags
and specs, boosts entities the question names, and walks relations the question
asks about (owner, dependencies, dependents, APIs, systems). With a model
configured (bsai.ai) the answer is generated from compact entity cards and
streamed; every cited ref is checked against the catalog afterwards. In agent
mode (default when the provider supports tools) the model may also search the
catalog and follow relations itself. Offline (--offline or no model) the answer
is built deterministically from the same entities and relations.

With no QUESTION on a terminal, starts an interactive session (exit or Ctrl-D
to leave).`,
		Example: `  bsai ask "Who owns the payments API?"
  bsai ask "What breaks if the ledger database goes down?" -o json
  bsai ask --kind group "Who is on call for checkout?"
  bsai ask --show-prompt "What does the order service depend on?"`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx = cmd.Context()
			if len(args) == 1 {
				opts.Question = args[0]
			}
			opts.AgentSet = cmd.Flags().Changed("agent")
			opts.TopKSet = cmd.Flags().Changed("top-k")
			if runF != nil {
				return runF(opts)
			}
			return Run(opts)
		},
	}
	fl := cmd.Flags()
	fl.IntVar(&opts.TopK, "top-k", 5, "how many entities to retrieve")
	fl.StringVar(&opts.Kind, "kind", "", "only retrieve entities of this kind (component, api, group, ...)")
	fl.BoolVar(&opts.ShowPrompt, "show-prompt", false, "print the request that would be sent to the model and exit")
	fl.BoolVar(&opts.Agent, "agent", false, "let the model call catalog tools (default: on when the provider supports tools)")
	return cmd
}

// Run is the `bsai ask` logic.
func Run(opts *Options) error {
	f := opts.Factory
	ios := f.IOStreams
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	outName := f.Globals.Output
	if outName == "md" {
		outName = string(output.Markdown)
	}
	format, err := output.ParseFormat(outName, output.Text, output.JSON, output.YAML, output.Markdown)
	if err != nil {
		return err
	}
	if f.Config != nil {
		cfg, err := f.Config()
		if err != nil {
			return err
		}
		if err := cfg.Decode("bsai.ask", &opts.cfg); err != nil {
			return err
		}
	}
	if !opts.TopKSet && opts.cfg.TopK > 0 {
		opts.TopK = opts.cfg.TopK
	}
	if !opts.AgentSet && opts.cfg.Agent != nil && !*opts.cfg.Agent {
		// agent: false in config turns the default off; agent: true keeps
		// the capability check (a provider without tools cannot do it).
		opts.AgentSet, opts.Agent = true, false
	}
	if opts.TopK <= 0 || opts.TopK > 100 {
		return errs.Usage("--top-k must be between 1 and 100, got %d", opts.TopK)
	}
	interactive := opts.Question == ""
	if interactive && opts.ShowPrompt {
		return errs.Usage("--show-prompt needs a question").
			WithHint(`bsai ask --show-prompt "Who owns the payments API?"`)
	}
	if interactive && !ios.CanPrompt() {
		return errs.Usage("no question given").
			WithHint(`pass the question as an argument, e.g. bsai ask "Who owns the payments API?"`)
	}

	g, err := f.Catalog(ctx)
	if err != nil {
		return err
	}
	if opts.Kind != "" && len(g.ByKind(opts.Kind)) == 0 {
		return errs.Usage("--kind %s: the catalog has no entities of that kind", opts.Kind).
			WithHint("kinds in the catalog: %s", strings.Join(kinds(g), ", "))
	}
	a, err := newAssistant(ctx, opts, g)
	if err != nil {
		return err
	}
	if format == output.Text && !opts.ShowPrompt {
		a.Stream = ios.Out
	}
	q := assistant.Question{Text: opts.Question, TopK: opts.TopK, Kind: opts.Kind}
	render := func(ans *assistant.Answer) error {
		ios.Verbosef("mode %s; %d retrieved; ~%d context tokens; usage %d prompt + %d completion tokens in %d calls",
			ans.Mode, len(ans.Retrieved), ans.Usage.ContextTokens, ans.Usage.PromptTokens, ans.Usage.CompletionTokens, ans.Usage.Calls)
		if format == output.Markdown {
			return assistant.WriteMarkdown(ios.Out, g, ans)
		}
		return output.Print(ios, format, ans, func(w io.Writer, st *output.Styles) error {
			return assistant.WriteText(w, st, g, ans)
		})
	}
	if interactive {
		mode := "offline answers"
		switch {
		case a.Provider != nil && a.Agent:
			mode = "answers by " + a.Provider.Name() + " with catalog tools"
		case a.Provider != nil:
			mode = "answers by " + a.Provider.Name()
		}
		fmt.Fprintf(ios.ErrOut, "Ask about the catalog (%d entities, %s). Type exit or press Ctrl-D to leave.\n", g.Len(), mode)
		return a.Session(ctx, q, assistant.SessionIO{
			In:     ios.In,
			Prompt: func() { fmt.Fprint(ios.ErrOut, "ask> ") },
			Render: func(ans *assistant.Answer) error {
				if err := render(ans); err != nil {
					return err
				}
				fmt.Fprintln(ios.Out)
				return nil
			},
			Error: func(err error) { fmt.Fprintf(ios.ErrOut, "error: %v\n", err) },
		})
	}
	ans, err := a.Ask(ctx, q)
	if errors.Is(err, llm.ErrPromptShown) {
		return nil
	}
	if err != nil {
		return err
	}
	return render(ans)
}

// newAssistant picks the mode: offline on llm.ErrNoModel, the prompt
// printer for --show-prompt, agent when asked or when the provider has
// tools, and hybrid retrieval when the provider embeds.
func newAssistant(ctx context.Context, opts *Options, g *catalog.Graph) (*assistant.Assistant, error) {
	f := opts.Factory
	ios := f.IOStreams
	a := &assistant.Assistant{
		Graph: g, Index: retrieval.For(g), Warn: ios.Warnf, Progress: ios.StartProgress,
		ContextBudget: opts.cfg.ContextTokens,
		Budget:        llm.Budget{MaxSteps: opts.cfg.MaxSteps, MaxToolCalls: opts.cfg.MaxToolCalls, MaxTokens: opts.cfg.MaxTokens},
	}
	p, err := f.LLM("ask")
	switch {
	case errors.Is(err, llm.ErrNoModel):
		p = nil
	case err != nil:
		return nil, err
	}
	if opts.ShowPrompt {
		name, model := "none", ""
		if p != nil {
			name, model = p.Name(), p.Model()
		}
		a.Provider = &llm.PromptPrinter{W: ios.Out, Provider_: name, ModelName: model}
		a.Agent = opts.AgentSet && opts.Agent || !opts.AgentSet && p != nil && llm.CapabilitiesOf(p).Tools
		return a, nil
	}
	if p == nil {
		if opts.AgentSet && opts.Agent {
			return nil, errs.Usage("--agent needs a model, and none is configured").
				WithHint("configure a provider under bsai.ai, or drop --agent for the offline answer")
		}
		return a, nil
	}
	caps := llm.CapabilitiesOf(p)
	a.Provider = p
	a.Agent = opts.Agent
	if !opts.AgentSet {
		a.Agent = caps.Tools
	} else if opts.Agent && !caps.Tools {
		return nil, errs.Usage("provider %s does not support tool calls", p.Name()).
			WithHint("drop --agent, or use a provider with tool support")
	}
	if caps.Embeddings {
		dir := opts.EmbeddingCacheDir
		if dir == "" {
			if c, err := os.UserCacheDir(); err == nil {
				dir = filepath.Join(c, "bsai", "embeddings")
			}
		}
		stop := ios.StartProgress("embedding the catalog")
		err := a.Index.WithEmbeddings(ctx, p, retrieval.EmbedOptions{CacheDir: dir, Model: p.Name() + "-" + embeddingModel(p)})
		stop()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			ios.Verbosef("embeddings unavailable, using keyword retrieval: %v", err)
		}
	}
	return a, nil
}

func kinds(g *catalog.Graph) []string {
	seen := map[string]bool{}
	var out []string
	for _, e := range g.All() {
		k := strings.ToLower(e.Kind)
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Strings(out)
	return out
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
