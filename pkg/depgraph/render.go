package depgraph

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/bsai-dev/bsai/pkg/output"
)

// WriteTree prints the subject, then what it depends on and what depends
// on it as trees: each entity under the one it is reached through, so the
// hop path to it reads top-down.
func WriteTree(w io.Writer, gr Graph, st *output.Styles) error {
	var b strings.Builder
	b.WriteString(st.Ref.Render(gr.Subject) + "\n")
	sections := []struct {
		label string
		nodes []Node
		api   string // how a hop through an API reads
	}{
		{"depends on", gr.Dependencies, "through"},
		{"depended on by", gr.Dependents, "consumes"},
	}
	for si, s := range sections {
		last := si == len(sections)-1
		branch, pad := "├── ", "│   "
		if last {
			branch, pad = "└── ", "    "
		}
		if len(s.nodes) == 0 {
			b.WriteString(branch + st.Dim.Render(s.label+": nothing") + "\n")
			continue
		}
		b.WriteString(branch + st.Bold.Render(s.label) + "\n")
		children := map[string][]Node{}
		for _, n := range s.nodes {
			children[n.Via] = append(children[n.Via], n)
		}
		var walk func(parent, prefix string)
		walk = func(parent, prefix string) {
			kids := children[parent]
			for i, n := range kids {
				br, next := "├── ", "│   "
				if i == len(kids)-1 {
					br, next = "└── ", "    "
				}
				line := st.Ref.Render(n.Ref)
				if n.API != "" && n.API != n.Via {
					line += st.Dim.Render(fmt.Sprintf("  (%s %s)", s.api, n.API))
				}
				b.WriteString(prefix + br + line + "\n")
				walk(n.Ref, prefix+next)
			}
		}
		walk(gr.Subject, pad)
	}
	if gr.Truncated {
		b.WriteString(st.Dim.Render("(stopped at the hop or entity limit; raise --depth or --limit)") + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// WriteMermaid writes one Mermaid flowchart for the graphs: an arrow A --> B
// reads "A depends on B" (labelled with the API when the dependency goes
// through one), the subjects are highlighted. Paste it into a Markdown file
// on GitHub or Backstage TechDocs to see it drawn.
func WriteMermaid(w io.Writer, graphs ...Graph) error {
	ids := map[string]string{}
	var order []string
	id := func(ref string) string {
		if v, ok := ids[ref]; ok {
			return v
		}
		v := fmt.Sprintf("n%d", len(ids))
		ids[ref] = v
		order = append(order, ref)
		return v
	}
	type edge struct{ from, to, label string }
	seen := map[edge]bool{}
	var edges []edge
	add := func(e edge) {
		if !seen[e] {
			seen[e] = true
			edges = append(edges, e)
		}
	}
	var subjects []string
	for _, g := range graphs {
		subjects = append(subjects, id(g.Subject))
		for _, n := range g.Dependencies {
			id(n.Via)
			add(edge{id(n.Via), id(n.Ref), apiLabel(n)})
		}
		for _, n := range g.Dependents {
			id(n.Via)
			add(edge{id(n.Ref), id(n.Via), apiLabel(n)})
		}
	}
	var b strings.Builder
	b.WriteString("flowchart LR\n")
	for _, ref := range order {
		fmt.Fprintf(&b, "  %s[\"%s\"]\n", ids[ref], mermaidText(ref))
	}
	for _, e := range edges {
		if e.label != "" {
			fmt.Fprintf(&b, "  %s -->|\"%s\"| %s\n", e.from, mermaidText(e.label), e.to)
		} else {
			fmt.Fprintf(&b, "  %s --> %s\n", e.from, e.to)
		}
	}
	sort.Strings(subjects)
	b.WriteString("  classDef subject stroke-width:3px\n")
	fmt.Fprintf(&b, "  class %s subject\n", strings.Join(subjects, ","))
	_, err := io.WriteString(w, b.String())
	return err
}

func apiLabel(n Node) string {
	if n.API != "" && n.API != n.Via {
		return n.API
	}
	return ""
}

// mermaidText escapes what would end a quoted Mermaid label; refs only hold
// [a-z0-9:/._-] but names from other catalogs may hold anything.
func mermaidText(s string) string {
	r := strings.NewReplacer(`"`, "#quot;", "\n", " ", "<", "#lt;", ">", "#gt;")
	return r.Replace(s)
}
