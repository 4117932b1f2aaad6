package action

import (
	"slices"

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

// Check fills Type, Refused and NeedsConfirmation from config and mode.
func Check(p PlanItem, actions map[string]config.IncidentAction, mode string, allow []string) PlanItem {
	a, ok := actions[p.Action]
	if !ok {
		p.Refused = "not a configured action (bsai.incident.actions)"
		p.NeedsConfirmation = false
		return p
	}
	p.Type = a.Type
	if mode == ModeAgent {
		if !slices.Contains(allow, p.Action) {
			p.Refused = "not on the agent allowlist (bsai.incident.agent.allow)"
		}
		p.NeedsConfirmation = false
		return p
	}
	p.NeedsConfirmation = true
	return p
}
