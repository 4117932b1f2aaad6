package incident

import (
	"cmp"
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/incident/source"
)

// ranker holds what Analyze derives from the evidence before scoring.
type ranker struct {
	s    source.Scope
	topo source.Topology
	on   time.Time
	// per entity in scope
	degraded map[string]*time.Time        // earliest error/latency breach or new error template
	degEv    map[string][]source.Evidence // the evidence of that degradation, by time
	sat      map[string][]source.Evidence // saturated resources' signals, by time
	newTpl   map[string][]source.Evidence // new error templates, by first occurrence
	// mentions: entity → new templates of other entities that name it
	mentions map[string][]source.Evidence
	onChain  map[string]bool       // degraded entities linked to the alert by a chain of degraded dependencies
	changed  map[string]*time.Time // entity → its first change in the window, before onset
}

// Analyze finds the onset and ranks candidate causes. It never calls a
// model and depends only on its inputs.
func Analyze(s source.Scope, topo source.Topology, alert *source.Alert, ev []source.Evidence) Analysis {
	var a Analysis
	a.Onset, a.OnsetSource = onset(s, alert, ev)
	for _, e := range ev {
		if e.Entity == s.Focus && e.Signal != nil && e.Signal.Breach != nil && e.Signal.Class != "saturation" {
			a.Symptoms = append(a.Symptoms, e)
		}
	}
	r := newRanker(s, topo, *a.Onset, ev)
	var cands []Cause
	cands = append(cands, r.changeCauses(ev)...)
	cands = append(cands, r.degradationCauses()...)
	cands = r.fold(cands)
	cands = append(cands, r.logCause(cands)...)
	for i := range cands {
		cands[i].Score = math.Round(math.Min(cands[i].Score, 0.99)*100) / 100
		cands[i].Owner = topo.Owner[cands[i].Entity]
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
	case len(cands) > 0 && cands[0].Score >= w.High && margin >= w.HighMargin:
		a.Confidence = "high"
	case len(cands) > 0 && cands[0].Score >= ClearCause:
		a.Confidence = "medium"
	default:
		a.Confidence = "low"
		cands = append([]Cause{r.noClearCause(cands, ev, a.Symptoms)}, cands...)
	}
	for i := range cands {
		cands[i].Rank = i + 1
	}
	a.Causes = cands
	return a
}

func newRanker(s source.Scope, topo source.Topology, on time.Time, ev []source.Evidence) *ranker {
	r := &ranker{s: s, topo: topo, on: on, degraded: map[string]*time.Time{}, degEv: map[string][]source.Evidence{},
		sat: map[string][]source.Evidence{}, newTpl: map[string][]source.Evidence{}, mentions: map[string][]source.Evidence{},
		onChain: map[string]bool{}, changed: map[string]*time.Time{}}
	late := on.Add(w.OnsetGrace)
	for _, e := range ev {
		if c := e.Change; c != nil && c.Status != "failed" && c.Status != "cancelled" && !c.Time.After(on) {
			if t := r.changed[c.Entity]; t == nil || c.Time.Before(*t) {
				r.changed[c.Entity] = tp(c.Time)
			}
		}
	}
	mark := func(ent string, t time.Time, e source.Evidence) {
		r.degEv[ent] = append(r.degEv[ent], e)
		if d := r.degraded[ent]; d == nil || t.Before(*d) {
			r.degraded[ent] = tp(t)
		}
	}
	for _, e := range ev {
		switch {
		case e.Signal != nil && e.Signal.Breach != nil && e.Signal.Breach.Before(late):
			sig := e.Signal
			switch {
			case sig.Class == "saturation" && (sig.Saturated || sig.Max == 0):
				r.sat[e.Entity] = append(r.sat[e.Entity], e)
			case sig.Class == "saturation", sig.Class == "traffic":
				// Busy but far from its maximum, or more traffic: context,
				// not a cause by itself.
			default:
				mark(e.Entity, *sig.Breach, e)
			}
		case e.Template != nil && isNewTemplate(e.Template, on) && e.Template.First.Before(late):
			r.newTpl[e.Entity] = append(r.newTpl[e.Entity], e)
			mark(e.Entity, e.Template.First, e)
			for _, ref := range r.named(e.Template.Text, e.Entity) {
				r.mentions[ref] = append(r.mentions[ref], e)
			}
		}
	}
	for _, m := range []map[string][]source.Evidence{r.degEv, r.sat, r.newTpl, r.mentions} {
		for k := range m {
			sort.SliceStable(m[k], func(i, j int) bool { return evTime(m[k][i]).Before(evTime(m[k][j])) })
		}
	}
	// Walk down from the alerting service through dependencies that
	// degraded no later than what depends on them.
	var walk func(ent string, depth int)
	walk = func(ent string, depth int) {
		if depth > 4 {
			return
		}
		for _, d := range r.explainers(ent) {
			if !r.onChain[d] {
				r.onChain[d] = true
				walk(d, depth+1)
			}
		}
	}
	walk(s.Focus, 0)
	return r
}

