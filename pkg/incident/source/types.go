// Package source gathers an investigation's evidence: the catalog topology
// around the alerting service, the alert itself (Alertmanager, PagerDuty),
// deploys (JSONL files, scaffolder history), metrics (files, Prometheus),
// logs (JSONL files, Loki) and MCP tools. Every source turns what it reads
// into []Evidence for one Scope; none of them ranks anything.
package source

import (
	"context"
	"strings"
	"time"
)

// Scope is what an investigation looks at: the focus entity, its
// neighbourhood in the catalog, and a time window.
type Scope struct {
	Focus string // entity ref of the alerting service
	// Entities are every ref worth collecting signals for: focus,
	// dependencies (transitive, bounded) and direct dependents.
	Entities []string
	// Names maps entity ref → the service name used in metric/log labels
	// (prometheus.io/service annotation or metadata.name).
	Names map[string]string
	Start time.Time
	End   time.Time
}

// ServiceName returns the label name for ref.
func (s Scope) ServiceName(ref string) string {
	if n := s.Names[ref]; n != "" {
		return n
	}
	return RefName(ref)
}

// EntityFor maps a label value (service/job/app) back to a scope entity ref,
// "" when the label names nothing in scope.
func (s Scope) EntityFor(label string) string {
	if label == "" {
		return ""
	}
	for _, ref := range s.Entities {
		if s.ServiceName(ref) == label || RefName(ref) == label || ref == label {
			return ref
		}
	}
	return ""
}

// SignalSource is one place evidence comes from.
type SignalSource interface {
	Name() string
	Collect(ctx context.Context, scope Scope) ([]Evidence, error)
}

// Evidence kinds.
const (
	KindDeploy      = "deploy"
	KindConfig      = "config"
	KindInfra       = "infra"
	KindMetric      = "metric"
	KindLogTemplate = "log-template"
	KindOwner       = "owner"
	KindTopology    = "topology"
	KindText        = "text"
	KindAlert       = "alert"
)

// Evidence is one fact with provenance. The JSON fields are the documented
// contract; the typed payloads feed the engine.
type Evidence struct {
	ID     string     `json:"id"`
	Source string     `json:"source"`
	Kind   string     `json:"kind"`
	Time   *time.Time `json:"time,omitempty"`
	Entity string     `json:"entity,omitempty"`
	Detail string     `json:"detail"`
	Link   string     `json:"link,omitempty"`

	Change   *Change   `json:"-"`
	Signal   *Signal   `json:"-"`
	Template *Template `json:"-"`
}

// Change is a deploy, config or infra change.
type Change struct {
	Time        time.Time `json:"time"`
	Entity      string    `json:"entity"`
	Version     string    `json:"version,omitempty"`
	Previous    string    `json:"previous,omitempty"`
	Author      string    `json:"author,omitempty"`
	Link        string    `json:"link,omitempty"`
	Kind        string    `json:"kind,omitempty"` // deploy | config | infra
	Description string    `json:"description,omitempty"`
	Status      string    `json:"status,omitempty"`
}

// Point is one sample of a series.
type Point struct {
	T time.Time
	V float64
}

// Signal is one metric series for one entity, with its analysis.
type Signal struct {
	Entity string
	Name   string // errors, latency, saturation, ...
	Class  string // errors | latency | saturation | traffic | other
	Points []Point
	// Baseline and Peak summarise the series; Breach is the first time it
	// left its baseline (or crossed its threshold) for good, nil if never.
	Baseline float64
	Peak     float64
	Breach   *time.Time
	// Max is the resource's known maximum (limit series, 1 for ratios, 100
	// for percentages), 0 when unknown; Saturated says the series left its
	// baseline and reached SaturatedAt of Max.
	Max       float64
	Saturated bool
}

// Template is a log error template (numbers, ids, uuids and hex masked).
type Template struct {
	ID      string
	Entity  string
	Text    string
	Example string
	Count   int
	First   time.Time
	Last    time.Time
	Level   string
	Times   []time.Time // every occurrence, sorted
}

// OnCall is an owner and how to reach them.
type OnCall struct {
	Owner     string `json:"owner"`
	PagerDuty string `json:"pagerduty,omitempty"`
	Contact   string `json:"contact,omitempty"`
}

func RefName(ref string) string {
	if i := strings.LastIndexByte(ref, '/'); i >= 0 {
		return ref[i+1:]
	}
	if i := strings.LastIndexByte(ref, ':'); i >= 0 {
		return ref[i+1:]
	}
	return ref
}

func tp(t time.Time) *time.Time { return &t }

// String is "owner (PagerDuty X, contact)".
func (oc OnCall) String() string {
	var extra []string
	if oc.PagerDuty != "" {
		extra = append(extra, "PagerDuty "+oc.PagerDuty)
	}
	if oc.Contact != "" {
		extra = append(extra, oc.Contact)
	}
	if len(extra) == 0 {
		return oc.Owner
	}
	return oc.Owner + " (" + strings.Join(extra, ", ") + ")"
}
