package retrieval

import (
	"cmp"
	"math"
	"slices"
)

// The index's lookup tables, each with two backings: the Go maps Build
// fills, or read-only views into a loaded index file. Build keeps its maps
// because a cold `ask` must not pay for sorting before it answers; a
// loaded index keeps the file as one string and looks keys up by binary
// search, so loading it builds nothing per key (at 100k entities the maps
// were ~1.5M entries and most of the load). A loaded table was validated
// by decodeIndex (offsets in bounds and monotonic, keys strictly
// increasing, ids below the number of documents), so its accessors index
// the file without further checks.

// table is n strings back to back in the file s, key i being
// s[base+off(i) : base+off(i+1)], with the n+1 offsets (u32, relative to
// base) at offs. Keys are sorted and distinct unless it holds values.
type table struct {
	s          string
	offs, base int
	n          int
}

// u32at reads the little-endian u32 at s[i:].
func u32at(s string, i int) uint32 {
	_ = s[i+3]
	return uint32(s[i]) | uint32(s[i+1])<<8 | uint32(s[i+2])<<16 | uint32(s[i+3])<<24
}

func (t *table) off(i int) int { return int(u32at(t.s, t.offs+4*i)) }

func (t *table) key(i int) string { return t.s[t.base+t.off(i) : t.base+t.off(i+1)] }