func evTime(e source.Evidence) time.Time {
	switch {
	case e.Template != nil:
		return e.Template.First
	case e.Signal != nil && e.Signal.Breach != nil:
		return *e.Signal.Breach
	case e.Time != nil:
		return *e.Time
	}
	return time.Time{}
}

// since is when ent started to go wrong: the earlier of its degradation and
// its saturation; nil when it did not.
func (r *ranker) since(ent string) *time.Time {
	t := r.degraded[ent]
	if ss := r.sat[ent]; len(ss) > 0 {
		if st := ss[0].Signal.Breach; t == nil || st.Before(*t) {
			t = st
		}
	}
	if ent == r.s.Focus && (t == nil || r.on.Before(*t)) {
		return tp(r.on)
	}
	return t
}

// explainers of ent: its direct dependencies that went wrong no later than
// it did (within RelayTolerance), or that changed before it went wrong
// while its new errors name them. Credit for ent's failure moves to them.
func (r *ranker) explainers(ent string) []string {
	te := r.since(ent)
	if te == nil {
		return nil
	}
	var out []string
	for _, d := range r.topo.Edges[ent] {
		if td := r.since(d); td != nil && !td.After(te.Add(w.RelayTolerance)) {
			out = append(out, d)
			continue
		}
		if r.namedBy(d, ent) {
			if ct := r.changed[d]; ct != nil && !ct.After(*te) {
				out = append(out, d)
			}
		}
	}
	return out
}

// namedBy: a new error template of who names ent.
func (r *ranker) namedBy(ent, who string) bool {
	for _, t := range r.mentions[ent] {
		if t.Entity == who {
			return true
		}
	}
	return false
}

// named returns the in-scope entities (other than self) a message names: a
// label or metadata name, or an API one of them provides, as a whole word.
// Longer names win, so "archive-storage" is not read as "archive".
func (r *ranker) named(text, self string) []string {
	low := strings.ToLower(text)
	names := make([]string, 0, len(r.topo.Aliases))
	for n := range r.topo.Aliases {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		if len(names[i]) != len(names[j]) {
			return len(names[i]) > len(names[j])
		}
		return names[i] < names[j]
	})
	var out []string
	taken := make([]bool, len(low))
	for _, n := range names {
		if n == "" {
			continue
		}
		for i := 0; ; {
			j := strings.Index(low[i:], n)
			if j < 0 {
				break
			}
			j += i
			end := j + len(n)
			if wordEdge(low, j-1) && wordEdge(low, end) && !slices.Contains(taken[j:end], true) {
				for k := j; k < end; k++ {
					taken[k] = true
				}
				if ref := r.topo.Aliases[n]; ref != self && !slices.Contains(out, ref) {
					out = append(out, ref)
				}
			}
			i = end
		}
	}
	return out
}

func wordEdge(s string, i int) bool {
	if i < 0 || i >= len(s) {
		return true
	}
	c := s[i]
	return !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-' || c == '_')
}

