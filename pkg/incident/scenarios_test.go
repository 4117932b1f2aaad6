package incident_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"gopkg.in/yaml.v3"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/incident/action"
	"github.com/bsai-dev/bsai/pkg/incident/incidenttest"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

const scenarioRoot = "../../examples/incidents"

type expected struct {
	Top string `yaml:"top"`
	Why string `yaml:"why"`
	// NotPlanned are actions the plan must not propose (a rollback that
	// already happened); Pages are owners a page action must target.
	NotPlanned []string `yaml:"notPlanned"`
	Pages      []string `yaml:"pages"`
}

// runScenario replays one examples/incidents folder offline.
func runScenario(t *testing.T, dir string) (*incident.Report, expected) {
	t.Helper()
	var exp expected
	b, err := os.ReadFile(filepath.Join(dir, "expected.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.Unmarshal(b, &exp); err != nil || exp.Top == "" {
		t.Fatalf("expected.yaml: need top: (err %v)", err)
	}
	cfg, ic := scenarioConfig(t, dir)
	var files []string
	if err := cfg.Decode("bsai.catalog.files", &files); err != nil || len(files) == 0 {
		t.Fatalf("scenario needs bsai.catalog.files (err %v)", err)
	}
	for i := range files {
		files[i] = cfg.ResolvePath("bsai.catalog.files", files[i])
	}
	g, err := incidenttest.LoadCatalog(files...)
	if err != nil {
		t.Fatal(err)
	}
	ab, err := os.ReadFile(filepath.Join(dir, "alert.json"))
	if err != nil {
		t.Fatal(err)
	}
	alert, err := source.ParseAlert(ab)
	if err != nil {
		t.Fatal(err)
	}
	var warns []string
	rep, err := incident.Investigate(context.Background(), incident.Options{
		Graph: g, Config: ic, Alert: alert, Mode: action.ModeCopilot,
		Now:  func() time.Time { return time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC) },
		Warn: func(f string, a ...any) { warns = append(warns, f) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) > 0 {
		t.Errorf("warnings: %v", rep.Warnings)
	}
	return rep, exp
}

func TestScenarios(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join(scenarioRoot, "*", "expected.yaml"))
	if err != nil || len(dirs) < 5 {
		t.Fatalf("want at least 5 scenarios, found %d (%v)", len(dirs), err)
	}
	for _, p := range dirs {
		dir := filepath.Dir(p)
		t.Run(filepath.Base(dir), func(t *testing.T) {
			rep, exp := runScenario(t, dir)
			if len(rep.Causes) == 0 {
				t.Fatal("no causes")
			}
			top, _ := json.Marshal(rep.Causes[0])
			if !strings.Contains(string(top), exp.Top) {
				var titles []string
				for _, c := range rep.Causes {
					titles = append(titles, c.Title)
				}
				t.Errorf("top cause does not mention %q (%s)\nranking:\n  %s", exp.Top, exp.Why, strings.Join(titles, "\n  "))
			}
			for _, c := range rep.Causes {
				for _, e := range c.Evidence {
					if e.ID == "" || e.Source == "" || e.Detail == "" {
						t.Errorf("cause %d has incomplete evidence %+v", c.Rank, e)
					}
				}
			}
			if testing.Verbose() {
				for _, c := range rep.Causes {
					t.Logf("%d %.2f %s", c.Rank, c.Score, c.Title)
				}
			}
		})
	}
}

// scenarioConfig loads a scenario folder's app-config.yaml (no environment)
// and its bsai.incident block.
func scenarioConfig(t *testing.T, dir string) (*config.Config, config.IncidentConfig) {
	t.Helper()
	cfg, err := config.Load(config.LoadOptions{Files: []string{filepath.Join(dir, "app-config.yaml")}, Env: []string{}})
	if err != nil {
		t.Fatal(err)
	}
	ic, err := cfg.Incident()
	if err != nil {
		t.Fatal(err)
	}
	return cfg, ic
}
