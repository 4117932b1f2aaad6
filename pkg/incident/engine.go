// Package incident is the on-call co-pilot behind `bsai incident
// investigate`. The shape, one hop from anywhere:
//
//	alert/--service ──► Scope (focus entity, blast radius, window)
//	source.SignalSources (catalog, deploys, metrics, logs, MCP) ──► []Evidence
//	Analyze (deterministic: onset, candidates, scores) ──► ranked Causes
//	[Synthesize with a model: summary, cited causes, plan] ──► Plan
//	action.Executor (one policy: co-pilot asks, agent obeys the allowlist) ──► audit log
//
// Sources live in incident/source, actions and their policy and audit log
// in incident/action; this package is the engine, the plan and the report.
// Everything up to Analyze needs no model and is what the tests pin down.
package incident

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// Cause kinds.
const (
	CauseDeploy     = "deploy"
	CauseConfig     = "config"
	CauseInfra      = "infra"
	CauseDependency = "dependency"
	CauseSaturation = "saturation"
	CauseLog        = "log"
	CauseNone       = "none"
)

// Cause is a ranked candidate with the evidence behind it.
type Cause struct {
	Rank     int               `json:"rank"`
	Title    string            `json:"title"`
	Kind     string            `json:"kind"`
	Entity   string            `json:"entity,omitempty"`
	Score    float64           `json:"score"`
	Why      []string          `json:"why"`
	Evidence []source.Evidence `json:"evidence"`

	// Owner is the suspected entity's owner: the team to page.
	Owner string `json:"owner,omitempty"`
	// RevertedBy is a later change that already put the previous version
	// back (a rollback that happened): the plan must not propose it again.
	RevertedBy *source.Change `json:"revertedBy,omitempty"`

	// Change is set for deploy/config/infra causes (rollback inputs).
	Change *source.Change `json:"-"`
	at     time.Time
}

// Analysis is the deterministic result.
type Analysis struct {
	Onset       *time.Time
	OnsetSource string
	Causes      []Cause
	Confidence  string // high | medium | low
	Symptoms    []source.Evidence
}

// isNewTemplate: absent in the quiet period before onset, at least 3 hits
// after onset minus the quiet period.
func isNewTemplate(t *source.Template, on time.Time) bool {
	cut := on.Add(-w.NewTemplateQuiet)
	after := 0
	for _, x := range t.Times {
		if x.Before(cut) {
			return false
		}
		after++
	}
	return after >= 3
}

func onset(s source.Scope, alert *source.Alert, ev []source.Evidence) (*time.Time, string) {
	var metric *time.Time
	for _, e := range ev {
		if e.Entity != s.Focus || e.Signal == nil || e.Signal.Breach == nil || e.Signal.Class == "saturation" {
			continue
		}
		if metric == nil || e.Signal.Breach.Before(*metric) {
			metric = e.Signal.Breach
		}
	}
	if alert != nil && alert.StartsAt != nil {
		at := *alert.StartsAt
		if metric != nil && metric.Before(at) && at.Sub(*metric) <= 30*time.Minute {
			return tp(*metric), fmt.Sprintf("metrics (alert fired at %s)", at.UTC().Format("15:04"))
		}
		return tp(at), "alert"
	}
	if metric != nil {
		return tp(*metric), "metrics"
	}
	var first *time.Time
	for _, e := range ev {
		if e.Template != nil && e.Entity == s.Focus && e.Template.First.After(s.Start.Add(s.End.Sub(s.Start)/3)) {
			if first == nil || e.Template.First.Before(*first) {
				first = tp(e.Template.First)
			}
		}
	}
	if first != nil {
		return first, "logs"
	}
	return tp(s.End), "none found; using the end of the window"
}

func verSuffix(v string) string {
	if v == "" {
		return ""
	}
	return " " + v
}

func humanDur(d time.Duration) string {
	if d < 0 {
		return "-" + humanDur(-d)
	}
	d = d.Round(time.Minute)
	if d < time.Minute {
		return "<1m"
	}
	h, m := int(d.Hours()), int(d.Minutes())%60
	if h == 0 {
		return fmt.Sprintf("%dm", m)
	}
	if m == 0 {
		return fmt.Sprintf("%dh", h)
	}
	return fmt.Sprintf("%dh%dm", h, m)
}

// AssignIDs gives evidence stable ids ordered by source then time:
// deploy-1, metric-2, log-3, catalog-1, mcp-1 ...
func AssignIDs(ev []source.Evidence) {
	prefix := func(e source.Evidence) string {
		switch {
		case e.Change != nil:
			return "change"
		case e.Signal != nil:
			return "metric"
		case e.Template != nil:
			return "log"
		case strings.HasPrefix(e.Source, "mcp:"):
			return "mcp"
		case e.Kind == source.KindAlert:
			return "alert"
		}
		return "catalog"
	}
	sort.SliceStable(ev, func(i, j int) bool {
		pi, pj := prefix(ev[i]), prefix(ev[j])
		if pi != pj {
			return pi < pj
		}
		ti, tj := ev[i].Time, ev[j].Time
		if ti != nil && tj != nil && !ti.Equal(*tj) {
			return ti.Before(*tj)
		}
		if ev[i].Entity != ev[j].Entity {
			return ev[i].Entity < ev[j].Entity
		}
		return ev[i].Detail < ev[j].Detail
	})
	n := map[string]int{}
	for i := range ev {
		p := prefix(ev[i])
		n[p]++
		ev[i].ID = fmt.Sprintf("%s-%d", p, n[p])
	}
}
