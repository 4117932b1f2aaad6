package assistant

import (
	"regexp"
	"slices"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// Citations in an answer are entity refs in backticks or brackets:
// `component:default/my-service` or [api:my-api]. Bare full refs
// (kind:namespace/name) count too when their kind is one the catalog has,
// so a model that forgets the backticks is still checked.
var (
	quotedRef = regexp.MustCompile("[`\\[]([A-Za-z][A-Za-z0-9_-]*:[A-Za-z0-9_./-]+)[`\\]]")
	bareRef   = regexp.MustCompile(`\b([A-Za-z][A-Za-z0-9_-]*:[a-z0-9][a-z0-9_.-]*/[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9])`)
)

// CheckedCitations is the outcome of checking an answer's refs.
type CheckedCitations struct {
	// Valid refs exist in the catalog, canonical form, first-use order.
	Valid []string
	// Unknown refs were cited but are not in the catalog (as written).
	Unknown []string
}

// CheckCitations extracts every cited ref from text and checks it against
// g. Only refs the text actually contains are returned, so citations never
// list an entity the answer did not use.
func CheckCitations(g *catalog.Graph, text string) CheckedCitations {
	var out CheckedCitations
	type cand struct {
		pos    int
		s      string
		quoted bool
	}
	var cands []cand
	for _, m := range quotedRef.FindAllStringSubmatchIndex(text, -1) {
		cands = append(cands, cand{m[2], text[m[2]:m[3]], true})
	}
	for _, m := range bareRef.FindAllStringSubmatchIndex(text, -1) {
		cands = append(cands, cand{m[2], text[m[2]:m[3]], false})
	}
	slices.SortStableFunc(cands, func(a, b cand) int { return a.pos - b.pos })
	for _, c := range cands {
		s := strings.TrimRight(c.s, ".,;:")
		r, err := catalog.ParseRef(s, "", catalog.DefaultNamespace)
		if err != nil {
			continue
		}
		if !g.HasKind(r.Kind) && !c.quoted {
			continue // "https://…" or "note:" prose, not a citation
		}
		if strings.HasPrefix(s, "http") || strings.Contains(s, "//") {
			continue
		}
		ref := r.String()
		if _, ok := g.Get(ref); ok {
			if !slices.Contains(out.Valid, ref) {
				out.Valid = append(out.Valid, ref)
			}
		} else if !slices.Contains(out.Unknown, s) {
			out.Unknown = append(out.Unknown, s)
		}
	}
	return out
}
