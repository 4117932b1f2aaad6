package retrieval

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Tokens splits text into lower-case search terms: it breaks on anything
// that is not a letter or digit, splits camelCase and digit boundaries
// ("paymentsAPI2" → payments, api, 2), drops stopwords and applies a light
// stemmer, so "Billing-API", "billing_api" and "billingApi" all index
// as [bill api]. A word that splits ("OpenAPI", "gRPC", "GraphQL") also
// yields its joined form (openapi, grpc, graphql), which is how spec.type
// and most names spell it. Documents and queries go through the same
// function.
func Tokens(s string) []string {
	return appendTokens(nil, s)
}

func appendTokens(out []string, s string) []string {
	var buf [64]byte
	eachToken(s, buf[:0], func(t []byte) { out = append(out, string(t)) })
	return out
}

// eachToken calls fn with every search term of s (lower-cased, stopwords
// dropped, stemmed). The slice is only valid during the call; indexing
// 100k entities this way allocates only for new vocabulary.
func eachToken(s string, buf []byte, fn func([]byte)) []byte {
	return eachTokenKeep(s, buf, nil, fn)
}

// eachTokenKeep is eachTokenOpt with joined forms.
func eachTokenKeep(s string, buf []byte, keep func(string) bool, fn func([]byte)) []byte {
	return eachTokenOpt(s, buf, keep, true, fn)
}

// eachTokenOpt is eachToken that keeps the stopwords keep accepts (nil
// keeps none): "a" in "team-a" or "go" as a tag is a name, not a function
// word, in a catalog that uses it so. join adds the joined form of a word
// that splits; phrase matching leaves it out and joins windows itself.
func eachTokenOpt(s string, buf []byte, keep func(string) bool, join bool, fn func([]byte)) []byte {
	var joined []byte
	parts := 0
	emit := func(w string) {
		buf = appendLower(buf[:0], w)
		if stopwords[string(buf)] && (keep == nil || !keep(string(buf))) {
			return
		}
		fn(canonical(stemBytes(buf)))
	}
	flushJoined := func() {
		if parts > 1 && join {
			emit(string(joined))
		}
		joined, parts = joined[:0], 0
	}
	eachChunk(s, func(chunk string) {
		eachWord(chunk, func(w string) {
			joined = append(joined, w...)
			parts++
			emit(w)
		})
		flushJoined()
	})
	return buf
}

func appendLower(buf []byte, w string) []byte {
	for _, r := range w {
		if r < utf8.RuneSelf {
			if 'A' <= r && r <= 'Z' {
				r += 'a' - 'A'
			}
			buf = append(buf, byte(r))
		} else {
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		}
	}
	return buf
}

// eachChunk calls fn with each maximal run of letters and digits of s.
func eachChunk(s string, fn func(string)) {
	start := -1
	for i, r := range s {
		if isAlnum(r) {
			if start < 0 {
				start = i
			}
			continue
		}
		if start >= 0 {
			fn(s[start:i])
			start = -1
		}
	}
	if start >= 0 {
		fn(s[start:])
	}
}

// synonyms map a stemmed term to the one form both documents and questions
// index, for the few spellings catalogs use interchangeably ("artists-db"
// is asked about as "the artists database").
var synonyms = map[string]string{
	"database": "db", "repository": "repo", "postgresql": "postgre", "postgr": "postgre",
}

func canonical(w []byte) []byte {
	if c, ok := synonyms[string(w)]; ok {
		return append(w[:0], c...)
	}
	return w
}

// words splits s into lower-case words without stopword removal or
// stemming (kebab, snake, camel and letter/digit boundaries).
func words(s string) []string {
	var out []string
	eachWord(s, func(w string) { out = append(out, strings.ToLower(w)) })
	return out
}

// ASCII character classes for the fast path of eachWord.
const (
	clSep uint8 = iota
	clLower
	clUpper
	clDigit
)

var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := 'a'; c <= 'z'; c++ {
		t[c] = clLower
	}
	for c := 'A'; c <= 'Z'; c++ {
		t[c] = clUpper
	}
	for c := '0'; c <= '9'; c++ {
		t[c] = clDigit
	}
	return
}()

