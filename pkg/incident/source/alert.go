package source

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Alert formats ParseAlerts recognises.
const (
	FormatAlertmanager    = "alertmanager"     // Alertmanager webhook payload
	FormatAlertmanagerAPI = "alertmanager-api" // GET /api/v2/alerts array
	FormatGrafana         = "grafana"          // Grafana alerting webhook
	FormatPagerDuty       = "pagerduty"        // PagerDuty v3 webhook event
)

// Alert is the part of an incoming page the investigation needs.
type Alert struct {
	Format    string            `json:"format"`
	Name      string            `json:"name"`
	Summary   string            `json:"summary,omitempty"`
	Service   string            `json:"service,omitempty"`   // label value or PD service summary
	ServiceID string            `json:"serviceId,omitempty"` // PagerDuty service id
	Severity  string            `json:"severity,omitempty"`
	StartsAt  *time.Time        `json:"startsAt,omitempty"`
	Link      string            `json:"link,omitempty"`
	Runbook   string            `json:"runbook,omitempty"` // runbook_url annotation
	Labels    map[string]string `json:"labels,omitempty"`
	// Related are the other firing alerts for the same entity in the same
	// input (a group or an /api/v2/alerts listing), earliest first.
	Related []RelatedAlert `json:"related,omitempty"`
	// Elsewhere are the earliest firing alerts of the other entities in
	// the same input (an /api/v2/alerts listing).
	Elsewhere []EntityAlert `json:"elsewhere,omitempty"`
}

// EntityAlert is a firing alert of another catalog entity.
type EntityAlert struct {
	Entity   string     `json:"entity"`
	Name     string     `json:"name"`
	StartsAt *time.Time `json:"startsAt,omitempty"`
}

// RelatedAlert is another firing alert for the investigated entity.
type RelatedAlert struct {
	Name     string     `json:"name"`
	Summary  string     `json:"summary,omitempty"`
	StartsAt *time.Time `json:"startsAt,omitempty"`
}

// ErrNoFiring is wrapped when an input holds alerts but none is firing.
var ErrNoFiring = errors.New("no firing alert")

// ServiceLabels are the alert labels that name the affected service, in
// the order they are tried.
var ServiceLabels = []string{"service", "component", "app", "job", "backstage_entity"}

// amAlert is one alert in an Alertmanager (or Grafana) webhook or in the
// /api/v2/alerts array. Status is a string in webhooks ("firing") and an
// object in the API ({"state": "active", ...}), so it is decoded by hand.
type amAlert struct {
	Status       json.RawMessage   `json:"status"`
	Labels       map[string]string `json:"labels"`
	Annotations  map[string]string `json:"annotations"`
	StartsAt     time.Time         `json:"startsAt"`
	EndsAt       time.Time         `json:"endsAt"`
	GeneratorURL string            `json:"generatorURL"`
	// Grafana only.
	DashboardURL string `json:"dashboardURL"`
	PanelURL     string `json:"panelURL"`
}

// firing reports whether the alert is firing and not silenced or
// inhibited: webhook "firing", API state "active" (or "unprocessed", which
// Alertmanager reports before its first pass over a new alert).
func (a amAlert) firing() bool {
	var s string
	if json.Unmarshal(a.Status, &s) == nil {
		return s == "" || s == "firing"
	}
	var st struct {
		State string `json:"state"`
	}
	if json.Unmarshal(a.Status, &st) == nil {
		return st.State == "" || st.State == "active" || st.State == "unprocessed"
	}
	return false
}

type amWebhook struct {
	Status            string            `json:"status"`
	CommonLabels      map[string]string `json:"commonLabels"`
	CommonAnnotations map[string]string `json:"commonAnnotations"`
	ExternalURL       string            `json:"externalURL"`
	Alerts            []amAlert         `json:"alerts"`
	// Grafana's webhook adds these to Alertmanager's shape.
	OrgID *json.Number `json:"orgId"`
	State string       `json:"state"`
	Title string       `json:"title"`
}

type pdWebhook struct {
	Event *struct {
		EventType  string    `json:"event_type"`
		OccurredAt time.Time `json:"occurred_at"`
		Data       struct {
			Title     string    `json:"title"`
			HTMLURL   string    `json:"html_url"`
			CreatedAt time.Time `json:"created_at"`
			Urgency   string    `json:"urgency"`
			Service   struct {
				ID      string `json:"id"`
				Summary string `json:"summary"`
			} `json:"service"`
		} `json:"data"`
	} `json:"event"`
}

