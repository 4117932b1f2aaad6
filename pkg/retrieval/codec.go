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

// table writes n, the n+1 offsets of the strings (relative to the first)
// and the strings back to back: what decoder.table reads into a table.
func (e *encoder) table(ss []string) {
	e.u32(uint32(len(ss)))
	off := 0
	e.u32(0)
	for _, s := range ss {
		off += len(s)
		e.u32(uint32(off))
	}
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

// lists writes the sorted keys, the n+1 offsets (in ids) of their lists,
// then the ids, and returns the keys.
func (e *encoder) lists(l *lists) []string {
	type kv struct {
		k   string
		ids []int32
	}
	all := make([]kv, 0, l.len())
	l.each(func(k string, ids []int32) { all = append(all, kv{k, ids}) })
	slices.SortFunc(all, func(a, b kv) int { return strings.Compare(a.k, b.k) })
	keys := make([]string, len(all))
	for i, x := range all {
		keys[i] = x.k
	}
	e.table(keys)
	n := 0
	e.u32(0)
	for _, x := range all {
		n += len(x.ids)
		e.u32(uint32(n))
	}
	for _, x := range all {
		for _, d := range x.ids {
			e.u32(uint32(d))
		}
	}
	return keys
}

// pairs writes the sorted keys, then their values in the same order.
func (e *encoder) pairs(p *pairs) {
	keys := make([]string, 0, p.len())
	p.each(func(k, _ string) { keys = append(keys, k) })
	slices.Sort(keys)
	vals := make([]string, len(keys))
	for i, k := range keys {
		vals[i], _ = p.get(k)
	}
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

// offsets checks n+1 offsets that start at 0 and never decrease, and
// returns where they are and the last (the size of what they index).
func (d *decoder) offsets(n int) (at, last int) {
	if n > d.left()/4 {
		d.fail()
		return 0, 0
	}
	at = d.skip(4 * (n + 1))
	if d.err != nil {
		return 0, 0
	}
	for i := 0; i <= n; i++ {
		o := int(u32at(d.s, at+4*i))
		if o < last || i == 0 && o != 0 {
			d.fail()
			return 0, 0
		}
		last = o
	}
	return at, last
}

// table reads what encoder.table wrote; sorted requires strictly
// increasing keys (binary search depends on it). One pass over the
// offsets checks both, reading each once.
func (d *decoder) table(sorted bool) table {
	n := d.count(4) // each string has at least its offset
	if d.err != nil || n+1 > d.left()/4 {
		d.fail()
		return table{}
	}
	offs := d.skip(4 * (n + 1))
	if u32at(d.s, offs) != 0 {
		d.fail()
		return table{}
	}
	// The strings start after the offsets; their end is only known at the
	// last offset, so bounds are checked against what is left.
	base, left := d.at, d.left()
	prevLo, prevHi := 0, 0
	for i := 1; i <= n; i++ {
		hi := int(u32at(d.s, offs+4*i))
		if hi < prevHi || hi > left {
			d.fail()
			return table{}
		}
		if sorted && i > 1 && d.s[base+prevHi:base+hi] <= d.s[base+prevLo:base+prevHi] {
			d.fail()
			return table{}
		}
		prevLo, prevHi = prevHi, hi
	}
	d.skip(prevHi)
	return table{s: d.s, offs: offs, base: base, n: n}
}

// docIDs checks n document ids (u32) and returns where they start.
func (d *decoder) docIDs(n int) int {
	if n > d.left()/4 {
		d.fail()
		return 0
	}
	at := d.skip(4 * n)
	for i := range n {
		if d.err != nil || int64(u32at(d.s, at+4*i)) >= int64(d.docs) {
			d.fail()
			return 0
		}
	}
	return at
}

func (d *decoder) set() set { return set{t: d.table(true)} }

// subset reads what encoder.subset wrote, over of (the table it was
// written against).
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
	t := d.table(true)
	offs, total := d.offsets(t.n)
	ids := d.docIDs(total)
	if d.err != nil {
		return lists{}
	}
	return lists{t: t, offs: offs, ids: ids}
}

func (d *decoder) pairs() pairs {
	keys := d.table(true)
	vals := d.table(false)
	if d.err == nil && vals.n != keys.n {
		d.fail()
	}
	if d.err != nil {
		return pairs{}
	}
	return pairs{keys: keys, vals: vals}
}

// vocab reads the sorted terms, the n+1 offsets (in postings) of their
// posting lists, the distinct term frequencies (if at most 256), then the
// postings' documents (u32) and their term frequencies (a byte indexing
// the distinct ones, or f32). It checks the bounds; the postings
// themselves are checked by vocab.valid.
func (d *decoder) vocab() vocab {
	t := d.table(true)
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

// valid reports whether every posting list of a loaded vocab has strictly
// increasing documents below docs (postingList.has searches them; Search
// indexes by them) and every term frequency byte indexes tfv. It is the
// longest check of a load (a million postings at 100k entities) and reads
// only v's part of the file, so decodeIndex runs it beside the rest.
func (v *vocab) valid(docs int) bool {
	s := v.t.s
	total := int(u32at(s, v.offs+4*v.t.n))
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
		for _, c := range []byte(s[v.tfs : v.tfs+total]) {
			if int(c) >= nv {
				return false
			}
		}
	}
	return true
}
