package catalog

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
	"slices"
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
// as an index into the string table (index<<1 | 1). The table holds the
// strings that repeat across a catalog by their nature (map keys, kinds,
// relation types, annotation and short spec values: lifecycles, owners,
// location annotations), taken in one pass as they are first seen and
// capped, so saving 100k entities costs one lookup in a small map per such
// string; names, descriptions and refs, nearly all unique, go inline.
//
// The same encoder without a table and with sorted map keys (canonical) is
// what Digest hashes: one walk over an entity's fields serves both.
type snapEncoder struct {
	b     []byte
	table *strTable // nil: every string inline
	// canonical writes map keys sorted (in keys, a reusable buffer per
	// nesting depth) and values of unknown types as their %T %v, so equal
	// entities always write equal bytes.
	canonical bool
	keys      [][]string
	// relsInGraph says the entity being written has its relations, as
	// they are, in the graph section (see graphAndBodies).
	relsInGraph bool
}

// strTable is the string table being built.
type strTable struct {
	list []string
	ids  map[string]uint64
}

// Table bounds: a string longer than maxShared is a document, not a
// category; a spec value longer than maxSharedValue is most likely a ref
// or a name (written once or twice), not a lifecycle or type; past
// maxTable entries new strings go inline, so the map stays small enough
// to stay in cache (a lookup per string is most of a save).
const (
	maxShared      = 128
	maxSharedValue = 16
	maxTable       = 4096
)

func newStrTable() *strTable { return &strTable{ids: map[string]uint64{}} }

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

func (e *snapEncoder) uv(v uint64) { e.b = binary.AppendUvarint(e.b, v) }

// strBytes is s as str writes it, on its own.
func (e *snapEncoder) strBytes(s string) []byte {
	e.str(s)
	return e.b
}

// str writes s inline.
func (e *snapEncoder) str(s string) {
	e.uv(uint64(len(s)) << 1)
	e.b = append(e.b, s...)
}

// shared writes a string that is likely to repeat: through the table when
// there is one.
func (e *snapEncoder) shared(s string) {
	t := e.table
	if t == nil || len(s) > maxShared {
		e.str(s)
		return
	}
	id, ok := t.ids[s]
	if !ok {
		if len(t.list) >= maxTable {
			e.str(s)
			return
		}
		id = uint64(len(t.list))
		t.ids[s] = id
		t.list = append(t.list, s)
	}
	e.uv(id<<1 | 1)
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
		if !e.canonical {
			for k, v := range m {
				e.shared(k)
				e.shared(v)
			}
			return
		}
		for _, k := range keysOf(e, m, 0) {
			e.shared(k)
			e.shared(m[k])
		}
	}
}

func (e *snapEncoder) strs(ss []string) {
	if e.present(ss != nil) {
		e.uv(uint64(len(ss)))
		for _, s := range ss {
			e.shared(s)
		}
	}
}

func (e *snapEncoder) entity(x *Entity) error {
	m := &x.Metadata
	e.shared(x.APIVersion)
	e.shared(x.Kind)
	e.fields(m.Name, m.Namespace, m.Title, m.Description)
	e.strMap(m.Labels)
	e.strMap(m.Annotations)
	e.strs(m.Tags)
	if e.present(m.Links != nil) {
		e.uv(uint64(len(m.Links)))
		for _, l := range m.Links {
			e.fields(l.URL, l.Title)
			e.shared(l.Icon)
			e.shared(l.Type)
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
	case !e.canonical && e.relsInGraph:
		// Already lower-case, so the graph section holds them as they are:
		// not written twice.
		e.b = append(e.b, 2)
	default:
		e.b = append(e.b, 1)
		e.uv(uint64(len(x.Relations)))
		for _, r := range x.Relations {
			e.shared(r.Type)
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
		if len(t) <= maxSharedValue {
			e.shared(t)
		} else {
			e.str(t)
		}
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
		if !e.canonical {
			for k, x := range t {
				e.shared(k)
				if err := e.value(x, depth+1); err != nil {
					return err
				}
			}
			break
		}
		for _, k := range keysOf(e, t, depth+1) {
			e.shared(k)
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
