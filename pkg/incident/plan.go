package incident

import (
	"cmp"
	"sort"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/incident/action"
)

// DeterministicPlan proposes the configured actions the policy allows for
// the top cause, in name order. Actions it refuses for the cause itself
// (their on: filter, a change already rolled back) are not proposed; those
// refused for the mode (the allowlist) are listed as refused.
func DeterministicPlan(actions map[string]config.IncidentAction, an Analysis, mode string, allow []string) []action.PlanItem {
	if len(an.Causes) == 0 {
		return nil
	}
	r := &Report{Causes: an.Causes}
	pol := r.policy(actions, mode, allow)
	t := r.target()
	names := make([]string, 0, len(actions))
	for n := range actions {
		names = append(names, n)
	}
	sort.Strings(names)
	var out []action.PlanItem
	for _, n := range names {
		a := actions[n]
		if !action.MatchesOn(a.On, pol.Kind(t)) || (t.Reverted != "" && action.RevertsChange(a)) {
			continue
		}
		reason := cmp.Or(a.Description, a.Type+" action")
		reason += " — for: " + t.Title
		out = append(out, pol.Check(action.PlanItem{Action: n, Type: a.Type, Reason: reason, ProposedBy: "rules"}, t))
	}
	return out
}
