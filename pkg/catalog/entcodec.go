package catalog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
)

// A compact binary form of entities for the files snapshot (snapshot.go).
// JSON or gob would cost as much as parsing the YAML again: the point of
// the snapshot is that 100k entities decode in tens of milliseconds. Every
// string decodes as a substring of the one payload string (no copy), every
// read is bounds checked and every count checked against the bytes left,
// so a corrupt or hostile file is an error, never a panic or a huge
// allocation.

var errSnapshotCorrupt = errors.New("catalog snapshot is corrupt")

// maxValueDepth bounds nested spec values; the YAML loaders bound nesting
// well below it, and the decoder must not recurse without limit on a
// hostile file.
const maxValueDepth = 64

// Value tags.
const (
	tagNil byte = iota
	tagString
	tagTrue
	tagFalse
	tagInt
	tagInt64
	tagUint64
	tagFloat
	tagList
	tagMap
	tagOther // digest only (canonical): never in a snapshot
)

// snapEncoder writes strings either inline (length<<1, then the bytes) or
// as an index into the shared string table (index<<1 | 1): refs, relation
// types, annotation keys and location values repeat across 100k entities,
// and the table halves the file. A counting encoder (counts != nil) only
// tallies the strings, to decide what goes in the table.
//
// The same encoder, inline and with sorted map keys (canonical), is what
// Digest hashes: one walk over an entity's fields serves both.
type snapEncoder struct {
	b      []byte
	table  map[string]uint64
	counts map[string]int
	order  []string // counted strings in first-seen order
	// canonical writes map keys sorted (in keys, a reusable buffer per
	// nesting depth) and values of unknown types as their %T %v, so equal
	// entities always write equal bytes.
	canonical bool
	keys      [][]string
}

// keysOf returns m's keys: sorted when canonical, else in map order.
func keysOf[V any](e *snapEncoder, m map[string]V, depth int) []string {
	for len(e.keys) <= depth {
		e.keys = append(e.keys, nil)
	}
	ks := e.keys[depth][:0]
	for k := range m {
		ks = append(ks, k)
	}
	if e.canonical {
		slices.Sort(ks)
	}
	e.keys[depth] = ks
	return ks
}

// minShared: shorter strings cost no more inline than as an index.
const minShared = 4

func (e *snapEncoder) uv(v uint64) { e.b = binary.AppendUvarint(e.b, v) }
func (e *snapEncoder) str(s string) {
	if e.counts != nil {
		if len(s) >= minShared {
			if e.counts[s] == 0 {
				e.order = append(e.order, s)
			}
			e.counts[s]++
		}
		return
	}
	if id, ok := e.table[s]; ok {
		e.uv(id<<1 | 1)
		return
	}
	e.uv(uint64(len(s)) << 1)
	e.b = append(e.b, s...)
}

// shared returns the strings counted more than once, in first-seen order,
// and their table.
func (e *snapEncoder) shared() ([]string, map[string]uint64) {
	var list []string
	table := map[string]uint64{}
	for _, s := range e.order {
		if e.counts[s] > 1 {
			table[s] = uint64(len(list))
			list = append(list, s)
		}
	}
	return list, table
}

// present writes whether a field that may be nil is set: nil and empty
// differ for callers that test for nil.
func (e *snapEncoder) present(set bool) bool {
	if set {
		e.b = append(e.b, 1)
	} else {
		e.b = append(e.b, 0)
	}
	return set
}

// fields writes strings one after the other.
func (e *snapEncoder) fields(ss ...string) {
	for _, s := range ss {
		e.str(s)
	}
}

func (e *snapEncoder) strMap(m map[string]string) {
	if e.present(m != nil) {
		e.uv(uint64(len(m)))
		for _, k := range keysOf(e, m, 0) {
			e.str(k)
			e.str(m[k])
		}
	}
}

func (e *snapEncoder) strs(ss []string) {
	if e.present(ss != nil) {
		e.uv(uint64(len(ss)))
		for _, s := range ss {
			e.str(s)
		}
	}
}

