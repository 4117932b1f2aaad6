package assistant

import (
	"fmt"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// hopGroup is the indirect entities reached through one entity (and, for
// dependents, one API it provides): the unit an answer explains a path by.
type hopGroup struct {
	from, api string
	refs      []string
}

// indirectGroups groups the hops beyond depth 1 by the entity (and API)
// they were reached through, in walk order. byAPI=false merges the APIs of
// one entity (dependencies list APIs and their providers side by side).
func indirectGroups(hops []retrieval.Hop, byAPI bool) []hopGroup {
	var out []hopGroup
	idx := map[string]int{}
	for _, h := range hops {
		if h.Depth < 2 {
			continue
		}
		api := h.API
		if !byAPI {
			api = ""
		}
		k := h.From + "\x00" + api
		i, ok := idx[k]
		if !ok {
			i = len(out)
			idx[k] = i
			out = append(out, hopGroup{from: h.From, api: api})
		}
		out[i].refs = append(out[i].refs, h.Ref)
	}
	return out
}

func countIndirect(hops []retrieval.Hop) (n, depth int) {
	for _, h := range hops {
		if h.Depth >= 2 {
			n++
			depth = max(depth, h.Depth)
		}
	}
	return n, depth
}

// indirect writes the indirect part of a blast radius or dependency list:
// one line per path, "via X (API): A, B and C", so an on-call engineer
// sees why each entity is on the list.
func (w *writer) indirect(label string, hops []retrieval.Hop, byAPI bool) {
	n, depth := countIndirect(hops)
	if n == 0 {
		return
	}
	w.line("%s (%d more, within %d hops):", label, n, depth)
	for _, g := range indirectGroups(hops, byAPI) {
		via := w.name(g.from)
		if g.api != "" {
			via += ", which provides " + w.name(g.api)
		}
		w.line("- via %s: %s.", via, w.names(g.refs))
	}
}

// impactLines are extra card lines for a subject entity of a dependents or
// dependencies question: the indirect entities, spelled as refs and
// grouped by the path they are reached through, so a model can answer the
// blast radius without a tool call and cite only refs it was given.
func impactLines(g *catalog.Graph, ref string, intents []retrieval.Intent) string {
	var b strings.Builder
	for _, in := range intents {
		var label string
		var hops []retrieval.Hop
		switch in {
		case retrieval.IntentDependents:
			label, hops = "indirectDependents", retrieval.Dependents(g, ref, 0, 0)
		case retrieval.IntentDependencies:
			label, hops = "indirectDependencies", retrieval.Dependencies(g, ref, 0, 0)
		default:
			continue
		}
		for _, gr := range indirectGroups(hops, in == retrieval.IntentDependents) {
			via := gr.from
			if gr.api != "" {
				via += " (" + gr.api + ")"
			}
			fmt.Fprintf(&b, "%s via %s: %s\n", label, via, strings.Join(gr.refs, ", "))
		}
	}
	return b.String()
}
