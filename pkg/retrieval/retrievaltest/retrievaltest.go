// Package retrievaltest loads the example catalog and the eval set for
// retrieval and assistant tests. (Synthetic catalogs for benchmarks come
// from pkg/catalog/catalogtest.)
package retrievaltest

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/catalog"
)

// RepoRoot walks up from the working directory to the folder holding go.mod.
func RepoRoot(tb testing.TB) string {
	tb.Helper()
	dir, err := os.Getwd()
	if err != nil {
		tb.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			tb.Fatal("go.mod not found above the working directory")
		}
		dir = parent
	}
}

// Examples loads examples/catalog (the Acme Pay catalog) through the real
// files source, relations computed, and fails the test on any problem.
func Examples(tb testing.TB) *catalog.Graph {
	tb.Helper()
	path := filepath.Join(RepoRoot(tb), "examples", "catalog", "catalog-info.yaml")
	res, err := catalog.LoadFiles(context.Background(), []string{path})
	if err != nil {
		tb.Fatalf("load example catalog: %v", err)
	}
	for _, p := range res.Problems {
		tb.Errorf("example catalog: %s", p)
	}
	return catalog.NewGraph(res.Entities)
}

// EvalCase is one question of evals/ask.yaml.
type EvalCase struct {
	ID       string   `yaml:"id"`
	Category string   `yaml:"category"`
	Question string   `yaml:"question"`
	Expect   []string `yaml:"expect"`
	None     bool     `yaml:"none"`
	// Split is "" or "tuning" for the tuning set and "heldout" for
	// questions never tuned against.
	Split string `yaml:"split"`
	// Class is the kind of question in the real-catalog evals
	// (evals/catalogs): owner, members, links, lacking, ...
	Class string `yaml:"class"`
	// MustMention are facts a correct answer states (case-insensitive
	// substrings of the answer text).
	MustMention []string `yaml:"mustMention"`
	// YesNo, when set, is the word ("yes" or "no") a correct answer starts with.
	YesNo string `yaml:"yesNo"`
}

// Evals loads evals/ask.yaml and checks every expected ref exists in g, so
// a renamed example entity breaks the eval loudly instead of silently.
func Evals(tb testing.TB, g *catalog.Graph) []EvalCase {
	tb.Helper()
	b, err := os.ReadFile(filepath.Join(RepoRoot(tb), "evals", "ask.yaml"))
	if err != nil {
		tb.Fatal(err)
	}
	var doc struct {
		Questions []EvalCase `yaml:"questions"`
	}
	if err := yaml.Unmarshal(b, &doc); err != nil {
		tb.Fatalf("evals/ask.yaml: %v", err)
	}
	for _, c := range doc.Questions {
		if c.None != (len(c.Expect) == 0) {
			tb.Errorf("eval %s: none and expect disagree", c.ID)
		}
		for _, r := range c.Expect {
			if _, ok := g.Get(r); !ok {
				tb.Errorf("eval %s: expected ref %s is not in the example catalog", c.ID, r)
			}
		}
	}
	return doc.Questions
}
