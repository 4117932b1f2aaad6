package incident_test

import (
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/incident/incidenttest"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

func at(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestWindow(t *testing.T) {
	now := at("2026-11-26T00:00:00Z")
	alert := &source.Alert{StartsAt: func() *time.Time { x := at("2026-03-14T10:00:00Z"); return &x }()}
	recent := &source.Alert{StartsAt: func() *time.Time { x := now.Add(-10 * time.Minute); return &x }()}
	replay := at("2026-03-14T10:10:00Z")
	for _, tc := range []struct {
		name       string
		at         *time.Time
		alert      *source.Alert
		since      time.Duration
		start, end time.Time
	}{
		{"service now", nil, nil, time.Hour, now.Add(-time.Hour), now},
		{"default since", nil, nil, 0, now.Add(-2 * time.Hour), now},
		{"old alert replays 30m after it", nil, alert, 2 * time.Hour, at("2026-03-14T08:00:00Z"), at("2026-03-14T10:30:00Z")},
		{"fresh alert ends now", nil, recent, time.Hour, now.Add(-70 * time.Minute), now},
		{"--at with alert", &replay, alert, time.Hour, at("2026-03-14T09:00:00Z"), replay},
		{"--at alone", &replay, nil, time.Hour, replay.Add(-time.Hour), replay},
	} {
		s, e := incident.Window(now, tc.at, tc.alert, tc.since)
		if !s.Equal(tc.start) || !e.Equal(tc.end) {
			t.Errorf("%s: %s – %s, want %s – %s", tc.name, s, e, tc.start, tc.end)
		}
	}
}

func acme(t *testing.T) *catalog.Graph {
	t.Helper()
	g, err := incidenttest.LoadCatalog("../../examples/catalog/catalog-info.yaml")
	if err != nil {
		t.Fatal(err)
	}
	return g
}
func paymentsScope(t *testing.T, g *catalog.Graph, start, end time.Time) (source.Scope, source.Topology) {
	t.Helper()
	topo := source.BuildTopology(g, "component:default/payments-api")
	s := source.Scope{Focus: topo.Focus, Entities: append([]string{topo.Focus}, topo.Dependencies...), Start: start, End: end}
	s.Names = source.ScopeNames(g, s.Entities)
	return s, topo
}
