package source_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/incident/incidenttest"
	"github.com/bsai-dev/bsai/pkg/incident/source"
)

func TestTopologyFromCatalog(t *testing.T) {
	g := incidenttest.ExampleCatalog(t)
	topo := source.BuildTopology(g, "component:default/payments-api")
	for _, want := range []string{"resource:default/payments-db", "component:default/card-gateway-adapter",
		"resource:default/payment-events", "component:default/fraud-scorer", "component:default/ledger-service"} {
		if !topo.Direct[want] {
			t.Errorf("direct dependencies %v miss %s", topo.Dependencies, want)
		}
	}
	if !contains(topo.Dependencies, "resource:default/feature-store") {
		t.Errorf("transitive dependency feature-store missing: %v", topo.Dependencies)
	}
	for _, want := range []string{"component:default/checkout-web", "component:default/order-service"} {
		if !contains(topo.Dependents, want) {
			t.Errorf("dependents %v miss %s", topo.Dependents, want)
		}
	}
	if len(topo.Owners) == 0 || topo.Owners[0] != "group:default/payments-team" {
		t.Errorf("owners %v", topo.Owners)
	}
	found := false
	for _, oc := range topo.OnCall {
		if oc.Owner == "group:default/payments-team" && oc.PagerDuty == "PPAYMNT" && oc.Contact == "#payments-oncall" {
			found = true
		}
	}
	if !found {
		t.Errorf("on-call annotations not read: %+v", topo.OnCall)
	}
}

func TestResolveFocus(t *testing.T) {
	g := incidenttest.ExampleCatalog(t)
	for _, tc := range []struct {
		service string
		alert   *source.Alert
		want    string
	}{
		{"payments-api", nil, "component:default/payments-api"}, // a component and an API share the name
		{"component:default/fraud-scorer", nil, "component:default/fraud-scorer"},
		{"", &source.Alert{Service: "ledger-service"}, "component:default/ledger-service"},
		{"", &source.Alert{ServiceID: "PPAYAPI", Service: "Payments API (prod)"}, "component:default/payments-api"},
	} {
		got, err := source.ResolveFocus(g, tc.service, tc.alert)
		if err != nil || got != tc.want {
			t.Errorf("ResolveFocus(%q, %+v) = %q, %v; want %q", tc.service, tc.alert, got, err, tc.want)
		}
	}
	if _, err := source.ResolveFocus(g, "nope", nil); err == nil {
		t.Error("unknown service should fail")
	}
}

func TestParseAlert(t *testing.T) {
	am := `{"version":"4","status":"firing","commonLabels":{"alertname":"HighErrorRate","team":"payments"},
	 "alerts":[
	  {"status":"firing","labels":{"alertname":"HighErrorRate","job":"payments-api","severity":"page"},"annotations":{"summary":"later"},"startsAt":"2026-03-14T10:05:00Z","generatorURL":"http://prom/g"},
	  {"status":"firing","labels":{"alertname":"HighErrorRate","service":"payments-api","severity":"page"},"annotations":{"description":"5xx above 5%"},"startsAt":"2026-03-14T10:00:00Z"},
	  {"status":"resolved","labels":{"alertname":"HighErrorRate","service":"payments-api"},"startsAt":"2026-03-14T09:00:00Z"}]}`
	a, err := source.ParseAlert([]byte(am))
	if err != nil {
		t.Fatal(err)
	}
	if a.Format != "alertmanager" || a.Name != "HighErrorRate" || a.Service != "payments-api" || a.Summary != "5xx above 5%" ||
		!a.StartsAt.Equal(incidenttest.At("2026-03-14T10:00:00Z")) || a.Labels["team"] != "payments" {
		t.Errorf("alertmanager: %+v", a)
	}
	pd := `{"event":{"id":"01DEN5T3K","event_type":"source.triggered","resource_type":"incident","occurred_at":"2026-03-14T10:01:00.000Z",
	  "data":{"id":"Q1","type":"incident","title":"Payments API error rate","html_url":"https://acme.pagerduty.com/incidents/Q1",
	  "created_at":"2026-03-14T10:00:30Z","urgency":"high","service":{"id":"PPAYAPI","summary":"Payments API","type":"service_reference"}}}}`
	a, err = source.ParseAlert([]byte(pd))
	if err != nil {
		t.Fatal(err)
	}
	if a.Format != "pagerduty" || a.ServiceID != "PPAYAPI" || a.Severity != "high" || !a.StartsAt.Equal(incidenttest.At("2026-03-14T10:00:30Z")) {
		t.Errorf("pagerduty: %+v", a)
	}
	for _, bad := range []string{`[]`, `{"foo":1}`, `{"alerts":[]}`, `not json`} {
		if _, err := source.ParseAlert([]byte(bad)); err == nil {
			t.Errorf("ParseAlert(%s) should fail", bad)
		}
	}
}