func (r *ranker) reach(ent string) (float64, string) {
	focus := source.RefName(r.s.Focus)
	switch {
	case ent == r.s.Focus:
		return w.ReachFocus, "the alerting service itself"
	case r.topo.Direct[ent]:
		return w.ReachDirect, "a direct dependency of " + focus
	case r.onChain[ent]:
		return w.ReachChain, "a dependency of " + focus + " through a chain that degraded in order"
	case slices.Contains(r.topo.Dependencies, ent):
		return w.ReachTransitive, "a transitive dependency of " + focus
	case slices.Contains(r.topo.Dependents, ent):
		return w.ReachDependent, "a dependent of " + focus + " (downstream, unlikely to cause it)"
	}
	return w.ReachUnconnected, "not connected to " + focus + " in the catalog"
}

func lead(lead time.Duration, c *Cause) float64 {
	if lead > 0 {
		c.Why = append(c.Why, fmt.Sprintf("went wrong %s before the alerting service's onset", humanDur(lead)))
		return w.LeadMin + w.LeadExtra*(1-math.Exp(-float64(lead)/float64(w.LeadScale)))
	}
	c.Why = append(c.Why, "went wrong at about the same time as the alerting service")
	return w.SameTime
}

// attributedElsewhere: every new error of the alerting service since t names
// another entity, or a dependency that went wrong first explains it. Then its
// own change gets no credit for its symptoms.
func (r *ranker) attributedElsewhere(t time.Time) bool {
	if len(r.explainers(r.s.Focus)) > 0 {
		return true
	}
	n, named := 0, 0
	for _, e := range r.newTpl[r.s.Focus] {
		if e.Template.First.Before(t) {
			continue
		}
		n++
		if len(r.named(e.Template.Text, r.s.Focus)) > 0 {
			named++
		}
	}
	return n > 0 && named == n
}

// changeCauses scores every change in the window: one cause per change,
// with the signals and errors that corroborate it attached.
func (r *ranker) changeCauses(ev []source.Evidence) []Cause {
	var out []Cause
	for _, e := range ev {
		c := e.Change
		if c == nil || c.Status == "failed" || c.Status == "cancelled" {
			continue
		}
		reach, rel := r.reach(c.Entity)
		dt := r.on.Sub(c.Time)
		prox := math.Exp(-math.Max(float64(dt), 0) / float64(w.ChangeDecay))
		cause := Cause{Kind: c.Kind, Entity: c.Entity, Change: c, at: c.Time, Evidence: []source.Evidence{e}}
		when := humanDur(dt) + " before onset"
		if dt < 0 {
			when = humanDur(-dt) + " after onset"
		}
		cause.Title = fmt.Sprintf("%s %s%s at %s, %s", source.ChangeVerb(c.Kind), source.RefName(c.Entity), verSuffix(c.Version),
			c.Time.UTC().Format("15:04"), when)
		cause.Why = append(cause.Why, fmt.Sprintf("%s is %s", source.RefName(c.Entity), rel))
		score := reach * (w.ChangeBase + w.ChangeCloseness*prox)
		horizon := c.Time.Add(w.Horizon)
		// Its own signals went wrong after the change.
		if since := r.since(c.Entity); since != nil && !since.Before(c.Time) && since.Before(horizon) {
			if c.Entity != r.s.Focus || !r.attributedElsewhere(c.Time) {
				score += w.SignalAfter
				if c.Entity == r.s.Focus {
					cause.Why = append(cause.Why, fmt.Sprintf("its errors rose %s after the change", humanDur(since.Sub(c.Time))))
				} else {
					cause.Why = append(cause.Why, fmt.Sprintf("it went wrong at %s, after the change", since.UTC().Format("15:04")))
					cause.Evidence = append(cause.Evidence, r.degEv[c.Entity]...)
					cause.Evidence = append(cause.Evidence, r.sat[c.Entity]...)
				}
			}
		}
		// New errors elsewhere that name it.
		for _, t := range r.mentions[c.Entity] {
			if !t.Template.First.Before(c.Time) && t.Template.First.Before(horizon) {
				score += w.Named
				cause.Why = append(cause.Why, fmt.Sprintf("new errors in %s since %s name %s: %q", source.RefName(t.Entity),
					t.Template.First.UTC().Format("15:04"), source.RefName(c.Entity), t.Template.Text))
				cause.Evidence = appendNew(cause.Evidence, t)
				break
			}
		}
		// It explains something between it and the alert that went wrong
		// after the change.
		for _, up := range append([]string{r.s.Focus}, r.topo.Dependencies...) {
			if up != c.Entity && (up == r.s.Focus || r.onChain[up]) && slices.Contains(r.explainers(up), c.Entity) {
				if since := r.since(up); since != nil && !since.Before(c.Time) {
					score += w.Explains
					cause.Why = append(cause.Why, fmt.Sprintf("%s, which depends on it, went wrong after the change", source.RefName(up)))
					break
				}
			}
		}
		// Its own new errors, unless they blame someone else.
		for _, t := range r.newTpl[c.Entity] {
			if !t.Template.First.Before(c.Time) && t.Template.First.Before(horizon) && len(r.named(t.Template.Text, c.Entity)) == 0 {
				score += w.OwnErrors
				cause.Why = append(cause.Why, fmt.Sprintf("new error template %s in %s appeared after the change", t.Template.ID, source.RefName(c.Entity)))
				cause.Evidence = appendNew(cause.Evidence, t)
				break
			}
		}
		switch since := r.since(c.Entity); {
		case dt < -w.Skew:
			score *= w.AfterOnset
			cause.Why = append(cause.Why, "made after the onset: it cannot have started the incident")
		case since != nil && since.Before(c.Time.Add(-w.Skew)) && c.Entity != r.s.Focus:
			score *= w.AlreadyFailing
			cause.Why = append(cause.Why, fmt.Sprintf("%s was already failing before the change", source.RefName(c.Entity)))
		}
		if c.Kind != source.KindDeploy {
			score *= w.NotDeploy
		}
		cause.Why = append(cause.Why, fmt.Sprintf("changed %s (closeness %.2f)", when, prox))
		if rb := revertOf(c, ev); rb != nil {
			cause.RevertedBy = rb
			cause.Why = append(cause.Why, fmt.Sprintf("already rolled back at %s (%s %s)", rb.Time.UTC().Format("15:04"),
				source.ChangeVerb(rb.Kind), cmp.Or(rb.Version, "previous version")))
		}
		cause.Score = score
		out = append(out, cause)
	}
	return out
}

