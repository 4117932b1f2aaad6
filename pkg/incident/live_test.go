package incident_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/incident/incidenttest"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// TestLiveSourcesEndToEnd wires every live source from config (scaffolder
// history, Prometheus, Loki) against fakes that speak the real protocols,
// and checks the ranking the evidence supports.
func TestLiveSourcesEndToEnd(t *testing.T) {
	alertAt := incidenttest.At("2026-03-14T11:30:00Z")
	start := alertAt.Add(-2 * time.Hour)
	ramp := func(svc string, from time.Time, lo, hi float64) []incidenttest.Sample {
		var out []incidenttest.Sample
		for tm := start; !tm.After(alertAt.Add(30 * time.Minute)); tm = tm.Add(time.Minute) {
			v := lo + 0.0002*float64(tm.Minute()%3)
			if !tm.Before(from) {
				v = hi
			}
			out = append(out, incidenttest.Sample{T: tm, V: v})
		}
		return out
	}
	prom := incidenttest.NewPrometheus(t, func(q string) map[string][]incidenttest.Sample {
		switch {
		case strings.Contains(q, `"ledger-service"`):
			return map[string][]incidenttest.Sample{"service=ledger-service": ramp("ledger-service", incidenttest.At("2026-03-14T11:22:00Z"), 0.001, 0.25)}
		case strings.Contains(q, `"payments-api"`):
			return map[string][]incidenttest.Sample{"service=payments-api": ramp("payments-api", incidenttest.At("2026-03-14T11:26:00Z"), 0.003, 0.07)}
		}
		return map[string][]incidenttest.Sample{}
	})
	var lines []incidenttest.LogLine
	for i := 0; i < 30; i++ {
		lines = append(lines, incidenttest.LogLine{T: incidenttest.At("2026-03-14T11:22:00Z").Add(time.Duration(i) * 20 * time.Second),
			Labels: map[string]string{"service": "ledger-service", "level": "error"},
			Line:   fmt.Sprintf(`ERROR: column "journal_entry_v2.currency" does not exist (SQLSTATE 42703) tx %x`, 0xabc000+i)})
	}
	loki := incidenttest.NewLoki(t, lines)
	scaf := incidenttest.NewScaffolder(t, []map[string]any{
		{"id": "a1", "status": "completed", "createdAt": "2026-03-14T11:18:00Z",
			"spec": map[string]any{"templateInfo": map[string]any{"entityRef": "template:default/deploy-service"},
				"parameters": map[string]any{"component": "ledger-service", "version": "v5.3.0"}, "user": map[string]any{"ref": "user:default/carol"}}},
		{"id": "a2", "status": "completed", "createdAt": "2026-03-14T11:27:00Z",
			"spec": map[string]any{"templateInfo": map[string]any{"entityRef": "template:default/deploy-service"},
				"parameters": map[string]any{"component": "checkout-web", "version": "9.1.0"}}},
	})
	cfg := config.FromMap(map[string]any{"bsai": map[string]any{"incident": map[string]any{"sources": map[string]any{
		"deploys": map[string]any{"scaffolder": true},
		"metrics": map[string]any{"prometheus": map[string]any{"url": prom.URL, "step": "1m"},
			"queries": map[string]any{"errors": `sum(rate(http_requests_total{service="{{.Service}}",code=~"5.."}[5m]))`}},
		"logs": map[string]any{"loki": map[string]any{"url": loki.URL}},
	}}}})
	ic, err := cfg.Incident()
	if err != nil {
		t.Fatal(err)
	}
	var warns []string
	rep, err := incident.Investigate(context.Background(), incident.Options{
		Graph: incidenttest.ExampleCatalog(t), Config: ic, Alert: &source.Alert{Format: "alertmanager", Name: "PaymentsHighErrorRate", Service: "payments-api", StartsAt: &alertAt},
		Now:  func() time.Time { return incidenttest.At("2026-11-26T00:00:00Z") },
		Deps: source.SourceDeps{Backstage: backstage.New(scaf.URL, "", nil), BackstageURL: "https://backstage.acme.example.com"},
		Warn: func(f string, a ...any) { warns = append(warns, fmt.Sprintf(f, a...)) },
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(warns) > 0 {
		t.Errorf("warnings: %v", warns)
	}
	top := rep.Causes[0]
	if top.Kind != "deploy" || top.Entity != "component:default/ledger-service" || !strings.Contains(top.Title, "v5.3.0") {
		b, _ := json.MarshalIndent(rep.Causes, "", " ")
		t.Fatalf("top cause %s", b)
	}
	sources := map[string]bool{}
	for _, e := range top.Evidence {
		sources[e.Source] = true
	}
	if !sources["scaffolder"] || !sources["prometheus"] || !sources["loki"] {
		t.Errorf("top cause should cite scaffolder, prometheus and loki evidence: %v", sources)
	}
	if !strings.HasPrefix(top.Evidence[0].Link, "https://backstage.acme.example.com/create/tasks/") {
		t.Errorf("deploy link %q", top.Evidence[0].Link)
	}
	if rep.OnsetSource != "alert" && !strings.HasPrefix(rep.OnsetSource, "metrics") {
		t.Errorf("onset source %q", rep.OnsetSource)
	}
}

func TestDeterministicOutput(t *testing.T) {
	a, _ := runScenario(t, scenarioRoot+"/noisy-deploy")
	b, _ := runScenario(t, scenarioRoot+"/noisy-deploy")
	ja, _ := json.Marshal(a)
	jb, _ := json.Marshal(b)
	if string(ja) != string(jb) {
		t.Error("two runs over the same inputs differ")
	}
}
