package retrieval

import (
	"strings"
	"unicode"
)

// Tokens splits text into lower-case search terms: it breaks on anything
// that is not a letter or digit, splits camelCase and digit boundaries
// ("paymentsAPI2" → payments, api, 2), drops stopwords and applies a light
// stemmer, so "Payments-API", "payments_api" and "paymentsApi" all index
// as [payment api]. Documents and queries go through the same function.
func Tokens(s string) []string {
	return appendTokens(nil, s)
}

func appendTokens(out []string, s string) []string {
	for _, w := range words(s) {
		if stopwords[w] {
			continue
		}
		out = append(out, Stem(w))
	}
	return out
}

// words splits s into lower-case words without stopword removal or
// stemming (kebab, snake, camel and letter/digit boundaries).
func words(s string) []string {
	var out []string
	start := -1
	var prev rune
	flush := func(end int) {
		if start >= 0 && end > start {
			out = append(out, strings.ToLower(s[start:end]))
		}
		start = -1
	}
	for i, r := range s {
		if !unicode.IsLetter(r) && !unicode.IsDigit(r) {
			flush(i)
			prev = r
			continue
		}
		if start >= 0 {
			// camelCase: lower→Upper; acronym end: "APIKey" → API, Key.
			switch {
			case unicode.IsUpper(r) && unicode.IsLower(prev):
				flush(i)
			case unicode.IsDigit(r) != unicode.IsDigit(prev):
				flush(i)
			case unicode.IsLower(r) && unicode.IsUpper(prev) && i-start > 1:
				// prev was the first letter of a new word: split before it.
				j := i - len(string(prev))
				flush(j)
				start = j
			}
		}
		if start < 0 {
			start = i
		}
		prev = r
	}
	flush(len(s))
	return out
}

// Stem is a deliberately light suffix stripper (plural and a few verb
// forms). Heavier stemmers conflate catalog names ("ledger" → "ledg") and
// make exact-name matching worse; this one only has to make "owns/owned/
// owner?" questions meet "payments/payment" text.
func Stem(w string) string {
	n := len(w)
	switch {
	case n <= 3:
		return w
	case strings.HasSuffix(w, "ies") && n > 4:
		return w[:n-3] + "y"
	case strings.HasSuffix(w, "sses"):
		return w[:n-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"), strings.HasSuffix(w, "is"):
		return w
	case strings.HasSuffix(w, "ing") && n > 5:
		return w[:n-3]
	case strings.HasSuffix(w, "ed") && n > 4 && !strings.HasSuffix(w, "eed"):
		return w[:n-2]
	case strings.HasSuffix(w, "es") && n > 4 && (strings.HasSuffix(w, "ches") || strings.HasSuffix(w, "shes") || strings.HasSuffix(w, "xes")):
		return w[:n-2]
	case strings.HasSuffix(w, "s"):
		return w[:n-1]
	}
	return w
}

// stopwords are English function words that carry no catalog meaning.
// Question words that signal intent ("owns", "depends") are NOT here: intent
// detection reads them, and they are rare enough in entity text not to hurt.
var stopwords = setOf(
	"a", "an", "the", "and", "or", "of", "to", "in", "on", "for", "by", "with", "at", "from", "as", "into",
	"is", "are", "was", "were", "be", "been", "being", "do", "does", "did", "doing", "done",
	"i", "me", "my", "we", "our", "you", "your", "it", "its", "they", "them", "their", "this", "that", "these", "those",
	"what", "which", "who", "whom", "whose", "where", "when", "why", "how",
	"there", "here", "if", "then", "than", "so", "can", "could", "should", "would", "will", "shall", "may", "might", "must",
	"have", "has", "had", "any", "all", "some", "each", "every", "about", "tell", "please", "show", "list", "give",
	"s", "t", "not", "no", "yes", "up", "out", "also", "just", "only", "very", "too", "same", "other", "such",
	"go", "goes", "went", "get", "gets", "know", "need", "needs", "find", "want",
)

func setOf(ws ...string) map[string]bool {
	m := make(map[string]bool, len(ws))
	for _, w := range ws {
		m[w] = true
	}
	return m
}
