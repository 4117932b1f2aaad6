package catalog

import (
	"runtime/debug"
	"sync"
)

// lazyBodies are the encoded entities of a graph read from a snapshot.
// A question touches a handful of 100k entities: decoding each only when
// it is first used (Get, Lookup, ByKind, All...) is what makes a warm
// command on a big catalog cost milliseconds, not the ~100 ms of decoding
// them all. Refs, kinds and relations are decoded up front (lookups and
// graph walks need them); everything else waits.
type lazyBodies struct {
	store []Entity // entity i is ents[i] = &store[i]
	s     string
	offs  []int // entity i is s[offs[i]:offs[i+1]]
	once  []sync.Once
	all   sync.Once
}

// at returns the entity at position i, decoding it on first use. The
// snapshot's checksum was verified when it was read, and the decoder is
// bounds checked (fuzzed): a body that still fails to decode leaves the
// fields it could not read empty rather than failing a lookup.
func (g *Graph) at(i int32) *Entity {
	e := g.ents[i]
	if l := g.lazy; l != nil {
		l.once[i].Do(func() {
			d := &snapDecoder{s: l.s[l.offs[i]:l.offs[i+1]]}
			d.entity(e)
		})
	}
	return e
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
		defer debug.SetGCPercent(debug.SetGCPercent(-1))
		parallelRanges(len(g.ents), func(_, lo, hi int) {
			for i := lo; i < hi; i++ {
				g.at(int32(i))
			}
		})
	})
}

// newLazyGraph builds the graph of a snapshot: refs, lower-case kinds and
// lower-case relations per position, and the encoded entity bodies. It
// returns nil when two entities share a ref (a snapshot never holds that;
// NewGraph would drop the later one, and a lazy graph cannot).
func newLazyGraph(refs, kinds []string, edges [][]Relation, bodies string, offs []int, digest string) *Graph {
	n := len(refs)
	store := make([]Entity, n)
	g := &Graph{
		ents:   make([]*Entity, n),
		refs:   refs,
		kinds:  kinds,
		byRef:  make(map[string]int32, n),
		byKind: map[string][]int32{},
		edges:  edges,
		lazy:   &lazyBodies{store: store, s: bodies, offs: offs, once: make([]sync.Once, n)},
		digest: digest,
	}
	for i, ref := range refs {
		if _, dup := g.byRef[ref]; dup {
			return nil
		}
		g.byRef[ref] = int32(i)
		g.ents[i] = &store[i]
		g.byKind[kinds[i]] = append(g.byKind[kinds[i]], int32(i))
	}
	return g
}

// snapshotEntities returns a snapshot graph's entities, every one decoded,
// as the one slice they are stored in (what a snapshot hit gives Load).
func (g *Graph) snapshotEntities() []Entity {
	g.decodeAll()
	return g.lazy.store
}
