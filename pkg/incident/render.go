package incident

import (
	"cmp"
	"fmt"
	"io"
	"net/url"
	"path/filepath"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident/source"
	"github.com/bsai-dev/bsai/pkg/output"
)

// The text and markdown reports are for people: times in UTC clock form,
// ratios as percentages, each evidence line cut at a word with its link on
// a line of its own, the owning team and how to reach it (the JSON keeps
// the whole owner chain). Everything that came from evidence is passed
// through source.Clip, which also drops control characters, so a log
// line cannot move the cursor or recolour the terminal.

const (
	evidenceWidth = 150
	sparkWidth    = 36
)

// SetSparklines turns on a sparkline per metric in RenderText; the command
// sets it when stdout is a terminal.
func (r *Report) SetSparklines(on bool) { r.sparklines = on }

// RenderText writes the terminal report.
func (r *Report) RenderText(w io.Writer, st *output.Styles) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("%s %s\n", st.Title.Render("Incident:"), st.Ref.Render(r.Service))
	p("%s\n\n", source.Printable(r.Summary))
	if line := r.onsetLine(); line != "" {
		p("%s %s\n", st.Bold.Render("Onset:"), line)
	}
	if owner, reach := r.ownerLines(); owner != "" {
		p("%s %s\n", st.Bold.Render("Owner:"), owner)
		for _, l := range reach {
			p("  %s\n", l)
		}
	}
	if r.System != "" {
		p("%s %s\n", st.Bold.Render("System:"), r.System)
	}
	if len(r.Affected) > 1 {
		p("%s %s\n", st.Bold.Render("Blast radius:"), strings.Join(shortRefs(r.Affected[1:]), ", "))
	}
	if len(r.Timeline) > 0 {
		p("\n%s\n", st.Title.Render("Timeline (UTC)"))
		for _, e := range r.Timeline {
			p("  %s  %-6s %s\n", e.Time.UTC().Format("15:04"), e.Kind, source.Clip(e.Text, evidenceWidth))
		}
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
		p("%d. %s %s\n", c.Rank, st.Bold.Render(source.Clip(c.Title, 200)), st.Dim.Render(fmt.Sprintf("[%.2f]", c.Score)))
		for _, why := range c.Why {
			p("   - %s\n", source.Clip(why, 200))
		}
		for _, e := range c.Evidence {
			p("   %s %s\n", st.Dim.Render(e.ID), source.Clip(e.Detail, evidenceWidth))
			if l := linkText(e); l != "" {
				p("      %s\n", st.Ref.Render(l))
			}
		}
	}
	if sigs := r.signals(); len(sigs) > 0 {
		p("\n%s\n", st.Title.Render("Signals"))
		for _, s := range sigs {
			state := "steady"
			if s.Breach != nil {
				state = "left baseline " + s.Breach.UTC().Format("15:04")
			}
			name := source.Clip(source.RefName(s.Entity)+" "+s.Name, 40)
			if r.sparklines {
				p("  %-40s %s  %s, %s\n", name, st.Ref.Render(s.Sparkline(sparkWidth)), s.Rise(), state)
			} else {
				p("  %-40s %s, %s\n", name, s.Rise(), state)
			}
		}
	}
	if r.Model != nil {
		p("\n%s %s\n", st.Title.Render("Model synthesis"), st.Dim.Render("("+r.Model.Provider+")"))
		p("%s\n", source.Printable(r.Model.Summary))
		for i, c := range r.Model.Causes {
			p("%d. %s %s\n", i+1, source.Clip(c.Title, 200), st.Dim.Render("["+strings.Join(c.Evidence, ", ")+"]"))
		}
		for _, d := range r.Model.Dropped {
			p("   %s %s\n", st.Warn.Render("dropped:"), source.Clip(d, 200))
		}
	}
	if len(r.Plan) > 0 || len(r.Runbooks) > 0 {
		p("\n%s\n", st.Title.Render("Plan"))
		for _, rb := range r.Runbooks {
			p("- %s %s — %s\n", st.Bold.Render("read "+rb.Source+":"), rb.Title, source.Clip(rb.Why, 160))
			if rb.URL != "" {
				p("    %s\n", st.Ref.Render(rb.URL))
			}
		}
		for _, it := range r.Plan {
			tag := "needs a yes"
			if !it.NeedsConfirmation {
				tag = "auto"
			}
			if it.Refused != "" {
				tag = st.Err.Render("refused: " + it.Refused)
			}
			p("- %s (%s, %s) %s — %s\n", st.Bold.Render(it.Action), it.Type, it.ProposedBy, tag, source.Clip(it.Reason, 200))
		}
	}
	r.RenderActions(w, st)
	for _, wr := range r.Warnings {
		p("%s %s\n", st.Warn.Render("warning:"), source.Clip(wr, 300))
	}
	if r.Usage != nil && r.Usage.Calls > 0 {
		p("%s\n", st.Dim.Render(fmt.Sprintf("model: %d calls, %d tokens", r.Usage.Calls, r.Usage.TotalTokens)))
	}
	return nil
}

