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
	"math"
	"slices"
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

// Thresholds of the ranking, in one place so they can be explained.
const (
	// ClearCause is the score the top candidate needs to be reported as the
	// likely cause; below it the report says "no clear cause".
	ClearCause = 0.45
	// changeHalfLife shapes how fast a change's relevance fades with its
	// distance before onset.
	changeDecay = 45 * time.Minute
	// afterOnsetGrace accepts changes recorded slightly after onset (clock
	// skew, deploy timestamps taken at the end of a rollout).
	afterOnsetGrace = 5 * time.Minute
	// newTemplateQuiet is how long before onset a template must have been
	// absent to count as new.
	newTemplateQuiet = 10 * time.Minute
)

// Analyze finds the onset and ranks candidate causes. It never calls a
// model and depends only on its inputs.
func Analyze(s source.Scope, topo source.Topology, alert *source.Alert, ev []source.Evidence) Analysis {
	var a Analysis
	a.Onset, a.OnsetSource = onset(s, alert, ev)
	on := *a.Onset
	for _, e := range ev {
		if e.Entity == s.Focus && e.Signal != nil && e.Signal.Breach != nil && e.Signal.Class != "saturation" {
			a.Symptoms = append(a.Symptoms, e)
		}
	}
	related := func(ent string) (float64, string) {
		switch {
		case ent == s.Focus:
			return 0.45, "the alerting service itself"
		case topo.Direct[ent]:
			return 0.35, "a direct dependency of " + source.RefName(s.Focus)
		case slices.Contains(topo.Dependencies, ent):
			return 0.25, "a transitive dependency of " + source.RefName(s.Focus)
		case slices.Contains(topo.Dependents, ent):
			return 0.08, "a dependent of " + source.RefName(s.Focus) + " (downstream, unlikely to cause it)"
		}
		return 0.05, "not connected to " + source.RefName(s.Focus) + " in the catalog"
	}
	breaches := map[string][]source.Evidence{} // entity → breached signals
	newTpl := map[string][]source.Evidence{}   // entity → new templates
	for _, e := range ev {
		if e.Signal != nil && e.Signal.Breach != nil && e.Signal.Breach.Before(on.Add(2*time.Minute)) {
			breaches[e.Entity] = append(breaches[e.Entity], e)
		}
		if e.Template != nil && isNewTemplate(e.Template, on) {
			newTpl[e.Entity] = append(newTpl[e.Entity], e)
		}
	}

	var cands []Cause
	// 1. Changes shortly before onset.
	for _, e := range ev {
		c := e.Change
		if c == nil || c.Time.After(on.Add(afterOnsetGrace)) {
			continue
		}
		if c.Status == "failed" || c.Status == "cancelled" {
			continue
		}
		base, rel := related(c.Entity)
		dt := on.Sub(c.Time)
		prox := math.Exp(-math.Max(float64(dt), 0) / float64(changeDecay))
		cause := Cause{Kind: c.Kind, Entity: c.Entity, Change: c, at: c.Time, Evidence: []source.Evidence{e}}
		cause.Title = fmt.Sprintf("%s %s%s at %s, %s before onset", source.ChangeVerb(c.Kind), source.RefName(c.Entity), verSuffix(c.Version),
			c.Time.UTC().Format("15:04"), humanDur(dt))
		cause.Why = append(cause.Why, fmt.Sprintf("%s is %s", source.RefName(c.Entity), rel),
			fmt.Sprintf("changed %s before onset (closeness %.2f)", humanDur(dt), prox))
		score := base + 0.3*prox
		if c.Entity != s.Focus {
			for _, b := range breaches[c.Entity] {
				if !b.Signal.Breach.Before(c.Time) {
					score += 0.15
					cause.Why = append(cause.Why, fmt.Sprintf("its %s left baseline at %s, after the change", b.Signal.Name, b.Signal.Breach.UTC().Format("15:04")))
					cause.Evidence = append(cause.Evidence, b)
					break
				}
			}
		}
		// Only changes that can reach the focus (itself or a dependency)
		// are corroborated by its new error templates.
		corroborate := []string{c.Entity, s.Focus}
		if base < 0.25 {
			corroborate = nil
		}
		for _, ent := range corroborate {
			hit := false
			for _, t := range newTpl[ent] {
				if !t.Template.First.Before(c.Time) && t.Template.First.Before(on.Add(15*time.Minute)) {
					if !hit {
						score += 0.1
						cause.Why = append(cause.Why, fmt.Sprintf("new error template %s in %s appeared after the change", t.Template.ID, source.RefName(ent)))
						hit = true
					}
					cause.Evidence = append(cause.Evidence, t)
				}
			}
			if ent == s.Focus || hit {
				break
			}
		}
		if c.Kind != source.KindDeploy {
			score *= 0.95
		}
		cause.Score = score
		cands = append(cands, cause)
	}
	// 2. Dependencies (and the focus's own resources) that degraded first.
	for _, dep := range append([]string{s.Focus}, topo.Dependencies...) {
		bs := breaches[dep]
		if len(bs) == 0 {
			continue
		}
		sort.SliceStable(bs, func(i, j int) bool {
			if !bs[i].Signal.Breach.Equal(*bs[j].Signal.Breach) {
				return bs[i].Signal.Breach.Before(*bs[j].Signal.Breach)
			}
			return bs[i].ID < bs[j].ID
		})
		var sat, errs []source.Evidence
		for _, b := range bs {
			if b.Signal.Class == "saturation" {
				sat = append(sat, b)
			} else {
				errs = append(errs, b)
			}
		}
		if dep == s.Focus {
			errs = nil // the focus's errors are the symptom, not a cause
		}
		if len(sat) > 0 {
			first := sat[0]
			lead := on.Sub(*first.Signal.Breach)
			base, rel := related(dep)
			if dep == s.Focus {
				base = 0.35
			} else {
				base = math.Max(base, 0.3) + 0.1
			}
			cause := Cause{Kind: CauseSaturation, Entity: dep, at: *first.Signal.Breach, Evidence: sat}
			cause.Title = fmt.Sprintf("%s saturated: %s at %s (baseline %s) from %s, %s before onset", source.RefName(dep), first.Signal.Name,
				source.FormatValue(first.Signal.Peak), source.FormatValue(first.Signal.Baseline), first.Signal.Breach.UTC().Format("15:04"), humanDur(lead))
			cause.Why = append(cause.Why, fmt.Sprintf("%s is %s", source.RefName(dep), rel))
			score := base + leadBonus(lead, &cause)
			score += tplBonus(newTpl[dep], &cause)
			score += mentionBonus(newTpl[s.Focus], dep, &cause)
			cause.Score = score
			cands = append(cands, cause)
		}
		if len(errs) > 0 {
			first := errs[0]
			lead := on.Sub(*first.Signal.Breach)
			base, rel := related(dep)
			cause := Cause{Kind: CauseDependency, Entity: dep, at: *first.Signal.Breach, Evidence: errs}
			cause.Title = fmt.Sprintf("dependency %s degraded first: %s rose from %s to %s at %s, %s before onset", source.RefName(dep),
				first.Signal.Name, source.FormatValue(first.Signal.Baseline), source.FormatValue(first.Signal.Peak), first.Signal.Breach.UTC().Format("15:04"), humanDur(lead))
			cause.Why = append(cause.Why, fmt.Sprintf("%s is %s", source.RefName(dep), rel))
			score := base + 0.05 + leadBonus(lead, &cause)
			score += tplBonus(newTpl[dep], &cause)
			score += mentionBonus(newTpl[s.Focus], dep, &cause)
			cause.Score = score
			cands = append(cands, cause)
		}
	}
	// 3. New error templates not already explained by a dependency.
	for ent, ts := range newTpl {
		if ent != s.Focus && !slices.Contains(topo.Dependencies, ent) {
			continue
		}
		if ent != s.Focus && len(breaches[ent]) > 0 {
			continue // folded into the dependency cause above
		}
		sort.SliceStable(ts, func(i, j int) bool {
			if ts[i].Template.Count != ts[j].Template.Count {
				return ts[i].Template.Count > ts[j].Template.Count
			}
			return ts[i].ID < ts[j].ID
		})
		t := ts[0].Template
		base := 0.3
		if ent != s.Focus {
			base = 0.35
		}
		if t.Count >= 10 {
			base += 0.05
		}
		cause := Cause{Kind: CauseLog, Entity: ent, at: t.First, Evidence: ts[:min(3, len(ts))], Score: base}
		cause.Title = fmt.Sprintf("new error in %s since %s: %q (%s, ×%d)", source.RefName(ent), t.First.UTC().Format("15:04"), t.Text, t.ID, t.Count)
		cause.Why = append(cause.Why, fmt.Sprintf("template %s was absent for at least %s before onset", t.ID, humanDur(newTemplateQuiet)),
			"an error template alone shows what fails, not why")
		cands = append(cands, cause)
	}

	for i := range cands {
		cands[i].Score = math.Round(math.Min(cands[i].Score, 0.99)*100) / 100
	}
	sort.SliceStable(cands, func(i, j int) bool {
		if cands[i].Score != cands[j].Score {
			return cands[i].Score > cands[j].Score
		}
		if !cands[i].at.Equal(cands[j].at) {
			return cands[i].at.Before(cands[j].at)
		}
		return cands[i].Title < cands[j].Title
	})
	if len(cands) > 8 {
		cands = cands[:8]
	}
	// The runner-up that competes is the best cause about another entity:
	// a deploy and the degradation it caused are one story, not two.
	margin := 1.0
	for _, c := range cands[min(1, len(cands)):] {
		if c.Entity != cands[0].Entity {
			margin = cands[0].Score - c.Score
			break
		}
	}
	switch {
	case len(cands) > 0 && cands[0].Score >= 0.7 && margin >= 0.1:
		a.Confidence = "high"
	case len(cands) > 0 && cands[0].Score >= ClearCause:
		a.Confidence = "medium"
	default:
		a.Confidence = "low"
		top := 0.0
		if len(cands) > 0 {
			top = cands[0].Score
		}
		none := Cause{Kind: CauseNone, Score: top, Evidence: a.Symptoms,
			Title: "no clear cause: no change, dependency or saturation signal explains the onset"}
		none.Why = []string{fmt.Sprintf("the best candidate scores %.2f, below %.2f", top, ClearCause),
			"look wider: traffic, upstream callers, external providers"}
		cands = append([]Cause{none}, cands...)
	}
	for i := range cands {
		cands[i].Rank = i + 1
	}
	a.Causes = cands
	return a
}

