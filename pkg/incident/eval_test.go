package incident_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/incident/action"
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
			checkPlan(t, rep, exp)
		})
	}
	return s
}

// checkPlan: actions the scenario says must not be proposed are not, and
// page actions target the owners it names (inputs resolved in a dry run).
func checkPlan(t *testing.T, rep *incident.Report, exp expected) {
	t.Helper()
	for _, p := range rep.Plan {
		if slices.Contains(exp.NotPlanned, p.Action) {
			t.Errorf("plan proposes %s although %s", p.Action, exp.Why)
		}
	}
	if len(exp.Pages) == 0 {
		return
	}
	actions := map[string]config.IncidentAction{}
	for _, p := range rep.Plan {
		if p.Type == "page" {
			actions[p.Action] = config.IncidentAction{Type: "page", URL: "http://127.0.0.1:1/pages"}
		}
	}
	rep.RunActions(context.Background(), &action.Executor{Actions: actions}, action.ModeCopilot, true, nil)
	var owners []string
	for _, a := range rep.Actions {
		if o, ok := a.Inputs["owner"].(string); ok && a.Type == "page" {
			owners = append(owners, o)
		}
	}
	for _, want := range exp.Pages {
		if !slices.Contains(owners, want) {
			t.Errorf("no page to %s (pages go to %v)", want, owners)
		}
	}
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
	// Thresholds on the held-out half (issue #14); the bundled scenarios
	// keep passing.
	if held.n == 0 || float64(held.top1) < 0.9*float64(held.n) || held.top3 != held.n {
		t.Errorf("held-out below threshold (top-1 >= 90%%, top-3 100%%): %s", held)
	}
	if bund.top1 != bund.n {
		t.Errorf("bundled scenarios regressed: %s", bund)
	}
	// Held-out misses are counted, never shown: reading them is tuning.
	for _, m := range append(tune.misses, bund.misses...) {
		t.Logf("miss %s", m)
	}
}
