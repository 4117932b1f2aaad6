package source_test

import (
	"errors"
	"os"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident/source"
)

func TestParseAlertsAlertmanagerAPI(t *testing.T) {
	b, err := os.ReadFile("../../../testdata/alerts/alertmanager-api-v2-alerts.json")
	if err != nil {
		t.Fatal(err)
	}
	as, err := source.ParseAlerts(b)
	if err != nil {
		t.Fatal(err)
	}
	// Four alerts, one silenced: three firing, earliest first.
	var names []string
	for _, a := range as {
		names = append(names, a.Name)
		if a.Format != source.FormatAlertmanagerAPI {
			t.Errorf("format %q", a.Format)
		}
	}
	if len(as) != 3 || as[0].Name != "LedgerJournalErrors" || as[0].Service != "ledger-service" {
		t.Fatalf("alerts %v", names)
	}
	for _, a := range as {
		if a.Service == "fraud-scorer" {
			t.Errorf("the silenced alert is kept: %+v", a)
		}
	}
	pay := as[1]
	if pay.Name != "PaymentsHighErrorRate" || pay.Runbook != "https://runbooks.example.com/payments-api/5xx" ||
		pay.StartsAt == nil || !pay.StartsAt.Equal(time.Date(2026, 3, 14, 11, 30, 0, 0, time.UTC)) || pay.Severity != "page" {
		t.Errorf("alert %+v", pay)
	}
	if _, err := source.ParseAlerts([]byte(`[]`)); !errors.Is(err, source.ErrNoFiring) {
		t.Errorf("empty listing: %v", err)
	}
	if _, err := source.ParseAlerts([]byte(`[{"labels":{"alertname":"x"},"status":{"state":"suppressed"}}]`)); !errors.Is(err, source.ErrNoFiring) {
		t.Errorf("all suppressed: %v", err)
	}
	if _, err := source.ParseAlerts([]byte(`[1,2]`)); err == nil {
		t.Error("an array of numbers is not an alert listing")
	}
}

func TestParseAlertsGrafana(t *testing.T) {
	b, err := os.ReadFile("../../../testdata/alerts/grafana-webhook-docs.json")
	if err != nil {
		t.Fatal(err)
	}
	as, err := source.ParseAlerts(b)
	if err != nil {
		t.Fatal(err)
	}
	if len(as) != 2 || as[0].Format != source.FormatGrafana || as[0].Name != "High memory usage" {
		t.Fatalf("%+v", as)
	}
	// Common labels merged under the alert's own; no service label.
	if as[0].Labels["team"] != "blue" || as[0].Labels["zone"] != "us-1" || as[0].Service != "" {
		t.Errorf("labels %v service %q", as[0].Labels, as[0].Service)
	}
	// +02:00 in the payload, UTC in the alert.
	if want := time.Date(2021, 10, 12, 7, 51, 3, 157076000, time.UTC); !as[0].StartsAt.Equal(want) || as[0].StartsAt.Location() != time.UTC {
		t.Errorf("startsAt %v", as[0].StartsAt)
	}
	if as[0].Runbook != "https://myrunbook.com/runbook/1234" || as[0].Link != "https://play.grafana.org/alerting/1afz29v7z/edit" {
		t.Errorf("runbook %q link %q", as[0].Runbook, as[0].Link)
	}
	g := source.Group(as)
	if len(g.Related) != 1 || g.Related[0].Name != "High CPU usage" {
		t.Errorf("related %+v", g.Related)
	}
	resolved := []byte(`{"status":"resolved","orgId":1,"state":"ok","alerts":[{"status":"resolved","labels":{"alertname":"x"}}]}`)
	if _, err := source.ParseAlerts(resolved); !errors.Is(err, source.ErrNoFiring) {
		t.Errorf("resolved group: %v", err)
	}
}
