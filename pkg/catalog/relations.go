package catalog

import (
	"fmt"
	"slices"
	"strings"
)

// relationRule is one spec field that Backstage's BuiltinKindsEntityProcessor
// turns into a pair of relations: out on the entity, in on the target.
type relationRule struct {
	field       string
	defaultKind string // "" = the ref must name its kind
	out, in     string
}

// builtinRelations follows plugins/catalog-backend's
// BuiltinKindsEntityProcessor.postProcessEntity; the default namespace is
// always the entity's own. Kinds are matched case-sensitively, as there.
var builtinRelations = map[string][]relationRule{
	"Component": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
		{"subcomponentOf", "Component", RelPartOf, RelHasPart},
		{"providesApis", "API", RelProvidesAPI, RelAPIProvidedBy},
		{"consumesApis", "API", RelConsumesAPI, RelAPIConsumedBy},
		{"dependsOn", "", RelDependsOn, RelDependencyOf},
		{"dependencyOf", "", RelDependencyOf, RelDependsOn},
		{"system", "System", RelPartOf, RelHasPart},
	},
	"API": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
		{"system", "System", RelPartOf, RelHasPart},
	},
	"Resource": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
		{"dependsOn", "", RelDependsOn, RelDependencyOf},
		{"dependencyOf", "", RelDependencyOf, RelDependsOn},
		{"system", "System", RelPartOf, RelHasPart},
	},
	"User": {
		{"memberOf", "Group", RelMemberOf, RelHasMember},
	},
	"Group": {
		{"parent", "Group", RelChildOf, RelParentOf},
		{"children", "Group", RelParentOf, RelChildOf},
		{"members", "User", RelHasMember, RelMemberOf},
	},
	"System": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
		{"domain", "Domain", RelPartOf, RelHasPart},
	},
	"Domain": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
		{"subdomainOf", "Domain", RelPartOf, RelHasPart},
	},
	// Templates get ownedBy from the scaffolder's own processor.
	"Template": {
		{"owner", "Group", RelOwnedBy, RelOwnerOf},
	},
}

// genericRelations apply to every kind without built-in rules (AIResource,
// Template, plugin kinds) except Location: an entity with spec.owner is
// owned, one with spec.system is part of it, whatever its kind.
var genericRelations = []relationRule{
	{"owner", "Group", RelOwnedBy, RelOwnerOf},
	{"system", "System", RelPartOf, RelHasPart},
	{"dependsOn", "", RelDependsOn, RelDependencyOf},
	{"dependencyOf", "", RelDependencyOf, RelDependsOn},
}

// rulesFor are the relation rules of a kind.
func rulesFor(kind string) []relationRule {
	if r, ok := builtinRelations[kind]; ok {
		return r
	}
	if _, builtin := builtinKinds[strings.ToLower(kind)]; builtin {
		return nil // a mis-cased built-in kind, which validation reports
	}
	return genericRelations
}

// RelationProblem is a spec ref that could not become a relation.
type RelationProblem struct {
	Ref, Field, Value string
	Err               error
}

func (p RelationProblem) Error() string {
	return fmt.Sprintf("%s: spec.%s %q: %v", p.Ref, p.Field, p.Value, p.Err)
}

