package retrievaltest

import (
	"context"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// CatalogEval is one eval set of evals/catalogs: a real public catalog
// (testdata/catalogs, written by others) and the questions asked of it.
type CatalogEval struct {
	// Name is the eval file's base name without .yaml.
	Name string
	// Paths are the catalog folders, relative to the repository root.
	Paths []string
	Graph *catalog.Graph
	// Problems are what the loader reported (warnings such as a document
	// that is not an entity); evals run on whatever loaded.
	Problems []catalog.Problem
	Cases    []EvalCase
}

// CatalogEvals loads every evals/catalogs/*.yaml with its catalog, sorted
// by name. Every expected ref must exist in the loaded catalog, every
// answerable question must name refs and facts, and every question must be
// in the tuning or the held-out half.
func CatalogEvals(tb testing.TB) []CatalogEval {
	tb.Helper()
	root := RepoRoot(tb)
	files, err := filepath.Glob(filepath.Join(root, "evals", "catalogs", "*.yaml"))
	if err != nil || len(files) == 0 {
		tb.Fatalf("no eval sets in evals/catalogs (%v)", err)
	}
	sort.Strings(files)
	var out []CatalogEval
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			tb.Fatal(err)
		}
		var doc struct {
			Catalog   []string   `yaml:"catalog"`
			Questions []EvalCase `yaml:"questions"`
		}
		if err := yaml.Unmarshal(b, &doc); err != nil {
			tb.Fatalf("%s: %v", f, err)
		}
		ev := CatalogEval{Name: strings.TrimSuffix(filepath.Base(f), ".yaml"), Paths: doc.Catalog, Cases: doc.Questions}
		var abs []string
		for _, p := range doc.Catalog {
			abs = append(abs, filepath.Join(root, p))
		}
		res, err := catalog.LoadFiles(context.Background(), abs)
		if err != nil {
			tb.Fatalf("%s: load %v: %v", ev.Name, doc.Catalog, err)
		}
		ev.Problems = res.Problems
		ev.Graph = catalog.NewGraph(res.Entities)
		for _, c := range ev.Cases {
			if c.Split != "tuning" && c.Split != "heldout" {
				tb.Errorf("%s/%s: split %q, want tuning or heldout", ev.Name, c.ID, c.Split)
			}
			if c.None != (len(c.Expect) == 0) || !c.None && len(c.MustMention) == 0 {
				tb.Errorf("%s/%s: an answerable question needs expect and mustMention; a lacking one (none) neither", ev.Name, c.ID)
			}
			for _, r := range c.Expect {
				if _, ok := ev.Graph.Get(r); !ok {
					tb.Errorf("%s/%s: expected ref %s is not in the catalog", ev.Name, c.ID, r)
				}
			}
		}
		out = append(out, ev)
	}
	return out
}