func (e *snapEncoder) entity(x *Entity) error {
	m := &x.Metadata
	e.fields(x.APIVersion, x.Kind, m.Name, m.Namespace, m.Title, m.Description)
	e.strMap(m.Labels)
	e.strMap(m.Annotations)
	e.strs(m.Tags)
	if e.present(m.Links != nil) {
		e.uv(uint64(len(m.Links)))
		for _, l := range m.Links {
			e.fields(l.URL, l.Title, l.Icon, l.Type)
		}
	}
	e.fields(m.UID, m.Etag)
	if e.present(x.Spec != nil) {
		if err := e.value(x.Spec, 0); err != nil {
			return fmt.Errorf("%s: %w", x.Ref(), err)
		}
	}
	switch {
	case x.Relations == nil:
		e.b = append(e.b, 0)
	case !e.canonical && sameTargets(x.Relations):
		// Already lower-case, so the graph section holds them as they are:
		// not written twice.
		e.b = append(e.b, 2)
	default:
		e.b = append(e.b, 1)
		e.uv(uint64(len(x.Relations)))
		for _, r := range x.Relations {
			e.str(r.Type)
			e.str(r.TargetRef)
		}
	}
	return nil
}

// value writes what the YAML and JSON decoders produce; anything else is
// an error and the catalog is simply not snapshotted.
func (e *snapEncoder) value(v any, depth int) error {
	if depth > maxValueDepth {
		if e.canonical {
			e.b = append(e.b, tagOther)
			e.str(fmt.Sprintf("%v", v))
			return nil
		}
		return errors.New("spec nested too deeply to snapshot")
	}
	switch t := v.(type) {
	case nil:
		e.b = append(e.b, tagNil)
	case string:
		e.b = append(e.b, tagString)
		e.str(t)
	case bool:
		if t {
			e.b = append(e.b, tagTrue)
		} else {
			e.b = append(e.b, tagFalse)
		}
	case int:
		e.b = append(e.b, tagInt)
		e.b = binary.AppendVarint(e.b, int64(t))
	case int64:
		e.b = append(e.b, tagInt64)
		e.b = binary.AppendVarint(e.b, t)
	case uint64:
		e.b = append(e.b, tagUint64)
		e.uv(t)
	case float64:
		e.b = append(e.b, tagFloat)
		e.b = binary.LittleEndian.AppendUint64(e.b, math.Float64bits(t))
	case []any:
		e.b = append(e.b, tagList)
		e.uv(uint64(len(t)))
		for _, x := range t {
			if err := e.value(x, depth+1); err != nil {
				return err
			}
		}
	case map[string]any:
		e.b = append(e.b, tagMap)
		e.uv(uint64(len(t)))
		for _, k := range keysOf(e, t, depth+1) {
			e.str(k)
			if err := e.value(t[k], depth+1); err != nil {
				return err
			}
		}
	default:
		if !e.canonical {
			return fmt.Errorf("a spec value of type %T cannot be snapshotted", v)
		}
		e.b = append(e.b, tagOther)
		e.str(fmt.Sprintf("%T %v", v, v))
	}
	return nil
}

// snapDecoder reads what snapEncoder wrote from s[at:]. The first failure
// sticks: later reads return zero values and the caller checks err once.
type snapDecoder struct {
	s     string
	at    int
	err   error
	table []string // see snapEncoder
}

func (d *snapDecoder) fail() {
	if d.err == nil {
		d.err = errSnapshotCorrupt
	}
	d.at = len(d.s)
}

func (d *snapDecoder) byte() byte {
	if d.at >= len(d.s) {
		d.fail()
		return 0
	}
	c := d.s[d.at]
	d.at++
	return c
}

func (d *snapDecoder) uv() uint64 {
	var v uint64
	for shift := uint(0); shift < 64; shift += 7 {
		c := d.byte()
		if d.err != nil {
			return 0
		}
		v |= uint64(c&0x7f) << shift
		if c < 0x80 {
			return v
		}
	}
	d.fail()
	return 0
}

