package catalogtest

import (
	"bytes"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// Shape is how a synthetic catalog of n entities is split across kinds,
// roughly what a mid-size company's catalog looks like.
type Shape struct {
	Domains, Groups, Users, Systems, APIs, Resources, Components int
}

// ShapeFor splits n entities: ~1% domains, 3% groups, 15% users, 3%
// systems, 15% APIs, 10% resources, the rest components.
func ShapeFor(n int) Shape {
	s := Shape{
		Domains: max(1, n/100), Groups: max(1, n*3/100), Users: max(1, n*15/100),
		Systems: max(1, n*3/100), APIs: max(1, n*15/100), Resources: max(1, n/10),
	}
	s.Components = max(1, n-s.Domains-s.Groups-s.Users-s.Systems-s.APIs-s.Resources)
	return s
}

// Generate returns a synthetic catalog with realistic references: a group
// tree, users in groups, systems in domains, components that provide and
// consume APIs and depend on resources. Every ref resolves. The same seed
// gives the same catalog.
func Generate(n int, seed uint64) []catalog.Entity {
	var out []catalog.Entity
	generate(n, seed, func(e catalog.Entity) { out = append(out, e) })
	return out
}

// GenerateYAML writes the same catalog as multi-document YAML, split into
// files of at most perFile entities (all in one when perFile <= 0).
func GenerateYAML(n int, seed uint64, perFile int) [][]byte {
	var files [][]byte
	var buf bytes.Buffer
	count := 0
	generate(n, seed, func(e catalog.Entity) {
		if count > 0 {
			buf.WriteString("---\n")
		}
		writeYAML(&buf, &e)
		count++
		if perFile > 0 && count == perFile {
			files = append(files, append([]byte(nil), buf.Bytes()...))
			buf.Reset()
			count = 0
		}
	})
	if count > 0 {
		files = append(files, buf.Bytes())
	}
	return files
}

func generate(n int, seed uint64, emit func(catalog.Entity)) {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	s := ShapeFor(n)
	name := func(prefix string, i int) string { return fmt.Sprintf("%s-%d", prefix, i) }
	pick := func(prefix string, count int) string { return name(prefix, r.IntN(count)) }
	ent := func(kind, nm, desc string, spec map[string]any) catalog.Entity {
		return catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: kind,
			Metadata: catalog.Metadata{Name: nm, Description: desc, Tags: []string{"gen"}}, Spec: spec}
	}
	for i := 0; i < s.Groups; i++ {
		spec := map[string]any{"type": "team", "children": []any{}}
		if i > 0 {
			// A tree: each group's parent has a lower index.
			spec["parent"] = name("group", r.IntN(i))
		}
		emit(ent("Group", name("group", i), "Team number "+fmt.Sprint(i), spec))
	}
	for i := 0; i < s.Users; i++ {
		emit(ent("User", name("user", i), "", map[string]any{
			"profile":  map[string]any{"displayName": fmt.Sprintf("User %d", i), "email": fmt.Sprintf("user-%d@example.com", i)},
			"memberOf": []any{pick("group", s.Groups)},
		}))
	}
	for i := 0; i < s.Domains; i++ {
		emit(ent("Domain", name("domain", i), "Business domain", map[string]any{"owner": pick("group", s.Groups)}))
	}
	for i := 0; i < s.Systems; i++ {
		emit(ent("System", name("system", i), "A system", map[string]any{
			"owner": pick("group", s.Groups), "domain": pick("domain", s.Domains)}))
	}
	for i := 0; i < s.Resources; i++ {
		emit(ent("Resource", name("resource", i), "A database", map[string]any{
			"type": "database", "owner": pick("group", s.Groups), "system": pick("system", s.Systems)}))
	}
	for i := 0; i < s.APIs; i++ {
		emit(ent("API", name("api", i), "An API", map[string]any{
			"type": "openapi", "lifecycle": "production", "owner": pick("group", s.Groups),
			"system": pick("system", s.Systems), "definition": "openapi: 3.0.0\ninfo:\n  title: x\n  version: 1.0.0\n"}))
	}
	lifecycles := []string{"production", "experimental", "deprecated"}
	for i := 0; i < s.Components; i++ {
		spec := map[string]any{
			"type": "service", "lifecycle": lifecycles[r.IntN(3)], "owner": pick("group", s.Groups),
			"system":       pick("system", s.Systems),
			"providesApis": []any{name("api", i%s.APIs)},
			"consumesApis": []any{pick("api", s.APIs), pick("api", s.APIs)},
			"dependsOn":    []any{"resource:" + pick("resource", s.Resources)},
		}
		if i > 0 && r.IntN(10) == 0 {
			spec["dependsOn"] = append(spec["dependsOn"].([]any), "component:"+pick("component", i))
		}
		emit(ent("Component", name("component", i), "A service", spec))
	}
}

// writeYAML formats an entity by hand: generating 100k entities through a
// YAML encoder would dominate benchmark setup.
func writeYAML(b *bytes.Buffer, e *catalog.Entity) {
	fmt.Fprintf(b, "apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n", e.APIVersion, e.Kind, e.Metadata.Name)
	if e.Metadata.Description != "" {
		fmt.Fprintf(b, "  description: %s\n", e.Metadata.Description)
	}
	if len(e.Metadata.Tags) > 0 {
		b.WriteString("  tags:\n")
		for _, t := range e.Metadata.Tags {
			fmt.Fprintf(b, "    - %s\n", t)
		}
	}
	b.WriteString("spec:\n")
	writeMap(b, e.Spec, "  ")
}

func writeMap(b *bytes.Buffer, m map[string]any, indent string) {
	for _, k := range slices.Sorted(maps.Keys(m)) {
		switch v := m[k].(type) {
		case string:
			if bytes.ContainsRune([]byte(v), '\n') {
				fmt.Fprintf(b, "%s%s: |\n", indent, k)
				for _, line := range bytes.Split(bytes.TrimRight([]byte(v), "\n"), []byte("\n")) {
					fmt.Fprintf(b, "%s  %s\n", indent, line)
				}
			} else {
				fmt.Fprintf(b, "%s%s: %s\n", indent, k, v)
			}
		case []any:
			if len(v) == 0 {
				fmt.Fprintf(b, "%s%s: []\n", indent, k)
				continue
			}
			fmt.Fprintf(b, "%s%s:\n", indent, k)
			for _, x := range v {
				fmt.Fprintf(b, "%s  - %v\n", indent, x)
			}
		case map[string]any:
			fmt.Fprintf(b, "%s%s:\n", indent, k)
			writeMap(b, v, indent+"  ")
		}
	}
}
