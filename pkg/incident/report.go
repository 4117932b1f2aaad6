package incident

import (
	"cmp"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/incident/action"
	"github.com/bsai-dev/bsai/pkg/incident/source"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/output"
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
	Usage        *llm.Usage            `json:"usage"`

	topChange *source.Change
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

// RenderText writes the terminal report.
func (r *Report) RenderText(w io.Writer, st *output.Styles) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("%s %s\n", st.Title.Render("Incident:"), st.Ref.Render(r.Service))
	p("%s\n\n", r.Summary)
	if r.Onset != nil {
		p("%s %s (%s)   %s %s → %s\n", st.Bold.Render("Onset:"), r.Onset.UTC().Format(time.RFC3339), r.OnsetSource,
			st.Bold.Render("Window:"), r.Window.Start.Format("15:04"), r.Window.End.Format("15:04"))
	}
	p("%s %s\n", st.Bold.Render("Owners:"), strings.Join(r.Owners, ", "))
	if r.System != "" {
		p("%s %s\n", st.Bold.Render("System:"), r.System)
	}
	for _, oc := range r.OnCall {
		p("  on-call: %s\n", oc.String())
	}
	if len(r.Affected) > 1 {
		p("%s %s\n", st.Bold.Render("Blast radius:"), strings.Join(r.Affected[1:], ", "))
	}
	conf := r.Confidence
	switch conf {
	case "high":
		conf = st.OK.Render(conf)
	case "medium":
		conf = st.Warn.Render(conf)
	default:
		conf = st.Err.Render(conf)
	}
	p("\n%s (confidence %s)\n", st.Title.Render("Candidate causes"), conf)
	for _, c := range r.Causes {
		p("%d. %s %s\n", c.Rank, st.Bold.Render(c.Title), st.Dim.Render(fmt.Sprintf("[%.2f]", c.Score)))
		for _, why := range c.Why {
			p("   - %s\n", why)
		}
		for _, e := range c.Evidence {
			p("   %s %s %s\n", st.Dim.Render(e.ID), source.Truncate(source.OneLine(e.Detail), 160), st.Ref.Render(e.Link))
		}
	}
	if r.Model != nil {
		p("\n%s %s\n", st.Title.Render("Model synthesis"), st.Dim.Render("("+r.Model.Provider+")"))
		p("%s\n", r.Model.Summary)
		for i, c := range r.Model.Causes {
			p("%d. %s %s\n", i+1, c.Title, st.Dim.Render("["+strings.Join(c.Evidence, ", ")+"]"))
		}
		for _, d := range r.Model.Dropped {
			p("   %s %s\n", st.Warn.Render("dropped:"), d)
		}
	}
	if len(r.Plan) > 0 {
		p("\n%s\n", st.Title.Render("Plan"))
		for _, it := range r.Plan {
			tag := "needs a yes"
			if !it.NeedsConfirmation {
				tag = "auto"
			}
			if it.Refused != "" {
				tag = st.Err.Render("refused: " + it.Refused)
			}
			p("- %s (%s, %s) %s — %s\n", st.Bold.Render(it.Action), it.Type, it.ProposedBy, tag, it.Reason)
		}
	}
	r.RenderActions(w, st)
	for _, wr := range r.Warnings {
		p("%s %s\n", st.Warn.Render("warning:"), wr)
	}
	if r.Usage != nil && r.Usage.Calls > 0 {
		p("%s\n", st.Dim.Render(fmt.Sprintf("model: %d calls, %d tokens", r.Usage.Calls, r.Usage.TotalTokens)))
	}
	return nil
}

// RenderActions writes the actions section (also printed on its own after
// the co-pilot prompts).
func (r *Report) RenderActions(w io.Writer, st *output.Styles) {
	if len(r.Actions) == 0 {
		return
	}
	fmt.Fprintf(w, "\n%s\n", st.Title.Render("Actions"))
	for _, a := range r.Actions {
		status := a.Status
		switch a.Status {
		case action.StatusExecuted:
			status = st.OK.Render(status)
		case action.StatusFailed, action.StatusRefused:
			status = st.Err.Render(status)
		}
		fmt.Fprintf(w, "- %s: %s %s\n", a.Action, status, a.Detail)
	}
}

// RenderMarkdown writes the report for an incident document.
func (r *Report) RenderMarkdown(w io.Writer) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("## Incident: %s\n\n%s\n\n", r.Service, r.Summary)
	if r.Onset != nil {
		p("- **Onset:** %s (%s)\n", r.Onset.UTC().Format(time.RFC3339), r.OnsetSource)
	}
	p("- **Window:** %s – %s\n", r.Window.Start.Format(time.RFC3339), r.Window.End.Format(time.RFC3339))
	p("- **Owners:** %s\n", strings.Join(r.Owners, ", "))
	if r.System != "" {
		p("- **System:** %s\n", r.System)
	}
	for _, oc := range r.OnCall {
		p("- **On-call:** %s\n", oc.String())
	}
	p("- **Affected:** %s\n- **Confidence:** %s\n\n### Candidate causes\n\n", strings.Join(r.Affected, ", "), r.Confidence)
	for _, c := range r.Causes {
		p("%d. **%s** (score %.2f)\n", c.Rank, mdEscape(c.Title), c.Score)
		for _, why := range c.Why {
			p("   - %s\n", mdEscape(why))
		}
		for _, e := range c.Evidence {
			link := e.Link
			if strings.Contains(link, "://") {
				link = "[" + e.Source + "](" + link + ")"
			}
			p("   - `%s` %s %s\n", e.ID, mdEscape(source.Truncate(source.OneLine(e.Detail), 200)), link)
		}
	}
	if r.Model != nil {
		p("\n### Model synthesis (%s)\n\n%s\n\n", r.Model.Provider, mdEscape(r.Model.Summary))
		for i, c := range r.Model.Causes {
			p("%d. %s — evidence %s\n", i+1, mdEscape(c.Title), strings.Join(c.Evidence, ", "))
		}
	}
	if len(r.Plan) > 0 {
		p("\n### Plan\n\n| action | type | reason | needs a yes | refused |\n|---|---|---|---|---|\n")
		for _, it := range r.Plan {
			p("| %s | %s | %s | %v | %s |\n", it.Action, it.Type, mdEscape(it.Reason), it.NeedsConfirmation, it.Refused)
		}
	}
	if len(r.Actions) > 0 {
		p("\n### Actions\n\n")
		for _, a := range r.Actions {
			p("- `%s`: %s %s\n", a.Action, a.Status, mdEscape(a.Detail))
		}
	}
	return nil
}

func mdEscape(s string) string {
	return strings.NewReplacer("|", "\\|", "\n", " ").Replace(s)
}
