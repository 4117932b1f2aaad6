package catalog

// In tests a fast-path panic is a crash, never a silent yaml.v3 fallback,
// so FuzzFastYAML and the differential tests can report it.
func init() { recoverPanics = false }

// ComputeRelationsReference is the straightforward one-goroutine
// ComputeRelations the parallel one replaced, kept for tests to compare
// against on catalogs big enough to take the parallel paths.
var ComputeRelationsReference = computeRelationsReference

func computeRelationsReference(entities []Entity) []RelationProblem {
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
		entities[i].Relations = sortedUnique(rels[i])
	}
	return problems
}
