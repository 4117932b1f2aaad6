package incident_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/cmd/root"
	"github.com/bsai-dev/bsai/pkg/errs"
)

const (
	amListing   = "../../testdata/alerts/alertmanager-api-v2-alerts.json"
	grafanaHook = "../../testdata/alerts/grafana-webhook-docs.json"
	noisyConfig = "../../examples/incidents/noisy-deploy/app-config.yaml"
)

// executeIO is execute with stdin and, when tty is set, a terminal on
// stdin and stderr (so bsai may ask).
func executeIO(t *testing.T, stdin string, tty bool, args ...string) (string, string, int) {
	t.Helper()
	f, out, errOut := newFactory(t)
	f.IOStreams.In = strings.NewReader(stdin)
	if tty {
		f.IOStreams.SetTTY(true, false, true)
	}
	code := root.Execute(context.Background(), f, args)
	return out.String(), errOut.String(), code
}

type alertReport struct {
	Service string
	Alert   *struct {
		Format, Name string
		Related      []struct{ Name string }
	}
	Evidence []struct{ Kind, Detail string }
	Timeline []struct{ Kind, Entity, Text string }
}

func decodeReport(t *testing.T, out, stderr string) alertReport {
	t.Helper()
	var rep alertReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatalf("%v\nstdout %s\nstderr %s", err, out, stderr)
	}
	return rep
}

