package retrieval

import (
	"encoding/binary"
	"errors"
	"math"
	"slices"
	"strings"
)

// A little-endian binary codec for the index file. Hand-written rather than
// encoding/gob because the index is millions of postings and hundreds of
// thousands of keys at 100k entities, and because a loaded index is read
// in place (table.go) rather than decoded: the decoder only validates.
// Every read is bounds checked and every count is checked against the
// bytes left, so a corrupt or hostile file is an error, never a panic or a
// huge allocation.

var errCorrupt = errors.New("index file is corrupt")

type encoder struct{ b []byte }

func (e *encoder) u32(v uint32)  { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *encoder) f32(v float32) { e.u32(math.Float32bits(v)) }
func (e *encoder) str(s string) {
	e.u32(uint32(len(s)))
	e.b = append(e.b, s...)
}

// offsets writes 0 and the running totals of size(i) for i < n: the n+1
// offsets a reader slices a table's entries by.
func (e *encoder) offsets(n int, size func(i int) int) {
	off := 0
	e.u32(0)
	for i := range n {
		off += size(i)
		e.u32(uint32(off))
	}
}

// table writes n, the n+1 offsets of the strings (relative to the first)
// and the strings back to back: what decoder.table reads into a table.
func (e *encoder) table(ss []string) {
	e.u32(uint32(len(ss)))
	e.offsets(len(ss), func(i int) int { return len(ss[i]) })
	for _, s := range ss {
		e.b = append(e.b, s...)
	}
}

// set writes a set's members, sorted.
func (e *encoder) set(s *set) {
	var keys []string
	s.each(func(k string) { keys = append(keys, k) })
	slices.Sort(keys)
	e.table(keys)
}

// subset writes s as a bitmap over keys (sorted) when they hold all its
// members, else as a set.
func (e *encoder) subset(s *set, keys []string) {
	bits := make([]byte, (len(keys)+7)/8)
	all := true
	s.each(func(k string) {
		i, ok := slices.BinarySearch(keys, k)
		if !ok {
			all = false
			return
		}
		bits[i/8] |= 1 << (i % 8)
	})
	if !all {
		e.u32(0)
		e.set(s)
		return
	}
	e.u32(1)
	e.b = append(e.b, bits...)
}

