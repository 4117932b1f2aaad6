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
		RunE: runE(f, opts, &opts.Common, func(args []string) { opts.Server = args[0] }, runF, RunResources),
	}
}

// RunResources prints the resource list.
func RunResources(opts *ResourcesOptions) error {
	resources := func(ctx context.Context, reg *pkgmcp.Registry) ([]mcp.Resource, error) {
		return reg.ListResources(ctx, opts.Server)
	}
	return printList(opts.Common, resources, func(w io.Writer, _ *output.Styles, list []mcp.Resource) error {
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
		RunE: runE(f, opts, &opts.Common, func(args []string) { opts.Server, opts.URI = args[0], args[1] }, runF, RunRead),
	}
}

// readResult is the -o json|yaml shape of `mcp read`.
type readResult struct {
	Contents []mcp.ResourceContents `json:"contents" yaml:"contents"`
}

// RunRead prints one resource.
func RunRead(opts *ReadOptions) error {
	read := func(ctx context.Context, reg *pkgmcp.Registry) (readResult, error) {
		res, err := reg.ReadResource(ctx, opts.Server, opts.URI)
		if err != nil {
			return readResult{}, err
		}
		if res.Contents == nil {
			return readResult{Contents: []mcp.ResourceContents{}}, nil
		}
		return readResult{Contents: res.Contents}, nil
	}
	return printList(opts.Common, read, func(w io.Writer, _ *output.Styles, r readResult) error {
		return pkgmcp.WriteResourceContents(w, r.Contents)
	})
}
