// Package retrieval finds the catalog entities a question is about: BM25
// over entity text fields, boosted exact name/ref matches, relation-graph
// expansion driven by the question's intent, and (when an embedding model is
// configured) vector similarity fused by reciprocal rank. Build an Index once
// per process; it is read-only afterwards and safe for concurrent queries.
package retrieval

import (
	"maps"
	"math"
	"runtime"
	"slices"
	"sort"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// BM25 parameters (the usual defaults).
const (
	bm25K1 = 1.2
	bm25B  = 0.75
)

// Field weights: a term in an entity's name says more about what the entity
// is than one in its description. Weighted term frequencies are summed
// before BM25 saturation (a BM25F simplification).
const (
	wName        = 3.0
	wTitle       = 2.0
	wTag         = 1.5
	wDescription = 1.0
	wType        = 1.0
	wLifecycle   = 1.0
	wKind        = 0.5
	wRelation    = 0.5 // owner, system, domain names
	wAnnotation  = 0.5
	wSpec        = 0.5 // other spec fields (categories, remotes, ...), any kind
)

type posting struct {
	doc int32
	tf  float32
}

// Index is an inverted index over one catalog graph. Its tables (see
// table.go) are Go maps after Build and views into the file after a load.
// The index file (format.go) holds every field but g, the entities and emb: a new
// field goes there too (TestPersistRoundTrip names a missing one).
type Index struct {
	g    *catalog.Graph
	refs []string
	// ents are the entities in document order after Build; a loaded index
	// leaves it nil and asks the graph (see ent and entities), because
	// g.All() is 100k map lookups at 100k entities, most of a load.
	ents     []*catalog.Entity
	entsOnce sync.Once
	allEnts  []*catalog.Entity
	docLen   []float32
	avgLen   float32
	byRef    refIndex

	vocab vocab

	// phrases maps the joined tokens of names, titles and display names to
	// the entities carrying them, for exact-name boosts.
	phrases   lists
	maxPhrase int

	// keep are stopwords that are words of names, titles or tags in this
	// catalog ("a" of team-a, the tag "go"): questions keep them.
	keep set
	// names are the one-term names and titles: a word that names an entity
	// here ("backstage") is never a generic question word.
	names set
	// nameTerm maps a word of metadata.name to the entities whose name has
	// it: "the showcase" is how people call backstage-showcase.
	nameTerm lists
	// typeTerms are the words of spec.type, lifecycle and kind values:
	// categories, not names.
	typeTerms set
	// specTypes are the words of spec.type values only ("skill").
	specTypes set
	// absentOwners maps the name (spaced and joined) of an owner that has
	// no entity here (owners defined in another catalog) to its ref.
	absentOwners pairs
	// absentSystems is the same for systems entities say they are part of.
	absentSystems pairs
	// location marks Location entities, plumbing that must not outrank
	// what they point to.
	location []bool

	// emb is nil unless WithEmbeddings succeeded. Atomic because a shared
	// index (mcp serve) may be searched while another call attaches vectors.
	emb atomic.Pointer[vectors]
}

// plumbingAnnotations are annotation keys the catalog itself writes; every
// other annotation (SonarQube key, PagerDuty id, repo slug, namespace) is
// something people search by, key words and value alike.
var plumbingAnnotations = map[string]bool{
	"backstage.io/managed-by-location": true, "backstage.io/managed-by-origin-location": true,
	"backstage.io/view-url": true, "backstage.io/edit-url": true, "backstage.io/definition-at-location": true,
}

// PlumbingAnnotation reports an annotation the catalog writes for itself.
func PlumbingAnnotation(key string) bool { return plumbingAnnotations[key] }

// unindexedSpec are spec fields not worth searching: API definitions are
// whole documents, Location targets are paths, and the rest are indexed
// with their own weights by forFields.
var unindexedSpec = map[string]bool{
	"definition": true, "target": true, "targets": true, "profile": true,
	"type": true, "lifecycle": true, "owner": true, "system": true, "domain": true, "parent": true,
}

// maxSpecText bounds one indexed spec string: long values are documents.
const maxSpecText = 300

// Build indexes every entity of g. Tokenising is spread over GOMAXPROCS
// workers, each with its own vocabulary; a sequential merge then maps local
// term ids to global ones and appends postings in document order (which
// covers() relies on).
func Build(g *catalog.Graph) *Index {
	ents := g.All()
	ix := &Index{
		g:        g,
		refs:     make([]string, len(ents)),
		ents:     ents,
		docLen:   make([]float32, len(ents)),
		byRef:    refIndex{m: make(map[string]int32, len(ents))},
		vocab:    vocab{m: make(map[string]int32, 1024)},
		phrases:  lists{m: make(map[string][]int32, len(ents)*2)},
		keep:     set{m: map[string]bool{}},
		names:    set{m: map[string]bool{}},
		nameTerm: lists{m: map[string][]int32{}},
		location: make([]bool, len(ents)),
		// Filled below, after every document has a ref.
		absentOwners:  pairs{m: map[string]string{}},
		absentSystems: pairs{m: map[string]string{}},
		typeTerms:     set{m: map[string]bool{}},
		specTypes:     set{m: map[string]bool{}},
	}
	workers := runtime.GOMAXPROCS(0)
	if len(ents) < 2048 {
		workers = 1
	}
	size := (len(ents) + workers - 1) / max(workers, 1)
	chunks := make([]*chunk, 0, workers)
	var wg sync.WaitGroup
	for start := 0; start < len(ents); start += size {
		c := &chunk{start: start, ents: ents[start:min(start+size, len(ents))]}
		chunks = append(chunks, c)
		wg.Add(1)
		go func() {
			defer wg.Done()
			c.tokenize()
		}()
	}
	wg.Wait()

	// Map each chunk's local term ids to global ones and size every
	// posting list exactly before filling it.
	globals := make([][]int32, len(chunks))
	var df []int32
	for i, c := range chunks {
		for w := range c.stops {
			ix.keep.m[w] = true
		}
		global := make([]int32, len(c.vocab))
		for local, t := range c.vocab {
			id, ok := ix.vocab.m[t]
			if !ok {
				id = int32(len(df))
				ix.vocab.m[t] = id
				df = append(df, 0)
			}
			global[local] = id
		}
		for _, x := range c.terms {
			df[global[x.id]]++
		}
		globals[i] = global
	}
	ix.vocab.post = make([][]posting, len(df))
	for id, n := range df {
		ix.vocab.post[id] = make([]posting, 0, n)
	}
	var total float64
	for i, c := range chunks {
		global := globals[i]
		for j := range c.ents {
			d := int32(c.start + j)
			ix.refs[d] = c.refs[j]
			ix.byRef.m[c.refs[j]] = d
			ix.docLen[d] = c.lens[j]
			ix.location[d] = c.ents[j].Kind == "Location"
			total += float64(c.lens[j])
			for _, x := range c.terms[c.termStart[j]:c.termStart[j+1]] {
				id := global[x.id]
				ix.vocab.post[id] = append(ix.vocab.post[id], posting{doc: d, tf: x.tf})
			}
			loc := c.ents[j].Kind == "Location"
			for _, p := range c.phrases[j] {
				ix.addPhrase(p.key, p.n, d)
				if p.n == 1 && !loc {
					ix.names.m[p.key] = true
				}
			}
			if !loc {
				for _, t := range nameTokens(c.ents[j].Metadata.Name) {
					if !stopwords[t] {
						ix.nameTerm.m[t] = append(ix.nameTerm.m[t], d)
					}
				}
			}
		}
	}
	if len(ents) > 0 {
		ix.avgLen = float32(total / float64(len(ents)))
	}
	for _, e := range ents {
		for _, t := range Tokens(e.SpecString("type")) {
			ix.specTypes.m[t] = true
		}
		for _, v := range []string{e.SpecString("type"), e.SpecString("lifecycle"), e.Kind} {
			for _, t := range Tokens(v) {
				ix.typeTerms.m[t] = true
			}
		}
		for _, r := range e.Relations {
			var m map[string]string
			switch r.Type {
			case catalog.RelOwnedBy:
				m = ix.absentOwners.m
			case catalog.RelPartOf:
				if !strings.HasPrefix(r.TargetRef, "system:") {
					continue
				}
				m = ix.absentSystems.m
			default:
				continue
			}
			if _, ok := ix.byRef.m[r.TargetRef]; ok {
				continue
			}
			if toks := nameTokens(refName(r.TargetRef)); len(toks) > 0 {
				m[strings.Join(toks, " ")] = r.TargetRef
				m[strings.Join(toks, "")] = r.TargetRef
			}
		}
	}
	return ix
}

type termTF struct {
	id int32 // chunk-local term id
	tf float32
}

type phrase struct {
	key string
	n   int
}

// chunk is one worker's share of the documents.
type chunk struct {
	start int
	ents  []*catalog.Entity

	vocab     []string
	refs      []string
	lens      []float32
	terms     []termTF // all documents' terms, back to back
	termStart []int    // document j's terms are terms[termStart[j]:termStart[j+1]]
	phrases   [][]phrase
	stops     map[string]bool // stopwords kept in names, titles and tags
}

func (c *chunk) tokenize() {
	local := make(map[string]int32, 1024)
	c.refs = make([]string, len(c.ents))
	c.lens = make([]float32, len(c.ents))
	c.termStart = make([]int, len(c.ents)+1)
	c.phrases = make([][]phrase, len(c.ents))
	c.stops = map[string]bool{}
	keepAll := func(w string) bool {
		if !c.stops[w] {
			c.stops[w] = true
		}
		return true
	}
	// Entities average a few dozen distinct terms; sizing up front saves
	// re-copying a multi-megabyte slice as it grows.
	c.terms = make([]termTF, 0, len(c.ents)*32)
	var buf []byte
	for j, e := range c.ents {
		c.refs[j] = e.Ref().String()
		first := len(c.terms)
		var dl float32
		// Entities have tens of distinct terms: a linear scan over this
		// document's terms beats clearing a map per document.
		add := func(text string, w float32, name bool) {
			var keep func(string) bool
			if name {
				keep = keepAll
			}
			buf = eachTokenKeep(text, buf, keep, func(t []byte) {
				id, ok := local[string(t)]
				if !ok {
					id = int32(len(c.vocab))
					s := string(t)
					local[s] = id
					c.vocab = append(c.vocab, s)
				}
				dl += w
				for k := first; k < len(c.terms); k++ {
					if c.terms[k].id == id {
						c.terms[k].tf += w
						return
					}
				}
				c.terms = append(c.terms, termTF{id, w})
			})
		}
		forFields(e, add)
		c.lens[j] = dl
		c.termStart[j+1] = len(c.terms)

		texts := []string{e.Metadata.Name, e.Metadata.Title}
		if p, ok := e.Spec["profile"].(map[string]any); ok {
			if dn, ok := p["displayName"].(string); ok {
				texts = append(texts, dn)
			}
		}
		for _, t := range texts {
			if toks := nameTokens(t); len(toks) > 0 {
				c.phrases[j] = append(c.phrases[j], phrase{strings.Join(toks, " "), len(toks)})
				// The joined form, so "box office" finds boxoffice and
				// "artistlookup" finds artist-lookup.
				if len(toks) > 1 {
					c.phrases[j] = append(c.phrases[j], phrase{strings.Join(toks, ""), 1})
				}
				// Contiguous parts of two or more words ("aws auth" of
				// "Backstage Plugin AWS Auth"): people shorten names.
				if len(toks) > 2 && len(toks) <= maxPartialName {
					for size := 2; size < len(toks); size++ {
						for i := 0; i+size <= len(toks); i++ {
							c.phrases[j] = append(c.phrases[j], phrase{partialKey + strings.Join(toks[i:i+size], " "), -size})
						}
					}
				}
			}
		}
	}
}

// forFields calls add for every searchable text of e with its weight;
// name marks names, titles and tags, whose stopwords are kept.
func forFields(e *catalog.Entity, add func(string, float32, bool)) {
	add(e.Metadata.Name, wName, true)
	add(e.Metadata.Title, wTitle, true)
	add(e.Metadata.Description, wDescription, false)
	for _, t := range e.Metadata.Tags {
		add(t, wTag, true)
	}
	add(e.Kind, wKind, false)
	add(e.SpecString("type"), wType, false)
	add(e.SpecString("lifecycle"), wLifecycle, false)
	for _, k := range []string{"owner", "system", "domain", "parent"} {
		add(refName(e.SpecString(k)), wRelation, false)
	}
	keys := make([]string, 0, len(e.Metadata.Annotations))
	for k := range e.Metadata.Annotations {
		if !plumbingAnnotations[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if v := e.Metadata.Annotations[k]; v != "" && len(v) <= maxSpecText {
			add(k, wAnnotation, false)
			add(v, wAnnotation, false)
		}
	}
	for _, l := range e.Metadata.Links {
		add(l.Title, wAnnotation, false)
		add(l.URL, wAnnotation, false)
	}
	if p, ok := e.Spec["profile"].(map[string]any); ok {
		for _, k := range []string{"displayName", "email"} {
			if s, ok := p[k].(string); ok {
				add(s, wTitle, k == "displayName")
			}
		}
	}
	specKeys := make([]string, 0, len(e.Spec))
	for k := range e.Spec {
		if !unindexedSpec[k] {
			specKeys = append(specKeys, k)
		}
	}
	sort.Strings(specKeys)
	for _, k := range specKeys {
		eachSpecText(e.Spec[k], 0, func(s string) { add(s, wSpec, false) })
	}
}

// eachSpecText calls fn with the short strings of a spec value (a list of
// categories, a remote's URL), a few levels deep.
func eachSpecText(v any, depth int, fn func(string)) {
	if depth > 3 {
		return
	}
	switch t := v.(type) {
	case string:
		if len(t) <= maxSpecText {
			fn(t)
		}
	case []any:
		for _, x := range t {
			eachSpecText(x, depth+1, fn)
		}
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(t)) {
			eachSpecText(t[k], depth+1, fn)
		}
	}
}

// nameTokens are the terms of a name or title with stopwords kept.
func nameTokens(s string) []string {
	var out []string
	var buf [64]byte
	eachTokenOpt(s, buf[:0], func(string) bool { return true }, false, func(t []byte) { out = append(out, string(t)) })
	return out
}

// refName is the name part of a possibly partial ref.
func refName(s string) string {
	if i := strings.LastIndexAny(s, ":/"); i >= 0 {
		return s[i+1:]
	}
	return s
}

// maxPartialName bounds the names whose parts are indexed.
const maxPartialName = 8

// partialKey prefixes phrase keys of name parts, which match with a
// smaller boost and only when few entities share them.
const partialKey = "\x00"

func (ix *Index) addPhrase(key string, n int, d int32) {
	list := ix.phrases.m[key]
	// Documents arrive in order, so a repeat is the last one.
	if len(list) > 0 && list[len(list)-1] == d {
		return
	}
	// A name part is only used while at most three entities share it;
	// past four, more entries are never read.
	if n < 0 && len(list) > 3 {
		return
	}
	ix.phrases.m[key] = append(list, d)
	if n > ix.maxPhrase {
		ix.maxPhrase = n
	}
}

// ent is document d's entity.
func (ix *Index) ent(d int32) *catalog.Entity {
	if ix.ents != nil {
		return ix.ents[d]
	}
	if e, ok := ix.g.Get(ix.refs[d]); ok {
		return e
	}
	return ix.entities()[d] // a file whose refs are not the graph's (forged): never nil
}

// entities are every document's entity, in document order, for the scans
// of list questions and embeddings.
func (ix *Index) entities() []*catalog.Entity {
	if ix.ents != nil {
		return ix.ents
	}
	ix.entsOnce.Do(func() { ix.allEnts = ix.g.All() })
	return ix.allEnts
}

// Len is the number of indexed entities.
func (ix *Index) Len() int { return len(ix.refs) }

// Graph is the graph the index was built from.
func (ix *Index) Graph() *catalog.Graph { return ix.g }

// bm25 scores every document containing a query term into acc and returns
// the touched documents.
func (ix *Index) bm25(terms []string, acc []float32, touched []int32) []int32 {
	n := float64(len(ix.refs))
	seen := map[int32]bool{}
	for _, t := range terms {
		id, ok := ix.vocab.id(t)
		if !ok || seen[id] {
			continue
		}
		seen[id] = true
		ps := ix.vocab.postings(id)
		idf := float32(idf(n, float64(ps.len())))
		if ix.generic(t) || ix.keep.has(t) {
			// "owns" in "who owns the ledger?" says what is asked, not what
			// about: it must not make every group that "owns" things a match.
			// A kept stopword ("a" of team-a) counts through phrases.
			idf *= genericWeight
		}
		for i := range ps.len() {
			p := ps.at(i)
			norm := bm25K1 * (1 - bm25B + bm25B*ix.docLen[p.doc]/ix.avgLen)
			s := idf * p.tf * (bm25K1 + 1) / (p.tf + norm)
			if acc[p.doc] == 0 {
				touched = append(touched, p.doc)
			}
			acc[p.doc] += s
		}
	}
	return touched
}

// idf is the BM25+ style idf that never goes negative.
func idf(n, df float64) float64 {
	return math.Log(1 + (n-df+0.5)/(df+0.5))
}

// topN returns the n best documents of touched by acc, best first, ties by ref.
func (ix *Index) topN(acc []float32, touched []int32, n int) []int32 {
	less := func(a, b int32) bool {
		if acc[a] != acc[b] {
			return acc[a] > acc[b]
		}
		return ix.refs[a] < ix.refs[b]
	}
	if len(touched) <= n {
		out := append([]int32(nil), touched...)
		sort.Slice(out, func(i, j int) bool { return less(out[i], out[j]) })
		return out
	}
	// A bounded selection: keep the n best seen so far, sorted; cheap
	// because n is small and most candidates lose to the current worst.
	out := make([]int32, 0, n+1)
	for _, d := range touched {
		if len(out) == n && !less(d, out[n-1]) {
			continue
		}
		i := sort.Search(len(out), func(i int) bool { return less(d, out[i]) })
		out = append(out, 0)
		copy(out[i+1:], out[i:])
		out[i] = d
		if len(out) > n {
			out = out[:n]
		}
	}
	return out
}

var shared struct {
	sync.Mutex
	g  *catalog.Graph
	ix *Index
}

// For returns the process-wide index of g, building it on first use, so
// every command and interactive turn in one process shares one index.
func For(g *catalog.Graph) *Index {
	shared.Lock()
	defer shared.Unlock()
	if shared.g != g || shared.ix == nil {
		shared.g, shared.ix = g, Build(g)
	}
	return shared.ix
}