// find is the position of k, by binary search.
func (t *table) find(k string) (int, bool) {
	lo, hi := 0, t.n
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if t.key(m) < k {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo, lo < t.n && t.key(lo) == k
}

// span is where the ids (or postings) of key i start and end: n+1 offsets
// (u32, in elements) at at.
func span(s string, at, i int) (int, int) {
	return int(u32at(s, at+4*i)), int(u32at(s, at+4*i+4))
}

// set is a set of strings (stopwords kept, one-word names, type words).
// Loaded, it is the keys of t, or, when bits is set, the keys of t whose
// bit is set (names are a subset of the phrase keys: one bit each instead
// of a second copy of 100k strings).
type set struct {
	m    map[string]bool
	t    table
	bits string
}

func (s *set) has(k string) bool {
	if s.m != nil {
		return s.m[k]
	}
	i, ok := s.t.find(k)
	return ok && s.member(i)
}

func (s *set) member(i int) bool { return s.bits == "" || s.bits[i/8]&(1<<(i%8)) != 0 }

func (s *set) len() int {
	n := 0
	s.each(func(string) { n++ })
	return n
}

// each calls fn for every member (in no particular order for a built set).
func (s *set) each(fn func(string)) {
	if s.m != nil {
		for k, v := range s.m {
			if v {
				fn(k)
			}
		}
		return
	}
	for i := range s.t.n {
		if s.member(i) {
			fn(s.t.key(i))
		}
	}
}

// lists maps strings to document id lists (phrases, name words).
type lists struct {
	m map[string][]int32
	t table
	// offs holds t.n+1 offsets into the ids, which are u32 at ids.
	offs, ids int
}

// get is k's list; a loaded list is decoded into a new slice, which the
// caller may keep (a built one is shared: callers never modify it).
func (l *lists) get(k string) []int32 { return l.atMost(k, math.MaxInt) }

// atMost is k's list if it has at most n ids, else nil: "a word only a
// few names have" must not decode the list of a word every name has.
func (l *lists) atMost(k string, n int) []int32 {
	if l.m != nil {
		if ds := l.m[k]; len(ds) <= n {
			return ds
		}
		return nil
	}
	i, ok := l.t.find(k)
	if !ok {
		return nil
	}
	return l.list(i, n)
}

func (l *lists) list(i, n int) []int32 {
	lo, hi := span(l.t.s, l.offs, i)
	if hi-lo > n {
		return nil
	}
	out := make([]int32, hi-lo)
	for j := range out {
		out[j] = int32(u32at(l.t.s, l.ids+4*(lo+j)))
	}
	return out
}

func (l *lists) len() int {
	if l.m != nil {
		return len(l.m)
	}
	return l.t.n
}

func (l *lists) each(fn func(string, []int32)) {
	if l.m != nil {
		for k, ds := range l.m {
			fn(k, ds)
		}
		return
	}
	for i := range l.t.n {
		fn(l.t.key(i), l.list(i, math.MaxInt))
	}
}

// pairs maps strings to strings (names of absent owners and systems).
type pairs struct {
	m    map[string]string
	keys table
	vals table // vals.key(i) is keys.key(i)'s value
}

func (p *pairs) get(k string) (string, bool) {
	if p.m != nil {
		v, ok := p.m[k]
		return v, ok
	}
	i, ok := p.keys.find(k)
	if !ok {
		return "", false
	}
	return p.vals.key(i), true
}

func (p *pairs) len() int {
	if p.m != nil {
		return len(p.m)
	}
	return p.keys.n
}

func (p *pairs) each(fn func(k, v string)) {
	if p.m != nil {
		for k, v := range p.m {
			fn(k, v)
		}
		return
	}
	for i := range p.keys.n {
		fn(p.keys.key(i), p.vals.key(i))
	}
}

// vocab maps terms to ids and ids to postings. Ids mean nothing across
// backings (built: first seen; loaded: sorted position).
type vocab struct {
	m    map[string]int32
	post [][]posting
	t    table
	// offs holds t.n+1 offsets into the postings, whose documents are u32
	// at docs and term frequencies at tfs (see postingList).
	offs, docs, tfs int
	tfv             string
}

func (v *vocab) id(term string) (int32, bool) {
	if v.m != nil {
		id, ok := v.m[term]
		return id, ok
	}
	i, ok := v.t.find(term)
	return int32(i), ok
}

func (v *vocab) len() int {
	if v.m != nil {
		return len(v.m)
	}
	return v.t.n
}

// postings of term id; df is its length, which costs no decoding.
func (v *vocab) postings(id int32) postingList {
	if v.m != nil {
		return postingList{p: v.post[id]}
	}
	lo, hi := span(v.t.s, v.offs, int(id))
	l := postingList{docs: v.t.s[v.docs+4*lo : v.docs+4*hi], tfv: v.tfv}
	if v.tfv != "" {
		l.tfs = v.t.s[v.tfs+lo : v.tfs+hi]
	} else {
		l.tfs = v.t.s[v.tfs+4*lo : v.tfs+4*hi]
	}
	return l
}

func (v *vocab) df(id int32) int { return v.postings(id).len() }

// each calls fn for every term (typo correction scans them all).
func (v *vocab) each(fn func(term string, id int32)) {
	if v.m != nil {
		for t, id := range v.m {
			fn(t, id)
		}
		return
	}
	for i := range v.t.n {
		fn(v.t.key(i), int32(i))
	}
}

// postingList is one term's postings in document order: a built slice, or
// the file's bytes read in place (no decode, no cache, nothing shared
// between concurrent searches). In the file the documents are u32 and
// the term frequencies, a handful of distinct sums of field weights, are
// one byte each indexing tfv (f32 values); or f32 each when tfv is ""
// (a catalog with more than 256 distinct ones).
type postingList struct {
	p         []posting
	docs, tfs string
	tfv       string
}

func (l postingList) len() int {
	if l.p != nil {
		return len(l.p)
	}
	return len(l.docs) / 4
}

func (l postingList) doc(i int) int32 {
	if l.p != nil {
		return l.p[i].doc
	}
	return int32(u32at(l.docs, 4*i))
}

// at is posting i. Small enough to inline, so a built index's loops
// (Search on a cold run) index the slice directly.
func (l postingList) at(i int) posting {
	if l.p != nil {
		return l.p[i]
	}
	return l.read(i)
}

func (l postingList) read(i int) posting {
	doc := int32(u32at(l.docs, 4*i))
	if l.tfv != "" {
		return posting{doc: doc, tf: f32at(l.tfv, 4*int(l.tfs[i]))}
	}
	return posting{doc: doc, tf: f32at(l.tfs, 4*i)}
}

// has reports whether document d is in the list (binary search).
func (l postingList) has(d int32) bool {
	if l.p != nil {
		_, ok := slices.BinarySearchFunc(l.p, d, func(p posting, d int32) int { return cmp.Compare(p.doc, d) })
		return ok
	}
	lo, hi := 0, len(l.docs)/4
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if int32(u32at(l.docs, 4*m)) < d {
			lo = m + 1
		} else {
			hi = m
		}
	}
	return lo < len(l.docs)/4 && int32(u32at(l.docs, 4*lo)) == d
}

// refIndex maps a ref to its document: a map when built, else the refs
// sorted in the file with the document of each (u32 at perm).
type refIndex struct {
	m    map[string]int32
	t    table
	perm int
}

func (r *refIndex) get(ref string) (int32, bool) {
	if r.m != nil {
		d, ok := r.m[ref]
		return d, ok
	}
	i, ok := r.t.find(ref)
	if !ok {
		return 0, false
	}
	return int32(u32at(r.t.s, r.perm+4*i)), true
}

func (r *refIndex) len() int {
	if r.m != nil {
		return len(r.m)
	}
	return r.t.n
}