// ParseAlerts reads an Alertmanager webhook payload, the Alertmanager API's
// GET /api/v2/alerts array, a Grafana alerting webhook or a PagerDuty v3
// webhook event, and returns its firing alerts (silenced, inhibited and
// resolved ones are left out), earliest first. A group's common labels and
// annotations are merged under each alert's own.
func ParseAlerts(b []byte) ([]Alert, error) {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '[' {
		var list []amAlert
		if err := json.Unmarshal(b, &list); err != nil {
			return nil, fmt.Errorf("alertmanager /api/v2/alerts array: %w", err)
		}
		out := fromAM(FormatAlertmanagerAPI, list, nil, nil)
		if len(out) == 0 {
			return nil, fmt.Errorf("%w in the /api/v2/alerts array (%d alerts, all silenced, inhibited or resolved)", ErrNoFiring, len(list))
		}
		return out, nil
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("alert is neither a JSON object nor an /api/v2/alerts array: %w", err)
	}
	if _, ok := probe["event"]; ok {
		var pd pdWebhook
		if err := json.Unmarshal(b, &pd); err != nil || pd.Event == nil {
			return nil, fmt.Errorf("pagerduty webhook: %w", cmp.Or(err, fmt.Errorf("\"event\" is not an object")))
		}
		d := pd.Event.Data
		a := Alert{Format: FormatPagerDuty, Name: d.Title, Summary: d.Title, Service: d.Service.Summary,
			ServiceID: d.Service.ID, Severity: d.Urgency, Link: d.HTMLURL}
		if t := firstTime(d.CreatedAt, pd.Event.OccurredAt); !t.IsZero() {
			a.StartsAt = tp(t)
		}
		return []Alert{a}, nil
	}
	if _, ok := probe["alerts"]; !ok {
		return nil, fmt.Errorf("alert has neither \"alerts\" (Alertmanager or Grafana webhook) nor \"event\" (PagerDuty v3), and is not an /api/v2/alerts array")
	}
	var am amWebhook
	if err := json.Unmarshal(b, &am); err != nil {
		return nil, fmt.Errorf("alertmanager webhook: %w", err)
	}
	format := FormatAlertmanager
	if am.OrgID != nil || am.State != "" {
		format = FormatGrafana
	}
	if len(am.Alerts) == 0 {
		return nil, fmt.Errorf("%s webhook has no alerts", format)
	}
	out := fromAM(format, am.Alerts, am.CommonLabels, am.CommonAnnotations)
	if len(out) == 0 {
		return nil, fmt.Errorf("%w in the %s webhook (%d resolved)", ErrNoFiring, format, len(am.Alerts))
	}
	return out, nil
}

// ParseAlert is ParseAlerts reduced to one alert: the earliest firing one,
// with the rest for the same service as Related.
func ParseAlert(b []byte) (*Alert, error) {
	as, err := ParseAlerts(b)
	if err != nil {
		return nil, err
	}
	return Group(as), nil
}

// Group makes the earliest alert the incident and lists the others as
// related. as must be non-empty and sorted earliest first.
func Group(as []Alert) *Alert {
	a := as[0]
	a.Related, a.Elsewhere = nil, nil
	for _, o := range as[1:] {
		a.Related = append(a.Related, RelatedAlert{Name: o.Name, Summary: o.Summary, StartsAt: o.StartsAt})
	}
	return &a
}

func fromAM(format string, list []amAlert, common, commonAnno map[string]string) []Alert {
	var out []Alert
	for _, al := range list {
		if !al.firing() {
			continue
		}
		labels := map[string]string{}
		for k, v := range common {
			labels[k] = v
		}
		for k, v := range al.Labels {
			labels[k] = v
		}
		anno := map[string]string{}
		for k, v := range commonAnno {
			anno[k] = v
		}
		for k, v := range al.Annotations {
			anno[k] = v
		}
		a := Alert{Format: format, Name: labels["alertname"], Severity: labels["severity"], Labels: labels,
			Link:    cmp.Or(al.PanelURL, al.DashboardURL, al.GeneratorURL),
			Summary: cmp.Or(anno["summary"], anno["description"], anno["message"]),
			Runbook: cmp.Or(anno["runbook_url"], anno["runbook"])}
		for _, k := range ServiceLabels {
			if v := labels[k]; v != "" {
				a.Service = v
				break
			}
		}
		if !al.StartsAt.IsZero() {
			a.StartsAt = tp(al.StartsAt.UTC())
		}
		out = append(out, a)
	}
	sort.SliceStable(out, func(i, j int) bool {
		ti, tj := out[i].StartsAt, out[j].StartsAt
		switch {
		case ti == nil:
			return false
		case tj == nil:
			return true
		}
		return ti.Before(*tj)
	})
	return out
}

// LabelString renders labels sorted, for evidence text.
func (a *Alert) LabelString() string {
	keys := make([]string, 0, len(a.Labels))
	for k := range a.Labels {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + a.Labels[k]
	}
	return strings.Join(parts, " ")
}

func firstTime(ts ...time.Time) time.Time {
	for _, t := range ts {
		if !t.IsZero() {
			return t
		}
	}
	return time.Time{}
}