// onsetLine is "2026-03-14 09:58 UTC from metrics · alert fired 10:00 ·
// window 08:00 → 10:30": one level of wording, no nested parentheses.
func (r *Report) onsetLine() string {
	var parts []string
	if r.Onset != nil {
		how, _, _ := strings.Cut(r.OnsetSource, " (")
		parts = append(parts, r.Onset.UTC().Format("2006-01-02 15:04 UTC")+" from "+cmp.Or(how, "the evidence"))
	}
	if r.Alert != nil && r.Alert.StartsAt != nil {
		parts = append(parts, "alert fired "+r.Alert.StartsAt.UTC().Format("15:04"))
	}
	if len(parts) == 0 {
		return ""
	}
	return strings.Join(append(parts, "window "+r.Window.Start.UTC().Format("15:04")+" → "+r.Window.End.UTC().Format("15:04")), " · ")
}

// ownerLines are the owning team with how to reach it, its escalation (the
// nearest parent group with a contact) and the service's own pager.
func (r *Report) ownerLines() (string, []string) {
	if len(r.Owners) == 0 {
		return "", nil
	}
	owner := r.Owners[0]
	contact := func(oc source.OnCall) string {
		var c []string
		if oc.PagerDuty != "" {
			c = append(c, "PagerDuty "+oc.PagerDuty)
		}
		if oc.Contact != "" {
			c = append(c, oc.Contact)
		}
		return strings.Join(c, ", ")
	}
	var reach []string
	head := owner
	for _, oc := range r.OnCall {
		if oc.Owner == owner {
			if c := contact(oc); c != "" {
				head += " — on-call " + c
			}
		}
	}
	// The escalation is the nearest parent group with a contact (the owner
	// chain is nearest first), never the whole chain.
	for _, oc := range r.OnCall {
		if oc.Owner != owner && oc.Owner != r.Service && strings.HasPrefix(oc.Owner, "group:") {
			if c := contact(oc); c != "" {
				reach = append(reach, "escalation: "+oc.Owner+" — "+c)
				break
			}
		}
	}
	for _, oc := range r.OnCall {
		if oc.Owner == r.Service {
			if c := contact(oc); c != "" {
				reach = append(reach, source.RefName(r.Service)+" pages "+c)
			}
		}
	}
	return head, reach
}

// signals are the metric series of the investigated entities, one each.
func (r *Report) signals() []*source.Signal {
	var out []*source.Signal
	for _, e := range r.Evidence {
		if e.Signal != nil && len(e.Signal.Points) > 0 {
			out = append(out, e.Signal)
		}
	}
	return out
}

