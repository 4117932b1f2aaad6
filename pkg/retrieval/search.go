package retrieval

import (
	"context"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// Options tune one search.
type Options struct {
	// TopK is how many hits to return (default 5).
	TopK int
	// Kind keeps only entities of this kind (case-insensitive), applied after
	// graph expansion so "--kind group" still finds a component's owner.
	Kind string
	// NoExpand turns relation-graph expansion off (for evals).
	NoExpand bool
	// AllMatches lets a word most of the catalog has count as a match (the
	// no-answer gate of `ask` does not): a catalog search lists what
	// matches, in a small catalog too.
	AllMatches bool
}

// Hit is one retrieved entity.
type Hit struct {
	Ref    string          `json:"ref"`
	Score  float64         `json:"score"`
	Entity *catalog.Entity `json:"-"`
	// Why says how it was found: "ref", "name", "text", "vector", or the
	// relation walked from a named entity ("dependencyOf component:…").
	Why string `json:"why,omitempty"`
}

// Result is what a search found.
type Result struct {
	Question string
	Intents  []Intent
	// Focus are the entities the question names (by ref, name or title),
	// or the best text match when it names none but asks about relations.
	Focus []string
	Hits  []Hit
	// NoMatch is set when nothing in the catalog is about the question's
	// content words; Hits is then empty.
	NoMatch bool
	// Hybrid is set when vector similarity took part in the ranking.
	Hybrid bool
	// KindFiltered names the Options.Kind that left no hit of what matched.
	KindFiltered string
	// Owner is set for "what does X own?" when X is an owner with no
	// entity in the catalog (defined elsewhere), Hits being what it owns;
	// and for "what is in X?" when X is such a system, Hits its parts.
	Owner string
}

// Boosts for exact matches, on the BM25 scale (a strong text match scores
// around 5-15): a named entity must outrank entities that merely mention
// the same words.
const (
	boostRef      = 40
	boostPerToken = 6 // per token of a matched name/title phrase
	boostSubsumed = 1 // a shorter name inside a longer match ("orders" in "orders api")
	boostNameWord = 1 // a word of a name, when no name was matched whole
)

// genericWords are query terms (after stemming) that say what kind of
// answer is wanted but not which entity it is about; a question made only
// of them matches nothing.
var genericWords = setOf(
	"own", "owner", "team", "group", "service", "component", "api", "system", "domain", "resource", "entity",
	"depend", "dependency", "dependent", "break", "down", "call", "use", "us", "consume", "consumer", "provide",
	"responsible", "page", "oncall", "contact", "run", "happen", "affect", "impact", "outage", "catalog",
	"thing", "part", "belong", "member", "person", "people", "maintain", "maintainer", "who", "expose", "app",
	"lifecycle", "state", "status", "describe", "explain", "work", "mean", "kind", "type", "backstage",
	"exist",
)

// genericWeight scales the BM25 weight of generic question words.
const genericWeight = 0.3

var refPattern = regexp.MustCompile(`[a-z][a-z0-9_-]*:(?:[a-z0-9][a-z0-9_.-]*/)?[a-z0-9][a-z0-9_.-]*`)

var accPool sync.Pool

// Search ranks the catalog for a question.
func (ix *Index) Search(ctx context.Context, question string, opt Options) Result {
	if opt.TopK <= 0 {
		opt.TopK = 5
	}
	res := Result{Question: question, Intents: DetectIntents(question)}
	n := len(ix.refs)
	if n == 0 {
		res.NoMatch = true
		return res
	}
	terms, seq := ix.queryTerms(question)

	accp, _ := accPool.Get().(*[]float32)
	if accp == nil || len(*accp) < n {
		s := make([]float32, n)
		accp = &s
	}
	acc := (*accp)[:n]
	touched := ix.bm25(terms, acc, make([]int32, 0, 256))
	defer func() {
		for _, d := range touched {
			acc[d] = 0
		}
		accPool.Put(accp)
	}()
	why := map[int32]string{}
	bump := func(d int32, by float32, reason string) {
		if acc[d] == 0 {
			touched = append(touched, d)
		}
		acc[d] += by
		if _, ok := why[d]; !ok || reason == "ref" {
			why[d] = reason
		}
	}

	// Exact refs typed in the question.
	var focus []int32
	for _, m := range refPattern.FindAllString(strings.ToLower(question), -1) {
		if r, err := catalog.ParseRef(m, "", catalog.DefaultNamespace); err == nil {
			if d, ok := ix.byRef.get(r.String()); ok {
				bump(d, boostRef, "ref")
				focus = appendUniq(focus, d)
			}
		}
	}
	// Names and titles, longest phrase first, spaced or joined ("box
	// office" is boxoffice); a phrase inside an already matched longer one
	// only gets a small boost.
	covered := make([]bool, len(seq))
	for size := min(max(ix.maxPhrase, 3), len(seq)); size >= 1; size-- {
		for i := 0; i+size <= len(seq); i++ {
			win := seq[i : i+size]
			docs := ix.phrases.get(strings.Join(win, " "))
			if size > 1 {
				docs = append(slices.Clip(docs), ix.phrases.get(strings.Join(win, ""))...)
			}
			if len(docs) == 0 {
				continue
			}
			sub := !slices.Contains(covered[i:i+size], false)
			if size == 1 && (ix.generic(win[0]) || ix.keep.has(win[0])) {
				sub = true // an entity named "api" must not hijack every question
			}
			docs = uniqDocs(docs)
			if slices.ContainsFunc(docs, func(d int32) bool { return !ix.location[d] }) {
				// A Location named like the component it registers is not
				// what the question is about.
				docs = slices.DeleteFunc(docs, func(d int32) bool { return ix.location[d] })
			}
			for _, d := range docs {
				if sub {
					bump(d, boostSubsumed, "name")
				} else {
					bump(d, float32(boostPerToken*size), "name")
					focus = appendUniq(focus, d)
				}
			}
			if !sub {
				for j := i; j < i+size; j++ {
					covered[j] = true
				}
			}
		}
	}
	// Parts of names ("the AWS auth plugin" for "Backstage Plugin AWS
	// Auth"), longest first, where no whole name matched, at most three
	// entities share the part and two of its words are not generic. They
	// become subjects only past the no-answer gate: "a Slack MCP server"
	// is not the GitHub one.
	var partial []int32
	for size := min(maxPartialName-1, len(seq)); size >= 2; size-- {
		for i := 0; i+size <= len(seq); i++ {
			if slices.Contains(covered[i:i+size], true) {
				continue
			}
			specific := 0
			for _, t := range seq[i : i+size] {
				if !ix.generic(t) && !ix.keep.has(t) {
					specific++
				}
			}
			if specific < 2 {
				continue
			}
			docs := uniqDocs(ix.phrases.get(partialKey + strings.Join(seq[i:i+size], " ")))
			if len(docs) == 0 || len(docs) > 3 {
				continue
			}
			for _, d := range docs {
				bump(d, float32(boostPerToken*size)/2, "name part")
				partial = appendUniq(partial, d)
			}
			for j := i; j < i+size; j++ {
				covered[j] = true
			}
		}
	}
	// A word of an entity's name, when no phrase named it ("the showcase"
	// for backstage-showcase), tips the balance towards that entity over
	// ones that only mention the word.
	if len(focus) == 0 {
		parts := len(partial) > 0
		for _, t := range terms {
			if ix.generic(t) || ix.keep.has(t) {
				continue
			}
			for _, d := range ix.nameTerm.atMost(t, 3) {
				bump(d, boostNameWord, "name word")
				// A word only these entities' names have names them
				// ("the showcase"), past the same gate and coverage test
				// as name parts — unless it is a type, kind or
				// lifecycle word here ("openapi" is a spec.type), or a
				// longer name part already matched ("github insights"
				// is not also "security insights").
				if !ix.typeTerms.has(t) && !parts {
					partial = appendUniq(partial, d)
				}
			}
		}
	}
	// A yes/no question about two entities may name one whole and the
	// other by a word of its name ("Is the showcase owned by the RHDH
	// team?"): that word's entity is a subject too.
	if len(focus) > 0 && YesNo(question) {
		for i, t := range seq {
			if covered[i] || ix.generic(t) || ix.keep.has(t) || ix.typeTerms.has(t) {
				continue
			}
			if ds := ix.nameTerm.atMost(t, 1); len(ds) == 1 && !ix.location[ds[0]] {
				bump(ds[0], boostNameWord, "name word")
				focus = appendUniq(focus, ds[0])
			}
		}
	}
	// Locations are plumbing: never a hit unless asked about by name.
	// (touched itself stays whole: the deferred reset clears it.)
	live := touched
	if !slices.Contains(seq, "location") {
		live = make([]int32, 0, len(touched))
		for _, d := range touched {
			if !ix.location[d] || slices.Contains(focus, d) {
				live = append(live, d)
			}
		}
	}

	// "What is in the backstage system?" / "What does team-x own?" where
	// the system or owner has no entity but entities name it (spec.system,
	// spec.owner): list those entities.
	for _, a := range []struct {
		intent Intent
		absent func([]string) string
		rel    string
	}{
		{IntentMembers, ix.absentSystem, catalog.RelPartOf},
		{IntentOwned, ix.absentOwner, catalog.RelOwnedBy},
	} {
		if len(focus) > 0 || !slices.Contains(res.Intents, a.intent) {
			continue
		}
		if name := a.absent(seq); name != "" {
			res.Owner = name
			res.Hits = ix.withRelation(res.Hits, a.rel, name, max(opt.TopK, maxList))
			res.NoMatch = len(res.Hits) == 0
			return res
		}
	}
	if len(focus) == 0 && len(res.Intents) == 0 {
		// "What skills exist?": a list by a spec.type value of this catalog.
		if t, ok := ListByType(question, func(w string) bool { return ix.specTypes.has(w) }); ok {
			res.Intents = append(res.Intents, IntentList)
			res.Hits = ix.listType(t, terms, acc, max(opt.TopK, maxList))
			res.NoMatch = len(res.Hits) == 0
			return res
		}
	}
	if len(focus) == 0 && slices.Contains(res.Intents, IntentList) {
		if kind := KindHint(question); kind != "" {
			res.Hits = ix.list(kind, question, terms, acc, max(opt.TopK, maxList))
			res.NoMatch = len(res.Hits) == 0
			return res
		}
	}
	cand := ix.topN(acc, live, max(opt.TopK*4, 30))
	if len(cand) == 0 {
		res.NoMatch = true
		return res
	}
	covers := ix.covers
	if Existence(question) {
		// "Is there a Slack MCP server?" asks for exactly that thing: an MCP
		// server that is not Slack's is no answer.
		covers = ix.coversAll
	} else if opt.AllMatches {
		covers = func(d int32, terms []string) bool {
			hit, content := ix.coverage(d, terms)
			return content > 0 && 2*hit > content
		}
	}
	if len(focus) == 0 && !slices.ContainsFunc(cand[:min(len(cand), 5)], func(d int32) bool { return covers(d, terms) }) {
		res.NoMatch = true
		return res
	}
	if len(focus) == 0 && len(partial) > 0 {
		// A name part is the subject only if no other candidate has more
		// of the question's words: "the aws scaffolder module" is the AWS
		// module, not the one titled "Utils Scaffolder Module".
		best := 0
		for _, d := range cand[:min(len(cand), 10)] {
			h, _ := ix.coverage(d, terms)
			best = max(best, h)
		}
		for _, d := range partial {
			if h, _ := ix.coverage(d, terms); h >= best {
				focus = append(focus, d)
			}
		}
	}
	// With no named entity, a relation question is about the best match.
	if len(focus) == 0 && len(res.Intents) > 0 {
		focus = ix.fallbackFocus(cand, acc, res.Intents)
	}
	sort.Slice(focus, func(i, j int) bool { return acc[focus[i]] > acc[focus[j]] })

	scores := make(map[int32]float64, len(cand))
	for _, d := range cand {
		scores[d] = float64(acc[d])
		if _, ok := why[d]; !ok {
			why[d] = "text"
		}
	}
	if emb := ix.emb.Load(); emb != nil {
		if qv, ok := emb.query(ctx, question); ok {
			res.Hybrid = true
			scores = ix.fuse(emb, cand, qv, focus, why)
		}
	}
	for _, d := range focus {
		res.Focus = append(res.Focus, ix.refs[d])
	}
	if !opt.NoExpand {
		ix.expand(res.Intents, focus, scores, why)
	}

	kind := strings.ToLower(opt.Kind)
	hits := make([]Hit, 0, len(scores))
	for d, s := range scores {
		e := ix.ent(d)
		if kind != "" && strings.ToLower(e.Kind) != kind {
			continue
		}
		hits = append(hits, Hit{Ref: ix.refs[d], Score: round3(s), Entity: e, Why: why[d]})
	}
	hits = topHits(hits, opt.TopK)
	if len(hits) == 0 && kind != "" && len(scores) > 0 {
		res.KindFiltered = opt.Kind
	}
	res.Hits = hits
	return res
}

// withRelation appends a hit, in catalog order, for every entity with a
// relType relation to target (Why "relType target") and keeps at most lim.
func (ix *Index) withRelation(hits []Hit, relType, target string, lim int) []Hit {
	for d, e := range ix.entities() {
		for _, r := range e.Relations {
			if r.Type == relType && r.TargetRef == target {
				hits = append(hits, Hit{Ref: ix.refs[d], Score: 1, Entity: e, Why: relType + " " + target})
				break
			}
		}
	}
	if len(hits) > lim {
		hits = hits[:lim]
	}
	return hits
}

// absentOwner is the owner without an entity that a window of the
// question names, longest window first.
func (ix *Index) absentOwner(seq []string) string { return windowLookup(&ix.absentOwners, seq) }

// absentSystem is the same for systems without an entity.
func (ix *Index) absentSystem(seq []string) string { return windowLookup(&ix.absentSystems, seq) }

// windowLookup finds the longest window of seq (up to 4 words, spaced or,
// for two words and more, joined) that names a key of m.
func windowLookup(m *pairs, seq []string) string {
	for size := min(4, len(seq)); size >= 1; size-- {
		for i := 0; i+size <= len(seq); i++ {
			if o, ok := m.get(strings.Join(seq[i:i+size], " ")); ok {
				return o
			}
			if o, ok := m.get(strings.Join(seq[i:i+size], "")); ok && size > 1 {
				return o
			}
		}
	}
	return ""
}

// maxList caps the hits of a "list all X" question.
const maxList = 25

// kindTerms are the terms of the words that name a kind ("services",
// "teams"): in a list question they say what to list, not a filter.
var kindTerms = func() map[string]bool {
	m := map[string]bool{}
	for w := range kindWords {
		for _, t := range Tokens(w) {
			m[t] = true
		}
	}
	return m
}()

// list answers "list all X" / "which X are Y": every entity of kind that
// has all the other content words the catalog knows ("production",
// "go", "openapi"; words it has never seen, like "written", are ignored).
// "teams" keeps groups of type team when the catalog has any.
func (ix *Index) list(kind, question string, terms []string, acc []float32, limit int) []Hit {
	var filter []string
	for _, t := range terms {
		if _, known := ix.vocab.id(t); known && !kindTerms[t] && (!ix.generic(t) || ix.names.has(t)) && !slices.Contains(filter, t) {
			filter = append(filter, t)
		}
	}
	// A kind word that is also a spec.type here ("teams", "websites",
	// "libraries", "databases") keeps entities of that type when the kind
	// has any; "services" is said of any component and is not narrowed.
	typed := ""
	for _, w := range words(question) {
		if k, ok := kindWords[w]; ok && k == kind {
			if t := Stem(w); t != kind && t != "service" && ix.specTypes.has(canonicalTerm(t)) {
				typed = canonicalTerm(t)
			}
		}
	}
	var docs []int32
	hasTyped := false
	for d, e := range ix.entities() {
		if !strings.EqualFold(e.Kind, kind) {
			continue
		}
		if hit, _ := ix.coverage(int32(d), filter); hit < len(filter) && !ix.hasAll(int32(d), filter) {
			continue
		}
		docs = append(docs, int32(d))
		hasTyped = hasTyped || typed != "" && slices.Contains(Tokens(e.SpecString("type")), typed)
	}
	var hits []Hit
	for _, d := range docs {
		e := ix.ent(d)
		if hasTyped && !slices.Contains(Tokens(e.SpecString("type")), typed) {
			continue
		}
		hits = append(hits, Hit{Ref: ix.refs[d], Score: round3(1 + float64(acc[d])), Entity: e, Why: "list " + kind})
	}
	return topHits(hits, limit)
}

// listType lists the entities whose spec.type is t, with the question's
// other known content words.
func (ix *Index) listType(t string, terms []string, acc []float32, limit int) []Hit {
	var filter []string
	for _, x := range terms {
		if _, known := ix.vocab.id(x); known && x != t && !kindTerms[x] && !ix.generic(x) && !ix.keep.has(x) && !slices.Contains(filter, x) {
			filter = append(filter, x)
		}
	}
	var hits []Hit
	for d, e := range ix.entities() {
		if !slices.Contains(Tokens(e.SpecString("type")), t) || !ix.hasAll(int32(d), filter) {
			continue
		}
		hits = append(hits, Hit{Ref: ix.refs[d], Score: round3(1 + float64(acc[d])), Entity: e, Why: "list type " + t})
	}
	return topHits(hits, limit)
}

// topHits orders hits best first (ties by ref, so answers are stable) and
// keeps at most limit.
func topHits(hits []Hit, limit int) []Hit {
	sort.Slice(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Ref < hits[j].Ref
	})
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits
}

