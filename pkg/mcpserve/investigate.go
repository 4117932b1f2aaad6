package mcpserve

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/incident/action"
)

// IncidentInvestigateTool is `bsai incident investigate -o json` in
// co-pilot mode with no terminal. Its actions are proposed (plan) and
// reported as skipped; none is ever executed from MCP, whatever the config's
// agent allowlist says, because a tool call is not a person saying yes.
func IncidentInvestigateTool(incidentEnv func() incident.Env) server.ServerTool {
	tool := mcp.NewTool("incident_investigate",
		mcp.WithDescription("Investigate an incident around a service or an alert: affected entities and owners from the catalog, recent deploys and config changes, metrics and logs, ranked candidate causes citing evidence, and proposed actions. "+
			"READ-ONLY: this runs in co-pilot mode without a prompter, so no action (rollback, webhook, page) is ever executed from MCP; proposed actions come back in plan, with status skipped. "+
			"Returns the JSON of `bsai incident investigate -o json`."),
		mcp.WithString("service", mcp.Description("entity ref or name of the affected service (overrides the alert's service label); service or alert is required")),
		mcp.WithObject("alert", mcp.Description("the alert as a JSON object: an Alertmanager webhook payload or a PagerDuty v3 webhook event")),
		mcp.WithString("since", mcp.Description("look-back window as a Go duration, e.g. 2h or 30m (default bsai.incident.since or 2h)")),
		mcp.WithString("at", mcp.Description("end of the window as RFC3339, to replay a past incident, e.g. 2026-03-14T10:30:00Z")),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithDestructiveHintAnnotation(false), mcp.WithOpenWorldHintAnnotation(true),
	)
	return server.ServerTool{Tool: tool, Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		a := args{req.GetArguments()}
		if err := a.only("service", "alert", "since", "at"); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		service, err := a.str("service", false)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		alert, err := a.object("alert")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if service == "" && alert == nil {
			return mcp.NewToolResultError("nothing to investigate: pass service (an entity ref or name) and/or alert (a JSON object)"), nil
		}
		sinceS, err := a.str("since", false)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		var since time.Duration
		if sinceS != "" {
			if since, err = time.ParseDuration(sinceS); err != nil || since <= 0 {
				return mcp.NewToolResultError(fmt.Sprintf("invalid since %q: want a positive duration such as 2h or 30m", sinceS)), nil
			}
		}
		at, err := a.str("at", false)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		// Read-only by construction: co-pilot, no dry-run shortcut and no
		// prompter, so the executor's "co-pilot without a terminal"
		// branch skips every action.
		r := incident.Request{Service: service, Since: since, At: at, Mode: action.ModeCopilot, DryRun: false, Prompter: nil}
		if alert != nil {
			r.Alert, _ = json.Marshal(alert)
		}
		w := &warnings{}
		env := incidentEnv()
		env.Warn, env.Progress = w.warn, nil
		run, err := incident.Investigation(ctx, env, r)
		if err != nil {
			return toolError(err, w), nil
		}
		for _, x := range run.Report.Actions {
			if x.Status == action.StatusFailed {
				// "actions failed" cannot happen without execution; if it
				// ever does, say so loudly rather than hide it in a result.
				return toolError(errors.New("incident_investigate must not run actions but reported: actions failed: "+x.Action), w), nil
			}
		}
		return result(run.Report, w), nil
	}}
}