func TestMask(t *testing.T) {
	testkit.StringCases(t, "Mask", source.Mask, map[string]string{
		"payment 123 failed for user 9f1c2e3a-1b2c-4d5e-8f90-0a1b2c3d4e5f": "payment <*> failed for user <*>",
		"timeout after 5000ms talking to 10.0.3.17:5432":                   "timeout after <*> talking to <*>:<*>",
		"request deadbeefcafe and 12345678 and ab12cd34 and 1ef":           "request <*> and <*> and <*> and <*>",
		"order ord_8812 rejected in 41.5ms.":                               "order <*> rejected in <*>.",
		"x509: certificate signed by unknown authority; POST /v1/journal":  "x509: certificate signed by unknown authority; POST /v1/journal",
		"panic in threeds.Verify  (k8s pod payments-api-7d9f4)":            "panic in threeds.Verify (<*> pod <*>)",
		"connection refused": "connection refused",
	})
	a := source.TemplateID("component:default/a", source.Mask("x 1"))
	if a != source.TemplateID("component:default/a", source.Mask("x 2")) || a == source.TemplateID("component:default/b", source.Mask("x 1")) {
		t.Error("template ids should be per entity and ignore masked parts")
	}
}

func TestAnalyzeSeries(t *testing.T) {
	base := incidenttest.At("2026-03-14T10:00:00Z")
	mk := func(f func(i int) float64) []source.Point {
		var p []source.Point
		for i := 0; i < 30; i++ {
			p = append(p, source.Point{T: base.Add(time.Duration(i) * time.Minute), V: f(i)})
		}
		return p
	}
	wobble := func(i int) float64 { return 0.0005 * float64(i%3) }
	step := source.AnalyzeSeries("e", "errors", mk(func(i int) float64 {
		if i >= 20 {
			return 0.1
		}
		return 0.004 + wobble(i)
	}), 0)
	if step.Breach == nil || !step.Breach.Equal(base.Add(20*time.Minute)) {
		t.Errorf("step breach %v", step.Breach)
	}
	flat := source.AnalyzeSeries("e", "errors", mk(func(i int) float64 { return 0.004 + wobble(i) }), 0)
	if flat.Breach != nil {
		t.Errorf("steady series breached at %v", flat.Breach)
	}
	spike := source.AnalyzeSeries("e", "errors", mk(func(i int) float64 {
		if i == 15 {
			return 0.5 // one sample is a blip, not an onset
		}
		return 0.004 + wobble(i)
	}), 0)
	if spike.Breach != nil {
		t.Errorf("single spike counted as breach at %v", spike.Breach)
	}
	thr := source.AnalyzeSeries("e", "latency_p99", mk(func(i int) float64 { return 0.1 * float64(i) }), 2.05)
	if thr.Breach == nil || !thr.Breach.Equal(base.Add(21*time.Minute)) || thr.Class != "latency" {
		t.Errorf("threshold breach %v class %s", thr.Breach, thr.Class)
	}
	sat := source.AnalyzeSeries("db", "db_connections_utilization", mk(func(i int) float64 {
		return 0.4 + 0.03*float64(max(0, i-18))
	}), 0)
	if sat.Class != "saturation" || sat.Breach == nil {
		t.Errorf("saturation %+v", sat)
	}
}

