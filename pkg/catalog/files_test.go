package catalog

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/errs"
)

func refsOf(ents []Entity) []string {
	out := make([]string, len(ents))
	for i := range ents {
		out[i] = ents[i].Ref().String()
	}
	sort.Strings(out)
	return out
}

func relsOf(e *Entity) []string {
	var out []string
	for _, r := range e.Relations {
		out = append(out, r.Type+" "+r.TargetRef)
	}
	sort.Strings(out)
	return out
}

func TestLoadFilesLocationsAndProblems(t *testing.T) {
	res, err := LoadFiles(context.Background(), []string{"testdata/files/root.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"api:payments/good-api", "component:default/dup", "component:payments/good",
		"group:payments/team-x", "location:default/nested", "location:default/root"}
	if got := refsOf(res.Entities); !reflect.DeepEqual(got, want) {
		t.Errorf("entities = %v\nwant %v", got, want)
	}
	var base []string
	for _, f := range res.Files {
		base = append(base, filepath.ToSlash(strings.TrimPrefix(f, mustAbs(t, "testdata/files")+string(filepath.Separator))))
	}
	// a.yaml is reached from root and from sub/loc.yaml but read once;
	// globbed/two.yml does not match the *.yaml glob.
	if want := []string{"root.yaml", "sub/loc.yaml", "a.yaml", "globbed/one.yaml", "sub/b.yaml"}; !reflect.DeepEqual(base, want) {
		t.Errorf("files = %v, want %v", base, want)
	}
	expect := []struct {
		level, file string
		doc         int
		contains    string
	}{
		{"info", "root.yaml", 1, "skipped url target https://github.com/acme/repo"},
		{"warning", "root.yaml", 1, "location target ./missing.yaml matches no files"},
		{"warning", "a.yaml", 2, "metadata.name is required"},
		{"warning", "a.yaml", 3, "invalid yaml"},
		{"warning", "b.yaml", 1, "conflict: already defined in "},
		{"warning", "a.yaml", 1, `spec.dependsOn "broken-no-kind": invalid entity ref`},
	}
	if len(res.Problems) != len(expect) {
		t.Errorf("got %d problems, want %d:\n%s", len(res.Problems), len(expect), problemsText(res.Problems))
	}
	for _, x := range expect {
		found := false
		for _, p := range res.Problems {
			if p.Level == x.level && strings.HasSuffix(p.File, x.file) && p.Document == x.doc && strings.Contains(p.Message, x.contains) {
				found = true
			}
		}
		if !found {
			t.Errorf("missing problem %+v in:\n%s", x, problemsText(res.Problems))
		}
	}
	g := NewGraph(res.Entities)
	good, _ := g.Get("component:payments/good")
	if got, want := relsOf(good), []string{"dependsOn resource:payments/db", "ownedBy group:payments/team-x", "providesApi api:payments/good-api"}; !reflect.DeepEqual(got, want) {
		t.Errorf("good relations = %v, want %v", got, want)
	}
	team, _ := g.Get("group:payments/team-x")
	if got, want := relsOf(team), []string{"ownerOf api:payments/good-api", "ownerOf component:payments/good"}; !reflect.DeepEqual(got, want) {
		t.Errorf("team relations = %v, want %v", got, want)
	}
	// The first definition of a conflicting ref wins.
	dup, _ := g.Get("component:default/dup")
	if dup.SpecString("type") != "service" {
		t.Errorf("dup should come from a.yaml, got type %q", dup.SpecString("type"))
	}
	if !strings.HasPrefix(dup.Metadata.Annotations[AnnotationManagedByLocation], "file:") ||
		!strings.HasSuffix(dup.Metadata.Annotations[AnnotationManagedByOriginLocation], "root.yaml") {
		t.Errorf("annotations = %v", dup.Metadata.Annotations)
	}
}

func warnings(ps []Problem) []Problem {
	var out []Problem
	for _, p := range ps {
		if p.Level == "warning" {
			out = append(out, p)
		}
	}
	return out
}

func problemsText(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString(p.Level + " " + p.String() + "\n")
	}
	return b.String()
}

