package mcp

import (
	"io"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/output"
)

// ResourcesOptions for `bsai mcp resources`.
type ResourcesOptions struct {
	Common
	Server string
}

// NewCmdResources lists a server's resources.
func NewCmdResources(f *factory.Factory, runF func(*ResourcesOptions) error) *cobra.Command {
	opts := &ResourcesOptions{}
	return &cobra.Command{
		Use:   "resources SERVER",
		Short: "List a server's resources",
		Example: `  bsai mcp resources everything
  bsai mcp resources api:default/my-mcp -o json`,
		Long: `List a server's resources (uri, name, mime type). -o json prints the raw list.`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Common = common(f, cmd)
			opts.Server = args[0]
			if runF != nil {
				return runF(opts)
			}
			return RunResources(opts)
		},
	}
}

// RunResources prints the resource list.
func RunResources(opts *ResourcesOptions) error {
	format, reg, err := opts.start()
	if err != nil {
		return err
	}
	list, err := reg.ListResources(opts.ctx(), opts.Server)
	if err != nil {
		return err
	}
	return output.Print(opts.IO, format, list, func(w io.Writer, st *output.Styles) error {
		// Fits the terminal: names are cut, URIs (what mcp read takes) not.
		t := &output.Table{Columns: []output.Column{{}, {Shrink: true, Min: 10}, {Optional: true}}, Width: opts.IO.TerminalWidth()}
		for _, r := range list {
			t.Rows = append(t.Rows, []string{r.URI, r.Name, r.MIMEType})
		}
		return t.Write(w)
	})
}

// ReadOptions for `bsai mcp read`.
type ReadOptions struct {
	Common
	Server, URI string
}

// NewCmdRead reads one resource.
func NewCmdRead(f *factory.Factory, runF func(*ReadOptions) error) *cobra.Command {
	opts := &ReadOptions{}
	return &cobra.Command{
		Use:   "read SERVER URI",
		Short: "Read a resource from a server",
		Example: `  bsai mcp read everything demo://resource/static/document/features.md
  bsai mcp read everything demo://resource/static/document/features.md -o json`,
		Long: `Read one resource. Text contents are printed as is, binary ones summarised.
-o json prints {"contents": [{"uri", "mimeType", "text"|"blob"}]}.`,
		Args: cobra.ExactArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Common = common(f, cmd)
			opts.Server, opts.URI = args[0], args[1]
			if runF != nil {
				return runF(opts)
			}
			return RunRead(opts)
		},
	}
}

// RunRead prints one resource.
func RunRead(opts *ReadOptions) error {
	format, reg, err := opts.start()
	if err != nil {
		return err
	}
	res, err := reg.ReadResource(opts.ctx(), opts.Server, opts.URI)
	if err != nil {
		return err
	}
	contents := res.Contents
	if contents == nil {
		contents = []mcp.ResourceContents{}
	}
	return output.Print(opts.IO, format, map[string]any{"contents": contents}, func(w io.Writer, st *output.Styles) error {
		return pkgmcp.WriteResourceContents(w, contents)
	})
}
