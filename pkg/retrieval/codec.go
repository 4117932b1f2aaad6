package retrieval

import (
	"encoding/binary"
	"errors"
	"math"
)

// A little-endian binary codec for the index file. Hand-written rather than
// encoding/gob because the index is millions of postings and hundreds of
// thousands of map entries at 100k entities: gob's reflection per element
// costs more than the rebuild it is meant to save. Every read is bounds
// checked and every count is checked against the bytes left, so a corrupt
// or hostile file is an error, never a panic or a huge allocation.

var errCorrupt = errors.New("index file is corrupt")

type encoder struct{ b []byte }

func (e *encoder) u32(v uint32)  { e.b = binary.LittleEndian.AppendUint32(e.b, v) }
func (e *encoder) f32(v float32) { e.u32(math.Float32bits(v)) }
func (e *encoder) str(s string) {
	e.u32(uint32(len(s)))
	e.b = append(e.b, s...)
}

func (e *encoder) strs(ss []string) {
	e.u32(uint32(len(ss)))
	for _, s := range ss {
		e.str(s)
	}
}

func (e *encoder) ids(ids []int32) {
	e.u32(uint32(len(ids)))
	for _, d := range ids {
		e.u32(uint32(d))
	}
}

// Maps are written in iteration order: the decoder rebuilds maps, so
// sorting (a third of the save at 100k entities) would buy nothing.

// set writes a map[string]bool's true keys (false is the same as absent).
func (e *encoder) set(m map[string]bool) {
	keys := make([]string, 0, len(m))
	for k, v := range m {
		if v {
			keys = append(keys, k)
		}
	}
	e.strs(keys)
}

func (e *encoder) lists(m map[string][]int32) {
	e.u32(uint32(len(m)))
	for k, ids := range m {
		e.str(k)
		e.ids(ids)
	}
}

func (e *encoder) pairs(m map[string]string) {
	e.u32(uint32(len(m)))
	for k, v := range m {
		e.str(k)
		e.str(v)
	}
}

// decoder reads what encoder wrote. The first failure sticks: later reads
// return zero values and the caller checks err once at the end.
type decoder struct {
	b   []byte
	err error
	// all, when set, is b as one string (b is always a suffix of it):
	// every decoded string is a substring of all, so hundreds of thousands
	// of terms and refs cost one allocation instead of one each.
	all string
	// docs bounds every document id read by ids (they index refs).
	docs int
	// arena backs the id lists: one allocation per 64k ids, not per list.
	arena []int32
}

func (d *decoder) fail() {
	if d.err == nil {
		d.err = errCorrupt
	}
	d.b = nil
}

func (d *decoder) u32() uint32 {
	if len(d.b) < 4 {
		d.fail()
		return 0
	}
	v := binary.LittleEndian.Uint32(d.b)
	d.b = d.b[4:]
	return v
}

func (d *decoder) f32() float32 { return math.Float32frombits(d.u32()) }

// count reads a length whose elements take at least size bytes each, so a
// flipped bit cannot ask for gigabytes.
func (d *decoder) count(size int) int {
	n := int(d.u32())
	if d.err != nil || n < 0 || n > len(d.b)/max(size, 1) {
		d.fail()
		return 0
	}
	return n
}

func (d *decoder) str() string {
	n := d.count(1)
	if d.all == "" {
		s := string(d.b[:n])
		d.b = d.b[n:]
		return s
	}
	at := len(d.all) - len(d.b)
	d.b = d.b[n:]
	return d.all[at : at+n]
}

func (d *decoder) strs() []string {
	out := make([]string, d.count(4))
	for i := range out {
		out[i] = d.str()
	}
	return out
}

func (d *decoder) doc() int32 {
	v := d.u32()
	if int64(v) >= int64(d.docs) {
		d.fail()
		return 0
	}
	return int32(v)
}

func (d *decoder) ids() []int32 {
	n := d.count(4)
	if n > cap(d.arena)-len(d.arena) {
		d.arena = make([]int32, 0, max(n, 1<<16))
	}
	at := len(d.arena)
	d.arena = d.arena[:at+n]
	out := d.arena[at : at+n : at+n] // capped: an append never overwrites a neighbour
	for i := range out {
		out[i] = d.doc()
	}
	return out
}

func (d *decoder) set() map[string]bool {
	keys := d.strs()
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

func (d *decoder) lists() map[string][]int32 {
	n := d.count(8)
	m := make(map[string][]int32, n)
	for range n {
		k := d.str()
		m[k] = d.ids()
	}
	return m
}

func (d *decoder) pairs() map[string]string {
	n := d.count(8)
	m := make(map[string]string, n)
	for range n {
		k := d.str()
		m[k] = d.str()
	}
	return m
}
