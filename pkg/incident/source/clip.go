package source

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Printable replaces control characters (escape sequences, carriage
// returns, newlines) with spaces and collapses runs of blanks, so text from
// logs, alerts and deploy records can be shown on a terminal on one line
// without moving the cursor or recolouring it.
func Printable(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space := false
	for _, r := range s {
		if r == utf8.RuneError || unicode.IsControl(r) || unicode.IsSpace(r) || unicode.In(r, unicode.Cf) {
			if !space && b.Len() > 0 {
				b.WriteByte(' ')
			}
			space = true
			continue
		}
		space = false
		b.WriteRune(r)
	}
	return strings.TrimRight(b.String(), " ")
}

// Clip is Printable cut to at most n runes, at a word boundary when one is
// in the last third, with "…" marking the cut: never half a word or half a
// UTF-8 sequence.
func Clip(s string, n int) string {
	s = Printable(s)
	if n <= 0 || utf8.RuneCountInString(s) <= n {
		return s
	}
	rs := []rune(s)
	cut := n - 1 // room for the ellipsis
	if i := lastSpace(rs[:cut+1]); i >= cut*2/3 {
		cut = i
	}
	return strings.TrimRight(string(rs[:cut]), " ,;:") + "…"
}

func lastSpace(rs []rune) int {
	for i := len(rs) - 1; i >= 0; i-- {
		if rs[i] == ' ' {
			return i
		}
	}
	return -1
}
