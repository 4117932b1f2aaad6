package retrieval

import (
	"slices"
	"testing"
)

// FuzzWordsPaths: the ASCII fast path splits exactly like the rune path.
func FuzzWordsPaths(f *testing.F) {
	for _, s := range []string{"paymentsAPI2", "APIKeyRotation", "APIs DBs", "a-b_c d", "OAuth2/OIDC", "x9Y", "ABCdef", "s"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for i := 0; i < len(s); i++ {
			if s[i] >= 0x80 {
				return
			}
		}
		var fast, slow []string
		eachWord(s, func(w string) { fast = append(fast, w) })
		eachWordUnicode(s, func(w string) { slow = append(slow, w) })
		if !slices.Equal(fast, slow) {
			t.Fatalf("%q: fast %q, rune path %q", s, fast, slow)
		}
	})
}
