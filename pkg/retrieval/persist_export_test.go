package retrieval

import (
	"bytes"
	"maps"
	"reflect"
	"slices"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// fieldEqual says how each field of Index is compared between a built and
// a loaded index: through the accessors, because the two backings differ
// (maps vs the file) while every key and value must be the same. nil
// means not persisted (the graph and entities come from the caller, the
// vectors are attached per process). A field missing here fails IndexDiff
// by name: persist it in format.go, then say here how to compare it.
var fieldEqual = map[string]func(a, b *Index) bool{
	"g":        nil,
	"entsOnce": nil, // with allEnts, how a loaded index gets ents
	"allEnts":  nil,
	"emb":      nil,
	// Not persisted but the same entities, asked one by one or all.
	"ents": func(a, b *Index) bool {
		for d := range a.refs {
			if a.ent(int32(d)) != b.ent(int32(d)) || a.entities()[d] != b.entities()[d] {
				return false
			}
		}
		return len(a.entities()) == len(b.entities())
	},
	"refs": func(a, b *Index) bool { return slices.Equal(a.refs, b.refs) },
	"docLen": func(a, b *Index) bool {
		return slices.Equal(a.docLen, b.docLen)
	},
	"avgLen":    func(a, b *Index) bool { return a.avgLen == b.avgLen },
	"maxPhrase": func(a, b *Index) bool { return a.maxPhrase == b.maxPhrase },
	"location":  func(a, b *Index) bool { return slices.Equal(a.location, b.location) },
	"byRef": func(a, b *Index) bool {
		if a.byRef.len() != b.byRef.len() || a.byRef.len() != len(a.refs) {
			return false
		}
		for d, r := range a.refs {
			da, oka := a.byRef.get(r)
			db, okb := b.byRef.get(r)
			if !oka || !okb || da != db || da != int32(d) {
				return false
			}
		}
		_, found := b.byRef.get("component:default/\x00not-a-ref")
		return !found
	},
	"vocab": func(a, b *Index) bool {
		all := func(ix *Index) map[string][]posting {
			m := map[string][]posting{}
			ix.vocab.each(func(t string, id int32) {
				ps := ix.vocab.postings(id)
				for i := range ps.len() {
					m[t] = append(m[t], ps.at(i))
				}
				if ix.vocab.df(id) != ps.len() {
					m[t] = nil // a df that is not the list's length differs from any list
				}
				if got, ok := ix.vocab.id(t); !ok || got != id {
					m[t] = nil
				}
			})
			return m
		}
		return a.vocab.len() == b.vocab.len() && reflect.DeepEqual(all(a), all(b))
	},
	"phrases":       func(a, b *Index) bool { return listsEqual(&a.phrases, &b.phrases) },
	"nameTerm":      func(a, b *Index) bool { return listsEqual(&a.nameTerm, &b.nameTerm) },
	"keep":          func(a, b *Index) bool { return setsEqual(&a.keep, &b.keep) },
	"names":         func(a, b *Index) bool { return setsEqual(&a.names, &b.names) },
	"typeTerms":     func(a, b *Index) bool { return setsEqual(&a.typeTerms, &b.typeTerms) },
	"specTypes":     func(a, b *Index) bool { return setsEqual(&a.specTypes, &b.specTypes) },
	"absentOwners":  func(a, b *Index) bool { return pairsEqual(&a.absentOwners, &b.absentOwners) },
	"absentSystems": func(a, b *Index) bool { return pairsEqual(&a.absentSystems, &b.absentSystems) },
}

// IndexDiff names the first field of Index on which a and b differ ("" when
// equal), comparing every key and value of every table through its
// accessors (each, get/has, len), so a field added to Index but not to the
// index file fails the round-trip test by name.
func IndexDiff(a, b *Index) string {
	t := reflect.TypeFor[Index]()
	for i := range t.NumField() {
		name := t.Field(i).Name
		eq, ok := fieldEqual[name]
		if !ok {
			return name + " (not in fieldEqual of persist_export_test.go)"
		}
		if eq != nil && !eq(a, b) {
			return name
		}
	}
	return ""
}

func setsEqual(a, b *set) bool {
	all := func(s *set) map[string]bool {
		m := map[string]bool{}
		s.each(func(k string) { m[k] = s.has(k) })
		return m
	}
	ma, mb := all(a), all(b)
	return a.len() == b.len() && len(ma) == a.len() && maps.Equal(ma, mb)
}

func listsEqual(a, b *lists) bool {
	all := func(l *lists) map[string][]int32 {
		m := map[string][]int32{}
		l.each(func(k string, ids []int32) {
			if got := l.get(k); !slices.Equal(got, ids) {
				ids = nil
			}
			m[k] = ids
		})
		return m
	}
	return a.len() == b.len() && maps.EqualFunc(all(a), all(b), slices.Equal)
}

func pairsEqual(a, b *pairs) bool {
	all := func(p *pairs) map[string]string {
		m := map[string]string{}
		p.each(func(k, v string) {
			if got, ok := p.get(k); !ok || got != v {
				v = "\x00mismatch"
			}
			m[k] = v
		})
		return m
	}
	return a.len() == b.len() && maps.Equal(all(a), all(b))
}

// DecodeIndexBytes decodes an index file's bytes for g whatever key it
// was saved under, without the recover of readIndex: a panic in the
// decoder or in a search of what it returned is a fuzzing failure.
func DecodeIndexBytes(b []byte, g *catalog.Graph) (*Index, error) {
	s, verify, err := readIndexFrom(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		return nil, err
	}
	ix, _, err := decodeIndex(s, g, func(string) bool { return false })
	if cerr := verify(); cerr != nil {
		return nil, cerr
	}
	return ix, err
}

// SealIndex makes an index file of body (what follows the header): the
// fuzzer mutates the structure, not only bytes the checksum rejects.
func SealIndex(body []byte) []byte {
	b := append(make([]byte, headLen, headLen+len(body)), body...)
	sealIndex(b)
	return b
}

// IndexBody is what follows the header of an index file.
func IndexBody(file []byte) []byte { return file[headLen:] }
