package catalog

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/output"
)

// ListOptions are the inputs of `bsai catalog list`.
type ListOptions struct {
	Factory *factory.Factory
	Ctx     context.Context
	Kind    string
	Filters []string
}

// ListResult is the JSON/YAML shape of `bsai catalog list -o json`.
type ListResult struct {
	Count    int              `json:"count"`
	Entities []catalog.Entity `json:"entities"`
}

// NewCmdList lists entities, optionally filtered.
func NewCmdList(f *factory.Factory, runF func(*ListOptions) error) *cobra.Command {
	opts := &ListOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List entities",
		Long: `List catalog entities, sorted by ref. Filters use Backstage's filter syntax:
keys are dot paths (kind, spec.type, metadata.tags, relations.ownedBy...),
values compare case-insensitively, a key without a value means "present".`,
		Example: `  bsai catalog list --kind component
  bsai catalog list --filter spec.type=service --filter spec.lifecycle=production
  bsai catalog list --filter kind=api,spec.type=openapi -o json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return RunList(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Kind, "kind", "", "only entities of this kind (component, api, group...)")
	cmd.Flags().StringArrayVar(&opts.Filters, "filter", nil, "key=value filter, repeatable; comma-separated pairs also work")
	return cmd
}

// RunList is the `catalog list` logic; tests call it with a fake factory.
func RunList(opts *ListOptions) error {
	f := opts.Factory
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	format, err := output.ParseFormat(f.Globals.Output)
	if err != nil {
		return err
	}
	filter, err := catalog.ParseFilter(opts.Filters...)
	if err != nil {
		return errs.Usage("%v", err).WithHint("use --filter key=value, e.g. --filter spec.type=service")
	}
	if opts.Kind != "" {
		filter["kind"] = opts.Kind
	}
	src, err := f.CatalogSource()
	if err != nil {
		return err
	}
	ents, err := src.Entities(ctx, catalog.Query{Filter: filter})
	if err != nil {
		return err
	}
	sorted := append([]catalog.Entity(nil), ents...)
	refs := make([]string, len(sorted))
	for i := range sorted {
		refs[i] = sorted[i].Ref().String()
	}
	sort.Sort(byRef{sorted, refs})
	res := ListResult{Count: len(sorted), Entities: sorted}
	if res.Entities == nil {
		res.Entities = []catalog.Entity{}
	}
	return output.Print(f.IOStreams, format, res, func(w io.Writer, st *output.Styles) error {
		return writeTable(w, st, sorted, refs, f.IOStreams.TerminalWidth())
	})
}

type byRef struct {
	ents []catalog.Entity
	refs []string
}

func (b byRef) Len() int           { return len(b.ents) }
func (b byRef) Less(i, j int) bool { return b.refs[i] < b.refs[j] }
func (b byRef) Swap(i, j int) {
	b.ents[i], b.ents[j] = b.ents[j], b.ents[i]
	b.refs[i], b.refs[j] = b.refs[j], b.refs[i]
}

// writeTable prints one row per entity. On a terminal the table fits
// width: the title column is truncated, refs and owners never are.
func writeTable(w io.Writer, st *output.Styles, ents []catalog.Entity, refs []string, width int) error {
	if len(ents) == 0 {
		_, err := fmt.Fprintln(w, "no entities match")
		return err
	}
	t := &output.Table{
		Columns: []output.Column{{Header: "REF"}, {Header: "TITLE/DESCRIPTION", Shrink: true, Min: 12, Optional: true}, {Header: "OWNER"}, {Header: "LIFECYCLE", Optional: true}},
		Width:   width,
	}
	if st.Color {
		t.HeaderStyle = func(s string) string { return st.Bold.Render(s) }
	}
	for i := range ents {
		e := &ents[i]
		t.Rows = append(t.Rows, []string{refs[i], dash(summary(e)), dash(owner(e)), dash(e.SpecString("lifecycle"))})
	}
	return t.Write(w)
}

// summary is the title, else a user's or group's display name, else the
// description, on one line.
func summary(e *catalog.Entity) string {
	s := e.Metadata.Title
	if p, ok := e.Spec["profile"].(map[string]any); ok && s == "" {
		s, _ = p["displayName"].(string)
	}
	if s == "" {
		s = e.Metadata.Description
	}
	return strings.Join(strings.Fields(s), " ")
}

// owner is the ownedBy relation (canonical ref), else spec.owner as written.
func owner(e *catalog.Entity) string {
	for _, r := range e.Relations {
		if r.Type == catalog.RelOwnedBy {
			return r.TargetRef
		}
	}
	return e.SpecString("owner")
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
