package retrievaltest

import (
	"sort"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// Baseline is bsai's first retriever (a keyword scorer), kept only in test code as the yardstick
// the evals compare against: a whole-catalog scan scoring each entity by how many
// question words (lower-case, longer than 2 characters) occur as substrings
// of name+title+description, ties broken by name, no relations.
func Baseline(g *catalog.Graph, question string, k int) []retrieval.Hit {
	var qs []string
	for _, w := range strings.Fields(strings.ToLower(question)) {
		w = strings.Trim(w, `?!.,;:"'()`)
		if len(w) > 2 {
			qs = append(qs, w)
		}
	}
	var hits []retrieval.Hit
	for _, e := range g.All() {
		text := strings.ToLower(e.Metadata.Name + " " + e.Metadata.Title + " " + e.Metadata.Description)
		n := 0
		for _, w := range qs {
			if strings.Contains(text, w) {
				n++
			}
		}
		if n > 0 {
			hits = append(hits, retrieval.Hit{Ref: e.Ref().String(), Score: float64(n), Entity: e, Why: "substring"})
		}
	}
	sort.SliceStable(hits, func(i, j int) bool {
		if hits[i].Score != hits[j].Score {
			return hits[i].Score > hits[j].Score
		}
		return hits[i].Entity.Metadata.Name < hits[j].Entity.Metadata.Name
	})
	if len(hits) > k {
		hits = hits[:k]
	}
	return hits
}
