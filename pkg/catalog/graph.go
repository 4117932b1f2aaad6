package catalog

import (
	"sort"
	"strings"
)

// Graph is the in-memory catalog: lookups by ref and kind, and neighbours
// by relation type. Build it with NewGraph; it is read-only afterwards and
// safe for concurrent readers.
type Graph struct {
	byRef  map[string]*Entity
	order  []string            // refs in load order, for stable output
	byKind map[string][]string // lower-case kind -> refs
	edges  map[string][]Relation
}

// NewGraph indexes entities. Each entity's Relations are used as given
// (Backstage computes them server-side; the files source computes them
// beforehand with ComputeRelations). Later duplicates of a ref are ignored.
func NewGraph(entities []Entity) *Graph {
	g := &Graph{
		byRef:  make(map[string]*Entity, len(entities)),
		order:  make([]string, 0, len(entities)),
		byKind: map[string][]string{},
		edges:  make(map[string][]Relation, len(entities)),
	}
	for i := range entities {
		e := &entities[i]
		ref := e.Ref().String()
		if _, dup := g.byRef[ref]; dup {
			continue
		}
		g.byRef[ref] = e
		g.order = append(g.order, ref)
		k := strings.ToLower(e.Kind)
		g.byKind[k] = append(g.byKind[k], ref)
		for _, r := range e.Relations {
			g.edges[ref] = append(g.edges[ref], Relation{Type: r.Type, TargetRef: strings.ToLower(r.TargetRef)})
		}
	}
	return g
}

// Len is the number of entities.
func (g *Graph) Len() int { return len(g.order) }

// Get looks an entity up by ref (any case; kind:ns/name).
func (g *Graph) Get(ref string) (*Entity, bool) {
	e, ok := g.byRef[strings.ToLower(ref)]
	return e, ok
}

// Lookup resolves a possibly partial ref ("payments-api", "api:payments")
// and returns all entities it may mean, exact matches first.
func (g *Graph) Lookup(s string) []*Entity {
	if e, ok := g.Get(s); ok {
		return []*Entity{e}
	}
	r, err := ParseRef(s, "", DefaultNamespace)
	if err == nil {
		if e, ok := g.Get(r.String()); ok {
			return []*Entity{e}
		}
	}
	// No kind given: match by namespace/name across kinds.
	name := strings.ToLower(s)
	ns := DefaultNamespace
	if i := strings.Index(name, "/"); i >= 0 {
		ns, name = name[:i], name[i+1:]
	}
	var out []*Entity
	for _, ref := range g.order {
		e := g.byRef[ref]
		if strings.ToLower(e.Metadata.Name) == name && strings.ToLower(e.Namespace()) == ns {
			out = append(out, e)
		}
	}
	return out
}

// All returns every entity in load order.
func (g *Graph) All() []*Entity {
	out := make([]*Entity, len(g.order))
	for i, ref := range g.order {
		out[i] = g.byRef[ref]
	}
	return out
}

// ByKind returns the entities of one kind (case-insensitive).
func (g *Graph) ByKind(kind string) []*Entity {
	refs := g.byKind[strings.ToLower(kind)]
	out := make([]*Entity, len(refs))
	for i, ref := range refs {
		out[i] = g.byRef[ref]
	}
	return out
}

// Relations returns the outgoing relations of ref.
func (g *Graph) Relations(ref string) []Relation {
	return g.edges[strings.ToLower(ref)]
}

// Related returns the target refs of ref's relations of the given types
// (all types when none given), sorted and de-duplicated.
func (g *Graph) Related(ref string, types ...string) []string {
	want := map[string]bool{}
	for _, t := range types {
		want[t] = true
	}
	seen := map[string]bool{}
	var out []string
	for _, r := range g.edges[strings.ToLower(ref)] {
		if len(want) > 0 && !want[r.Type] {
			continue
		}
		if !seen[r.TargetRef] {
			seen[r.TargetRef] = true
			out = append(out, r.TargetRef)
		}
	}
	sort.Strings(out)
	return out
}

// Owners returns the owner refs of ref (ownedBy), and for an owner that is
// a Group, its parent groups too, nearest first, so on-call lookup can walk
// up the org until it finds a contact.
func (g *Graph) Owners(ref string) []string {
	direct := g.Related(ref, RelOwnedBy)
	out := append([]string(nil), direct...)
	seen := map[string]bool{}
	for _, o := range direct {
		seen[o] = true
	}
	queue := append([]string(nil), direct...)
	for len(queue) > 0 {
		cur := queue[0]
		queue = queue[1:]
		for _, p := range g.Related(cur, RelChildOf) {
			if !seen[p] {
				seen[p] = true
				out = append(out, p)
				queue = append(queue, p)
			}
		}
	}
	return out
}