// sortedEntries collects what each yields, sorted by key: the file's
// tables are binary searched, and the same index always writes the same
// bytes.
func sortedEntries[V any](n int, each func(func(string, V))) (keys []string, vals []V) {
	type kv struct {
		k string
		v V
	}
	all := make([]kv, 0, n)
	each(func(k string, v V) { all = append(all, kv{k, v}) })
	slices.SortFunc(all, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	keys, vals = make([]string, len(all)), make([]V, len(all))
	for i, x := range all {
		keys[i], vals[i] = x.k, x.v
	}
	return keys, vals
}

// lists writes the sorted keys, the n+1 offsets (in ids) of their lists,
// then the ids, and returns the keys.
func (e *encoder) lists(l *lists) []string {
	keys, idss := sortedEntries(l.len(), l.each)
	e.table(keys)
	e.offsets(len(idss), func(i int) int { return len(idss[i]) })
	for _, ids := range idss {
		for _, d := range ids {
			e.u32(uint32(d))
		}
	}
	return keys
}

// pairs writes the sorted keys, then their values in the same order.
func (e *encoder) pairs(p *pairs) {
	keys, vals := sortedEntries(p.len(), p.each)
	e.table(keys)
	e.table(vals)
}

// decoder validates what encoder wrote, in place: s is the file (after
// its header), at the read position. The first failure sticks: later
// reads return zero values and the caller checks err once at the end.
type decoder struct {
	s   string
	at  int
	err error
	// docs bounds every document id (they index refs).
	docs int
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.at = len(d.s)
}

func (d *decoder) left() int { return len(d.s) - d.at }

// skip reserves the next n bytes and returns where they start.
func (d *decoder) skip(n int) int {
	if d.err != nil || n < 0 || n > d.left() {
		d.fail()
		return 0
	}
	at := d.at
	d.at += n
	return at
}

func (d *decoder) u32() uint32 {
	at := d.skip(4)
	if d.err != nil {
		return 0
	}
	return u32at(d.s, at)
}

func (d *decoder) f32() float32 { return math.Float32frombits(d.u32()) }

// count reads a length whose elements take at least size bytes each, so a
// flipped bit cannot ask for gigabytes.
func (d *decoder) count(size int) int {
	n := int(d.u32())
	if d.err != nil || n < 0 || n > d.left()/max(size, 1) {
		d.fail()
		return 0
	}
	return n
}

func (d *decoder) str() string {
	n := d.count(1)
	at := d.skip(n)
	return d.s[at : at+n]
}

// The decoder reads the layout (where each table is and how big) and
// checks every bound it needs for that; what is inside a table (offsets
// in order, keys sorted, ids in range) is checked by its valid method,
// which decodeIndex runs on two cores once the layout is known. Nothing
// reads a table before it is valid, and valid itself is safe on any
// bytes (it runs in its own goroutine, beyond readIndex's recover).

// offsets reads the layout of n+1 offsets and returns where they are and
// the last (the size of what they index); monotonic checks them.
func (d *decoder) offsets(n int) (at, last int) {
	if d.err != nil || n+1 > d.left()/4 {
		d.fail()
		return 0, 0
	}
	at = d.skip(4 * (n + 1))
	return at, int(u32at(d.s, at+4*n))
}

// monotonic reports whether the n+1 offsets at at start at 0 and never
// decrease (so each is at most the last).
func monotonic(s string, at, n int) bool {
	prev := 0
	for i := 0; i <= n; i++ {
		o := int(u32at(s, at+4*i))
		if o < prev || i == 0 && o != 0 {
			return false
		}
		prev = o
	}
	return true
}

// table reads the layout of what encoder.table wrote.
func (d *decoder) table() table {
	n := d.count(4) // each string has at least its offset
	offs, size := d.offsets(n)
	base := d.skip(size)
	if d.err != nil {
		return table{}
	}
	return table{s: d.s, offs: offs, base: base, n: n}
}

// valid checks the offsets (from 0, never decreasing, within the strings)
// and, if sorted, that the keys strictly increase (binary search depends
// on it), in one pass reading each offset once.
func (t *table) valid(sorted bool) bool {
	if t.n == 0 {
		return true
	}
	size := t.off(t.n)
	if t.off(0) != 0 {
		return false
	}
	prevLo, prevHi := 0, 0
	for i := 1; i <= t.n; i++ {
		hi := t.off(i)
		if hi < prevHi || hi > size {
			return false
		}
		if sorted && i > 1 && t.s[t.base+prevHi:t.base+hi] <= t.s[t.base+prevLo:t.base+prevHi] {
			return false
		}
		prevLo, prevHi = prevHi, hi
	}
	return true
}

// idsBelow reports whether the n ids (u32) at at are below docs.
func idsBelow(s string, at, n, docs int) bool {
	for i := range n {
		if int64(u32at(s, at+4*i)) >= int64(docs) {
			return false
		}
	}
	return true
}

func (d *decoder) set() set { return set{t: d.table()} }

func (s *set) valid() bool { return s.t.valid(true) }

// subset reads what encoder.subset wrote, over of (the table it was
// written against). Its bitmap needs no check beyond its length.
func (d *decoder) subset(of table) set {
	switch d.u32() {
	case 0:
		return d.set()
	case 1:
		at := d.skip((of.n + 7) / 8)
		if d.err != nil {
			return set{}
		}
		return set{t: of, bits: d.s[at : at+(of.n+7)/8]}
	}
	d.fail()
	return set{}
}

func (d *decoder) lists() lists {
	t := d.table()
	offs, total := d.offsets(t.n)
	if total > d.left()/4 {
		d.fail()
	}
	ids := d.skip(4 * total)
	if d.err != nil {
		return lists{}
	}
	return lists{t: t, offs: offs, ids: ids}
}

func (l *lists) valid(docs int) bool {
	return l.t.valid(true) && monotonic(l.t.s, l.offs, l.t.n) &&
		idsBelow(l.t.s, l.ids, int(u32at(l.t.s, l.offs+4*l.t.n)), docs)
}

func (d *decoder) pairs() pairs {
	keys := d.table()
	vals := d.table()
	if d.err == nil && vals.n != keys.n {
		d.fail()
	}
	if d.err != nil {
		return pairs{}
	}
	return pairs{keys: keys, vals: vals}
}

func (p *pairs) valid() bool { return p.keys.valid(true) && p.vals.valid(false) }

// vocab reads the layout of the sorted terms, the n+1 offsets (in
// postings) of their posting lists, the distinct term frequencies (if at
// most 256), then the postings' documents (u32) and their term
// frequencies (a byte indexing the distinct ones, or f32).
func (d *decoder) vocab() vocab {
	t := d.table()
	offs, total := d.offsets(t.n)
	nv := d.count(4)
	if nv > 256 {
		d.fail()
	}
	tfv := d.skip(4 * nv)
	if total > d.left()/4 {
		d.fail()
	}
	docs := d.skip(4 * total)
	width := 4
	if nv > 0 {
		width = 1
	}
	if total > d.left()/width {
		d.fail()
	}
	tfs := d.skip(width * total)
	if d.err != nil {
		return vocab{}
	}
	v := vocab{t: t, offs: offs, docs: docs, tfs: tfs}
	if nv > 0 {
		v.tfv = d.s[tfv : tfv+4*nv]
	}
	return v
}

// valid reports whether the terms and offsets are valid, every posting
// list has strictly increasing documents below docs (postingList.has
// searches them; Search indexes by them) and every term frequency byte
// indexes tfv. It is the longest check of a load (a million postings at
// 100k entities).
func (v *vocab) valid(docs int) bool {
	s := v.t.s
	if !v.t.valid(true) || !monotonic(s, v.offs, v.t.n) {
		return false
	}
	for i := range v.t.n {
		lo, hi := span(s, v.offs, i)
		prev := int64(-1)
		for j := lo; j < hi; j++ {
			doc := int64(u32at(s, v.docs+4*j))
			if doc <= prev || doc >= int64(docs) {
				return false
			}
			prev = doc
		}
	}
	if nv := len(v.tfv) / 4; nv > 0 {
		total := int(u32at(s, v.offs+4*v.t.n))
		for _, c := range []byte(s[v.tfs : v.tfs+total]) {
			if int(c) >= nv {
				return false
			}
		}
	}
	return true
}
