package catalog

import (
	"sync"

	"github.com/bsai-dev/bsai/pkg/gcgoal"
)

// lazyBodies are the encoded entities of a graph read from a snapshot.
// A question touches a handful of 100k entities: decoding each only when
// it is first used (Get, Lookup, ByKind, All...) is what makes a warm
// command on a big catalog cost milliseconds, not the ~100 ms of decoding
// them all. Refs, kinds and relations are decoded up front (lookups and
// graph walks need them); everything else waits.
type lazyBodies struct {
	s     string
	offs  []int    // entity i is s[offs[i]:offs[i+1]]
	table []string // the snapshot's string table
	once  []sync.Once
	all   sync.Once
}

// at returns the entity at position i, decoding it on first use. The
// snapshot's checksum was verified when it was read, and the decoder is
// bounds checked (fuzzed): a body that still fails to decode leaves the
// fields it could not read empty rather than failing a lookup.
//
// Each entity is allocated when it is decoded: one array of 100k zeroed
// entities up front would be 26 MB the collector scans on every cycle.
func (g *Graph) at(i int32) *Entity {
	if l := g.lazy; l != nil {
		l.once[i].Do(func() {
			e := &Entity{}
			d := &snapDecoder{s: l.s[l.offs[i]:l.offs[i+1]], table: l.table}
			d.entity(e, g.edges[i])
			g.ents[i] = e // read only after this Once, by at or decodeAll's callers
		})
	}
	return g.ents[i]
}

// decodeAll decodes every entity not decoded yet, on all CPUs.
func (g *Graph) decodeAll() {
	l := g.lazy
	if l == nil {
		return
	}
	l.all.Do(func() {
		// Nearly all of it is kept: collecting while it grows would only
		// re-mark the catalog.
		defer gcgoal.Hold(-1)()
		parallelRanges(len(g.ents), func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				g.at(int32(i))
			}
		})
	})
}

// newLazyGraph builds the graph of a snapshot: refs, lower-case kinds and
// lower-case relations per position, the positions in ref order, and the
// encoded entity bodies. It returns nil unless sorted is a permutation
// with strictly increasing refs (so refs are unique: NewGraph would drop a
// later duplicate, and a lazy graph cannot).
func newLazyGraph(refs, kinds []string, edges [][]Relation, sorted []int32, bodies string, offs []int, table []string, digest string) *Graph {
	n := len(refs)
	if len(sorted) != n {
		return nil
	}
	// n positions in range whose refs strictly increase are n different
	// positions: a permutation.
	for k, i := range sorted {
		if i < 0 || int(i) >= n || (k > 0 && refs[sorted[k-1]] >= refs[i]) {
			return nil
		}
	}
	g := &Graph{
		ents:   make([]*Entity, n),
		refs:   refs,
		kinds:  kinds,
		sorted: sorted,
		byKind: map[string][]int32{},
		edges:  edges,
		lazy:   &lazyBodies{s: bodies, offs: offs, table: table, once: make([]sync.Once, n)},
		digest: digest,
	}
	for i := range refs {
		g.byKind[kinds[i]] = append(g.byKind[kinds[i]], int32(i))
	}
	return g
}

// snapshotEntities returns a snapshot graph's entities, every one decoded,
// as one slice (what a snapshot hit gives Load): copies, which share
// their maps and slices with the graph's.
func (g *Graph) snapshotEntities() []Entity {
	g.decodeAll()
	out := make([]Entity, len(g.ents))
	for i, e := range g.ents {
		out[i] = *e
	}
	return out
}
