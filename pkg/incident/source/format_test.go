package source_test

import (
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident/source"
)

func series(name string, vs ...float64) *source.Signal {
	t0 := time.Date(2026, 3, 14, 8, 0, 0, 0, time.UTC)
	var pts []source.Point
	for i, v := range vs {
		pts = append(pts, source.Point{T: t0.Add(time.Duration(i) * time.Minute), V: v})
	}
	return source.AnalyzeSeries("component:default/x", name, pts, 0)
}

func TestPercent(t *testing.T) {
	for f, want := range map[float64]string{0: "0%", 0.35: "35%", 0.3504: "35%", 0.002014: "0.2%", 0.0123: "1.2%", 0.01: "1%", 0.00004: "0.004%", 1: "100%", 0.995: "100%", 0.95: "95%"} {
		if got := source.Percent(f); got != want {
			t.Errorf("Percent(%v) = %q, want %q", f, got, want)
		}
	}
}

func TestSignalFormat(t *testing.T) {
	errs := series("errors", 0.002, 0.002, 0.002, 0.3504, 0.35)
	if !errs.IsRatio() || errs.Rise() != "0.2% → 35%" {
		t.Errorf("errors: ratio %v, %q", errs.IsRatio(), errs.Rise())
	}
	lat := series("latency_p99_seconds", 0.2, 0.2, 0.2, 0.9, 0.9)
	if lat.IsRatio() || lat.Format(0.9) != "0.9" {
		t.Errorf("latency in seconds read as a ratio: %q", lat.Format(0.9))
	}
	conns := series("db_connections", 40, 41, 40, 98, 100)
	if conns.IsRatio() || conns.Format(100) != "100" {
		t.Errorf("a count read as a ratio")
	}
}

func TestSparkline(t *testing.T) {
	s := series("errors", 0, 0, 0, 0, 1, 1)
	if got := s.Sparkline(6); got != "▁▁▁▁██" {
		t.Errorf("sparkline %q", got)
	}
	if got := s.Sparkline(3); got != "▁▁█" {
		t.Errorf("bucketed %q", got)
	}
	if got := series("errors", 2, 2, 2).Sparkline(10); got != "▁▁▁" {
		t.Errorf("flat %q", got)
	}
}