// ComputeRelations fills each entity's Relations from its spec fields the
// way a Backstage backend does, replacing what was there. A relation whose
// source is not in entities is dropped (Backstage stores it, but nobody can
// read it without the source entity). Relations are de-duplicated and sorted
// by type, then target. Unparseable refs (e.g. dependsOn without a kind) are
// returned as problems; Backstage fails the entity's processing for them.
func ComputeRelations(entities []Entity) []RelationProblem {
	n := len(entities)
	selfRefs := make([]string, n)
	parallelRanges(n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			selfRefs[i] = entities[i].Ref().String()
		}
	})
	idx := make(map[string]int, n)
	for i, r := range selfRefs {
		idx[r] = i
	}
	// Edges are collected per worker over contiguous ranges and joined in
	// range order, so problems keep entity order whatever the scheduling.
	type part struct {
		edges    []edge
		problems []RelationProblem
	}
	parts := make([]part, workersFor(n))
	parallelRanges(n, func(w, lo, hi int) {
		p := &parts[w]
		// Exact upper bound (each spec ref gives at most two edges):
		// growing a slice of a million edges was the biggest cost here.
		max := 0
		for i := lo; i < hi; i++ {
			for _, rule := range rulesFor(entities[i].Kind) {
				max += countSpecStrings(entities[i].Spec[rule.field])
			}
		}
		p.edges = make([]edge, 0, 2*max)
		for i := lo; i < hi; i++ {
			e := &entities[i]
			rules := rulesFor(e.Kind)
			if len(rules) == 0 {
				continue
			}
			self := selfRefs[i]
			ns := e.Namespace()
			for _, rule := range rules {
				eachSpecString(e.Spec[rule.field], func(v string) {
					r, err := ParseRef(v, rule.defaultKind, ns)
					if err != nil {
						p.problems = append(p.problems, RelationProblem{Ref: self, Field: rule.field, Value: v, Err: err})
						return
					}
					target := r.String()
					p.edges = append(p.edges, edge{i, Relation{Type: rule.out, TargetRef: target}})
					if j, ok := idx[target]; ok {
						p.edges = append(p.edges, edge{j, Relation{Type: rule.in, TargetRef: self}})
					}
				})
			}
		}
	})
	// Bucket the edges by entity into one backing array instead of growing
	// a slice per entity.
	start := make([]int, n+1)
	var problems []RelationProblem
	for _, p := range parts {
		for _, ed := range p.edges {
			start[ed.at+1]++
		}
		problems = append(problems, p.problems...)
	}
	for i := 1; i <= n; i++ {
		start[i] += start[i-1]
	}
	all := make([]Relation, start[n])
	fill := make([]int, n)
	copy(fill, start[:n])
	for _, p := range parts {
		for _, ed := range p.edges {
			all[fill[ed.at]] = ed.rel
			fill[ed.at]++
		}
	}
	parallelRanges(n, func(_, lo, hi int) {
		for i := lo; i < hi; i++ {
			if start[i] == start[i+1] {
				entities[i].Relations = nil
				continue
			}
			// Capped so an append by a caller cannot overwrite a neighbour.
			rs := all[start[i]:start[i+1]:start[i+1]]
			entities[i].Relations = sortedUnique(rs)
		}
	})
	return problems
}

// sortedUnique sorts an entity's relations by type, then target, and drops
// repeats in place: the same edge can come from both ends (a group's
// children and the child's parent).
func sortedUnique(rs []Relation) []Relation {
	slices.SortFunc(rs, func(a, b Relation) int {
		if c := strings.Compare(a.Type, b.Type); c != 0 {
			return c
		}
		return strings.Compare(a.TargetRef, b.TargetRef)
	})
	return slices.Compact(rs)
}

// edge is a relation to be stored on entities[at].
type edge struct {
	at  int
	rel Relation
}

// eachSpecString calls fn for each string in a spec value, as SpecStrings
// would return them, without building the slice.
func eachSpecString(v any, fn func(string)) {
	switch t := v.(type) {
	case string:
		fn(t)
	case []any:
		for _, x := range t {
			if s, ok := x.(string); ok {
				fn(s)
			}
		}
	case []string:
		for _, s := range t {
			fn(s)
		}
	}
}

// countSpecStrings is how many times eachSpecString would call back.
func countSpecStrings(v any) int {
	switch t := v.(type) {
	case string:
		return 1
	case []any:
		n := 0
		for _, x := range t {
			if _, ok := x.(string); ok {
				n++
			}
		}
		return n
	case []string:
		return len(t)
	}
	return 0
}
