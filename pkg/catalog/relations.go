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
	idx := make(map[string]int, len(entities))
	selfRefs := make([]string, len(entities))
	for i := range entities {
		selfRefs[i] = entities[i].Ref().String()
		idx[selfRefs[i]] = i
	}
	rels := make([][]Relation, len(entities))
	add := func(i int, typ, target string) {
		rels[i] = append(rels[i], Relation{Type: typ, TargetRef: target})
	}
	var problems []RelationProblem
	for i := range entities {
		e := &entities[i]
		rules := builtinRelations[e.Kind]
		if len(rules) == 0 {
			continue
		}
		self := selfRefs[i]
		ns := e.Namespace()
		for _, rule := range rules {
			for _, v := range e.SpecStrings(rule.field) {
				r, err := ParseRef(v, rule.defaultKind, ns)
				if err != nil {
					problems = append(problems, RelationProblem{Ref: self, Field: rule.field, Value: v, Err: err})
					continue
				}
				target := r.String()
				add(i, rule.out, target)
				if j, ok := idx[target]; ok {
					add(j, rule.in, self)
				}
			}
		}
	}
	for i := range entities {
		rs := rels[i]
		slices.SortFunc(rs, func(a, b Relation) int {
			if c := strings.Compare(a.Type, b.Type); c != 0 {
				return c
			}
			return strings.Compare(a.TargetRef, b.TargetRef)
		})
		// De-duplicate in place: the same edge can come from both ends
		// (a group's children and the child's parent).
		out := rs[:0]
		for k, r := range rs {
			if k == 0 || r != rs[k-1] {
				out = append(out, r)
			}
		}
		entities[i].Relations = out
	}
	return problems
}
