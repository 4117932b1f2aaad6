package catalog

import (
	"context"
	"io"
	"strconv"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/depgraph"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/output"
)

// DepsOptions are the inputs of `bsai catalog deps`.
type DepsOptions struct {
	Factory *factory.Factory
	Ctx     context.Context
	Ref     string
	Tree    bool
	Depth   int
	Limit   int
}

// NewCmdDeps shows what an entity depends on and what depends on it.
func NewCmdDeps(f *factory.Factory, runF func(*DepsOptions) error) *cobra.Command {
	opts := &DepsOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "deps REF",
		Short: "Show what an entity depends on and what depends on it",
		Long: `Walk the catalog's dependency relations from one entity, both ways: what it needs
(dependsOn, consumed APIs and the components providing them) and what stops working
when it goes down (dependencyOf, consumers of it and of the APIs it provides), up to
--depth hops and --limit entities each way, as ask's blast-radius answers do.

Text prints one row per entity with the entity it is reached through; --tree draws
both directions as trees, so the hop path to every entity reads top-down; -o mermaid
prints a Mermaid flowchart (A --> B: A depends on B) to paste into Markdown;
-o json gives every entity with its depth and full path.`,
		Example: `  bsai catalog deps my-service --tree
  bsai catalog deps resource:default/main-db -o mermaid > blast-radius.mmd
  bsai catalog deps my-service --depth 1 -o json --jq '.dependents[].ref'`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx = cmd.Context()
			opts.Ref = args[0]
			if runF != nil {
				return runF(opts)
			}
			return RunDeps(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Tree, "tree", false, "draw dependencies and dependents as trees with the hop paths")
	cmd.Flags().IntVar(&opts.Depth, "depth", 3, "most hops to walk each way")
	cmd.Flags().IntVar(&opts.Limit, "limit", 20, "most entities to show each way")
	return cmd
}

// RunDeps is the `catalog deps` logic.
func RunDeps(opts *DepsOptions) error {
	f := opts.Factory
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	format, err := output.ParseFormat(f.Globals.Output, output.Text, output.JSON, output.YAML, output.Mermaid)
	if err != nil {
		return err
	}
	if opts.Depth < 1 || opts.Depth > 10 {
		return errs.Usage("--depth must be between 1 and 10, got %d", opts.Depth)
	}
	if opts.Limit < 1 || opts.Limit > 1000 {
		return errs.Usage("--limit must be between 1 and 1000, got %d", opts.Limit)
	}
	g, err := f.Catalog(ctx)
	if err != nil {
		return err
	}
	e, err := g.Resolve(opts.Ref)
	if err != nil {
		return err
	}
	gr := depgraph.Build(g, e.Ref().String(), depgraph.Options{MaxHops: opts.Depth, Limit: opts.Limit})
	if format == output.Mermaid {
		return depgraph.WriteMermaid(f.IOStreams.Out, gr)
	}
	return output.Print(f.IOStreams, format, gr, func(w io.Writer, st *output.Styles) error {
		if opts.Tree {
			return depgraph.WriteTree(w, gr, st)
		}
		return writeDepsTable(w, st, gr, f.IOStreams.TerminalWidth())
	})
}

func writeDepsTable(w io.Writer, st *output.Styles, gr depgraph.Graph, width int) error {
	t := &output.Table{
		Columns: []output.Column{{Header: "DIRECTION"}, {Header: "REF"}, {Header: "DEPTH"}, {Header: "VIA"}, {Header: "API", Optional: true}},
		Width:   width,
	}
	if st.Color {
		t.HeaderStyle = func(s string) string { return st.Bold.Render(s) }
	}
	for _, n := range gr.Dependencies {
		t.Rows = append(t.Rows, []string{"depends on", n.Ref, strconv.Itoa(n.Depth), n.Via, dash(n.API)})
	}
	for _, n := range gr.Dependents {
		t.Rows = append(t.Rows, []string{"depended on by", n.Ref, strconv.Itoa(n.Depth), n.Via, dash(n.API)})
	}
	if len(t.Rows) == 0 {
		_, err := io.WriteString(w, gr.Subject+" has no dependencies or dependents in the catalog\n")
		return err
	}
	return t.Write(w)
}
