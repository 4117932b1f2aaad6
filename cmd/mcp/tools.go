package mcp

import (
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
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Common = common(f, cmd)
			opts.Server = args[0]
			if len(args) > 1 {
				opts.Tool = args[1]
			}
			if runF != nil {
				return runF(opts)
			}
			return RunTools(opts)
		},
	}
}

// RunTools connects to the server and prints its tools.
func RunTools(opts *ToolsOptions) error {
	format, reg, err := opts.start()
	if err != nil {
		return err
	}
	stop := opts.IO.StartProgress("connecting to " + opts.Server)
	var tools []mcp.Tool
	if opts.Tool != "" {
		var t mcp.Tool
		t, err = reg.Tool(opts.ctx(), opts.Server, opts.Tool)
		tools = []mcp.Tool{t}
	} else {
		tools, err = reg.ListTools(opts.ctx(), opts.Server)
	}
	stop()
	if err != nil {
		return err
	}
	return output.Print(opts.IO, format, tools, func(w io.Writer, st *output.Styles) error {
		return pkgmcp.WriteTools(w, tools, opts.IO.TerminalWidth())
	})
}
