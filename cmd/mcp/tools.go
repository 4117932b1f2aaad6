package mcp

import (
	"context"
	"io"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/output"
)

// ToolsOptions for `bsai mcp tools`.
type ToolsOptions struct {
	Common
	Server string
	Tool   string
}

// NewCmdTools lists a server's tools with their arguments.
func NewCmdTools(f *factory.Factory, runF func(*ToolsOptions) error) *cobra.Command {
	opts := &ToolsOptions{}
	return &cobra.Command{
		Use:   "tools SERVER [TOOL]",
		Short: "List a server's tools and their arguments",
		Long: `List a server's tools: name, description and arguments (type, required) from
each tool's input schema. With TOOL, only that tool. -o json prints the raw tool
list as the server sent it (name, description, inputSchema, annotations, ...).`,
		Example: `  bsai mcp tools everything
  bsai mcp tools everything get-sum -o json
  bsai mcp tools api:default/payments-mcp`,
		Args: cobra.RangeArgs(1, 2),
		RunE: runE(f, opts, &opts.Common, func(args []string) {
			opts.Server = args[0]
			if len(args) > 1 {
				opts.Tool = args[1]
			}
		}, runF, RunTools),
	}
}

// RunTools connects to the server and prints its tools.
func RunTools(opts *ToolsOptions) error {
	list := func(ctx context.Context, reg *pkgmcp.Registry) ([]mcp.Tool, error) {
		defer opts.IO.StartProgress("connecting to " + opts.Server)()
		if opts.Tool != "" {
			t, err := reg.Tool(ctx, opts.Server, opts.Tool)
			return []mcp.Tool{t}, err
		}
		return reg.ListTools(ctx, opts.Server)
	}
	return printList(opts.Common, list, func(w io.Writer, _ *output.Styles, tools []mcp.Tool) error {
		return pkgmcp.WriteTools(w, tools, opts.IO.TerminalWidth())
	})
}
