package catalog

import (
	"reflect"
	"slices"
	"testing"
)

func digestOf(entities []Entity) string { return NewGraph(entities).Digest() }

// sampleEntity sets every field, so a field the codec misses shows.
func sampleEntity() Entity {
	return Entity{
		APIVersion: "backstage.io/v1alpha1", Kind: "Component",
		Metadata: Metadata{Name: "ledger", Namespace: "default", Title: "Ledger", Description: "books payments",
			Labels: map[string]string{"tier": "1"}, Annotations: map[string]string{"a/b": "c"}, Tags: []string{"go"},
			Links: []Link{{URL: "https://x", Title: "X", Icon: "docs", Type: "doc"}}, UID: "u-1", Etag: "e-1"},
		Spec:      map[string]any{"type": "service", "n": 3, "f": 0.5, "ok": true, "none": nil, "list": []any{"a", int64(2), uint64(3)}, "m": map[string]any{"k": "v"}},
		Relations: []Relation{{Type: RelOwnedBy, TargetRef: "group:default/team-a"}},
	}
}

// TestDigestCoversEntity changes each field of Entity in turn (found by
// reflection, nested structs included): the digest must change and the
// snapshot codec must give the field back. A field added to Entity but not
// to the codec (entcodec.go) fails here by name.
func TestDigestCoversEntity(t *testing.T) {
	baseDigest := digestOf([]Entity{sampleEntity()})
	type field struct {
		name  string
		index []int
	}
	var fields []field
	var walk func(prefix string, typ reflect.Type, index []int)
	walk = func(prefix string, typ reflect.Type, index []int) {
		for i := range typ.NumField() {
			f := typ.Field(i)
			at := append(slices.Clone(index), i)
			if f.Type.Kind() == reflect.Struct {
				walk(prefix+f.Name+".", f.Type, at)
			} else {
				fields = append(fields, field{prefix + f.Name, at})
			}
		}
	}
	walk("", reflect.TypeFor[Entity](), nil)
	if len(fields) < 14 {
		t.Fatalf("found %d fields", len(fields))
	}
	for _, f := range fields {
		t.Run(f.name, func(t *testing.T) {
			e := sampleEntity()
			fv := reflect.ValueOf(&e).Elem().FieldByIndex(f.index)
			switch fv.Kind() {
			case reflect.String:
				fv.SetString(fv.String() + "-changed")
			case reflect.Map:
				m := reflect.MakeMap(fv.Type())
				for _, k := range fv.MapKeys() {
					m.SetMapIndex(k, fv.MapIndex(k))
				}
				m.SetMapIndex(reflect.ValueOf("extra"), reflect.Zero(fv.Type().Elem()))
				fv.Set(m)
			case reflect.Slice:
				fv.Set(reflect.Append(fv, reflect.Zero(fv.Type().Elem())))
			default:
				t.Fatalf("kind %s: extend the codec (entcodec.go) and this test", fv.Kind())
			}
			if digestOf([]Entity{e}) == baseDigest {
				t.Fatal("changing it does not change the digest")
			}
			enc := &snapEncoder{}
			if err := enc.entity(&e); err != nil {
				t.Fatal(err)
			}
			var got Entity
			d := &snapDecoder{s: string(enc.b)}
			d.entity(&got, e.Relations) // the graph section's copy
			if d.err != nil || !reflect.DeepEqual(got, e) {
				t.Fatalf("does not survive the codec: %+v, want %+v (%v)", got, e, d.err)
			}
		})
	}
}

// TestDigestCanonical: map order never changes the digest; an unknown
// value type still hashes (by %T %v) instead of failing.
func TestDigestCanonical(t *testing.T) {
	want := digestOf([]Entity{sampleEntity()})
	for range 20 {
		if digestOf([]Entity{sampleEntity()}) != want {
			t.Fatal("the digest depends on map order")
		}
	}
	e := sampleEntity()
	e.Spec["odd"] = struct{ X int }{1}
	if digestOf([]Entity{e}) == want {
		t.Fatal("an unknown value type is not hashed")
	}
}
