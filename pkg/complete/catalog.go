package complete

import (
	"context"
	"sort"
	"strings"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// BuiltinKinds are offered for --kind even before any catalog is cached.
var BuiltinKinds = []string{"api", "component", "domain", "group", "location", "resource", "system", "template", "user"}

// maxRefs caps the candidates for a short prefix on a big catalog; shells
// show the first screenful anyway, and more only slows the TAB down.
const maxRefs = 500

// EntityRefs completes entity refs as `catalog get` and friends accept
// them. A word with ":" or "/" matches full refs (component:default/x); a
// bare word matches names, which those commands resolve, with the full ref
// as the description. kind, when set, keeps only that kind.
func (c *Completer) EntityRefs(ctx context.Context, prefix, kind string) []Candidate {
	if c.Entities == nil {
		return nil
	}
	ents, err := c.Entities(ctx)
	if err != nil {
		return nil
	}
	kind = strings.ToLower(kind)
	lp := strings.ToLower(prefix)
	full := strings.ContainsAny(prefix, ":/")
	seen := map[string]bool{}
	var out []Candidate
	for i := range ents {
		e := &ents[i]
		if kind != "" && strings.ToLower(e.Kind) != kind {
			continue
		}
		ref := e.Ref().String()
		var value string
		switch {
		case full && strings.HasPrefix(ref, lp):
			value = ref
		case full && strings.HasPrefix(strings.ToLower(e.Namespace()+"/"+e.Metadata.Name), lp):
			value = strings.ToLower(e.Namespace() + "/" + e.Metadata.Name)
		case !full && strings.HasPrefix(strings.ToLower(e.Metadata.Name), lp):
			value = e.Metadata.Name
		default:
			continue
		}
		if seen[value] {
			// Two kinds share the name: the bare name is ambiguous, so
			// the description says so (the command lists the matches).
			for j := range out {
				if out[j].Value == value {
					out[j].Description = "several entities"
				}
			}
			continue
		}
		seen[value] = true
		desc := ref
		if t := e.Metadata.Title; t != "" {
			desc += " — " + t
		}
		out = append(out, Candidate{Value: value, Description: desc})
		if len(out) >= maxRefs {
			break
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// Kinds completes --kind: the built-in kinds plus every kind in the cached
// catalog, lower-case as the filters take them.
func (c *Completer) Kinds(ctx context.Context, prefix string) []Candidate {
	set := map[string]bool{}
	for _, k := range BuiltinKinds {
		set[k] = true
	}
	if c.Entities != nil {
		if ents, err := c.Entities(ctx); err == nil {
			for i := range ents {
				set[strings.ToLower(ents[i].Kind)] = true
			}
		}
	}
	var out []Candidate
	lp := strings.ToLower(prefix)
	for k := range set {
		if k != "" && strings.HasPrefix(k, lp) {
			out = append(out, Candidate{Value: k})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Value < out[j].Value })
	return out
}

// ProviderNames completes --provider.
func (c *Completer) ProviderNames(prefix string) []Candidate {
	if c.Providers == nil {
		return nil
	}
	names, err := c.Providers()
	if err != nil {
		return nil
	}
	sort.Strings(names)
	var out []Candidate
	for _, n := range names {
		if strings.HasPrefix(n, prefix) {
			out = append(out, Candidate{Value: n})
		}
	}
	return out
}

// ModelNames completes --model from the provider's /models, cached per
// provider endpoint.
func (c *Completer) ModelNames(ctx context.Context, provider, prefix string) []Candidate {
	if c.Models == nil {
		return nil
	}
	ckey := "models\n" + provider
	if c.ProviderKey != nil {
		ckey += "\n" + c.ProviderKey(provider)
	}
	var ids []string
	if !c.Cache.Get(ckey, &ids) {
		var err error
		if ids, err = c.Models(ctx, provider); err != nil {
			return nil
		}
		c.Cache.Put(ckey, ids)
	}
	var out []Candidate
	for _, id := range ids {
		if strings.HasPrefix(id, prefix) {
			out = append(out, Candidate{Value: id})
		}
	}
	return out
}

// Formats completes -o for a command; extra are the formats only that
// command has (markdown for incident, mermaid for catalog deps).
func Formats(prefix string, extra ...string) []Candidate {
	var out []Candidate
	for _, f := range append([]string{"text", "json", "yaml"}, extra...) {
		if strings.HasPrefix(f, prefix) {
			out = append(out, Candidate{Value: f})
		}
	}
	return out
}

// filterScan caps how many entities a --filter TAB looks at: keys and
// values of a huge catalog repeat, and a TAB must stay fast.
const filterScan = 20000

// FilterPairs completes `catalog list --filter key=value` from the cached
// catalog, Backstage's dot-path keys as the filter takes them: before "="
// the keys present (as "key=", noSpace), after it the values that key has.
// Comma-separated pairs complete their last pair.
func (c *Completer) FilterPairs(ctx context.Context, toComplete string) (cands []Candidate, noSpace bool) {
	if c.Entities == nil {
		return nil, false
	}
	ents, err := c.Entities(ctx)
	if err != nil {
		return nil, false
	}
	head, cur := "", toComplete
	if i := strings.LastIndexByte(toComplete, ','); i >= 0 {
		head, cur = toComplete[:i+1], toComplete[i+1:]
	}
	key, val, hasEq := strings.Cut(cur, "=")
	key = strings.ToLower(key)
	seen := map[string]bool{}
	for i := range ents {
		if i >= filterScan || len(seen) >= maxRefs {
			break
		}
		for k, vs := range catalog.SearchIndex(&ents[i]) {
			if !hasEq {
				if !seen[k] && strings.HasPrefix(k, key) && filterableKey(k) {
					seen[k] = true
				}
				continue
			}
			if k != key {
				continue
			}
			for _, v := range vs {
				if len(v) <= 100 && !strings.ContainsAny(v, ",\n") && strings.HasPrefix(v, strings.ToLower(val)) {
					seen[v] = true
				}
			}
		}
	}
	for s := range seen {
		if hasEq {
			cands = append(cands, Candidate{Value: head + key + "=" + s})
		} else {
			cands = append(cands, Candidate{Value: head + s + "="})
		}
	}
	sort.Slice(cands, func(i, j int) bool { return cands[i].Value < cands[j].Value })
	return cands, !hasEq
}

// filterableKey leaves out keys nobody filters by: free text and ids.
func filterableKey(k string) bool {
	switch k {
	case "metadata.description", "metadata.title", "metadata.uid", "spec.definition":
		return false
	}
	return !strings.HasPrefix(k, "metadata.annotations.backstage.io/managed-by")
}
