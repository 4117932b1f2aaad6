package textutil

import (
	"testing"
	"unicode/utf8"
)

func TestTruncate(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly", 7, "exactly"},
		{"abcdef", 3, "abc…"},
		{"héllo", 2, "h…"},       // é is two bytes: not split
		{"日本語", 4, "日…"},         // three-byte runes
		{"日本語", 6, "日本…"},        //
		{"🙂🙂", 5, "🙂…"},          // four-byte rune
		{"abc", 0, "…"},          //
		{"abc", -1, "…"},         //
		{"\xffabc", 2, "\xffa…"}, // invalid bytes are cut as bytes
	} {
		got := Truncate(tc.s, tc.n, "…")
		if got != tc.want {
			t.Errorf("Truncate(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
		if utf8.ValidString(tc.s) && !utf8.ValidString(got) {
			t.Errorf("Truncate(%q, %d) split a character: %q", tc.s, tc.n, got)
		}
	}
}

func FuzzTruncate(f *testing.F) {
	f.Add("héllo wörld", 4)
	f.Fuzz(func(t *testing.T, s string, n int) {
		got := Truncate(s, n, "")
		if len(got) > max(n, 0) && len(s) > n {
			t.Fatalf("Truncate(%q, %d) = %q: longer than n", s, n, got)
		}
		if utf8.ValidString(s) && !utf8.ValidString(got) {
			t.Fatalf("Truncate(%q, %d) = %q: split a character", s, n, got)
		}
	})
}
