// Package retrievaltest loads the example catalog and generates synthetic
// catalogs for retrieval and assistant tests and benchmarks.
package retrievaltest

import (
	"context"
	"fmt"
	"math/rand/v2"
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

var (
	words = []string{"payments", "ledger", "fraud", "cart", "orders", "search", "identity", "session", "billing",
		"invoice", "shipping", "inventory", "pricing", "catalog", "review", "loyalty", "refund", "tax", "risk",
		"audit", "report", "email", "sms", "push", "profile", "account", "wallet", "coupon", "promo", "stock"}
	roles = []string{"api", "service", "worker", "gateway", "adapter", "db", "cache", "queue", "sdk", "web"}
	verbs = []string{"Stores", "Computes", "Routes", "Validates", "Publishes", "Indexes", "Tracks", "Scores"}
	langs = []string{"go", "java", "python", "typescript", "rust", "kotlin"}
	lifes = []string{"production", "production", "production", "experimental", "deprecated"}
)

// Synthetic returns n entities shaped like a real catalog (groups, systems,
// components, APIs and resources with owners, systems, dependsOn and API
// relations), deterministic for a seed, relations computed.
func Synthetic(n int, seed uint64) []catalog.Entity {
	r := rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))
	groups := max(n/50, 2)
	systems := max(n/25, 2)
	ents := make([]catalog.Entity, 0, n)
	mk := func(kind, name string, spec map[string]any, desc string, tags ...string) {
		ents = append(ents, catalog.Entity{APIVersion: "backstage.io/v1alpha1", Kind: kind,
			Metadata: catalog.Metadata{Name: name, Description: desc, Tags: tags}, Spec: spec})
	}
	w := func() string { return words[r.IntN(len(words))] }
	for i := 0; i < groups && len(ents) < n; i++ {
		mk("Group", fmt.Sprintf("%s-team-%d", w(), i), map[string]any{"type": "team"}, "Owns "+w()+" and "+w()+" things.")
	}
	for i := 0; i < systems && len(ents) < n; i++ {
		mk("System", fmt.Sprintf("%s-%s-%d", w(), w(), i),
			map[string]any{"owner": ents[r.IntN(groups)].Metadata.Name}, "The "+w()+" system.")
	}
	comps := []string{}
	for i := 0; len(ents) < n; i++ {
		name := fmt.Sprintf("%s-%s-%s-%d", w(), w(), roles[r.IntN(len(roles))], i)
		spec := map[string]any{
			"type": "service", "lifecycle": lifes[r.IntN(len(lifes))],
			"owner":  ents[r.IntN(groups)].Metadata.Name,
			"system": ents[groups+r.IntN(systems)].Metadata.Name,
		}
		desc := fmt.Sprintf("%s %s %s for the %s flow.", verbs[r.IntN(len(verbs))], w(), w(), w())
		switch i % 5 {
		case 0:
			mk("API", name, map[string]any{"type": "openapi", "lifecycle": spec["lifecycle"], "owner": spec["owner"], "system": spec["system"]}, desc, "rest")
		case 1:
			mk("Resource", name, map[string]any{"type": "database", "owner": spec["owner"], "system": spec["system"]}, desc, "postgres")
		default:
			if len(comps) > 3 {
				spec["dependsOn"] = []any{"component:" + comps[r.IntN(len(comps))]}
			}
			mk("Component", name, spec, desc, langs[r.IntN(len(langs))])
			comps = append(comps, name)
		}
	}
	catalog.ComputeRelations(ents)
	return ents
}

// EvalCase is one question of evals/ask.yaml.
type EvalCase struct {
	ID       string   `yaml:"id"`
	Category string   `yaml:"category"`
	Question string   `yaml:"question"`
	Expect   []string `yaml:"expect"`
	None     bool     `yaml:"none"`
	// Split is "" for the tuning set and "heldout" for questions written
	// afterwards and never tuned against.
	Split string `yaml:"split"`
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