func (d *snapDecoder) sv() int64 {
	u := d.uv()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

// count reads a length whose items take at least min bytes each, so a
// hostile count can never allocate more than the file holds.
func (d *snapDecoder) count(min int) int {
	n := d.uv()
	if d.err != nil || n > uint64(len(d.s)-d.at)/uint64(max(min, 1)) {
		d.fail()
		return 0
	}
	return int(n)
}

func (d *snapDecoder) str() string {
	v := d.uv()
	if d.err != nil {
		return ""
	}
	if v&1 == 1 {
		if v>>1 >= uint64(len(d.table)) {
			d.fail()
			return ""
		}
		return d.table[v>>1]
	}
	if v>>1 > uint64(len(d.s)-d.at) {
		d.fail()
		return ""
	}
	n := int(v >> 1)
	s := d.s[d.at : d.at+n]
	d.at += n
	return s
}

func (d *snapDecoder) present() bool { return d.byte() == 1 }

func (d *snapDecoder) strMap() map[string]string {
	if !d.present() {
		return nil
	}
	n := d.count(2)
	m := make(map[string]string, n)
	for range n {
		k := d.str()
		m[k] = d.str()
	}
	return m
}

func (d *snapDecoder) strs() []string {
	if !d.present() {
		return nil
	}
	out := make([]string, d.count(1))
	for i := range out {
		out[i] = d.str()
	}
	return out
}

// entity decodes one body; graphRels are its relations from the graph
// section, which the body names instead of repeating.
func (d *snapDecoder) entity(x *Entity, graphRels []Relation) {
	x.APIVersion = d.str()
	x.Kind = d.str()
	m := &x.Metadata
	m.Name = d.str()
	m.Namespace = d.str()
	m.Title = d.str()
	m.Description = d.str()
	m.Labels = d.strMap()
	m.Annotations = d.strMap()
	m.Tags = d.strs()
	if d.present() {
		m.Links = make([]Link, d.count(4))
		for i := range m.Links {
			m.Links[i] = Link{URL: d.str(), Title: d.str(), Icon: d.str(), Type: d.str()}
		}
	}
	m.UID = d.str()
	m.Etag = d.str()
	if d.present() {
		spec, ok := d.value(0).(map[string]any)
		if !ok {
			d.fail()
		}
		x.Spec = spec
	}
	switch d.byte() {
	case 0:
	case 1:
		x.Relations = make([]Relation, d.count(2))
		for i := range x.Relations {
			x.Relations[i] = Relation{Type: d.str(), TargetRef: d.str()}
		}
	case 2:
		x.Relations = graphRels
	default:
		d.fail()
	}
}

// sameTargets reports relations whose targets are already lower-case.
func sameTargets(rels []Relation) bool {
	for _, r := range rels {
		if strings.ToLower(r.TargetRef) != r.TargetRef {
			return false
		}
	}
	return true
}

func (d *snapDecoder) value(depth int) any {
	if depth > maxValueDepth {
		d.fail()
		return nil
	}
	switch d.byte() {
	case tagNil:
		return nil
	case tagString:
		return d.str()
	case tagTrue:
		return true
	case tagFalse:
		return false
	case tagInt:
		return int(d.sv())
	case tagInt64:
		return d.sv()
	case tagUint64:
		return d.uv()
	case tagFloat:
		if len(d.s)-d.at < 8 {
			d.fail()
			return nil
		}
		var u uint64
		for i := 7; i >= 0; i-- {
			u = u<<8 | uint64(d.s[d.at+i])
		}
		d.at += 8
		return math.Float64frombits(u)
	case tagList:
		out := make([]any, d.count(1))
		for i := range out {
			out[i] = d.value(depth + 1)
		}
		return out
	case tagMap:
		n := d.count(2)
		m := make(map[string]any, n)
		for range n {
			k := d.str()
			m[k] = d.value(depth + 1)
		}
		return m
	}
	d.fail()
	return nil
}