// canonicalTerm is a stemmed word in its indexed form (synonyms applied).
func canonicalTerm(t string) string {
	if c, ok := synonyms[t]; ok {
		return c
	}
	return t
}

// hasAll reports whether doc d contains every term (kept stopwords too).
func (ix *Index) hasAll(d int32, terms []string) bool {
	for _, t := range terms {
		id, ok := ix.vocab.id(t)
		if !ok || !ix.vocab.postings(id).has(d) {
			return false
		}
	}
	return true
}

// fallbackFocus picks the subjects of a relation question that names no
// entity: the best matches (up to three within 10% of the best, so "who
// owns the ledger?" covers the ledger service, API and database), never a
// group or user for "who owns X" (they own things; the question asks for
// one of them).
func (ix *Index) fallbackFocus(cand []int32, acc []float32, intents []Intent) []int32 {
	owner := slices.Contains(intents, IntentOwner)
	var out []int32
	for _, d := range cand[:min(len(cand), 8)] {
		if k := strings.ToLower(ix.ent(d).Kind); owner && (k == "group" || k == "user") {
			continue
		}
		if len(out) > 0 && acc[d] < 0.9*acc[out[0]] || len(out) == 3 {
			break
		}
		out = append(out, d)
	}
	if len(out) == 0 {
		out = append(out, cand[0])
	}
	return out
}