func mustAbs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestLoadFilesFolderAndGlobs(t *testing.T) {
	// A folder reads every YAML below it, so files reached both directly
	// and through Locations are read once and nothing conflicts.
	res, err := LoadFiles(context.Background(), []string{"../../testdata/catalogs/backstage-catalog-model-examples"})
	if err != nil {
		t.Fatal(err)
	}
	// Three upstream APIs use $text URL placeholders: noted, not fetched.
	if len(res.Entities) != 57 || len(warnings(res.Problems)) != 0 || len(res.Problems) != 3 {
		t.Errorf("folder: %d entities, problems:\n%s", len(res.Entities), problemsText(res.Problems))
	}
	res, err = LoadFiles(context.Background(), []string{"../../testdata/catalogs/backstage-catalog-model-examples/**/*-component.yaml"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Entities) != 13 {
		t.Errorf("** glob: %d entities, want 13", len(res.Entities))
	}
	// A root that matches nothing is reported, not fatal, while another
	// root works; when none works it is a config error.
	res, err = LoadFiles(context.Background(), []string{"testdata/nope", "../../testdata/catalogs/backstage-catalog-model-examples/apis"})
	if err != nil || len(res.Entities) != 7 || len(warnings(res.Problems)) != 1 {
		t.Errorf("partial roots: err=%v entities=%d problems=%v", err, len(res.Entities), res.Problems)
	}
	_, err = LoadFiles(context.Background(), []string{"testdata/nope", "testdata/*.nothing"})
	if errs.KindOf(err) != errs.KindConfig {
		t.Errorf("no roots: err = %v, want a config error", err)
	}
}

func TestLoadFilesOddDocuments(t *testing.T) {
	dir := t.TempDir()
	write := func(name, s string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("odd.yaml", `# leading comment
---
- a list, not an entity
---
just a string
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: ok
  annotations: {a: b}
spec:
  type: service
  lifecycle: production
  owner: team
  description: |
    --- not a separator: indented inside a block scalar
  1: numeric key
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: [not, a, string]
`)
	// Folder walks skip scaffolder skeletons (templated, not entities).
	if err := os.MkdirAll(filepath.Join(dir, "tpl", "skeleton"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("tpl/skeleton/catalog-info.yaml", "metadata:\n  name: ${{ values.name }}\n")
	res, err := LoadFiles(context.Background(), []string{dir})
	if err != nil {
		t.Fatal(err)
	}
	if got := refsOf(res.Entities); !reflect.DeepEqual(got, []string{"component:default/ok"}) {
		t.Fatalf("entities = %v\n%s", got, problemsText(res.Problems))
	}
	if d := res.Entities[0].SpecString("description"); !strings.Contains(d, "--- not a separator") {
		t.Errorf("block scalar lost: %q", d)
	}
	if res.Entities[0].Spec["1"] != "numeric key" {
		t.Errorf("numeric key not normalised: %v", res.Entities[0].Spec)
	}
	docs := map[int]string{}
	for _, p := range res.Problems {
		docs[p.Document] = p.Message
	}
	if !strings.Contains(docs[1], "not an entity") || !strings.Contains(docs[2], "not an entity") || !strings.Contains(docs[4], "invalid entity") {
		t.Errorf("problems:\n%s", problemsText(res.Problems))
	}
}

func TestSplitDocuments(t *testing.T) {
	cases := map[string]int{
		"a: 1":                          1,
		"---\na: 1":                     1,
		"a: 1\n---\nb: 2\n":             2,
		"# c\n---\na: 1\n---\nb: 2":     2,
		"a: |\n  ---\n  x\n---\nb: 2":   2,
		"%YAML 1.2\n---\na: 1":          1,
		"a: 1\n--- \nb: 2\n---\t\nc: 3": 3,
	}
	for in, want := range cases {
		if got := len(splitDocuments([]byte(in))); got != want {
			t.Errorf("splitDocuments(%q) = %d documents, want %d", in, got, want)
		}
	}
}

func TestLoadFilesPlaceholders(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"api.yaml": `apiVersion: backstage.io/v1alpha1
kind: API
metadata:
  name: orders
spec:
  type: openapi
  lifecycle: production
  owner: team
  definition:
    $text: ./openapi.yaml
  extra:
    fromJSON:
      $json: ./data.json
    fromYAML:
      $yaml: ./data.yaml
    missing:
      $text: ./nope.txt
    remote:
      $text: https://example.com/openapi.yaml
    notAPlaceholder:
      $text: ./openapi.yaml
      other: key
`,
		"openapi.yaml": "openapi: 3.0.0\n",
		"data.json":    `{"a": [1, "x"]}`,
		"data.yaml":    "b: {c: d}\n",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := LoadFiles(context.Background(), []string{filepath.Join(dir, "api.yaml")})
	if err != nil || len(res.Entities) != 1 {
		t.Fatalf("%v %d", err, len(res.Entities))
	}
	e := res.Entities[0]
	if e.SpecString("definition") != "openapi: 3.0.0\n" {
		t.Errorf("definition = %#v", e.Spec["definition"])
	}
	extra := e.Spec["extra"].(map[string]any)
	if !reflect.DeepEqual(extra["fromJSON"], map[string]any{"a": []any{float64(1), "x"}}) ||
		!reflect.DeepEqual(extra["fromYAML"], map[string]any{"b": map[string]any{"c": "d"}}) {
		t.Errorf("json/yaml placeholders: %#v", extra)
	}
	if _, kept := extra["missing"].(map[string]any)["$text"]; !kept {
		t.Errorf("missing file placeholder should stay: %#v", extra["missing"])
	}
	if _, kept := extra["notAPlaceholder"].(map[string]any)["other"]; !kept {
		t.Errorf("two-key object is not a placeholder: %#v", extra["notAPlaceholder"])
	}
	if w := warnings(res.Problems); len(w) != 1 || !strings.Contains(w[0].Message, "nope.txt") || len(res.Problems) != 2 {
		t.Errorf("problems:\n%s", problemsText(res.Problems))
	}
}
