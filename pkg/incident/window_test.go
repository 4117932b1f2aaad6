package incident_test

import (
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/incident/incidenttest"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

func TestWindow(t *testing.T) {
	now := incidenttest.At("2026-11-26T00:00:00Z")
	alert := &source.Alert{StartsAt: func() *time.Time { x := incidenttest.At("2026-03-14T10:00:00Z"); return &x }()}
	recent := &source.Alert{StartsAt: func() *time.Time { x := now.Add(-10 * time.Minute); return &x }()}
	replay := incidenttest.At("2026-03-14T10:10:00Z")
	for _, tc := range []struct {
		name       string
		at         *time.Time
		alert      *source.Alert
		since      time.Duration
		start, end time.Time
	}{
		{"service now", nil, nil, time.Hour, now.Add(-time.Hour), now},
		{"default since", nil, nil, 0, now.Add(-2 * time.Hour), now},
		{"old alert replays 30m after it", nil, alert, 2 * time.Hour, incidenttest.At("2026-03-14T08:00:00Z"), incidenttest.At("2026-03-14T10:30:00Z")},
		{"fresh alert ends now", nil, recent, time.Hour, now.Add(-70 * time.Minute), now},
		{"--at with alert", &replay, alert, time.Hour, incidenttest.At("2026-03-14T09:00:00Z"), replay},
		{"--at alone", &replay, nil, time.Hour, replay.Add(-time.Hour), replay},
	} {
		s, e := incident.Window(now, tc.at, tc.alert, tc.since)
		if !s.Equal(tc.start) || !e.Equal(tc.end) {
			t.Errorf("%s: %s – %s, want %s – %s", tc.name, s, e, tc.start, tc.end)
		}
	}
}
