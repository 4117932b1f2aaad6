// Package ask holds the `bsai ask` command.
package ask

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/assistant"
	"github.com/bsai-dev/bsai/pkg/depgraph"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/output"
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
		Example: `  bsai ask "Who owns component:default/my-service?"
  bsai ask "What breaks if the orders database goes down?" -o json
  bsai ask --kind group "Who is on call for my-service?"
  bsai ask --show-prompt "What does my-service depend on?"
  bsai ask "List all systems"`,
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

// Run is the `bsai ask` logic: flags → assistant.Request; the wiring and
// mode selection are assistant.Prepare's, shared with `bsai mcp serve`.
func Run(opts *Options) error {
	f := opts.Factory
	ios := f.IOStreams
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	format, err := output.ParseFormat(f.Globals.Output, output.Text, output.JSON, output.YAML, output.Markdown, output.Mermaid)
	if err != nil {
		return err
	}
	req := assistant.Request{Question: opts.Question, Kind: opts.Kind}
	if opts.TopKSet {
		if opts.TopK <= 0 || opts.TopK > 100 {
			return errs.Usage("--top-k must be between 1 and 100, got %d", opts.TopK)
		}
		req.TopK = opts.TopK
	}
	if opts.AgentSet {
		req.Agent = &opts.Agent
	}
	// The prompt quotes catalog text: shown through a SafeWriter like any
	// text output.
	shown := output.NewSafeWriter(ios.Out, false)
	if opts.ShowPrompt {
		req.ShowPrompt = shown
	}
	interactive := opts.Question == ""
	if interactive && opts.ShowPrompt {
		return errs.Usage("--show-prompt needs a question").
			WithHint(`bsai ask --show-prompt "Who owns <service>?"`)
	}
	if interactive && !ios.CanPrompt() {
		return errs.Usage("no question given").
			WithHint(`pass the question as an argument, e.g. bsai ask "Who owns <service>?"`)
	}

	env, err := f.AskEnv(ctx)
	if err != nil {
		return err
	}
	env.EmbeddingCacheDir = opts.EmbeddingCacheDir
	g := env.Graph
	a, q, err := assistant.Prepare(ctx, env, req)
	if err != nil {
		return err
	}
	// A streamed answer goes through a SafeWriter like every text output:
	// the model may quote catalog text holding terminal escapes.
	stream := output.NewSafeWriter(ios.Out, false)
	if format == output.Text && !opts.ShowPrompt {
		a.Stream = stream
	}
	render := func(ans *assistant.Answer) error {
		if err := stream.Flush(); err != nil {
			return err
		}
		ios.Verbosef("mode %s; %d retrieved; ~%d context tokens; usage %d prompt + %d completion tokens in %d calls",
			ans.Mode, len(ans.Retrieved), ans.Usage.ContextTokens, ans.Usage.PromptTokens, ans.Usage.CompletionTokens, ans.Usage.Calls)
		if format == output.Markdown {
			return assistant.WriteMarkdown(ios.Out, g, ans)
		}
		if format == output.Mermaid {
			graphs, err := depgraph.ForQuestion(g, ans.Question, ans.Focus, depgraph.Options{})
			if err != nil {
				return err
			}
			return depgraph.WriteMermaid(ios.Out, graphs...)
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
		lr, err := ios.NewLineReader("ask> ", historyFile())
		if err != nil {
			return err
		}
		defer lr.Close()
		return a.Session(ctx, q, assistant.SessionIO{
			ReadLine: lr.ReadLine,
			// Ctrl-C while an answer is being worked out cancels that
			// answer only; at the prompt it clears the line (LineReader).
			Begin: func(ctx context.Context) (context.Context, func()) {
				qctx, cancel := context.WithCancel(ctx)
				restore := f.OnInterrupt(cancel)
				return qctx, func() { restore(); cancel() }
			},
			Render: func(ans *assistant.Answer) error {
				if err := render(ans); err != nil {
					// An answer -o mermaid cannot draw is that question's
					// problem, not the session's.
					if errs.KindOf(err) == errs.KindUsage {
						fmt.Fprintf(ios.ErrOut, "error: %v\n", err)
						return nil
					}
					return err
				}
				fmt.Fprintln(ios.Out)
				return nil
			},
			Error: func(err error) {
				if errors.Is(err, context.Canceled) {
					fmt.Fprintln(ios.ErrOut, "\n(answer cancelled)")
					return
				}
				fmt.Fprintf(ios.ErrOut, "error: %v\n", err)
			},
		})
	}
	ans, err := a.Ask(ctx, q)
	if errors.Is(err, llm.ErrPromptShown) {
		return shown.Flush()
	}
	if err != nil {
		return err
	}
	return render(ans)
}

// historyFile keeps the questions of interactive sessions for the up arrow
// and Ctrl-R across sessions, in the user's cache folder ("" = none).
func historyFile() string {
	dir, err := os.UserCacheDir()
	if err != nil {
		return ""
	}
	return filepath.Join(dir, "bsai", "ask-history")
}
