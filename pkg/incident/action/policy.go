package action

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bsai-dev/bsai/pkg/config"
)

// Modes.
const (
	ModeCopilot = "copilot"
	ModeAgent   = "agent"
)

// KindNone is the cause kind of "no clear cause": an action with no `on:`
// filter never runs for it.
const KindNone = "none"

// Cause kinds an action's `on` may list besides the cause kinds.
const onAny = "any"

// DefaultMaxActions is the agent's per-run cap when maxActions is unset.
const DefaultMaxActions = 3

// Target is what the plan acts on: the top-ranked cause as the engine
// scored it. A model never chooses it; every action's inputs are rendered
// from it.
type Target struct {
	Kind   string  // cause kind; KindNone when nothing was found
	Title  string  //
	Entity string  // the suspected entity
	Score  float64 // the engine's score for it
	// Changed: the target is a change (its entity, version and previous
	// version fill {{.ChangedEntity}}, {{.Version}}, {{.Previous}}).
	Changed bool
	// Reverted says the change was already rolled back ("at 09:49 by
	// deploy of 2.4.9"); "" when not.
	Reverted string
}

// Policy is the one gate every plan item passes, whether rules or a model
// proposed it, at planning time and again right before it runs: the
// action's `on:` filter against a target the evidence supports above the
// confidence floor, a change not already rolled back, the agent allowlist;
// Executor.Run adds maxActions, the audit log and the budget.
type Policy struct {
	Actions map[string]config.IncidentAction
	Mode    string
	Allow   []string
	// Floor is the score the target needs; below it the target counts as
	// "no clear cause" for every `on:` filter.
	Floor float64
}

// Kind is the target's kind as the policy sees it: KindNone below the floor.
func (p Policy) Kind(t Target) string {
	if t.Kind == "" || t.Score < p.Floor {
		return KindNone
	}
	return t.Kind
}

// Check fills Type, Refused and NeedsConfirmation for one item.
func (p Policy) Check(item PlanItem, t Target) PlanItem {
	item.Refused, item.NeedsConfirmation = "", false
	a, ok := p.Actions[item.Action]
	if !ok {
		item.Type = ""
		item.Refused = "not a configured action (bsai.incident.actions)"
		return item
	}
	item.Type = a.Type
	kind := p.Kind(t)
	switch {
	case !MatchesOn(a.On, kind):
		why := kind
		if kind == KindNone {
			why = fmt.Sprintf("no clear cause: nothing scores %.2f or more", p.Floor)
		}
		on := "[] (any cause but none)"
		if len(a.On) > 0 {
			on = "[" + strings.Join(a.On, ", ") + "]"
		}
		item.Refused = fmt.Sprintf("its on: %s does not match the top cause (%s)", on, why)
	case ActsOnChange(a) && (!t.Changed || kind == KindNone):
		item.Refused = "its inputs name a change ({{.ChangedEntity}}, {{.Version}}, {{.Previous}}) and the top cause is no change above the confidence floor"
	case t.Reverted != "" && RevertsChange(a):
		item.Refused = "the change was already rolled back " + t.Reverted
	case p.Mode == ModeAgent && !slices.Contains(p.Allow, item.Action):
		item.Refused = "not on the agent allowlist (bsai.incident.agent.allow)"
	case p.Mode != ModeAgent:
		item.NeedsConfirmation = true
	}
	return item
}

// MatchesOn says whether an action whose `on:` lists on applies to a cause of
// the given kind.
func MatchesOn(on []string, kind string) bool {
	if len(on) == 0 {
		return kind != KindNone
	}
	for _, o := range on {
		if o == onAny || o == kind {
			return true
		}
	}
	return false
}

// RevertsChange: the action puts a previous version back (its inputs use
// {{.Previous}}), so it must not run for a change already rolled back.
func RevertsChange(a config.IncidentAction) bool {
	return mentions(a.Values, ".Previous") || mentions(a.Args, ".Previous")
}

// ActsOnChange: the action's inputs name the suspected change, so it needs a
// change as its target.
func ActsOnChange(a config.IncidentAction) bool {
	for _, f := range []string{".ChangedEntity", ".Version", ".Previous"} {
		if mentions(a.Values, f) || mentions(a.Args, f) || strings.Contains(a.Text, f) {
			return true
		}
	}
	return false
}

func mentions(v any, s string) bool {
	switch t := v.(type) {
	case string:
		return strings.Contains(t, "{{") && strings.Contains(t, s)
	case map[string]any:
		for _, x := range t {
			if mentions(x, s) {
				return true
			}
		}
	case []any:
		for _, x := range t {
			if mentions(x, s) {
				return true
			}
		}
	}
	return false
}