// Coverage is the fraction of the question's content terms (not generic
// question words) that entity ref contains; 0 when it has none.
func (ix *Index) Coverage(ref, question string) float64 {
	d, ok := ix.byRef.get(ref)
	if !ok {
		return 0
	}
	terms, _ := ix.queryTerms(question)
	hit, content := ix.coverage(d, terms)
	if content == 0 {
		return 0
	}
	return float64(hit) / float64(content)
}

// covers reports whether doc d contains more than half of the question's
// content terms (those that are not generic question words), one of them
// a word at most half the catalog (or two entities) has. It is the no-answer test: "who owns
// the mainframe scheduler?" shares only generic words with the catalog,
// "who owns our Jenkins server?" only "server" with an API that mentions
// one, and "the npm package of the Kubernetes plugin" only words nearly
// every entity of a plugin catalog has (npm, package, plugin).
func (ix *Index) covers(d int32, terms []string) bool {
	hit, content := ix.coverage(d, terms)
	if content == 0 || 2*hit <= content {
		return false
	}
	seen := map[string]bool{}
	for _, t := range terms {
		if ix.generic(t) || ix.keep.has(t) || seen[t] {
			continue
		}
		seen[t] = true
		// A spec.type word ("the skills") names what is asked about, however
		// many entities have it.
		if id, ok := ix.vocab.id(t); ok && (ix.vocab.df(id) <= max(2, len(ix.refs)/2) || ix.specTypes.has(t)) && ix.hasAll(d, []string{t}) {
			return true
		}
	}
	return false
}

