package retrieval

import (
	"github.com/bsai-dev/bsai/pkg/catalog"
)

// Transitive walks are bounded: an on-call engineer wants the blast radius
// of an outage, not the whole catalog, and a hub (a shared database, an
// event bus) can reach most of it in a few hops.
const (
	// MaxHops is how far Dependents/Dependencies walk by default.
	MaxHops = 3
	// MaxReached caps how many entities one walk returns.
	MaxReached = 20
)

// Hop is one entity reached by a transitive walk from a subject.
type Hop struct {
	// Ref is the entity reached.
	Ref string `json:"ref"`
	// Depth is 1 for a direct neighbour of the subject, 2 for a neighbour
	// of a neighbour, ...
	Depth int `json:"depth"`
	// From is the entity one hop nearer the subject (the subject itself at
	// depth 1): Ref is reached through it.
	From string `json:"from"`
	// API is set when the hop goes through an API rather than a declared
	// dependsOn: for dependents, the API From provides and Ref consumes; for
	// dependencies, the API From consumes and Ref provides.
	API string `json:"api,omitempty"`
}

// Dependents are what stops working when ref goes down, breadth first up
// to maxHops (≤0 = MaxHops) and limit entities (≤0 = MaxReached): entities
// that depend on it (dependencyOf), consumers of it when it is an API
// (apiConsumedBy), and consumers of the APIs it provides — then the same
// from each of those. hasPart/partOf are not dependencies: a system going
// "down" is not a thing; its parts are walked on their own. The subject is
// never in the result, and each entity appears once, at its shortest
// distance.
func Dependents(g *catalog.Graph, ref string, maxHops, limit int) []Hop {
	return walkHops(g, ref, maxHops, limit, func(n string, emit func(to, api string)) {
		for _, d := range g.Related(n, catalog.RelDependencyOf, catalog.RelAPIConsumedBy) {
			emit(d, "")
		}
		for _, api := range g.Related(n, catalog.RelProvidesAPI) {
			for _, c := range g.Related(api, catalog.RelAPIConsumedBy) {
				emit(c, api)
			}
		}
	})
}

// Dependencies are what ref needs to work, breadth first and bounded like
// Dependents: declared dependsOn targets, the APIs it consumes and the
// components providing them (reached through the API), then the same from
// each of those.
func Dependencies(g *catalog.Graph, ref string, maxHops, limit int) []Hop {
	return walkHops(g, ref, maxHops, limit, func(n string, emit func(to, api string)) {
		for _, d := range g.Related(n, catalog.RelDependsOn) {
			emit(d, "")
		}
		// An API subject needs whatever provides it.
		for _, p := range g.Related(n, catalog.RelAPIProvidedBy) {
			emit(p, "")
		}
		for _, api := range g.Related(n, catalog.RelConsumesAPI) {
			emit(api, "")
			for _, p := range g.Related(api, catalog.RelAPIProvidedBy) {
				emit(p, api)
			}
		}
	})
}

// walkHops is a breadth-first walk where next emits the neighbours of one
// entity. Order is deterministic: by depth, then by the order of the
// entity reached from, then by next's order (Related is sorted).
func walkHops(g *catalog.Graph, ref string, maxHops, limit int, next func(n string, emit func(to, api string))) []Hop {
	if maxHops <= 0 {
		maxHops = MaxHops
	}
	if limit <= 0 {
		limit = MaxReached
	}
	subject := ref
	if e, ok := g.Get(ref); ok {
		subject = e.Ref().String()
	}
	seen := map[string]bool{subject: true}
	var out []Hop
	frontier := []string{subject}
	for depth := 1; depth <= maxHops && len(frontier) > 0 && len(out) < limit; depth++ {
		var nextFrontier []string
		for _, n := range frontier {
			next(n, func(to, api string) {
				if seen[to] || len(out) >= limit {
					return
				}
				if _, ok := g.Get(to); !ok {
					return // a dangling relation names nothing we can cite
				}
				seen[to] = true
				out = append(out, Hop{Ref: to, Depth: depth, From: n, API: api})
				nextFrontier = append(nextFrontier, to)
			})
		}
		frontier = nextFrontier
	}
	return out
}
