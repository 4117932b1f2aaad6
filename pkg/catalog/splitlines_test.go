package catalog

import (
	"bytes"
	"reflect"
	"testing"
)

func TestSplitLinesMatchesBytesSplit(t *testing.T) {
	for _, s := range []string{"", "\n", "a", "a\n", "a\nb", "a\n\nb\n", "\n\nx\n\n"} {
		want := bytes.Split([]byte(s), []byte("\n"))
		got := splitLines(nil, []byte(s))
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%q: got %q, want %q", s, got, want)
		}
		for i, l := range got {
			if cap(l) != len(l) {
				t.Errorf("%q: line %d has spare capacity", s, i)
			}
		}
	}
}
