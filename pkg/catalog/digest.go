package catalog

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"runtime"
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
	if g.refsDigest != "" {
		return g.refsDigest // a snapshot's, stored with it
	}
	h := sha256.New()
	var n [binary.MaxVarintLen64]byte
	for _, ref := range g.refs {
		h.Write(n[:binary.PutUvarint(n[:], uint64(len(ref)))])
		h.Write(unsafe.Slice(unsafe.StringData(ref), len(ref)))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// digestEntities hashes fixed-size parts in parallel, then the digests of
// the parts: the same catalog gives the same digest whatever GOMAXPROCS is.
// Each entity is hashed as the snapshot codec writes it in canonical form
// (lengths and type tags, sorted keys), so no two different entities hash
// the same bytes, and a field added to Entity is covered once the codec
// has it (TestDigestCoversEntity).
func digestEntities(ents []*Entity) string {
	const part = 4096
	sums := make([][]byte, (len(ents)+part-1)/part)
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), len(sums)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			h := sha256.New()
			enc := &snapEncoder{canonical: true}
			for {
				i := int(next.Add(1) - 1)
				if i >= len(sums) {
					return
				}
				h.Reset()
				for _, e := range ents[i*part : min((i+1)*part, len(ents))] {
					enc.b = enc.b[:0]
					_ = enc.entity(e) // canonical: never an error
					h.Write(enc.b)
				}
				sums[i] = h.Sum(nil)
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
