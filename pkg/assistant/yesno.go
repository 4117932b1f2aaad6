package assistant

import (
	"slices"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/retrieval"
)

// yesNo writes "Yes." or "No." for a yes/no question, decided from the
// catalog; the rest of the answer (owner, description) follows and shows
// why. Two named entities: yes when a relation links them ("Does team C
// own the streetlights API?", "Does X depend on Y?"). One: yes when it has
// every other content word of the question ("Is the hello world API
// deprecated?" — its lifecycle; "Is playback-sdk a website?" — no, its type
// is library). "Is there …" asks whether anything matched at all.
func (w *writer) yesNo(ix *retrieval.Index, res retrieval.Result, subjects []string) {
	if len(subjects) == 0 && len(res.Hits) > 0 && !retrieval.Existence(res.Question) {
		// "Is the Jira plugin deprecated?" names its subject only in part:
		// the best match is what the question is about.
		subjects = []string{res.Hits[0].Ref}
	}
	yes := true
	owner := ix != nil && slices.Contains(res.Intents, retrieval.IntentOwner) && ownWord(res.Question)
	switch {
	case retrieval.Existence(res.Question) || len(subjects) == 0 || ix == nil:
	case owner && len(distinctNames(w.g, subjects)) < 2:
		// "Does the open-source group own X?" where that group has no
		// entity: compare with X's owner.
		named := ix.AbsentOwner(res.Question)
		yes = named != "" && slices.Contains(w.g.Related(subjects[0], catalog.RelOwnedBy), named)
	case len(distinctNames(w.g, subjects)) >= 2:
		a, b := subjects[0], distinctNames(w.g, subjects)[1]
		yes = linked(w.g, a, b)
	default:
		s := subjects[0]
		e, _ := w.g.Get(s)
		own := map[string]bool{}
		if e != nil {
			for _, t := range retrieval.NameTerms(e.Metadata.Name + " " + e.Metadata.Title) {
				own[t] = true
			}
		}
		for _, t := range ix.Terms(res.Question) {
			if own[t] || ix.Generic(t) || kindWord(t) {
				continue
			}
			if !ix.Has(s, t) {
				yes = false
				break
			}
		}
	}
	if yes {
		w.line("Yes.")
	} else {
		w.line("No.")
	}
}

// distinctNames keeps the first entity of each name: "the petstore" may
// match the petstore API and the petstore component, which are one subject.
func distinctNames(g *catalog.Graph, refs []string) []string {
	var out []string
	var seen []string
	for _, r := range refs {
		e, ok := g.Get(r)
		if !ok || slices.Contains(seen, e.Metadata.Name) {
			continue
		}
		seen = append(seen, e.Metadata.Name)
		out = append(out, r)
	}
	return out
}

// linked reports a relation between a and b in either direction, directly
// or through a group one of them is a member of.
func linked(g *catalog.Graph, a, b string) bool {
	for _, r := range g.Relations(a) {
		if r.TargetRef == b {
			return true
		}
	}
	for _, r := range g.Relations(b) {
		if r.TargetRef == a {
			return true
		}
	}
	return false
}

func ownWord(q string) bool {
	for _, w := range strings.Fields(strings.ToLower(q)) {
		switch strings.Trim(w, "?!.,") {
		case "own", "owns", "owned", "owner", "owners":
			return true
		}
	}
	return false
}

func kindWord(t string) bool {
	switch t {
	case "component", "api", "resource", "system", "domain", "group", "user", "team", "service":
		return true
	}
	return strings.HasSuffix(t, "resourc")
}
