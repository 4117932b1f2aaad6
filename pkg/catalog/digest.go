package catalog

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"hash"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Digest identifies the graph's content: a digest of every entity in graph
// order (lengths and type tags, so no two different catalogs hash the same
// bytes). The retrieval index is keyed by it. It is computed on first use
// (a few per cent of an index build at 100k entities) unless the graph came
// from a snapshot, which stores it.
func (g *Graph) Digest() string {
	g.digestOnce.Do(func() {
		if g.digest == "" {
			g.digest = digestEntities(g.All())
		}
	})
	return g.digest
}

// RefsDigest identifies the graph's set of refs in order (not their
// content): the index cache names its file by it, so editing a catalog
// replaces that catalog's file instead of adding one.
func (g *Graph) RefsDigest() string {
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, ref := range g.refs {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(ref)))])
		h.Write(unsafe.Slice(unsafe.StringData(ref), len(ref)))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// DigestOf is what NewGraph(entities).Digest() returns, without the graph.
func DigestOf(entities []Entity) string { return NewGraph(entities).Digest() }

// digestEntities hashes fixed-size parts in parallel, then the digests of
// the parts: the same catalog gives the same digest whatever GOMAXPROCS is.
func digestEntities(ents []*Entity) string {
	const part = 4096
	sums := make([][]byte, (len(ents)+part-1)/part)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(sums)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := &hasher{h: sha256.New()}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(sums) {
					return
				}
				h.h.Reset()
				for _, e := range ents[i*part : min((i+1)*part, len(ents))] {
					h.entity(e)
				}
				sums[i] = h.h.Sum(nil)
			}
		}()
	}
	wg.Wait()
	top := sha256.New()
	fmt.Fprintf(top, "bsai-catalog %d\n", len(ents))
	for _, s := range sums {
		top.Write(s)
	}
	return hex.EncodeToString(top.Sum(nil)[:16])
}

// hasher writes entity content with lengths and type tags, so no two
// different entities write the same bytes.
type hasher struct {
	h   hash.Hash
	buf []byte
	// keys are reusable key buffers, one per nesting depth: sorting map
	// keys without allocating is most of the cost at 100k entities.
	keys [][]string
}

// sorted returns m's keys sorted, in a buffer reused at this depth.
func sortedKeys[V any](h *hasher, m map[string]V, depth int) []string {
	for len(h.keys) <= depth {
		h.keys = append(h.keys, nil)
	}
	ks := h.keys[depth][:0]
	for k := range m {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	h.keys[depth] = ks
	return ks
}

func (h *hasher) flush() {
	if len(h.buf) > 0 {
		h.h.Write(h.buf)
		h.buf = h.buf[:0]
	}
}

func (h *hasher) str(s string) {
	h.buf = binary.AppendUvarint(h.buf, uint64(len(s)))
	if len(s) >= 128 {
		// Long text (descriptions) goes to the hash without a copy: the
		// hash neither keeps nor changes what it is given.
		h.flush()
		h.h.Write(unsafe.Slice(unsafe.StringData(s), len(s)))
		return
	}
	h.buf = append(h.buf, s...)
	if len(h.buf) > 32<<10 {
		h.flush()
	}
}

func (h *hasher) tag(b byte) { h.buf = append(h.buf, b) }

func (h *hasher) strMap(m map[string]string) {
	h.buf = binary.AppendUvarint(h.buf, uint64(len(m)))
	for _, k := range sortedKeys(h, m, 0) {
		h.str(k)
		h.str(m[k])
	}
}

// entity covers every field of catalog.Entity (TestDigestCoversEntity fails
// when one is added).
func (h *hasher) entity(e *Entity) {
	h.tag('E')
	h.str(e.APIVersion)
	h.str(e.Kind)
	m := &e.Metadata
	h.str(m.Name)
	h.str(m.Namespace)
	h.str(m.Title)
	h.str(m.Description)
	h.strMap(m.Labels)
	h.strMap(m.Annotations)
	h.buf = binary.AppendUvarint(h.buf, uint64(len(m.Tags)))
	for _, t := range m.Tags {
		h.str(t)
	}
	h.buf = binary.AppendUvarint(h.buf, uint64(len(m.Links)))
	for _, l := range m.Links {
		h.str(l.URL)
		h.str(l.Title)
		h.str(l.Icon)
		h.str(l.Type)
	}
	h.str(m.UID)
	h.str(m.Etag)
	h.value(e.Spec, 0)
	h.buf = binary.AppendUvarint(h.buf, uint64(len(e.Relations)))
	for _, r := range e.Relations {
		h.str(r.Type)
		h.str(r.TargetRef)
	}
	h.flush()
}

// value hashes a decoded YAML/JSON value. Depth is bounded like the
// loaders bound it; anything deeper still changes the digest through %v.
func (h *hasher) value(v any, depth int) {
	if depth > 64 {
		h.tag('?')
		h.str(fmt.Sprintf("%v", v))
		return
	}
	switch t := v.(type) {
	case nil:
		h.tag('n')
	case string:
		h.tag('s')
		h.str(t)
	case bool:
		if t {
			h.tag('t')
		} else {
			h.tag('f')
		}
	case float64:
		h.tag('d')
		h.buf = binary.LittleEndian.AppendUint64(h.buf, math.Float64bits(t))
	case int:
		h.tag('i')
		h.buf = binary.AppendVarint(h.buf, int64(t))
	case int64:
		h.tag('i')
		h.buf = binary.AppendVarint(h.buf, t)
	case []any:
		h.tag('l')
		h.buf = binary.AppendUvarint(h.buf, uint64(len(t)))
		for _, x := range t {
			h.value(x, depth+1)
		}
	case map[string]any:
		h.tag('m')
		h.buf = binary.AppendUvarint(h.buf, uint64(len(t)))
		for _, k := range sortedKeys(h, t, depth+1) {
			h.str(k)
			h.value(t[k], depth+1)
		}
	default:
		h.tag('?')
		h.str(fmt.Sprintf("%T %v", v, v))
	}
}
