package source_test

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident/incidenttest"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

func minuteSeries(base time.Time, f func(i int) float64) []source.Point {
	var p []source.Point
	for i := 0; i < 60; i++ {
		p = append(p, source.Point{T: base.Add(time.Duration(i) * time.Minute), V: f(i)})
	}
	return p
}

// Saturation is judged against the known maximum, change against the
// series' own variance (issue #14 weakness 1).
func TestSaturationAgainstKnownMax(t *testing.T) {
	base := incidenttest.At("2026-04-07T00:00:00Z")
	wob := func(i int) float64 { return float64(i%3) - 1 }
	// A pool at 95 of 100 all day that hits 100: saturated.
	pool := source.AnalyzeSeriesMax("db", "db_connections", minuteSeries(base, func(i int) float64 {
		if i >= 45 {
			return 100
		}
		return 95 + wob(i)
	}), 0, 100)
	if pool.Breach == nil || !pool.Breach.Equal(base.Add(45*time.Minute)) || !pool.Saturated {
		t.Errorf("pool at max: breach %v saturated %v", pool.Breach, pool.Saturated)
	}
	// CPU rising from 0.50 to 0.62 of a 2-core limit: it moved, but it is
	// not saturated.
	cpu := source.AnalyzeSeriesMax("svc", "cpu_usage_cores", minuteSeries(base, func(i int) float64 {
		if i >= 45 {
			return 0.62
		}
		return 0.5 + 0.005*wob(i)
	}), 0, 2)
	if cpu.Breach == nil || cpu.Saturated {
		t.Errorf("busy CPU: breach %v saturated %v", cpu.Breach, cpu.Saturated)
	}
	// At the maximum throughout: no change point.
	flat := source.AnalyzeSeriesMax("db", "db_connections", minuteSeries(base, func(i int) float64 { return 99.5 }), 0, 100)
	if flat.Breach != nil {
		t.Errorf("saturated throughout reads as a change at %v", flat.Breach)
	}
	// Ratios know their maximum from the name.
	ratio := source.AnalyzeSeries("db", "pool_utilization", minuteSeries(base, func(i int) float64 {
		if i >= 45 {
			return 0.97
		}
		return 0.5
	}), 0)
	if ratio.Max != 1 || !ratio.Saturated {
		t.Errorf("ratio: max %v saturated %v", ratio.Max, ratio.Saturated)
	}
}

// A <signal>_max series is the known maximum of <signal>, not a signal.
func TestLimitSeriesFromFiles(t *testing.T) {
	g := incidenttest.ExampleCatalog(t)
	s, _ := incidenttest.Scope(g, "component:default/payments-api", incidenttest.At("2026-04-07T00:00:00Z"), incidenttest.At("2026-04-07T01:00:00Z"))
	base := incidenttest.At("2026-04-07T00:00:00Z")
	vals := func(f func(i int) float64) [][2]any {
		var out [][2]any
		for i := 0; i < 60; i++ {
			out = append(out, [2]any{float64(base.Add(time.Duration(i) * time.Minute).Unix()), formatF(f(i))})
		}
		return out
	}
	pr := map[string]any{"status": "success", "data": map[string]any{"resultType": "matrix", "result": []any{
		map[string]any{"metric": map[string]string{"service": "payments-db", "signal": "db_connections"},
			"values": vals(func(i int) float64 { return map[bool]float64{true: 200, false: 190}[i >= 45] })},
		map[string]any{"metric": map[string]string{"service": "payments-db", "signal": "db_connections_max"},
			"values": vals(func(int) float64 { return 200 })},
	}}}
	b, _ := json.Marshal(pr)
	p := filepath.Join(t.TempDir(), "m.json")
	os.WriteFile(p, b, 0o600)
	ev, err := (&source.MetricFileSource{Files: []string{p}}).Collect(context.Background(), s)
	if err != nil || len(ev) != 1 {
		t.Fatalf("evidence %+v err %v", ev, err)
	}
	if sig := ev[0].Signal; sig.Max != 200 || !sig.Saturated {
		t.Errorf("limit series not applied: %+v", sig)
	}
}

func formatF(v float64) string { b, _ := json.Marshal(v); return string(b) }

// Subcomponents are parts of their component, and error messages may name an
// entity by the API it provides.
func TestTopologyPartsAndAliases(t *testing.T) {
	g, err := incidenttest.LoadCatalog("../../../testdata/catalogs/backstage-catalog-model-examples/all-components.yaml",
		"../../../testdata/catalogs/backstage-catalog-model-examples/all-apis.yaml")
	if err != nil {
		t.Fatal(err)
	}
	topo := source.BuildTopology(g, "component:default/wayback-search")
	for _, want := range []string{"component:default/wayback-archive", "component:default/wayback-archive-storage", "component:default/wayback-archive-ingestion"} {
		if !slices.Contains(topo.Dependencies, want) {
			t.Errorf("dependencies %v lack %s", topo.Dependencies, want)
		}
	}
	if !topo.Direct["component:default/wayback-archive"] || topo.Direct["component:default/wayback-archive-storage"] {
		t.Errorf("direct %v", topo.Direct)
	}
	if e := topo.Edges["component:default/wayback-archive"]; !slices.Contains(e, "component:default/wayback-archive-storage") {
		t.Errorf("archive's edges %v", e)
	}
	if topo.Owner["component:default/wayback-archive-ingestion"] != "group:default/team-d" {
		t.Errorf("owners %v", topo.Owner)
	}
	if topo.Aliases["wayback-archive"] != "component:default/wayback-archive" {
		t.Errorf("aliases %v", topo.Aliases)
	}
}