// eachWord calls fn with each word of s in its original case. ASCII text
// (nearly all catalog text) takes a table-driven path; anything else the
// rune path with the same rules.
func eachWord(s string, fn func(string)) {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			eachWordUnicode(s, fn)
			return
		}
	}
	start := -1
	var prev uint8
	for i := 0; i < len(s); i++ {
		c := asciiClass[s[i]]
		if c == clSep {
			if start >= 0 {
				fn(s[start:i])
				start = -1
			}
			prev = c
			continue
		}
		if start < 0 {
			start = i
		} else {
			switch {
			case c == clUpper && prev == clLower, (c == clDigit) != (prev == clDigit):
				fn(s[start:i])
				start = i
			case c == clLower && prev == clUpper && i-start > 1 && !pluralAcronym(s, i):
				fn(s[start : i-1])
				start = i - 1
			}
		}
		prev = c
	}
	if start >= 0 {
		fn(s[start:])
	}
}

func eachWordUnicode(s string, fn func(string)) {
	start := -1
	var prev rune
	flush := func(end int) {
		if start >= 0 && end > start {
			fn(s[start:end])
		}
		start = -1
	}
	for i, r := range s {
		if !isAlnum(r) {
			flush(i)
			prev = r
			continue
		}
		if start >= 0 {
			// camelCase: lower→Upper; acronym end: "APIKey" → API, Key.
			switch {
			case isUpper(r) && isLower(prev):
				flush(i)
			case isDigit(r) != isDigit(prev):
				flush(i)
			case isLower(r) && isUpper(prev) && i-start > 1 && !pluralAcronym(s, i):
				// prev was the first letter of a new word: split before it.
				j := i - utf8.RuneLen(prev)
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
}

// pluralAcronym reports a lone "s" ending a word after capitals ("APIs",
// "DBs"), which is a plural, not the start of a new word.
func pluralAcronym(s string, i int) bool {
	return s[i] == 's' && (i+1 == len(s) || !isAlnum(rune(s[i+1])))
}

func isAlnum(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z' || '0' <= r && r <= '9'
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r)
}

func isUpper(r rune) bool {
	if r < utf8.RuneSelf {
		return 'A' <= r && r <= 'Z'
	}
	return unicode.IsUpper(r)
}

func isLower(r rune) bool {
	if r < utf8.RuneSelf {
		return 'a' <= r && r <= 'z'
	}
	return unicode.IsLower(r)
}

func isDigit(r rune) bool {
	if r < utf8.RuneSelf {
		return '0' <= r && r <= '9'
	}
	return unicode.IsDigit(r)
}

// Stem is a deliberately light suffix stripper (plural and a few verb
// forms). Heavier stemmers conflate catalog names ("ledger" → "ledg") and
// make exact-name matching worse; this one only has to make "owns/owned/
// owner?" questions meet "payments/payment" text.
func Stem(w string) string {
	return string(stemBytes([]byte(w)))
}

// stemBytes is Stem in place on a byte slice.
func stemBytes(w []byte) []byte {
	n := len(w)
	has := func(suf string) bool { return n >= len(suf) && string(w[n-len(suf):]) == suf }
	if st, ok := pluralAcronyms[string(w)]; ok {
		return append(w[:0], st...)
	}
	switch {
	case n <= 3:
		return w
	case has("ies") && n > 4:
		w[n-3] = 'y'
		return w[:n-2]
	case has("sses"):
		return w[:n-2]
	case has("ss"), has("us"), has("is"):
		return w
	case has("ing") && n > 5:
		return undouble(w[:n-3])
	case has("ed") && n > 4 && !has("eed"):
		return undouble(w[:n-2])
	case has("es") && n > 4 && (has("ches") || has("shes") || has("xes")):
		return w[:n-2]
	case has("s"):
		return w[:n-1]
	}
	return w
}

// undouble drops the doubled consonant a suffix left behind ("mapping" →
// mapp → map, "planned" → plan), so the stem is the one a misspelling
// ("maping") or the bare word reaches; ll, ss and zz stay ("billing").
func undouble(w []byte) []byte {
	n := len(w)
	if n >= 3 && w[n-1] == w[n-2] && !strings.ContainsRune("aeioulsz", rune(w[n-1])) {
		return w[:n-1]
	}
	return w
}

// pluralAcronyms are plurals the suffix rules get wrong ("apis" must not
// keep its s like "redis" does; "dbs" is too short for the rules).
var pluralAcronyms = map[string]string{
	"apis": "api", "dbs": "db", "sdks": "sdk", "ids": "id", "urls": "url", "uis": "ui", "cis": "ci",
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