// revertOf finds a later change of the same entity back to c's previous
// version: a rollback that already happened.
func revertOf(c *source.Change, ev []source.Evidence) *source.Change {
	if c.Previous == "" {
		return nil
	}
	for _, e := range ev {
		o := e.Change
		if o != nil && o != c && o.Entity == c.Entity && o.Time.After(c.Time) && o.Version == c.Previous &&
			o.Status != "failed" && o.Status != "cancelled" {
			return o
		}
	}
	return nil
}

// degradationCauses: dependencies (and the alerting service's own
// resources) that went wrong first. One cause per entity; a saturated
// resource is a saturation cause with its errors attached.
func (r *ranker) degradationCauses() []Cause {
	var out []Cause
	for _, ent := range append([]string{r.s.Focus}, r.topo.Dependencies...) {
		sat := r.sat[ent]
		degEv := r.degEv[ent]
		if ent == r.s.Focus {
			degEv = nil // the alerting service's errors are the symptom
		}
		if len(sat) == 0 && len(degEv) == 0 {
			continue
		}
		reach, rel := r.reach(ent)
		var cause Cause
		var score float64
		if len(sat) > 0 {
			first := sat[0].Signal
			cause = Cause{Kind: CauseSaturation, Entity: ent, at: *first.Breach, Evidence: append(append([]source.Evidence{}, sat...), degEv...)}
			of := ""
			if first.Max > 0 && !first.IsRatio() {
				of = " of max " + first.Format(first.Max)
			}
			cause.Title = fmt.Sprintf("%s saturated: %s at %s%s (baseline %s) from %s, %s before onset", source.RefName(ent), first.Name,
				first.Format(first.Peak), of, first.Format(first.Baseline), first.Breach.UTC().Format("15:04"), humanDur(r.on.Sub(*first.Breach)))
			cause.Why = append(cause.Why, fmt.Sprintf("%s is %s", source.RefName(ent), rel))
			score = reach*w.DegradedBase + lead(r.on.Sub(*r.since(ent)), &cause)
			switch {
			case first.Saturated:
				score += w.AtMax
				if first.IsRatio() {
					cause.Why = append(cause.Why, fmt.Sprintf("reached %s of capacity", source.Percent(first.Peak/first.Max)))
				} else {
					cause.Why = append(cause.Why, fmt.Sprintf("reached %s of its known maximum %s", source.Percent(first.Peak/first.Max), first.Format(first.Max)))
				}
			default:
				score *= w.UnknownMax
				cause.Why = append(cause.Why, "its maximum is unknown (no limit series): judged by its rise alone")
			}
		} else {
			first := degEv[0]
			for _, e := range degEv {
				if e.Signal != nil {
					first = e
					break
				}
			}
			cause = Cause{Kind: CauseDependency, Entity: ent, at: evTime(first), Evidence: append([]source.Evidence{}, degEv...)}
			if first.Signal != nil {
				cause.Title = fmt.Sprintf("dependency %s degraded first: %s rose from %s to %s at %s, %s before onset", source.RefName(ent),
					first.Signal.Name, first.Signal.Format(first.Signal.Baseline), first.Signal.Format(first.Signal.Peak),
					first.Signal.Breach.UTC().Format("15:04"), humanDur(r.on.Sub(*first.Signal.Breach)))
			} else {
				cause.Title = fmt.Sprintf("dependency %s failing first: new error %q in its logs since %s, %s before onset", source.RefName(ent),
					first.Template.Text, first.Template.First.UTC().Format("15:04"), humanDur(r.on.Sub(first.Template.First)))
			}
			cause.Why = append(cause.Why, fmt.Sprintf("%s is %s", source.RefName(ent), rel))
			score = reach*w.DegradedBase + lead(r.on.Sub(*r.since(ent)), &cause)
			if first.Signal != nil && len(r.newTpl[ent]) > 0 {
				score += w.OwnTemplate
				cause.Why = append(cause.Why, fmt.Sprintf("new error template %s in its own logs", r.newTpl[ent][0].Template.ID))
			}
		}
		if ent != r.s.Focus {
			since := *r.since(ent)
			for _, t := range r.newTpl[r.s.Focus] {
				if !t.Template.First.Before(since) {
					score += w.Linked
					cause.Why = append(cause.Why, fmt.Sprintf("the alerting service's new error %s began %s after it", t.Template.ID,
						humanDur(t.Template.First.Sub(since))))
					cause.Evidence = appendNew(cause.Evidence, t)
					break
				}
			}
		}
		if ms := r.mentions[ent]; len(ms) > 0 {
			score += w.NamedDep
			cause.Why = append(cause.Why, fmt.Sprintf("new errors in %s name it: %q", source.RefName(ms[0].Entity), ms[0].Template.Text))
			cause.Evidence = appendNew(cause.Evidence, ms[0])
		}
		for _, up := range append([]string{r.s.Focus}, r.topo.Dependencies...) {
			if up != r.s.Focus && up != ent && r.onChain[up] && slices.Contains(r.explainers(up), ent) {
				score += w.Explains
				cause.Why = append(cause.Why, fmt.Sprintf("it went wrong before %s, which depends on it and relays the failure", source.RefName(up)))
				break
			}
		}
		if ent != r.s.Focus {
			if ex := r.explainers(ent); len(ex) > 0 {
				score *= w.Relay
				names := make([]string, len(ex))
				for i, x := range ex {
					names[i] = source.RefName(x)
				}
				cause.Why = append(cause.Why, fmt.Sprintf("explained away: it relays %s, which changed or went wrong first", strings.Join(names, ", ")))
			}
		}
		cause.Score = score
		out = append(out, cause)
	}
	return out
}

