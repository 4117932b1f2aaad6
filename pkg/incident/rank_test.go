package incident_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/incident/incidenttest"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// A chain of two API hops: front consumes mid's API, mid consumes back's.
// back went wrong first, mid relays it, front alerts: credit moves down the
// chain to back, and mid is explained away.
func TestAnalyzeExplainsAwayTwoAPIHops(t *testing.T) {
	p := filepath.Join(t.TempDir(), "catalog.yaml")
	os.WriteFile(p, []byte(`apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: front}
spec: {type: service, lifecycle: production, owner: group:web, consumesApis: [mid-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: mid}
spec: {type: service, lifecycle: production, owner: group:core, providesApis: [mid-api], consumesApis: [back-api]}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata: {name: back}
spec: {type: service, lifecycle: production, owner: group:data, providesApis: [back-api]}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: mid-api}
spec: {type: openapi, lifecycle: production, owner: group:core, definition: "{}"}
---
apiVersion: backstage.io/v1alpha1
kind: API
metadata: {name: back-api}
spec: {type: openapi, lifecycle: production, owner: group:data, definition: "{}"}
`), 0o600)
	g, err := incidenttest.LoadCatalog(p)
	if err != nil {
		t.Fatal(err)
	}
	focus := "component:default/front"
	topo := source.BuildTopology(g, focus)
	s := source.Scope{Focus: focus, Entities: append([]string{focus}, topo.Dependencies...)}
	s.Names = source.ScopeNames(g, s.Entities)
	base := time.Date(2026, 5, 1, 10, 0, 0, 0, time.UTC)
	s.Start, s.End = base, base.Add(90*time.Minute)
	step := func(ent string, at time.Duration) source.Evidence {
		var pts []source.Point
		for i := 0; i <= 90; i++ {
			v := 0.002 + 0.0002*float64(i%3)
			if time.Duration(i)*time.Minute >= at {
				v = 0.2
			}
			pts = append(pts, source.Point{T: base.Add(time.Duration(i) * time.Minute), V: v})
		}
		sig := source.AnalyzeSeries(ent, "errors", pts, 0)
		return source.Evidence{Source: "metrics", Kind: source.KindMetric, Entity: ent, Time: sig.Breach, Detail: ent + " errors", Signal: sig}
	}
	ev := []source.Evidence{step("component:default/back", 60*time.Minute), step("component:default/mid", 63*time.Minute),
		step(focus, 66*time.Minute)}
	incident.AssignIDs(ev)
	an := incident.Analyze(s, topo, nil, ev)
	if len(an.Causes) < 2 || an.Causes[0].Entity != "component:default/back" {
		for _, c := range an.Causes {
			t.Logf("%.2f %s %v", c.Score, c.Title, c.Why)
		}
		t.Fatalf("credit should move down the chain to back")
	}
	if an.Causes[0].Owner != "group:default/data" {
		t.Errorf("owner of the suspect: %q", an.Causes[0].Owner)
	}
	for _, c := range an.Causes[1:] {
		if c.Entity == "component:default/mid" && c.Score >= an.Causes[0].Score-0.1 {
			t.Errorf("the relay is not explained away: %.2f vs %.2f", c.Score, an.Causes[0].Score)
		}
	}
}
