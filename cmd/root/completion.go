package root

import (
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/complete"
	"github.com/bsai-dev/bsai/pkg/llm"
)

// Completion waits: a TAB that needs a server's tool list may start it
// (npx can take seconds); everything else answers from config or caches.
const (
	toolListTimeout = 20 * time.Second
	modelsTimeout   = 5 * time.Second
)

// newCompleter builds the completion sources from the factory. Nothing is
// constructed until a completion asks for it.
func newCompleter(f *factory.Factory) *complete.Completer {
	c := &complete.Completer{Cache: &complete.Cache{}}
	if dir, err := os.UserCacheDir(); err == nil {
		c.Cache.Dir = filepath.Join(dir, "bsai", "complete")
	}
	c.Servers = func() ([]string, error) {
		reg, err := f.MCP()
		if err != nil {
			return nil, err
		}
		var ids []string
		for _, s := range reg.Servers() {
			ids = append(ids, s.ID)
		}
		return ids, nil
	}
	c.ServerKey = func(id string) string {
		reg, err := f.MCP()
		if err != nil {
			return ""
		}
		for _, s := range reg.Servers() {
			if s.ID == id {
				return s.Transport + " " + s.Target
			}
		}
		return ""
	}
	c.Tools = func(ctx context.Context, server string) ([]complete.Tool, error) {
		reg, err := f.MCP()
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, toolListTimeout)
		defer cancel()
		ts, err := reg.ListTools(ctx, server)
		if err != nil {
			return nil, err
		}
		// Through JSON: mcp-go keeps the schema either typed or raw.
		b, err := json.Marshal(ts)
		if err != nil {
			return nil, err
		}
		var out []complete.Tool
		return out, json.Unmarshal(b, &out)
	}
	c.Entities = func(ctx context.Context) ([]catalog.Entity, error) {
		src, err := f.CatalogSource()
		if err != nil {
			return nil, err
		}
		if s, ok := src.(interface {
			Snapshot() ([]catalog.Entity, bool)
		}); ok {
			if ents, ok := s.Snapshot(); ok {
				return ents, nil
			}
		}
		return src.Entities(ctx, catalog.Query{})
	}
	c.Providers = func() ([]string, error) {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		ai, err := cfg.AI()
		if err != nil {
			return nil, err
		}
		names := make([]string, 0, len(ai.Providers))
		for n := range ai.Providers {
			names = append(names, n)
		}
		return names, nil
	}
	provider := func(string) (llm.Provider, error) {
		f.Globals.Offline = false // completing --model means a model is wanted
		return f.LLM("ask")
	}
	c.Models = func(ctx context.Context, name string) ([]string, error) {
		p, err := provider(name)
		if err != nil {
			return nil, err
		}
		ctx, cancel := context.WithTimeout(ctx, modelsTimeout)
		defer cancel()
		return llm.ListModels(ctx, p)
	}
	c.ProviderKey = func(name string) string {
		p, err := provider(name)
		if err != nil {
			return ""
		}
		if cp, ok := p.(interface{ Config() llm.ProviderConfig }); ok {
			pc := cp.Config()
			return pc.Name + " " + pc.Type + " " + pc.BaseURL
		}
		return p.Name()
	}
	return c
}

type compFunc = func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective)

