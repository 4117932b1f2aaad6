package incident_test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/incident"
)

// evalRoot holds scenarios written over a real catalog nobody here wrote
// (testdata/catalogs/backstage-catalog-model-examples); split.yaml fixes
// which half may be tuned on.
const evalRoot = "../../testdata/incidents"

type evalSplit struct {
	Tuning  []string `yaml:"tuning"`
	Heldout []string `yaml:"heldout"`
}

type evalScore struct {
	n, top1, top3 int
	misses        []string
}

func (s evalScore) String() string {
	if s.n == 0 {
		return "no scenarios"
	}
	return fmt.Sprintf("top-1 %d/%d (%.0f%%), top-3 %d/%d (%.0f%%)", s.top1, s.n, 100*float64(s.top1)/float64(s.n),
		s.top3, s.n, 100*float64(s.top3)/float64(s.n))
}

// rankOf is the 1-based rank of the first cause that mentions want, 0 when
// none does.
func rankOf(rep *incident.Report, want string) int {
	for i, c := range rep.Causes {
		b, _ := json.Marshal(c)
		if strings.Contains(string(b), want) {
			return i + 1
		}
	}
	return 0
}

func scoreScenarios(t *testing.T, dirs []string) evalScore {
	t.Helper()
	var s evalScore
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rep, exp := runScenario(t, dir)
			s.n++
			r := rankOf(rep, exp.Top)
			if r == 1 {
				s.top1++
			} else {
				var titles []string
				for _, c := range rep.Causes {
					titles = append(titles, fmt.Sprintf("%.2f %s", c.Score, c.Title))
				}
				s.misses = append(s.misses, fmt.Sprintf("%s: %q at rank %d\n    %s", filepath.Base(dir), exp.Top, r, strings.Join(titles, "\n    ")))
			}
			if r >= 1 && r <= 3 {
				s.top3++
			}
		})
	}
	return s
}

func readSplit(t *testing.T) evalSplit {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(evalRoot, "split.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var sp evalSplit
	if err := yaml.Unmarshal(b, &sp); err != nil {
		t.Fatal(err)
	}
	all, _ := filepath.Glob(filepath.Join(evalRoot, "*", "expected.yaml"))
	if len(all) < 12 || len(sp.Tuning)+len(sp.Heldout) != len(all) {
		t.Fatalf("split.yaml lists %d+%d scenarios, %d exist (want >= 12, each in one half)", len(sp.Tuning), len(sp.Heldout), len(all))
	}
	for _, n := range sp.Tuning {
		if slices.Contains(sp.Heldout, n) {
			t.Fatalf("%s is in both halves", n)
		}
	}
	return sp
}

func dirsOf(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = filepath.Join(evalRoot, n)
	}
	return out
}

// TestEvalIncidents measures ranking on the tuning half, the held-out half
// and the bundled scenarios, and prints all three.
func TestEvalIncidents(t *testing.T) {
	sp := readSplit(t)
	bundled, _ := filepath.Glob(filepath.Join(scenarioRoot, "*", "expected.yaml"))
	for i := range bundled {
		bundled[i] = filepath.Dir(bundled[i])
	}
	tune := scoreScenarios(t, dirsOf(sp.Tuning))
	held := scoreScenarios(t, dirsOf(sp.Heldout))
	bund := scoreScenarios(t, bundled)
	t.Logf("tuning:   %s", tune)
	t.Logf("held-out: %s", held)
	t.Logf("bundled:  %s", bund)
	for _, m := range append(append(tune.misses, held.misses...), bund.misses...) {
		t.Logf("miss %s", m)
	}
}
