// Package textutil holds the small text operations several packages need
// the same way, so there is one of each.
package textutil

import "unicode/utf8"

// Truncate cuts s to at most n bytes without splitting a UTF-8 character
// and appends more when it cut (more is not counted in n). Output that
// goes to a terminal, a log or a model must never carry half a character.
func Truncate(s string, n int, more string) string {
	if len(s) <= n {
		return s
	}
	if n < 0 {
		n = 0
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + more
}
