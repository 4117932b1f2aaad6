package source_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/bsai-dev/bsai/pkg/incident/source"
)

func TestClip(t *testing.T) {
	for _, tc := range []struct {
		in   string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"timeout acquiring connection from pool after 30000ms", 30, "timeout acquiring connection…"},
		{"a\x1b[31mred\x1b[0m\r\nline two", 40, "a [31mred [0m line two"},
		{"ünïcödé wörds everywhere here", 12, "ünïcödé…"},
		{"nospacesatallinthisverylongtoken", 10, "nospacesa…"},
	} {
		got := source.Clip(tc.in, tc.n)
		if got != tc.want {
			t.Errorf("Clip(%q, %d) = %q, want %q", tc.in, tc.n, got, tc.want)
		}
		if utf8.RuneCountInString(got) > tc.n || !utf8.ValidString(got) || strings.ContainsAny(got, "\x1b\r\n") {
			t.Errorf("Clip(%q, %d) = %q: too long, invalid or not printable", tc.in, tc.n, got)
		}
	}
}