// wireCompletion registers dynamic completion on the tree. Cobra's hidden
// __complete command parses the flags but runs no PersistentPreRunE, so
// each function applies the global flags itself (--config, --catalog,
// --mcp-config, --provider change what is offered) and silences stderr:
// warnings while loading the catalog must not reach the shell.
func wireCompletion(f *factory.Factory, v *viper.Viper, root *cobra.Command) {
	c := newCompleter(f)
	prepare := func(cmd *cobra.Command) context.Context {
		_ = applyGlobals(f, v, cmd)
		f.IOStreams.ErrOut = io.Discard
		f.IOStreams.SetVerbose(false)
		if ctx := cmd.Context(); ctx != nil {
			return ctx
		}
		return context.Background()
	}
	wrap := func(fn func(ctx context.Context, cmd *cobra.Command, args []string, toComplete string) ([]complete.Candidate, cobra.ShellCompDirective)) compFunc {
		return func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			cands, dir := fn(prepare(cmd), cmd, args, toComplete)
			return complete.Strings(cands), dir
		}
	}
	const noFile = cobra.ShellCompDirectiveNoFileComp

	servers := func(ctx context.Context, _ *cobra.Command, args []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
		if len(args) == 0 {
			return c.MCPServers(tc), noFile
		}
		return nil, noFile
	}
	toolCall := func(ctx context.Context, _ *cobra.Command, args []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return c.MCPServers(tc), noFile
		case 1:
			return c.MCPTools(ctx, args[0], tc), noFile
		}
		cands, noSpace := c.ToolArgs(ctx, args[0], args[1], args[2:], tc)
		if noSpace {
			return cands, noFile | cobra.ShellCompDirectiveNoSpace
		}
		return cands, noFile
	}
	toolNames := func(ctx context.Context, _ *cobra.Command, args []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
		switch len(args) {
		case 0:
			return c.MCPServers(tc), noFile
		case 1:
			return c.MCPTools(ctx, args[0], tc), noFile
		}
		return nil, noFile
	}
	refs := func(kind string) func(ctx context.Context, _ *cobra.Command, args []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
		return func(ctx context.Context, _ *cobra.Command, args []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
			return c.EntityRefs(ctx, tc, kind), noFile
		}
	}
	oneRef := func(ctx context.Context, cmd *cobra.Command, args []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
		if len(args) > 0 {
			return nil, noFile
		}
		return refs("")(ctx, cmd, args, tc)
	}
	static := func(values ...string) compFunc {
		return func(_ *cobra.Command, _ []string, tc string) ([]string, cobra.ShellCompDirective) {
			var out []string
			for _, v := range values {
				if strings.HasPrefix(v, tc) {
					out = append(out, v)
				}
			}
			return out, noFile
		}
	}

	args := map[string]compFunc{
		"mcp call":      wrap(toolCall),
		"mcp tools":     wrap(toolNames),
		"mcp prompts":   wrap(servers),
		"mcp resources": wrap(servers),
		"mcp read":      wrap(servers),
		"mcp get":       wrap(servers),
		"catalog get":   wrap(oneRef),
		"catalog deps":  wrap(oneRef),
	}
	flags := map[string]map[string]compFunc{
		"catalog list": {
			"kind": wrap(func(ctx context.Context, _ *cobra.Command, _ []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
				return c.Kinds(ctx, tc), noFile
			}),
			"filter": wrap(func(ctx context.Context, _ *cobra.Command, _ []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
				cands, noSpace := c.FilterPairs(ctx, tc)
				if noSpace {
					return cands, noFile | cobra.ShellCompDirectiveNoSpace
				}
				return cands, noFile
			}),
		},
		"ask": {"kind": wrap(func(ctx context.Context, _ *cobra.Command, _ []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
			return c.Kinds(ctx, tc), noFile
		})},
		"incident investigate": {"service": wrap(refs("component")), "mode": static("copilot", "agent")},
		"template generate":    {"ref": wrap(refs("template")), "owner": wrap(refs("group")), "actions": static("auto", "live", "builtin")},
		"template validate":    {"format": static("text", "json", "sarif", "github"), "actions": static("auto", "live", "builtin")},
	}
	walk(root, func(cmd *cobra.Command) {
		path := strings.TrimPrefix(cmd.CommandPath(), root.Name()+" ")
		if fn, ok := args[path]; ok && cmd.ValidArgsFunction == nil {
			cmd.ValidArgsFunction = fn
		}
		for name, fn := range flags[path] {
			if cmd.Flags().Lookup(name) != nil {
				_ = cmd.RegisterFlagCompletionFunc(name, fn)
			}
		}
		if path == "template validate" && cmd.ValidArgsFunction == nil {
			cmd.ValidArgsFunction = func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
				return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
			}
		}
	})

	_ = root.RegisterFlagCompletionFunc("output", func(cmd *cobra.Command, _ []string, tc string) ([]string, cobra.ShellCompDirective) {
		var extra []string
		switch path := strings.TrimPrefix(cmd.CommandPath(), root.Name()+" "); {
		case strings.HasPrefix(path, "incident"):
			extra = append(extra, "markdown")
		case path == "catalog deps":
			extra = append(extra, "mermaid")
		case path == "ask":
			extra = append(extra, "markdown", "mermaid")
		case path == "template validate":
			extra = append(extra, "sarif", "github")
		}
		return complete.Strings(complete.Formats(tc, extra...)), noFile
	})
	_ = root.RegisterFlagCompletionFunc("provider", wrap(func(_ context.Context, _ *cobra.Command, _ []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
		return c.ProviderNames(tc), noFile
	}))
	_ = root.RegisterFlagCompletionFunc("model", wrap(func(ctx context.Context, _ *cobra.Command, _ []string, tc string) ([]complete.Candidate, cobra.ShellCompDirective) {
		return c.ModelNames(ctx, f.Globals.Provider, tc), noFile
	}))
	_ = root.RegisterFlagCompletionFunc("config", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
	})
	_ = root.RegisterFlagCompletionFunc("mcp-config", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{"json"}, cobra.ShellCompDirectiveFilterFileExt
	})
}

func walk(c *cobra.Command, fn func(*cobra.Command)) {
	fn(c)
	for _, sub := range c.Commands() {
		walk(sub, fn)
	}
}