func TestPrometheusLive(t *testing.T) {
	g := incidenttest.ExampleCatalog(t)
	start, end := incidenttest.At("2026-03-14T08:00:00Z"), incidenttest.At("2026-03-14T10:30:00Z")
	s, topo := incidenttest.Scope(g, "component:default/payments-api", start, end)
	prom := incidenttest.NewPrometheus(t, func(q string) map[string][]incidenttest.Sample {
		svc := ""
		if i := strings.Index(q, `service="`); i >= 0 {
			svc = q[i+9:]
			svc = svc[:strings.IndexByte(svc, '"')]
		}
		var out []incidenttest.Sample
		for tm := start; !tm.After(end); tm = tm.Add(time.Minute) {
			v := 0.002
			if svc == "fraud-scorer" && tm.After(incidenttest.At("2026-03-14T10:02:00Z")) {
				v = 0.3
			}
			out = append(out, incidenttest.Sample{T: tm, V: v})
		}
		return map[string][]incidenttest.Sample{"service=" + svc: out}
	})
	src := &source.PromSource{URL: prom.URL, Step: time.Minute,
		Queries: map[string]string{"errors": `sum(rate(http_requests_total{service="{{.Service}}",code=~"5.."}[5m]))`}}
	ev, err := src.Collect(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(prom.Queries) != len(s.Entities) {
		t.Errorf("want one query per entity (%d), got %d", len(s.Entities), len(prom.Queries))
	}
	var fraud *source.Evidence
	for i := range ev {
		if ev[i].Entity == "component:default/fraud-scorer" {
			fraud = &ev[i]
		}
	}
	if fraud == nil || fraud.Signal == nil || fraud.Signal.Breach == nil || !strings.Contains(fraud.Link, "/graph?g0.expr=") {
		t.Fatalf("fraud-scorer breach not found: %+v", fraud)
	}
	_ = topo
	// A query error comes back in Prometheus's error envelope.
	bad := &source.PromSource{URL: prom.URL, Queries: map[string]string{"x": "{{.Nope}}"}}
	if _, err := bad.Collect(context.Background(), s); err == nil {
		t.Error("template with an unknown field should fail")
	}
	down := &source.PromSource{URL: "http://127.0.0.1:1", Queries: map[string]string{"errors": "up"}}
	if _, err := down.Collect(context.Background(), s); err == nil {
		t.Error("unreachable prometheus should fail")
	}
}

func TestLokiLive(t *testing.T) {
	g := incidenttest.ExampleCatalog(t)
	start, end := incidenttest.At("2026-03-14T08:00:00Z"), incidenttest.At("2026-03-14T10:30:00Z")
	s, _ := incidenttest.Scope(g, "component:default/payments-api", start, end)
	var lines []incidenttest.LogLine
	for i := 0; i < 20; i++ {
		lines = append(lines, incidenttest.LogLine{T: incidenttest.At("2026-03-14T10:00:00Z").Add(time.Duration(i) * 10 * time.Second),
			Labels: map[string]string{"service": "payments-api"},
			Line:   fmt.Sprintf(`{"level":"error","msg":"ledger-api POST /v1/journal returned 500 for payment pay_%d"}`, 1000+i)})
		lines = append(lines, incidenttest.LogLine{T: incidenttest.At("2026-03-14T09:00:00Z").Add(time.Duration(i) * time.Minute),
			Labels: map[string]string{"service": "payments-api"}, Line: fmt.Sprintf("authorised payment pay_%d", i)})
	}
	loki := incidenttest.NewLoki(t, lines)
	src := &source.LokiSource{URL: loki.URL, TenantID: "acme"}
	ev, err := src.Collect(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 1 || ev[0].Template == nil || ev[0].Template.Count != 20 ||
		ev[0].Template.Text != "ledger-api POST /v1/journal returned <*> for payment <*>" {
		t.Fatalf("want one template with 20 lines, got %+v", ev)
	}
	if loki.Tenants[0] != "acme" || !strings.Contains(loki.Queries[0], `{service="payments-api"}`) {
		t.Errorf("queries %v tenants %v", loki.Queries, loki.Tenants)
	}
}

func TestScaffolderHistory(t *testing.T) {
	g := incidenttest.ExampleCatalog(t)
	start, end := incidenttest.At("2026-03-14T08:00:00Z"), incidenttest.At("2026-03-14T10:30:00Z")
	s, _ := incidenttest.Scope(g, "component:default/payments-api", start, end)
	task := func(id, tpl, created, status string, params map[string]any) map[string]any {
		return map[string]any{"id": id, "status": status, "createdAt": created, "createdBy": "user:default/alice",
			"spec": map[string]any{"templateInfo": map[string]any{"entityRef": tpl}, "parameters": params,
				"user": map[string]any{"ref": "user:default/alice"}}}
	}
	fake := incidenttest.NewScaffolder(t, []map[string]any{
		task("t1", "template:default/deploy-service", "2026-03-14T09:50:00Z", "completed", map[string]any{"component": "payments-api", "version": "v2.14.0"}),
		task("t2", "template:default/create-react-app", "2026-03-14T09:55:00Z", "completed", map[string]any{"owner": "team"}),
		task("t3", "template:default/deploy-service", "2026-03-13T09:50:00Z", "completed", map[string]any{"component": "payments-api", "version": "v2.13.0"}),
	})
	fake.Token = "s3cret"
	src := &source.ScaffolderSource{Client: backstage.New(fake.URL, "s3cret", nil), BaseURL: "https://backstage.acme.example.com"}
	ev, err := src.Collect(context.Background(), s)
	if err != nil {
		t.Fatal(err)
	}
	if len(ev) != 1 || ev[0].Change == nil || ev[0].Change.Version != "v2.14.0" || ev[0].Kind != source.KindDeploy ||
		ev[0].Entity != "component:default/payments-api" || ev[0].Link != "https://backstage.acme.example.com/create/tasks/t1" {
		t.Fatalf("scaffolder evidence %+v", ev)
	}
	wrong := &source.ScaffolderSource{Client: backstage.New(fake.URL, "wrong", nil)}
	if _, err := wrong.Collect(context.Background(), s); err == nil || strings.Contains(err.Error(), "wrong") {
		t.Errorf("bad token should fail without echoing it: %v", err)
	}
}

func TestDeployFileErrors(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "d.jsonl")
	os.WriteFile(p, []byte("# comment\n{\"time\":\"2026-03-14T10:00:00Z\",\"entity\":\"x\"}\n{\"entity\":\"y\"}\n"), 0o600)
	src := &source.DeployFileSource{Files: []string{p}}
	_, err := src.Collect(context.Background(), source.Scope{Start: incidenttest.At("2026-03-14T00:00:00Z"), End: incidenttest.At("2026-03-15T00:00:00Z")})
	if err == nil || !strings.Contains(err.Error(), "line 3") {
		t.Errorf("want a line-numbered error, got %v", err)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