// linkText is a URL as is, and a local file by its name: the full path is
// in the JSON and only clutters a terminal.
func linkText(e source.Evidence) string {
	l := e.Link
	if l == "" {
		return ""
	}
	u, err := url.Parse(l)
	switch {
	case err == nil && u.Scheme != "" && u.Host != "":
		return source.Clip(l, 200)
	case strings.EqualFold(l, e.Entity) || err == nil && u.Scheme != "" && u.Opaque != "":
		// An entity ref ("component:default/x") as the link adds nothing
		// to the line that names the entity.
		return ""
	}
	return "from " + source.Clip(filepath.Base(l), 80)
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
		case "executed":
			status = st.OK.Render(status)
		case "failed", "refused", "interrupted":
			status = st.Err.Render(status)
		}
		fmt.Fprintf(w, "- %s: %s %s\n", a.Action, status, source.Clip(a.Detail, 300))
	}
}

// RenderMarkdown writes the report for an incident document.
func (r *Report) RenderMarkdown(w io.Writer) error {
	p := func(format string, a ...any) { fmt.Fprintf(w, format, a...) }
	p("## Incident: %s\n\n%s\n\n", r.Service, mdEscape(r.Summary))
	if line := r.onsetLine(); line != "" {
		p("- **Onset:** %s\n", line)
	}
	if owner, reach := r.ownerLines(); owner != "" {
		p("- **Owner:** %s\n", mdEscape(owner))
		for _, l := range reach {
			p("  - %s\n", mdEscape(l))
		}
	}
	if r.System != "" {
		p("- **System:** %s\n", r.System)
	}
	p("- **Affected:** %s\n- **Confidence:** %s\n", strings.Join(r.Affected, ", "), r.Confidence)
	if len(r.Timeline) > 0 {
		p("\n### Timeline\n\n| time (UTC) | what | |\n|---|---|---|\n")
		for _, e := range r.Timeline {
			p("| %s | %s | %s |\n", e.Time.UTC().Format("15:04"), e.Kind, mdEscape(source.Clip(e.Text, 200)))
		}
	}
	p("\n### Candidate causes\n\n")
	for _, c := range r.Causes {
		p("%d. **%s** (score %.2f)\n", c.Rank, mdEscape(c.Title), c.Score)
		for _, why := range c.Why {
			p("   - %s\n", mdEscape(why))
		}
		for _, e := range c.Evidence {
			link := ""
			if strings.Contains(e.Link, "://") {
				link = " [" + e.Source + "](" + e.Link + ")"
			} else if l := linkText(e); l != "" {
				link = " — " + l
			}
			p("   - `%s` %s%s\n", e.ID, mdEscape(source.Clip(e.Detail, 200)), link)
		}
	}
	if sigs := r.signals(); len(sigs) > 0 {
		p("\n### Signals\n\n| entity | signal | baseline → peak | |\n|---|---|---|---|\n")
		for _, s := range sigs {
			state := "steady"
			if s.Breach != nil {
				state = "left baseline " + s.Breach.UTC().Format(time.TimeOnly[:5])
			}
			p("| %s | %s | %s | %s |\n", source.RefName(s.Entity), mdEscape(s.Name), s.Rise(), state)
		}
	}
	if r.Model != nil {
		p("\n### Model synthesis (%s)\n\n%s\n\n", r.Model.Provider, mdEscape(r.Model.Summary))
		for i, c := range r.Model.Causes {
			p("%d. %s — evidence %s\n", i+1, mdEscape(c.Title), strings.Join(c.Evidence, ", "))
		}
	}
	if len(r.Runbooks) > 0 {
		p("\n### Runbooks\n\n")
		for _, rb := range r.Runbooks {
			title := mdEscape(rb.Title)
			if rb.URL != "" {
				title = "[" + title + "](" + rb.URL + ")"
			}
			p("- %s (%s) — %s\n", title, rb.Source, mdEscape(rb.Why))
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
	return strings.NewReplacer("|", "\\|", "<", "&lt;", ">", "&gt;").Replace(source.Printable(s))
}