// `curl $AM/api/v2/alerts | bsai incident investigate --alert -`: two
// entities alert (a third is silenced); without a terminal and without
// --service that is a usage error naming the candidates.
func TestAlertmanagerListingNeedsAChoice(t *testing.T) {
	listing, err := os.ReadFile(amListing)
	if err != nil {
		t.Fatal(err)
	}
	_, stderr, code := executeIO(t, string(listing), false, "-c", noisyConfig, "--offline", "incident", "investigate", "--alert", "-", "-o", "json")
	if code != errs.ExitUsage || !strings.Contains(stderr, "component:default/ledger-service: LedgerJournalErrors since 2026-03-14 11:24 UTC") ||
		!strings.Contains(stderr, "component:default/payments-api: PaymentsHighErrorRate since 2026-03-14 11:30 UTC (+1 more)") ||
		strings.Contains(stderr, "fraud-scorer") || !strings.Contains(stderr, "hint: pass --service") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}

	// --service picks that entity's alerts: the earliest is the incident,
	// the other is related.
	out, stderr, code := executeIO(t, string(listing), false, "-c", noisyConfig, "--offline", "incident", "investigate", "--alert", "-", "--service", "payments-api", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep := decodeReport(t, out, stderr)
	if rep.Service != "component:default/payments-api" || rep.Alert == nil || rep.Alert.Format != "alertmanager-api" ||
		rep.Alert.Name != "PaymentsHighErrorRate" || len(rep.Alert.Related) != 1 || rep.Alert.Related[0].Name != "PaymentsLatencyHigh" {
		t.Errorf("report %+v alert %+v", rep.Service, rep.Alert)
	}
	cited := false
	for _, e := range rep.Evidence {
		cited = cited || e.Kind == "alert" && strings.Contains(e.Detail, "also firing: PaymentsLatencyHigh since 11:33")
	}
	if !cited {
		t.Errorf("alert evidence does not mention the related alert: %+v", rep.Evidence)
	}
	// The dependency alerting in the same listing is on the timeline.
	onTimeline := false
	for _, e := range rep.Timeline {
		onTimeline = onTimeline || e.Kind == "alert" && e.Entity == "component:default/ledger-service" && e.Text == "alert LedgerJournalErrors fired on ledger-service"
	}
	if !onTimeline {
		t.Errorf("the alerting dependency is not on the timeline: %+v", rep.Timeline)
	}

	// --service naming an entity that is not alerting, among several that are.
	_, stderr, code = executeIO(t, string(listing), false, "-c", noisyConfig, "--offline", "incident", "investigate", "--alert", "-", "--service", "checkout-web")
	if code != errs.ExitUsage || !strings.Contains(stderr, "no firing alert for component:default/checkout-web") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

// With bsai.incident.sources.alertmanager set, `incident investigate` with
// no flags reads /api/v2/alerts itself; on a terminal it asks which entity.
func TestAlertmanagerSourceAsksOnTerminal(t *testing.T) {
	listing, err := os.ReadFile(amListing)
	if err != nil {
		t.Fatal(err)
	}
	var query string
	am := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/v2/alerts" {
			http.NotFound(w, r)
			return
		}
		query = r.URL.RawQuery
		w.Header().Set("Content-Type", "application/json")
		w.Write(listing)
	}))
	defer am.Close()
	over := filepath.Join(t.TempDir(), "am.yaml")
	os.WriteFile(over, []byte("bsai:\n  incident:\n    sources:\n      alertmanager:\n        url: "+am.URL+"\n"), 0o600)
	out, stderr, code := executeIO(t, "2\n", true, "-c", noisyConfig, "-c", over, "--offline", "incident", "investigate", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep := decodeReport(t, out, stderr)
	if !strings.Contains(stderr, "2 entities have firing alerts; investigate which?") || !strings.Contains(stderr, "  2) component:default/payments-api") ||
		rep.Service != "component:default/payments-api" || rep.Alert == nil || rep.Alert.Name != "PaymentsHighErrorRate" {
		t.Errorf("service %s alert %+v\nstderr:\n%s", rep.Service, rep.Alert, stderr)
	}
	if !strings.Contains(query, "silenced=false") || !strings.Contains(query, "inhibited=false") {
		t.Errorf("query %q should leave silenced and inhibited alerts out", query)
	}

	// Nothing firing and no --service: a usage error, not an empty report.
	empty := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { w.Write([]byte("[]")) }))
	defer empty.Close()
	os.WriteFile(over, []byte("bsai:\n  incident:\n    sources:\n      alertmanager:\n        url: "+empty.URL+"\n"), 0o600)
	_, stderr, code = executeIO(t, "", false, "-c", noisyConfig, "-c", over, "--offline", "incident", "investigate")
	if code != errs.ExitUsage || !strings.Contains(stderr, "nothing is firing in Alertmanager") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
	// With --service it investigates without an alert.
	_, stderr, code = executeIO(t, "", false, "-c", noisyConfig, "-c", over, "--offline", "incident", "investigate", "--service", "payments-api", "--at", "2026-03-14T11:40:00Z", "-o", "json")
	if code != 0 {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

// Grafana's documented webhook example labels its alerts by team and zone,
// not service: --service says what it is about; without it the error says
// what to pass.
func TestGrafanaWebhook(t *testing.T) {
	out, stderr, code := executeIO(t, "", false, "-c", noisyConfig, "--offline", "incident", "investigate", "--alert", grafanaHook, "--service", "payments-api", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep := decodeReport(t, out, stderr)
	if rep.Alert == nil || rep.Alert.Format != "grafana" || rep.Alert.Name != "High memory usage" || len(rep.Alert.Related) != 1 {
		t.Errorf("alert %+v", rep.Alert)
	}
	_, stderr, code = executeIO(t, "", false, "-c", noisyConfig, "--offline", "incident", "investigate", "--alert", grafanaHook)
	if code != errs.ExitUsage || !strings.Contains(stderr, "--service") {
		t.Errorf("exit %d, stderr:\n%s", code, stderr)
	}
}

// A webhook with --service: the flag overrides the alert's service label
// (one notification is one incident; the person says which service).
func TestServiceOverridesWebhookLabel(t *testing.T) {
	out, stderr, code := executeIO(t, "", false, "-c", noisyConfig, "--offline", "incident", "investigate",
		"--alert", "../../examples/incidents/noisy-deploy/alert.json", "--service", "ledger-service", "-o", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	rep := decodeReport(t, out, stderr)
	if rep.Service != "component:default/ledger-service" || rep.Alert == nil || rep.Alert.Format != "alertmanager" {
		t.Errorf("service %s alert %+v", rep.Service, rep.Alert)
	}
}
