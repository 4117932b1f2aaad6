package incident

import (
	"cmp"
	"fmt"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/incident/action"
	"github.com/bsai-dev/bsai/pkg/incident/source"
	"github.com/bsai-dev/bsai/pkg/llm"
)

// Report is the result of `bsai incident investigate`; its JSON form is
// the documented contract.
type Report struct {
	Summary      string                `json:"summary"`
	Confidence   string                `json:"confidence"`
	Service      string                `json:"service"`
	System       string                `json:"system,omitempty"`
	Alert        *source.Alert         `json:"alert,omitempty"`
	Window       TimeWindow            `json:"window"`
	Affected     []string              `json:"affected"`
	Dependencies []string              `json:"dependencies"`
	Owners       []string              `json:"owners"`
	OnCall       []source.OnCall       `json:"oncall"`
	Onset        *time.Time            `json:"onset"`
	OnsetSource  string                `json:"onsetSource"`
	Causes       []Cause               `json:"causes"`
	Model        *ModelView            `json:"model,omitempty"`
	Plan         []action.PlanItem     `json:"plan"`
	Actions      []action.ActionResult `json:"actions"`
	Evidence     []source.Evidence     `json:"evidence"`
	Warnings     []string              `json:"warnings,omitempty"`
	// Timeline is the incident in time order (timeline.go); Runbooks are
	// the guidance the plan cites (runbooks.go).
	Timeline []TimelineEntry `json:"timeline"`
	Runbooks []Runbook       `json:"runbooks"`
	Usage    *llm.Usage      `json:"usage"`

	topChange *source.Change
	// sparklines draws each metric in the text report (a terminal only).
	sparklines bool
}

// target is what the plan acts on, for the action policy: the top cause.
func (r *Report) target() action.Target {
	if len(r.Causes) == 0 {
		return action.Target{Kind: action.KindNone}
	}
	c := r.Causes[0]
	t := action.Target{Kind: c.Kind, Title: c.Title, Entity: c.Entity, Score: c.Score, Changed: c.Change != nil}
	if rb := c.RevertedBy; rb != nil {
		t.Reverted = fmt.Sprintf("at %s (%s %s)", rb.Time.UTC().Format("15:04"), source.ChangeVerb(rb.Kind), cmp.Or(rb.Version, "previous version"))
	}
	return t
}

func (r *Report) policy(actions map[string]config.IncidentAction, mode string, allow []string) action.Policy {
	return action.Policy{Actions: actions, Mode: mode, Allow: allow, Floor: ClearCause}
}

// TimeWindow is the investigated time range.
type TimeWindow struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

func newReport(s source.Scope, topo source.Topology, alert *source.Alert, an Analysis, ev []source.Evidence) *Report {
	r := &Report{
		Confidence:   an.Confidence,
		Service:      s.Focus,
		System:       topo.System,
		Alert:        alert,
		Window:       TimeWindow{Start: s.Start.UTC(), End: s.End.UTC()},
		Affected:     append([]string{s.Focus}, topo.Dependents...),
		Dependencies: nonNil(topo.Dependencies),
		Owners:       nonNil(topo.Owners),
		OnCall:       topo.OnCall,
		Onset:        an.Onset,
		OnsetSource:  an.OnsetSource,
		Causes:       an.Causes,
		Plan:         []action.PlanItem{},
		Actions:      []action.ActionResult{},
		Evidence:     ev,
	}
	if r.OnCall == nil {
		r.OnCall = []source.OnCall{}
	}
	// Only the top cause, and only when it clears the floor, may give an
	// action its target: never "the first cause with any change".
	if len(r.Causes) > 0 && r.Causes[0].Kind != CauseNone && r.Causes[0].Score >= ClearCause {
		r.topChange = r.Causes[0].Change
	}
	r.Summary = deterministicSummary(r, an)
	r.Timeline = buildTimeline(r)
	r.Runbooks = []Runbook{}
	return r
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func deterministicSummary(r *Report, an Analysis) string {
	var b strings.Builder
	b.WriteString(source.RefName(r.Service))
	if r.Alert != nil && r.Alert.Name != "" {
		fmt.Fprintf(&b, " is alerting (%s)", r.Alert.Name)
	} else {
		b.WriteString(" is being investigated")
	}
	if r.Onset != nil {
		fmt.Fprintf(&b, " since %s UTC", r.Onset.UTC().Format("15:04"))
	}
	if len(r.Owners) > 0 {
		fmt.Fprintf(&b, "; owned by %s", r.Owners[0])
	}
	b.WriteString(". ")
	if len(an.Causes) > 0 && an.Causes[0].Kind != CauseNone {
		fmt.Fprintf(&b, "Likely cause (%s confidence): %s.", an.Confidence, an.Causes[0].Title)
	} else {
		b.WriteString("No clear cause in the evidence (low confidence).")
	}
	if len(r.Affected) > 1 {
		fmt.Fprintf(&b, " Blast radius: %s.", strings.Join(shortRefs(r.Affected[1:]), ", "))
	}
	return b.String()
}

func shortRefs(refs []string) []string {
	out := make([]string, len(refs))
	for i, r := range refs {
		out[i] = source.RefName(r)
	}
	return out
}

// templateData is what action inputs may reference.
func (r *Report) templateData() map[string]any {
	d := map[string]any{
		"Service": source.RefName(r.Service), "Entity": r.Service, "Summary": r.Summary,
		"Version": "", "Previous": "", "Onset": "", "Cause": "", "Alert": "", "Owner": "", "OnCall": "",
	}
	if r.Onset != nil {
		d["Onset"] = r.Onset.UTC().Format(time.RFC3339)
	}
	if len(r.Causes) > 0 {
		d["Cause"] = r.Causes[0].Title
	}
	if r.topChange != nil {
		d["Version"], d["Previous"] = r.topChange.Version, r.topChange.Previous
		d["ChangedEntity"] = r.topChange.Entity
	} else {
		d["ChangedEntity"] = ""
	}
	if r.Alert != nil {
		d["Alert"] = r.Alert.Name
	}
	if len(r.Owners) > 0 {
		d["Owner"] = r.Owners[0]
	}
	for _, oc := range r.OnCall {
		if oc.Contact != "" || oc.PagerDuty != "" {
			d["OnCall"] = cmp.Or(oc.Contact, oc.PagerDuty)
			break
		}
	}
	// The suspect: the top cause's entity and its owner (the team to page),
	// the alerting service's when nothing clears the floor.
	d["Suspect"], d["SuspectOwner"] = r.Service, d["Owner"]
	if t := r.target(); t.Kind != CauseNone && t.Score >= ClearCause && t.Entity != "" {
		d["Suspect"] = t.Entity
		if o := r.Causes[0].Owner; o != "" {
			d["SuspectOwner"] = o
		}
	}
	d["ModelWritten"] = r.Model != nil && r.Summary != r.Model.RulesSummary
	return d
}