// coversAll reports whether doc d contains every content term.
func (ix *Index) coversAll(d int32, terms []string) bool {
	hit, content := ix.coverage(d, terms)
	return content > 0 && hit == content
}

func (ix *Index) coverage(d int32, terms []string) (hit, content int) {
	seen := map[string]bool{}
	for _, t := range terms {
		if ix.generic(t) || ix.keep.has(t) || seen[t] {
			continue
		}
		seen[t] = true
		content++
		// Postings are in document order (built that way).
		if id, ok := ix.vocab.id(t); ok && ix.vocab.postings(id).has(d) {
			hit++
		}
	}
	return hit, content
}

// expansion is one relation walk with its score factor.
type expansion struct {
	types  []string
	factor float64
	// via walks one more relation from each target (e.g. from a consumed
	// API to the component providing it), scored base*viaFactor.
	via       []string
	viaFactor float64
}

var expansions = map[Intent][]expansion{
	IntentOwner: {{types: []string{catalog.RelOwnedBy, catalog.RelMemberOf}, factor: 0.95}},
	IntentOwned: {{types: []string{catalog.RelOwnerOf}, factor: 0.9}},
	IntentDependents: {
		{types: []string{catalog.RelDependencyOf, catalog.RelAPIConsumedBy}, factor: 0.9},
		{types: []string{catalog.RelProvidesAPI}, factor: 0.5, via: []string{catalog.RelAPIConsumedBy}, viaFactor: 0.85},
	},
	// Declared dependsOn edges rank just above consumed APIs: they are what
	// "depends on" literally names.
	IntentDependencies: {
		{types: []string{catalog.RelDependsOn}, factor: 0.9},
		{types: []string{catalog.RelConsumesAPI}, factor: 0.88, via: []string{catalog.RelAPIProvidedBy}, viaFactor: 0.6},
	},
	IntentProvides: {{types: []string{catalog.RelProvidesAPI, catalog.RelAPIProvidedBy}, factor: 0.92}},
	IntentMembers:  {{types: []string{catalog.RelHasPart, catalog.RelHasMember, catalog.RelParentOf}, factor: 0.9}},
	IntentPartOf:   {{types: []string{catalog.RelPartOf, catalog.RelMemberOf, catalog.RelChildOf}, factor: 0.92}},
}

