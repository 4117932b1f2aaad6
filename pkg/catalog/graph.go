package catalog

import (
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/gcgoal"
	"github.com/bsai-dev/bsai/pkg/textdist"
)

// Graph is the in-memory catalog: lookups by ref and kind, and neighbours
// by relation type. Build it with NewGraph; it is read-only afterwards and
// safe for concurrent readers. Entities are held by position (load order):
// one map from ref to position serves every lookup, which at 100k entities
// is a third of what a map per lookup kind cost to build.
type Graph struct {
	ents  []*Entity
	refs  []string         // canonical refs, by position
	kinds []string         // lower-case kinds, by position
	byRef map[string]int32 // ref -> position (nil in a snapshot's graph)
	// sorted, in a snapshot's graph, lists the positions in ref order: a
	// binary search there needs nothing built at load.
	sorted []int32
	byKind map[string][]int32
	edges  [][]Relation // by position, targets lower-case
	// lazy, for a graph read from a snapshot, decodes each entity on
	// first use (lazy.go); nil when every entity is decoded.
	lazy *lazyBodies

	digest     string // see Digest
	digestOnce sync.Once
	refsDigest string // a snapshot's RefsDigest, "" to compute
}

// NewGraph indexes entities. Each entity's Relations are used as given
// (Backstage computes them server-side; the files source computes them
// beforehand with ComputeRelations). Later duplicates of a ref are ignored.
func NewGraph(entities []Entity) *Graph {
	n := len(entities)
	if n >= minPerWorker {
		// Nearly everything allocated here is kept: a collection while the
		// maps grow would only re-mark the catalog already loaded.
		defer gcgoal.Hold(-1)()
	}
	// Per-entity string work (ref, lower-case kind, lower-case edge
	// targets) runs in parallel up front; only the map inserts, which
	// decide duplicates in load order, stay sequential.
	refs := make([]string, n)
	kinds := make([]string, n)
	edges := make([][]Relation, n)
	parallelRanges(n, func(_, lo, hi int) {
		lower := map[string]string{} // kinds: a handful of values
		for i := lo; i < hi; i++ {
			e := &entities[i]
			refs[i] = e.Ref().String()
			k, ok := lower[e.Kind]
			if !ok {
				k = strings.ToLower(e.Kind)
				lower[e.Kind] = k
			}
			kinds[i] = k
			edges[i] = lowerTargets(e.Relations)
		}
	})
	g := &Graph{
		ents:   make([]*Entity, 0, n),
		refs:   make([]string, 0, n),
		kinds:  make([]string, 0, n),
		byRef:  make(map[string]int32, n),
		byKind: map[string][]int32{},
		edges:  make([][]Relation, 0, n),
	}
	for i := range entities {
		ref := refs[i]
		if _, dup := g.byRef[ref]; dup {
			continue
		}
		at := int32(len(g.ents))
		g.byRef[ref] = at
		g.ents = append(g.ents, &entities[i])
		g.refs = append(g.refs, ref)
		g.kinds = append(g.kinds, kinds[i])
		g.byKind[kinds[i]] = append(g.byKind[kinds[i]], at)
		g.edges = append(g.edges, edges[i])
	}
	return g
}

// lowerTargets is rels with lower-case targets: rels itself when they are
// already (refs are canonically lower-case, so nearly always), else a copy.
func lowerTargets(rels []Relation) []Relation {
	for j, r := range rels {
		if l := strings.ToLower(r.TargetRef); l != r.TargetRef {
			out := slices.Clone(rels)
			out[j].TargetRef = l
			for k := j + 1; k < len(out); k++ {
				out[k].TargetRef = strings.ToLower(out[k].TargetRef)
			}
			return out
		}
	}
	return rels[:len(rels):len(rels)]
}

// refNamespace and refName read a canonical ref (kind:namespace/name,
// lower-case; kinds and namespaces hold neither ':' nor '/').
func refNamespace(ref string) string {
	rest := ref[strings.IndexByte(ref, ':')+1:]
	return rest[:max(strings.IndexByte(rest, '/'), 0)]
}

func refName(ref string) string {
	rest := ref[strings.IndexByte(ref, ':')+1:]
	return rest[strings.IndexByte(rest, '/')+1:]
}

// pos is the position of a canonical ref.
func (g *Graph) pos(ref string) (int32, bool) {
	if g.byRef != nil {
		i, ok := g.byRef[ref]
		return i, ok
	}
	k, found := slices.BinarySearchFunc(g.sorted, ref, func(i int32, ref string) int { return strings.Compare(g.refs[i], ref) })
	if !found {
		return 0, false
	}
	return g.sorted[k], true
}

// Len is the number of entities.
func (g *Graph) Len() int { return len(g.ents) }

// Get looks an entity up by ref (any case; kind:ns/name).
func (g *Graph) Get(ref string) (*Entity, bool) {
	i, ok := g.pos(strings.ToLower(ref))
	if !ok {
		return nil, false
	}
	return g.at(i), true
}

