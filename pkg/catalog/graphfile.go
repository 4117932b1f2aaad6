package catalog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"slices"
	"strings"
	"unsafe"

	"github.com/bsai-dev/bsai/pkg/gcgoal"
)

// The file layout both catalog snapshots share (files: snapshot.go;
// Backstage: cache.go): magic, format, payload length, payload, CRC. The
// payload starts with what the source needs to trust the file (a files
// load's probes, a backend's URL and fetch time), then the graph: its
// digests, the string table, the graph section and the entity bodies.

// encodeGraphFile writes a snapshot file of g after the source's head.
func encodeGraphFile(head []byte, g *Graph) ([]byte, error) {
	e := &snapEncoder{b: head}
	e.str(g.Digest())
	e.str(g.RefsDigest())
	// The graph section and the bodies fill the string table as they are
	// written; the table goes before them, so it decodes first.
	rest := &snapEncoder{table: newStrTable()}
	if err := graphAndBodies(rest, g); err != nil {
		return nil, err
	}
	e.uv(uint64(len(rest.table.list)))
	for _, s := range rest.table.list {
		e.str(s)
	}
	out := make([]byte, 0, len(snapMagic)+16+len(e.b)+len(rest.b))
	out = append(out, snapMagic...)
	out = binary.LittleEndian.AppendUint32(out, snapFormat)
	out = binary.LittleEndian.AppendUint64(out, uint64(len(e.b)+len(rest.b)))
	out = append(out, e.b...)
	out = append(out, rest.b...)
	return binary.LittleEndian.AppendUint32(out, crc32.Checksum(out[len(snapMagic)+12:], snapCRC)), nil
}

// graphAndBodies writes g's entity count, its graph section (what lookups
// and walks need before any entity is decoded: canonical ref, lower-case
// kind, lower-case relations, all of which g has computed) and the entity
// bodies, framed by their lengths so each decodes on its own.
func graphAndBodies(e *snapEncoder, g *Graph) error {
	n := g.Len()
	e.uv(uint64(n))
	nrel := 0
	for _, rels := range g.edges {
		nrel += len(rels)
	}
	e.uv(uint64(nrel))
	for i := range n {
		e.str(g.refs[i])
		e.shared(g.kinds[i])
		e.uv(uint64(len(g.edges[i])))
		for _, r := range g.edges[i] {
			e.shared(r.Type)
			e.str(r.TargetRef)
		}
	}
	// The positions in ref order, for lookups by binary search.
	sorted := make([]int32, n)
	for i := range sorted {
		sorted[i] = int32(i)
	}
	slices.SortFunc(sorted, func(a, b int32) int { return strings.Compare(g.refs[a], g.refs[b]) })
	for _, i := range sorted {
		e.uv(uint64(i))
	}
	bodies := &snapEncoder{table: e.table}
	lens := make([]int, n)
	for i, x := range g.ents {
		at := len(bodies.b)
		// The graph keeps an entity's own relations when they are already
		// lower-case: then the body points at the graph section's copy.
		bodies.relsInGraph = len(x.Relations) > 0 && &g.edges[i][0] == &x.Relations[0]
		if err := bodies.entity(x); err != nil {
			return err
		}
		lens[i] = len(bodies.b) - at
	}
	for _, n := range lens {
		e.uv(uint64(n))
	}
	e.b = append(e.b, bodies.b...)
	return nil
}

// decodeGraphFile checks a snapshot file's envelope, lets head read (and
// refuse) the source's part, and returns the graph, whose entities decode
// on first use. It keeps b: entity strings share it.
func decodeGraphFile(b []byte, head func(*snapDecoder) error) (*Graph, error) {
	if len(b) < len(snapMagic)+16 || string(b[:len(snapMagic)]) != string(snapMagic) {
		return nil, errors.New("not a snapshot file")
	}
	b = b[len(snapMagic):]
	if v := binary.LittleEndian.Uint32(b); v != snapFormat {
		return nil, fmt.Errorf("snapshot format %d, want %d", v, snapFormat)
	}
	n := binary.LittleEndian.Uint64(b[4:])
	b = b[12:]
	if n != uint64(len(b)-4) {
		return nil, errors.New("snapshot is truncated")
	}
	payload := b[:n]
	if crc32.Checksum(payload, snapCRC) != binary.LittleEndian.Uint32(b[n:]) {
		return nil, errors.New("snapshot checksum mismatch")
	}
	// Everything decoded here is kept: collecting while it grows would
	// only re-mark it.
	defer gcgoal.Hold(-1)()
	// The buffer is never written again: strings share it instead of
	// copying 100k entities' worth of text.
	d := &snapDecoder{s: unsafe.String(unsafe.SliceData(payload), len(payload))}
	if err := head(d); err != nil {
		return nil, err
	}
	digest, refsDigest := d.str(), d.str()
	d.table = make([]string, d.count(1))
	for i := range d.table {
		d.table[i] = d.str()
	}
	ents := d.count(3)
	rels := make([]Relation, d.count(2))
	refs, kinds, edges := make([]string, ents), make([]string, ents), make([][]Relation, ents)
	used := 0
	for i := range ents {
		refs[i], kinds[i] = d.str(), d.str()
		k := d.count(2)
		if k > len(rels)-used {
			d.fail()
			break
		}
		edges[i] = rels[used : used+k : used+k]
		for j := range edges[i] {
			edges[i][j] = Relation{Type: d.str(), TargetRef: d.str()}
		}
		used += k
	}
	sorted := make([]int32, ents)
	for k := range sorted {
		sorted[k] = int32(min(d.uv(), uint64(ents)))
	}
	offs := make([]int, ents+1)
	for i := range ents {
		offs[i+1] = offs[i] + d.count(1)
	}
	if d.err != nil || used != len(rels) || offs[ents] != len(d.s)-d.at {
		return nil, errSnapshotCorrupt
	}
	g := newLazyGraph(refs, kinds, edges, sorted, d.s[d.at:], offs, d.table, digest)
	if g == nil {
		return nil, errSnapshotCorrupt
	}
	g.refsDigest = refsDigest
	return g, nil
}