func leadBonus(lead time.Duration, c *Cause) float64 {
	if lead > 0 {
		c.Why = append(c.Why, fmt.Sprintf("left its baseline %s before the alerting service's onset", humanDur(lead)))
		return 0.15 + 0.1*(1-math.Exp(-float64(lead)/float64(5*time.Minute)))
	}
	c.Why = append(c.Why, "degraded at about the same time as the alerting service")
	return 0.05
}

func tplBonus(ts []source.Evidence, c *Cause) float64 {
	if len(ts) == 0 {
		return 0
	}
	c.Evidence = append(c.Evidence, ts[:min(2, len(ts))]...)
	c.Why = append(c.Why, fmt.Sprintf("new error template %s in its logs", ts[0].Template.ID))
	return 0.1
}

// mentionBonus: a new error template of the alerting service that names
// the dependency ("timeout acquiring connection from pool payments-db")
// ties the symptom to it.
func mentionBonus(focusTpl []source.Evidence, dep string, c *Cause) float64 {
	name := strings.ToLower(source.RefName(dep))
	for _, t := range focusTpl {
		if strings.Contains(strings.ToLower(t.Template.Text), name) {
			c.Evidence = append(c.Evidence, t)
			c.Why = append(c.Why, fmt.Sprintf("the alerting service's new error template %s names %s", t.Template.ID, source.RefName(dep)))
			return 0.05
		}
	}
	return 0
}

// isNewTemplate: absent in the quiet period before onset, at least 3 hits
// after onset minus the quiet period.
func isNewTemplate(t *source.Template, on time.Time) bool {
	cut := on.Add(-newTemplateQuiet)
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
