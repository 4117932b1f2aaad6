// Package depgraph draws what an entity depends on and what depends on it:
// as a tree with the hop path to every entity (catalog deps --tree), and
// as a Mermaid flowchart (catalog deps -o mermaid, ask -o mermaid for
// blast-radius answers). The walks themselves are retrieval.Dependencies
// and retrieval.Dependents, the same bounded walks ask answers from.
package depgraph

import (
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// Node is one entity reached from the subject.
type Node struct {
	Ref   string `json:"ref"`
	Depth int    `json:"depth"`
	// Via is the entity one hop nearer the subject.
	Via string `json:"via"`
	// API is the API the hop goes through, when it does.
	API string `json:"api,omitempty"`
	// Path is the subject, every entity between, and Ref.
	Path []string `json:"path"`
}

// Graph is the JSON shape of `catalog deps`.
type Graph struct {
	Subject      string `json:"subject"`
	Dependencies []Node `json:"dependencies"`
	Dependents   []Node `json:"dependents"`
	// Truncated is set when a walk stopped at the hop or entity limit.
	Truncated bool `json:"truncated,omitempty"`
}

// Options bound the walks (0 = retrieval's defaults).
type Options struct {
	MaxHops, Limit int
	// Only one direction: "dependencies" or "dependents" ("" = both).
	Direction string
}

// Build walks both directions from ref (a canonical ref in g).
func Build(g *catalog.Graph, ref string, o Options) Graph {
	out := Graph{Subject: ref, Dependencies: []Node{}, Dependents: []Node{}}
	limit := o.Limit
	if limit <= 0 {
		limit = retrieval.MaxReached
	}
	if o.Direction != "dependents" {
		hops := retrieval.Dependencies(g, ref, o.MaxHops, limit)
		out.Dependencies = nodes(ref, hops)
		out.Truncated = out.Truncated || len(hops) >= limit
	}
	if o.Direction != "dependencies" {
		hops := retrieval.Dependents(g, ref, o.MaxHops, limit)
		out.Dependents = nodes(ref, hops)
		out.Truncated = out.Truncated || len(hops) >= limit
	}
	return out
}

// nodes adds each hop's path by following From back to the subject (a
// walk reaches every entity once, at its shortest distance, so From always
// was reached earlier).
func nodes(subject string, hops []retrieval.Hop) []Node {
	from := map[string]string{}
	out := make([]Node, 0, len(hops))
	for _, h := range hops {
		from[h.Ref] = h.From
		var path []string
		for r := h.Ref; r != subject && r != ""; r = from[r] {
			path = append(path, r)
			if len(path) > len(hops)+1 {
				break // cannot happen for a BFS; never loop forever
			}
		}
		path = append(path, subject)
		for i, j := 0, len(path)-1; i < j; i, j = i+1, j-1 {
			path[i], path[j] = path[j], path[i]
		}
		out = append(out, Node{Ref: h.Ref, Depth: h.Depth, Via: h.From, API: h.API, Path: path})
	}
	return out
}

// ForQuestion is what `ask -o mermaid` draws: for a question about what
// depends on something (a blast radius) or what it depends on, the walk in
// that direction from each entity the answer is about (focus). Other
// questions have no picture: a usage error says so.
func ForQuestion(g *catalog.Graph, question string, focus []string, o Options) ([]Graph, error) {
	var dependents, dependencies bool
	for _, in := range retrieval.DetectIntents(question) {
		switch in {
		case retrieval.IntentDependents:
			dependents = true
		case retrieval.IntentDependencies:
			dependencies = true
		}
	}
	if !dependents && !dependencies {
		return nil, errs.Usage("-o mermaid draws answers about dependencies or a blast radius; this question is about something else").
			WithHint(`ask e.g. "what breaks if <entity> goes down?", or draw any entity with bsai catalog deps REF -o mermaid`)
	}
	switch {
	case dependents && !dependencies:
		o.Direction = "dependents"
	case dependencies && !dependents:
		o.Direction = "dependencies"
	}
	var out []Graph
	for _, ref := range focus {
		if _, ok := g.Get(ref); ok {
			out = append(out, Build(g, ref, o))
		}
	}
	if len(out) == 0 {
		return nil, errs.NotFound("the answer names no catalog entity to draw")
	}
	return out, nil
}
