// Package mcp holds the `bsai mcp` commands: list servers, tools, resources
// and prompts, call tools, and serve bsai itself as an MCP server. The work
// is done by pkg/mcp; these commands turn flags into options and print.
package mcp

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/output"
)

// NewCmdMCP groups the MCP commands.
func NewCmdMCP(f *factory.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "mcp",
		Short: "List and call tools on MCP servers, or serve bsai over MCP",
		Example: `  bsai mcp servers
  bsai mcp tools everything
  bsai mcp call everything get-sum a=1 b=2`,
		Long: `Call any tool on any MCP server from the terminal or CI.

Servers come from bsai.mcp.servers.<id> in app-config.yaml (and
scaffolder.mcpServers.<id>, the Backstage scaffolder MCP module's key), from a Claude/Inspector style {"mcpServers": {...}} JSON file
given with --mcp-config, or from the catalog: an API entity with spec.type
mcp-server, addressed by its ref (api:default/my-mcp).

Exit codes: 0 ok; 1 the tool returned isError, the server failed or timed out;
2 bad arguments, unknown server or tool; 4 bad server config; 130 interrupted.`,
	}
	c.AddCommand(
		NewCmdServers(f, nil),
		NewCmdTools(f, nil),
		NewCmdCall(f, nil),
		NewCmdResources(f, nil),
		NewCmdRead(f, nil),
		NewCmdPrompts(f, nil),
		NewCmdGet(f, nil),
		NewCmdServe(f, nil),
	)
	return c
}

// Common are the fields every mcp subcommand needs; tests fill them with
// fakes (iostreams.Test(), a registry with in-process servers).
type Common struct {
	IO       *iostreams.IOStreams
	Registry func() (*pkgmcp.Registry, error)
	Output   string
	Ctx      context.Context
}

func common(f *factory.Factory, cmd *cobra.Command) Common {
	return Common{IO: f.IOStreams, Registry: f.MCP, Output: f.Globals.Output, Ctx: cmd.Context()}
}

func (c Common) format() (output.Format, error) {
	return output.ParseFormat(c.Output)
}

// start is what every listing subcommand does first: check -o, then get
// the registry (nothing is spawned until a server is used).
func (c Common) start() (output.Format, *pkgmcp.Registry, error) {
	format, err := c.format()
	if err != nil {
		return "", nil, err
	}
	reg, err := c.Registry()
	return format, reg, err
}

func (c Common) ctx() context.Context {
	if c.Ctx != nil {
		return c.Ctx
	}
	return context.Background()
}

// splitPairs parses k=v arguments early so a typo fails before any server
// is started.
func splitPairs(pairs []string) (map[string]string, error) {
	kv := make(map[string]string, len(pairs))
	for _, p := range pairs {
		k, v, ok := strings.Cut(p, "=")
		if !ok || k == "" {
			return nil, errs.Usage("invalid argument %q: expected key=value", p)
		}
		kv[k] = v
	}
	return kv, nil
}

// runE is the RunE of the mcp subcommands: fill Common and the positional
// arguments, then call the test's runF or the real run function.
func runE[O any](f *factory.Factory, opts *O, c *Common, setArgs func([]string), runF, run func(*O) error) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		*c = common(f, cmd)
		if setArgs != nil {
			setArgs(args)
		}
		if runF != nil {
			return runF(opts)
		}
		return run(opts)
	}
}

// printList is what the listing subcommands share: check -o, get the
// registry, fetch one list from it and print that as JSON or as text.
func printList[T any](c Common, fetch func(context.Context, *pkgmcp.Registry) (T, error), text func(io.Writer, *output.Styles, T) error) error {
	format, reg, err := c.start()
	if err != nil {
		return err
	}
	list, err := fetch(c.ctx(), reg)
	if err != nil {
		return err
	}
	return output.Print(c.IO, format, list, func(w io.Writer, st *output.Styles) error {
		return text(w, st, list)
	})
}