// fold merges a degradation that followed a change of the same entity into
// that change: one cause per change, its errors attached.
func (r *ranker) fold(cands []Cause) []Cause {
	var out []Cause
	drop := map[int]bool{}
	for i := range cands {
		c := &cands[i]
		if c.Change == nil || c.Score < ClearCause/2 {
			continue
		}
		for j := range cands {
			d := cands[j]
			if drop[j] || d.Change != nil || d.Entity != c.Entity || d.at.Before(c.Change.Time) {
				continue
			}
			if d.at.After(c.Change.Time.Add(w.Horizon)) {
				continue
			}
			drop[j] = true
			for _, e := range d.Evidence {
				c.Evidence = appendNew(c.Evidence, e)
			}
			if d.Score > c.Score {
				c.Score = d.Score
			}
			c.Why = append(c.Why, "folded in: "+d.Title)
		}
	}
	for i, c := range cands {
		if !drop[i] {
			out = append(out, c)
		}
	}
	return out
}

// logCause: the alerting service's biggest new error template, when no other
// cause already carries it. It shows what fails, not why.
func (r *ranker) logCause(cands []Cause) []Cause {
	carried := map[string]bool{}
	for _, c := range cands {
		for _, e := range c.Evidence {
			if e.Template != nil {
				carried[e.ID] = true
			}
		}
	}
	var ts []source.Evidence
	for _, t := range r.newTpl[r.s.Focus] {
		if !carried[t.ID] {
			ts = append(ts, t)
		}
	}
	if len(ts) == 0 {
		return nil
	}
	sort.SliceStable(ts, func(i, j int) bool {
		if ts[i].Template.Count != ts[j].Template.Count {
			return ts[i].Template.Count > ts[j].Template.Count
		}
		return ts[i].ID < ts[j].ID
	})
	t := ts[0].Template
	score := w.LogBase
	if t.Count >= 10 {
		score += w.LogManyExtra
	}
	cause := Cause{Kind: CauseLog, Entity: r.s.Focus, at: t.First, Evidence: ts[:min(3, len(ts))], Score: score}
	cause.Title = fmt.Sprintf("new error in %s since %s: %q (%s, ×%d)", source.RefName(r.s.Focus), t.First.UTC().Format("15:04"), t.Text, t.ID, t.Count)
	cause.Why = append(cause.Why, fmt.Sprintf("template %s was absent for at least %s before onset", t.ID, humanDur(w.NewTemplateQuiet)),
		"an error template alone shows what fails, not why")
	return []Cause{cause}
}

