package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
)

// rankedCause is the part of a report's cause the comparison looks at.
type rankedCause struct {
	Rank   int     `json:"rank"`
	Kind   string  `json:"kind"`
	Entity string  `json:"entity"`
	Title  string  `json:"title"`
	Score  float64 `json:"score"`
}

type investigation struct {
	Alert *struct {
		Format   string     `json:"format"`
		Name     string     `json:"name"`
		StartsAt *time.Time `json:"startsAt"`
	} `json:"alert"`
	Causes   []rankedCause `json:"causes"`
	Evidence []struct {
		Source string `json:"source"`
		Kind   string `json:"kind"`
	} `json:"evidence"`
	Warnings []string `json:"warnings"`
}

// bsaiStdin runs the binary with stdin and decodes its JSON report.
func (e *Env) investigateJSON(t *testing.T, stdin []byte, args ...string) (investigation, Result) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	dir := t.TempDir()
	args = append(args, "-o", "json")
	cmd := exec.CommandContext(ctx, e.Bin, args...)
	cmd.Dir = dir
	cmd.Env = cleanEnv(dir)
	cmd.Stdin = bytes.NewReader(stdin)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := Result{Args: args, Stdout: out.String(), Stderr: errb.String(), Code: testkit.ExitCode(t, err)}
	if r.Code != 0 {
		t.Fatalf("want exit 0\n%s", r)
	}
	var rep investigation
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("decode report: %v\n%s", err, r)
	}
	return rep, r
}

// webhookAlert is the firing alert of a scenario's Alertmanager webhook.
type webhookAlert struct {
	Status       string            `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	GeneratorURL string            `json:"generatorURL"`
}

// TestE2EIncidentPrometheusAlertmanager replays bundled scenarios against a
// real Prometheus (the scenario's series backfilled with promtool) and a
// real Alertmanager (the scenario's alert posted with amtool): `incident
// investigate` reading both over HTTP must rank exactly as it does from the
// scenario's files.
func TestE2EIncidentPrometheusAlertmanager(t *testing.T) {
	e := need(t)
	for _, dir := range []string{"examples/incidents/bad-deploy", "examples/incidents/noisy-deploy",
		// Two held-out scenarios of issue #14: a disk at its capacity series
		// (limit pairing over Prometheus), and a failure relayed down a chain.
		"testdata/incidents/storage-disk-at-capacity", "testdata/incidents/ingestion-deploy-chain"} {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			started := time.Now()
			scen := filepath.Join(e.Root, dir)
			series := readQueryRange(t, filepath.Join(scen, "metrics.json"))
			step := seriesStep(t, series)
			prom := startPrometheus(t, series, step/2)

			var hook struct {
				Alerts []webhookAlert `json:"alerts"`
			}
			raw, err := os.ReadFile(filepath.Join(scen, "alert.json"))
			if err != nil || json.Unmarshal(raw, &hook) != nil || len(hook.Alerts) == 0 {
				t.Fatalf("%s/alert.json is not an Alertmanager webhook with alerts: %v", dir, err)
			}
			am := startAlertmanager(t)
			for _, a := range hook.Alerts {
				if a.Status == "firing" {
					amtoolAdd(t, am, a.Labels, a.Annotations, a.StartsAt, a.GeneratorURL)
				}
			}
			ready := time.Since(started)

			files, _ := e.investigateJSON(t, nil, "-c", filepath.Join(scen, "app-config.yaml"),
				"--offline", "incident", "investigate", "--alert", filepath.Join(scen, "alert.json"))

			// The same scenario with metrics from Prometheus and the alert
			// from Alertmanager's API: one query per signal the scenario has.
			overlay := liveOverlay(t, series, prom.URL, step)
			alerts := httpGet(t, am.URL+"/api/v2/alerts")
			live, r := e.investigateJSON(t, alerts, "-c", filepath.Join(scen, "app-config.yaml"), "-c", overlay,
				"--offline", "incident", "investigate", "--alert", "-")
			if live.Alert == nil || live.Alert.StartsAt == nil || !live.Alert.StartsAt.Equal(hook.Alerts[0].StartsAt) {
				t.Fatalf("alert from /api/v2/alerts not read: %+v\n%s", live.Alert, r)
			}
			if len(live.Warnings) > 0 {
				t.Errorf("warnings reading Prometheus: %v", live.Warnings)
			}
			// Every metric the files gave, Prometheus gave (limit series such
			// as *_capacity feed their series' maximum, in both).
			count := func(rep investigation, src string) int {
				n := 0
				for _, ev := range rep.Evidence {
					if ev.Kind == "metric" && ev.Source == src {
						n++
					}
				}
				return n
			}
			if a, b := count(files, "metrics"), count(live, "prometheus"); a == 0 || a != b {
				t.Errorf("%d metric evidence items from the files, %d from Prometheus\n%s", a, b, r)
			}
			// And with Alertmanager in config, no --alert and no --service:
			// bsai reads /api/v2/alerts itself and finds the one alerting
			// entity.
			amOverlay := writeFile(t, t.TempDir(), "am.yaml", "bsai:\n  incident:\n    sources:\n      alertmanager:\n        url: "+am.URL+"\n")
			byConfig, r2 := e.investigateJSON(t, nil, "-c", filepath.Join(scen, "app-config.yaml"), "-c", overlay, "-c", amOverlay,
				"--offline", "incident", "investigate")
			if byConfig.Alert == nil || byConfig.Alert.Format != "alertmanager-api" || byConfig.Alert.Name != hook.Alerts[0].Labels["alertname"] {
				t.Fatalf("alert from bsai.incident.sources.alertmanager not used: %+v\n%s", byConfig.Alert, r2)
			}
			if a, b := causeLines(live.Causes), causeLines(byConfig.Causes); a != b {
				t.Errorf("ranking with the alert from config differs\n--- --alert - ---\n%s\n--- alertmanager.url ---\n%s", a, b)
			}
			if len(files.Causes) == 0 {
				t.Fatal("no causes from the files")
			}
			if a, b := causeLines(files.Causes), causeLines(live.Causes); a != b {
				t.Errorf("ranking differs\n--- from files ---\n%s\n--- from Prometheus + Alertmanager ---\n%s", a, b)
			}
			// No alert at all: --service and --at (20 minutes after the alert)
			// replay the same window from the files and from Prometheus.
			svc := hook.Alerts[0].Labels["service"]
			at := hook.Alerts[0].StartsAt.Add(20 * time.Minute).UTC().Format(time.RFC3339)
			noAlert := []string{"--offline", "incident", "investigate", "--service", svc, "--at", at}
			filesAt, _ := e.investigateJSON(t, nil, append([]string{"-c", filepath.Join(scen, "app-config.yaml")}, noAlert...)...)
			liveAt, r3 := e.investigateJSON(t, nil, append([]string{"-c", filepath.Join(scen, "app-config.yaml"), "-c", overlay}, noAlert...)...)
			if liveAt.Alert != nil || len(filesAt.Causes) == 0 {
				t.Fatalf("--service --at: alert %+v, %d causes\n%s", liveAt.Alert, len(filesAt.Causes), r3)
			}
			if a, b := causeLines(filesAt.Causes), causeLines(liveAt.Causes); a != b {
				t.Errorf("--service --at ranking differs\n--- from files ---\n%s\n--- from Prometheus ---\n%s", a, b)
			}
			t.Logf("%s: servers ready in %s, whole replay %s", dir, ready.Round(time.Millisecond), time.Since(started).Round(time.Millisecond))
		})
	}
}

