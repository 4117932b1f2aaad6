package testkit

import "testing"

// StringCases checks fn(in) == want for every case, naming fn in the
// error: the shape of most table tests of a text function.
func StringCases(t testing.TB, name string, fn func(string) string, cases map[string]string) {
	t.Helper()
	for in, want := range cases {
		if got := fn(in); got != want {
			t.Errorf("%s(%q) = %q, want %q", name, in, got, want)
		}
	}
}
