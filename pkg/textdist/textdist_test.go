package textdist

import "testing"

func TestLevenshtein(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"a", "", 1}, {"", "abc", 3}, {"get-sum", "get-summ", 1},
		{"kitten", "sitting", 3}, {"fetch:template", "fetch:tempalte", 2}, {"héllo", "hello", 1},
	} {
		if got := Levenshtein(tc.a, tc.b); got != tc.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d", tc.a, tc.b, got, tc.want)
		}
		if got := Levenshtein(tc.b, tc.a); got != tc.want {
			t.Errorf("Levenshtein(%q, %q) = %d, want %d (symmetry)", tc.b, tc.a, got, tc.want)
		}
	}
}

func TestBoundedGivesUp(t *testing.T) {
	if got := Bounded("payments-api", "ledger-service", 2); got != 3 {
		t.Errorf("Bounded far apart = %d, want limit+1 = 3", got)
	}
	if got := Bounded("payments-api", "payment-api", 2); got != 1 {
		t.Errorf("Bounded close = %d, want 1", got)
	}
	if got := Bounded("a", "abcdef", 2); got != 3 {
		t.Errorf("Bounded length gap = %d, want 3", got)
	}
}
