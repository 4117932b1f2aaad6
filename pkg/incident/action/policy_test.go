package action_test

import (
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/incident/action"
)

func TestPolicyCheck(t *testing.T) {
	actions := map[string]config.IncidentAction{
		"rollback": {Type: "scaffolder", On: []string{"deploy"}, Template: "template:default/rollback",
			Values: map[string]any{"service": "{{.ChangedEntity}}", "version": "{{.Previous}}"}},
		"restart":  {Type: "mcp", On: []string{"dependency"}, Server: "ops", Tool: "restart", Args: map[string]any{"d": "{{.Service}}"}},
		"notify":   {Type: "webhook", On: []string{"any"}, URL: "http://127.0.0.1:1/x", Text: "{{.Summary}}"},
		"plain":    {Type: "webhook", URL: "http://127.0.0.1:1/y"},
		"announce": {Type: "webhook", On: []string{"any"}, URL: "http://127.0.0.1:1/z", Text: "rolled back to {{.Previous}}"},
	}
	deploy := action.Target{Kind: "deploy", Entity: "component:default/a", Score: 0.8, Changed: true}
	weak := action.Target{Kind: "deploy", Entity: "component:default/a", Score: 0.3, Changed: true}
	reverted := deploy
	reverted.Reverted = "at 09:49 (deploy of 1.0.0)"
	dep := action.Target{Kind: "dependency", Entity: "resource:default/db", Score: 0.6}
	none := action.Target{Kind: action.KindNone, Score: 0.45}
	agent := action.Policy{Actions: actions, Mode: action.ModeAgent, Allow: []string{"rollback", "restart", "notify", "plain", "announce"}, Floor: 0.45}
	copilot := agent
	copilot.Mode, copilot.Allow = action.ModeCopilot, nil
	for _, tc := range []struct {
		name   string
		pol    action.Policy
		item   string
		target action.Target
		refuse string // "" = allowed
	}{
		{"rollback for a clear deploy", agent, "rollback", deploy, ""},
		{"rollback below the floor", agent, "rollback", weak, "does not match"},
		{"rollback for no clear cause", agent, "rollback", none, "does not match"},
		{"rollback already done", agent, "rollback", reverted, "already rolled back"},
		{"rollback for a dependency", agent, "rollback", dep, "does not match"},
		{"restart for a dependency", agent, "restart", dep, ""},
		{"notify for anything", agent, "notify", none, ""},
		{"no on: never for none", agent, "plain", none, "does not match"},
		{"no on: for a cause", agent, "plain", dep, ""},
		{"change text without a change", agent, "announce", dep, "name a change"},
		{"unconfigured", agent, "drop-database", deploy, "not a configured action"},
		{"not allowlisted", action.Policy{Actions: actions, Mode: action.ModeAgent, Floor: 0.45}, "notify", deploy, "allowlist"},
		{"co-pilot asks", copilot, "rollback", deploy, ""},
		{"co-pilot still filters", copilot, "rollback", none, "does not match"},
	} {
		for _, by := range []string{"rules", "model"} {
			got := tc.pol.Check(action.PlanItem{Action: tc.item, ProposedBy: by}, tc.target)
			switch {
			case tc.refuse == "" && got.Refused != "":
				t.Errorf("%s (%s): refused %q", tc.name, by, got.Refused)
			case tc.refuse != "" && !strings.Contains(got.Refused, tc.refuse):
				t.Errorf("%s (%s): refused %q, want %q", tc.name, by, got.Refused, tc.refuse)
			case tc.refuse == "" && got.NeedsConfirmation != (tc.pol.Mode == action.ModeCopilot):
				t.Errorf("%s (%s): needsConfirmation %v", tc.name, by, got.NeedsConfirmation)
			}
		}
	}
}
