package source

import (
	"cmp"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"
)

// Alert is the part of an incoming page the investigation needs, from an
// Alertmanager webhook or a PagerDuty v3 webhook event.
type Alert struct {
	Format    string            `json:"format"` // alertmanager | pagerduty
	Name      string            `json:"name"`
	Summary   string            `json:"summary,omitempty"`
	Service   string            `json:"service,omitempty"`   // label value or PD service summary
	ServiceID string            `json:"serviceId,omitempty"` // PagerDuty service id
	Severity  string            `json:"severity,omitempty"`
	StartsAt  *time.Time        `json:"startsAt,omitempty"`
	Link      string            `json:"link,omitempty"`
	Labels    map[string]string `json:"labels,omitempty"`
}

type amWebhook struct {
	Status       string            `json:"status"`
	CommonLabels map[string]string `json:"commonLabels"`
	ExternalURL  string            `json:"externalURL"`
	Alerts       []struct {
		Status       string            `json:"status"`
		Labels       map[string]string `json:"labels"`
		Annotations  map[string]string `json:"annotations"`
		StartsAt     time.Time         `json:"startsAt"`
		GeneratorURL string            `json:"generatorURL"`
	} `json:"alerts"`
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

// ParseAlert reads an Alertmanager webhook payload or a PagerDuty v3
// webhook event. With several alerts in one group, the earliest firing one
// is the incident; its labels are merged over the group's common labels.
func ParseAlert(b []byte) (*Alert, error) {
	var probe map[string]json.RawMessage
	if err := json.Unmarshal(b, &probe); err != nil {
		return nil, fmt.Errorf("alert is not a JSON object: %w", err)
	}
	if _, ok := probe["event"]; ok {
		var pd pdWebhook
		if err := json.Unmarshal(b, &pd); err != nil {
			return nil, fmt.Errorf("pagerduty webhook: %w", err)
		}
		d := pd.Event.Data
		a := &Alert{Format: "pagerduty", Name: d.Title, Summary: d.Title, Service: d.Service.Summary,
			ServiceID: d.Service.ID, Severity: d.Urgency, Link: d.HTMLURL}
		if t := firstTime(d.CreatedAt, pd.Event.OccurredAt); !t.IsZero() {
			a.StartsAt = tp(t)
		}
		return a, nil
	}
	if _, ok := probe["alerts"]; !ok {
		return nil, fmt.Errorf("alert has neither \"alerts\" (Alertmanager) nor \"event\" (PagerDuty v3)")
	}
	var am amWebhook
	if err := json.Unmarshal(b, &am); err != nil {
		return nil, fmt.Errorf("alertmanager webhook: %w", err)
	}
	if len(am.Alerts) == 0 {
		return nil, fmt.Errorf("alertmanager webhook has no alerts")
	}
	idx := 0
	for i, al := range am.Alerts {
		firing := al.Status != "resolved"
		best := am.Alerts[idx]
		if firing && (best.Status == "resolved" || (!al.StartsAt.IsZero() && al.StartsAt.Before(best.StartsAt))) {
			idx = i
		}
	}
	al := am.Alerts[idx]
	labels := map[string]string{}
	for k, v := range am.CommonLabels {
		labels[k] = v
	}
	for k, v := range al.Labels {
		labels[k] = v
	}
	a := &Alert{Format: "alertmanager", Name: labels["alertname"], Severity: labels["severity"],
		Labels: labels, Link: al.GeneratorURL}
	a.Summary = cmp.Or(al.Annotations["summary"], al.Annotations["description"], al.Annotations["message"])
	for _, k := range []string{"service", "component", "app", "job", "backstage_entity"} {
		if v := labels[k]; v != "" {
			a.Service = v
			break
		}
	}
	if !al.StartsAt.IsZero() {
		a.StartsAt = tp(al.StartsAt)
	}
	return a, nil
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