// noClearCause leads when nothing clears the floor, and says what was
// checked so the reader knows where not to look again.
func (r *ranker) noClearCause(cands []Cause, ev []source.Evidence, symptoms []source.Evidence) Cause {
	top := 0.0
	best := "nothing"
	if len(cands) > 0 {
		top, best = cands[0].Score, cands[0].Title
	}
	var changes, connected, series, moved, tpls, newTpls int
	ents := map[string]bool{}
	srcs := map[string]bool{}
	for _, e := range ev {
		if e.Source != "" && e.Kind != source.KindAlert {
			srcs[e.Source] = true
		}
		switch {
		case e.Change != nil:
			changes++
			if reach, _ := r.reach(e.Change.Entity); reach >= w.ReachTransitive {
				connected++
			}
		case e.Signal != nil:
			series++
			ents[e.Entity] = true
			if e.Signal.Breach != nil {
				moved++
			}
		case e.Template != nil:
			tpls++
		}
	}
	for _, ts := range r.newTpl {
		newTpls += len(ts)
	}
	none := Cause{Kind: CauseNone, Score: ClearCause, Evidence: symptoms,
		Title: "no clear cause: no change, dependency or saturation signal explains the onset"}
	none.Why = []string{
		fmt.Sprintf("the best candidate scores %.2f, below %.2f: %s", top, ClearCause, best),
		fmt.Sprintf("checked %d changes in the window (%d on %s or its dependencies)", changes, connected, source.RefName(r.s.Focus)),
		fmt.Sprintf("checked %d metric series on %d entities (%d left their baseline)", series, len(ents), moved),
		fmt.Sprintf("checked %d error templates (%d new: absent until %s before onset)", tpls, newTpls, humanDur(w.NewTemplateQuiet)),
		"sources read: " + cmp.Or(strings.Join(slices.Sorted(maps.Keys(srcs)), ", "), "none"),
		"look wider: traffic, upstream callers, external providers",
	}
	return none
}

func appendNew(evs []source.Evidence, e source.Evidence) []source.Evidence {
	for _, x := range evs {
		if x.ID == e.ID && x.Detail == e.Detail {
			return evs
		}
	}
	return append(evs, e)
}
