package retrieval

import (
	"reflect"
	"unsafe"
)

// IndexDiff names the first field of Index on which a and b differ ("" when
// equal), so a field added to Index but not to the index file fails the
// round-trip test by name. The embedding vectors are attached per process
// and never persisted.
func IndexDiff(a, b *Index) string {
	va, vb := reflect.ValueOf(a).Elem(), reflect.ValueOf(b).Elem()
	for i := range va.NumField() {
		name := va.Type().Field(i).Name
		if name == "emb" {
			continue
		}
		if !reflect.DeepEqual(field(va, i), field(vb, i)) {
			return name
		}
	}
	return ""
}

// field reads an unexported field (reflect refuses Interface on those).
func field(v reflect.Value, i int) any {
	f := v.Field(i)
	return reflect.NewAt(f.Type(), unsafe.Pointer(f.UnsafeAddr())).Elem().Interface()
}