// transitiveWalks are the bounded multi-hop walks per intent.
var transitiveWalks = map[Intent]func(*catalog.Graph, string, int, int) []Hop{
	IntentDependents:   Dependents,
	IntentDependencies: Dependencies,
}

// indirectFactor scores a hop two away; each further hop scores 0.1 less.
const indirectFactor = 0.45

// expand adds the neighbours the question's intents ask for. Owner
// questions are applied last and also to the entities other intents found,
// so "who owns the service that provides the fraud API" is two hops.
func (ix *Index) expand(intents []Intent, focus []int32, scores map[int32]float64, why map[int32]string) {
	raise := func(d int32, s float64, reason string) {
		if old, ok := scores[d]; !ok || s > old {
			scores[d] = s
			why[d] = reason
		}
	}
	walk := func(from int32, ex expansion) []int32 {
		var found []int32
		base := scores[from]
		for _, t := range ix.g.Related(ix.refs[from], ex.types...) {
			d, ok := ix.byRef.get(t)
			if !ok {
				continue
			}
			rel := relType(ix.g, ix.refs[from], t)
			raise(d, base*ex.factor, rel+" "+ix.refs[from])
			found = append(found, d)
			for _, t2 := range ix.g.Related(t, ex.via...) {
				if d2, ok := ix.byRef.get(t2); ok && len(ex.via) > 0 && d2 != from {
					raise(d2, base*ex.viaFactor, relType(ix.g, t, t2)+" "+t)
					found = append(found, d2)
				}
			}
		}
		return found
	}
	var reached []int32
	for _, in := range intents {
		if in == IntentOwner {
			continue
		}
		for _, f := range focus {
			// "What does Lucy's team own?": a person's team owns things.
			if in == IntentOwned && strings.EqualFold(ix.ent(f).Kind, "user") {
				for _, g := range walk(f, expansion{types: []string{catalog.RelMemberOf}, factor: 0.95}) {
					reached = append(reached, walk(g, expansions[IntentOwned][0])...)
				}
			}
			for _, ex := range expansions[in] {
				reached = append(reached, walk(f, ex)...)
			}
		}
	}
	// Transitive blast radius (and its mirror, transitive dependencies):
	// entities two or three hops away rank below every direct neighbour
	// (factors < the direct walks' 0.5) but above mere text matches, so
	// top-5 is subject, direct ones, then the nearest indirect ones.
	for _, in := range intents {
		walkT := transitiveWalks[in]
		if walkT == nil {
			continue
		}
		for _, f := range focus {
			base := scores[f]
			for _, h := range walkT(ix.g, ix.refs[f], MaxHops, MaxReached) {
				if h.Depth < 2 {
					continue
				}
				factor := indirectFactor - 0.1*float64(h.Depth-2)
				if d, ok := ix.byRef.get(h.Ref); ok {
					raise(d, base*factor, string(in)+" via "+h.From)
				}
				// The API on the path is what an answer names to explain
				// the hop; it ranks just below what it leads to.
				if d, ok := ix.byRef.get(h.API); ok && h.API != "" {
					raise(d, base*factor*0.8, "path "+h.From)
				}
			}
		}
	}
	if slices.Contains(intents, IntentOwner) {
		for _, f := range append(append([]int32(nil), focus...), reached...) {
			walk(f, expansions[IntentOwner][0])
		}
	}
}

