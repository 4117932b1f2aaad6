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
	"github.com/bsai-dev/bsai/pkg/textutil"
)

// GetOptions are the inputs of `bsai catalog get`.
type GetOptions struct {
	Factory *factory.Factory
	Ctx     context.Context
	Ref     string
}

// NewCmdGet shows one entity.
func NewCmdGet(f *factory.Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{Factory: f}
	return &cobra.Command{
		Use:   "get REF",
		Short: "Show one entity",
		Long: `Show one entity with its relations. REF is a full ref (component:default/my-service)
or a partial one (my-service, api:my-service, default/my-service); a partial
ref that matches several entities lists them. -o json prints the entity as
Backstage's API returns it.`,
		Example: `  bsai catalog get my-service
  bsai catalog get group:default/team-a -o yaml`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx = cmd.Context()
			opts.Ref = args[0]
			if runF != nil {
				return runF(opts)
			}
			return RunGet(opts)
		},
	}
}

// RunGet is the `catalog get` logic.
func RunGet(opts *GetOptions) error {
	f := opts.Factory
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	format, err := output.ParseFormat(f.Globals.Output)
	if err != nil {
		return err
	}
	e, err := find(ctx, f, opts.Ref)
	if err != nil {
		return err
	}
	return output.Print(f.IOStreams, format, e, func(w io.Writer, st *output.Styles) error {
		return WriteCard(w, st, e)
	})
}

// find asks the source directly for a full ref (one request on a backend)
// and falls back to the whole graph for partial refs and suggestions.
func find(ctx context.Context, f *factory.Factory, s string) (*catalog.Entity, error) {
	if r, err := catalog.ParseRef(s, "", catalog.DefaultNamespace); err == nil && strings.Contains(s, "/") {
		src, err := f.CatalogSource()
		if err != nil {
			return nil, err
		}
		e, err := src.Entity(ctx, r)
		if err == nil {
			return e, nil
		}
		if errs.KindOf(err) != errs.KindNotFound {
			return nil, err
		}
	}
	g, err := f.Catalog(ctx)
	if err != nil {
		return nil, err
	}
	return g.Resolve(s)
}

// relationOrder is how the card groups relations: ownership and structure
// first, then APIs and dependencies, then org membership.
var relationOrder = []string{
	catalog.RelOwnedBy, catalog.RelOwnerOf, catalog.RelPartOf, catalog.RelHasPart,
	catalog.RelProvidesAPI, catalog.RelAPIProvidedBy, catalog.RelConsumesAPI, catalog.RelAPIConsumedBy,
	catalog.RelDependsOn, catalog.RelDependencyOf, catalog.RelMemberOf, catalog.RelHasMember,
	catalog.RelChildOf, catalog.RelParentOf,
}

// WriteCard renders an entity for people.
func WriteCard(w io.Writer, st *output.Styles, e *catalog.Entity) error {
	var b strings.Builder
	// Catalog text is sanitised where it enters the card, so even with
	// colour on (when SGR passes the output's SafeWriter) it cannot style
	// or hide anything.
	clean := output.Sanitize
	b.WriteString(st.Title.Render(clean(e.Ref().String())) + "\n")
	if e.Metadata.Title != "" {
		b.WriteString("  " + st.Bold.Render(clean(e.Metadata.Title)) + "\n")
	}
	if d := strings.TrimSpace(e.Metadata.Description); d != "" {
		for _, line := range strings.Split(d, "\n") {
			b.WriteString("  " + clean(line) + "\n")
		}
	}
	var rows [][2]string
	keys := make([]string, 0, len(e.Spec))
	for k := range e.Spec {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		rows = append(rows, [2]string{k, specValue(e.Spec[k])})
	}
	if len(e.Metadata.Tags) > 0 {
		rows = append(rows, [2]string{"tags", strings.Join(e.Metadata.Tags, ", ")})
	}
	if len(rows) > 0 {
		b.WriteString("\n")
		writeRows(&b, st, rows)
	}
	if len(e.Metadata.Links) > 0 {
		b.WriteString("\n" + st.Bold.Render("Links") + "\n")
		var links [][2]string
		for _, l := range e.Metadata.Links {
			title := l.Title
			if title == "" {
				title = "link"
			}
			links = append(links, [2]string{title, l.URL})
		}
		writeRows(&b, st, links)
	}
	var ann [][2]string
	for k, v := range e.Metadata.Annotations {
		if strings.HasPrefix(k, "backstage.io/managed-by-") || k == "backstage.io/view-url" || k == "backstage.io/edit-url" {
			continue // machine paths, not interesting to read
		}
		ann = append(ann, [2]string{k, v})
	}
	if len(ann) > 0 {
		sort.Slice(ann, func(i, j int) bool { return ann[i][0] < ann[j][0] })
		b.WriteString("\n" + st.Bold.Render("Annotations") + "\n")
		writeRows(&b, st, ann)
	}
	groups := map[string][]string{}
	for _, r := range e.Relations {
		groups[r.Type] = append(groups[r.Type], r.TargetRef)
	}
	if len(groups) > 0 {
		b.WriteString("\n" + st.Bold.Render("Relations") + "\n")
		var rel [][2]string
		done := map[string]bool{}
		emit := func(t string) {
			targets := groups[t]
			sort.Strings(targets)
			for i, ref := range targets {
				label := ""
				if i == 0 {
					label = t
				}
				rel = append(rel, [2]string{label, st.Ref.Render(clean(ref))})
			}
			done[t] = true
		}
		for _, t := range relationOrder {
			if len(groups[t]) > 0 {
				emit(t)
			}
		}
		var rest []string
		for t := range groups {
			if !done[t] {
				rest = append(rest, t)
			}
		}
		sort.Strings(rest)
		for _, t := range rest {
			emit(t)
		}
		writeRows(&b, st, rel)
	}
	_, err := io.WriteString(w, b.String())
	return err
}

func writeRows(b *strings.Builder, st *output.Styles, rows [][2]string) {
	width := 0
	for _, r := range rows {
		width = max(width, len(r[0]))
	}
	for _, r := range rows {
		key := output.Sanitize(r[0])
		fmt.Fprintf(b, "  %s%s  %s\n", st.Dim.Render(key), strings.Repeat(" ", max(0, width-len(key))), output.Sanitize(r[1]))
	}
}

// specValue shows a spec field on one line: strings as they are (long or
// multi-line ones summarised), lists of strings joined, objects by size.
func specValue(v any) string {
	switch t := v.(type) {
	case string:
		if n := strings.Count(t, "\n"); n > 0 {
			return fmt.Sprintf("(%d lines)", n+1)
		}
		return textutil.Truncate(t, 100, "…")
	case []any:
		parts := make([]string, 0, len(t))
		for _, x := range t {
			s, ok := x.(string)
			if !ok {
				return fmt.Sprintf("(%d items)", len(t))
			}
			parts = append(parts, s)
		}
		if len(parts) == 0 {
			return "[]"
		}
		return textutil.Truncate(strings.Join(parts, ", "), 100, "…")
	case map[string]any:
		return fmt.Sprintf("(%d fields)", len(t))
	case nil:
		return "-"
	}
	return fmt.Sprint(v)
}