// Lookup resolves a possibly partial ref ("NAME", "api:NAME")
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
	if err == nil {
		// A kind was given: without a namespace, try every namespace.
		if strings.Contains(s, "/") {
			return nil
		}
		var out []*Entity
		for _, i := range g.byKind[strings.ToLower(r.Kind)] {
			if strings.EqualFold(refName(g.refs[i]), r.Name) {
				out = append(out, g.at(i))
			}
		}
		return out
	}
	// No kind given: match by namespace/name across kinds. A bare name
	// prefers the default namespace, then any namespace.
	name := strings.ToLower(s)
	ns, nsGiven := DefaultNamespace, false
	if i := strings.Index(name, "/"); i >= 0 {
		ns, name, nsGiven = name[:i], name[i+1:], true
	}
	var out, anyNS []*Entity
	// Names and namespaces are read from the canonical (lower-case) refs,
	// so a scan never decodes an entity it does not return.
	for i, ref := range g.refs {
		if refName(ref) != name {
			continue
		}
		if refNamespace(ref) == ns {
			out = append(out, g.at(int32(i)))
		} else if !nsGiven {
			anyNS = append(anyNS, g.at(int32(i)))
		}
	}
	if len(out) == 0 {
		return anyNS
	}
	return out
}

// All returns every entity in load order.
func (g *Graph) All() []*Entity {
	g.decodeAll()
	return slices.Clone(g.ents)
}

// At is the entity at position i (load order, 0 <= i < Len): the
// retrieval index numbers its documents the same way.
func (g *Graph) At(i int) *Entity { return g.at(int32(i)) }

// RefAt is the canonical ref of the entity at position i.
func (g *Graph) RefAt(i int) string { return g.refs[i] }

// KindAt is the lower-case kind of the entity at position i.
func (g *Graph) KindAt(i int) string { return g.kinds[i] }

// RelationsAt are the relations (targets lower-case) of the entity at i.
func (g *Graph) RelationsAt(i int) []Relation { return g.edges[i] }

// Kinds returns the lower-case kinds the catalog has, sorted.
func (g *Graph) Kinds() []string {
	out := make([]string, 0, len(g.byKind))
	for k := range g.byKind {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// HasKind reports whether the catalog has an entity of kind (any case).
func (g *Graph) HasKind(kind string) bool { return len(g.byKind[strings.ToLower(kind)]) > 0 }

// ByKind returns the entities of one kind (case-insensitive).
func (g *Graph) ByKind(kind string) []*Entity {
	at := g.byKind[strings.ToLower(kind)]
	out := make([]*Entity, len(at))
	for i, j := range at {
		out[i] = g.at(j)
	}
	return out
}

// Relations returns the outgoing relations of ref.
func (g *Graph) Relations(ref string) []Relation {
	if i, ok := g.pos(strings.ToLower(ref)); ok {
		return g.edges[i]
	}
	return nil
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
	for _, r := range g.Relations(ref) {
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

// ExampleRef is a ref to show in a hint: the first entity of kind in the
// catalog (any kind when it has none), so hints name something that really
// exists; a placeholder for an empty catalog.
func (g *Graph) ExampleRef(kind string) string {
	if at := g.byKind[strings.ToLower(kind)]; len(at) > 0 {
		return g.refs[at[0]]
	}
	if len(g.refs) > 0 {
		return g.refs[0]
	}
	return strings.ToLower(kind) + ":default/NAME"
}

// Resolve turns what a user typed (a full ref, "kind:name", "ns/name" or a
// bare name) into one entity. No match is an errs.NotFound listing close
// names; several matches is an errs.Usage listing the candidates.
func (g *Graph) Resolve(s string) (*Entity, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		ref := g.ExampleRef("component")
		name := ref[strings.LastIndexByte(ref, '/')+1:]
		return nil, errs.Usage("empty entity ref").WithHint("give a ref like %s or just %s", ref, name)
	}
	found := g.Lookup(s)
	switch len(found) {
	case 1:
		return found[0], nil
	case 0:
		e := errs.NotFound("entity %q not found in the catalog (%d entities)", s, g.Len())
		if sugg := g.Suggest(s, 5); len(sugg) > 0 {
			return nil, e.WithHint("did you mean: %s", strings.Join(sugg, ", "))
		}
		return nil, e.WithHint("run `bsai catalog list` to see what is there")
	}
	refs := make([]string, len(found))
	for i, e := range found {
		refs[i] = e.Ref().String()
	}
	return nil, errs.Usage("%q is ambiguous: it matches %s", s, strings.Join(refs, ", ")).
		WithHint("use the full ref, e.g. %s", refs[0])
}

// Suggest returns up to n refs whose names are close to s (substring or a
// small edit distance), best first.
func (g *Graph) Suggest(s string, n int) []string {
	want := strings.ToLower(s)
	if i := strings.LastIndexAny(want, ":/"); i >= 0 {
		want = want[i+1:]
	}
	type cand struct {
		ref   string
		score int
	}
	var cands []cand
	maxDist := len(want)/3 + 1
	for _, ref := range g.refs {
		name := refName(ref)
		score := -1
		switch {
		case strings.Contains(name, want) || strings.Contains(want, name):
			score = abs(len(name) - len(want))
		default:
			if d := textdist.Bounded(name, want, maxDist); d <= maxDist {
				score = 100 + d
			}
		}
		if score >= 0 {
			cands = append(cands, cand{ref, score})
		}
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].score != cands[j].score {
			return cands[i].score < cands[j].score
		}
		return cands[i].ref < cands[j].ref
	})
	var out []string
	for i := 0; i < len(cands) && i < n; i++ {
		out = append(out, cands[i].ref)
	}
	return out
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