// relType names the relation from → to (the first one found).
func relType(g *catalog.Graph, from, to string) string {
	for _, r := range g.Relations(from) {
		if r.TargetRef == to {
			return r.Type
		}
	}
	return "related"
}

// generic reports a question word that says what is asked, not about
// what, unless it names an entity in this catalog ("backstage" is a group
// in Backstage's own example org).
func (ix *Index) generic(t string) bool { return genericWords[t] && !ix.names.has(t) }

// queryTerms are a question's BM25 terms (stopwords that are names here
// kept, typos corrected, plus joined forms of adjacent words the catalog
// has: "dev portal" also searches devportal) and its word sequence for
// phrase matching (no joined forms).
func (ix *Index) queryTerms(question string) (terms, seq []string) {
	keep := func(w string) bool { return ix.keep.has(w) }
	var buf [64]byte
	eachChunk(question, func(chunk string) {
		var parts, all []string
		eachTokenOpt(chunk, buf[:0], keep, false, func(t []byte) { parts = append(parts, string(t)) })
		eachTokenKeep(chunk, buf[:0], keep, func(t []byte) { all = append(all, string(t)) })
		seq = append(seq, parts...)
		// "OpenAPI" searches openapi alone when the catalog has that word;
		// its halves ("open") would only add noise.
		if len(all) > len(parts) {
			if _, ok := ix.vocab.id(all[len(all)-1]); ok {
				terms = append(terms, all[len(all)-1])
				return
			}
		}
		terms = append(terms, parts...)
	})
	terms, seq = ix.correct(terms), ix.correct(seq)
	for size := 2; size <= 3; size++ {
		for i := 0; i+size <= len(seq); i++ {
			j := strings.Join(seq[i:i+size], "")
			if _, ok := ix.vocab.id(j); ok && !slices.Contains(terms, j) {
				terms = append(terms, j)
			}
		}
	}
	return terms, seq
}

