package incident

import (
	"cmp"
	"sort"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/incident/action"
)

// DeterministicPlan proposes the configured actions whose `on` matches the
// top cause's kind, in name order.
func DeterministicPlan(actions map[string]config.IncidentAction, an Analysis, mode string, allow []string) []action.PlanItem {
	if len(an.Causes) == 0 {
		return nil
	}
	top := an.Causes[0]
	names := make([]string, 0, len(actions))
	for n := range actions {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []action.PlanItem
	for _, n := range names {
		a := actions[n]
		if !action.MatchesOn(a.On, top.Kind) {
			continue
		}
		reason := cmp.Or(a.Description, a.Type+" action")
		reason += " — for: " + top.Title
		out = append(out, action.Check(action.PlanItem{Action: n, Type: a.Type, Reason: reason, ProposedBy: "rules"}, actions, mode, allow))
	}
	return out
}