// causeLines renders ranked causes for comparison (scores to 3 places: the
// same evidence must give the same numbers).
func causeLines(cs []rankedCause) string {
	var b strings.Builder
	for _, c := range cs {
		fmt.Fprintf(&b, "%d %s %s %q %.3f\n", c.Rank, c.Kind, c.Entity, c.Title, c.Score)
	}
	return b.String()
}

// seriesStep is the scenario's sample interval (the same for every series).
func seriesStep(t *testing.T, series []promSeries) time.Duration {
	t.Helper()
	for _, s := range series {
		if len(s.Values) > 1 {
			a, _ := s.Values[0][0].(float64)
			b, _ := s.Values[1][0].(float64)
			return time.Duration((b - a) * float64(time.Second))
		}
	}
	t.Fatal("no series with two samples")
	return 0
}

// liveOverlay is a config layer that swaps the scenario's metric files for
// Prometheus: the step is the scenario's (so the range query evaluates at
// its sample times) and each signal is selected by its labels.
func liveOverlay(t *testing.T, series []promSeries, promURL string, step time.Duration) string {
	t.Helper()
	signals := map[string]bool{}
	for _, s := range series {
		signals[s.Metric["signal"]] = true
	}
	var q strings.Builder
	for _, s := range slices.Sorted(maps.Keys(signals)) {
		fmt.Fprintf(&q, "          %s: '{signal=%q,service=\"{{.Service}}\"}'\n", s, s)
	}
	cfg := fmt.Sprintf(`bsai:
  incident:
    sources:
      metrics:
        files: null
        prometheus:
          url: %s
          step: %s
        queries:
%s`, promURL, step, q.String())
	return writeFile(t, t.TempDir(), "live.yaml", cfg)
}