func uniqDocs(ds []int32) []int32 {
	var out []int32
	for _, d := range ds {
		out = appendUniq(out, d)
	}
	return out
}

func appendUniq(xs []int32, x int32) []int32 {
	if slices.Contains(xs, x) {
		return xs
	}
	return append(xs, x)
}

func round3(f float64) float64 {
	return float64(int64(f*1000+0.5)) / 1000
}

// AbsentOwner is the owner without an entity in this catalog that the
// question names ("does the open-source group own X?"), or "".
func (ix *Index) AbsentOwner(question string) string {
	_, seq := ix.queryTerms(question)
	return ix.absentOwner(seq)
}

// Terms are a question's search terms as Search uses them.
func (ix *Index) Terms(question string) []string {
	terms, _ := ix.queryTerms(question)
	return terms
}

// Has reports whether entity ref contains the search term t.
func (ix *Index) Has(ref, t string) bool {
	d, ok := ix.byRef.get(ref)
	return ok && ix.hasAll(d, []string{t})
}

// Generic reports a term that says what is asked, not about what (in this
// catalog), or a stopword kept only because a name here contains it.
func (ix *Index) Generic(t string) bool { return ix.generic(t) || ix.keep.has(t) }

// NameTerms are the terms of a name or title, stopwords kept.
func NameTerms(s string) []string { return nameTokens(s) }
