// Package action runs an investigation's plan: scaffolder tasks, MCP tool
// calls, webhooks and pages, each behind one policy (policy.go) and recorded
// in the audit log. Whether an item may run is decided here, in code, from
// config; never from anything a model or a log line says.
package action

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/incident/source"
	"github.com/bsai-dev/bsai/pkg/retry"
	"github.com/bsai-dev/bsai/pkg/textutil"
)

// PlanItem is one proposed action. Whether it may run is decided here, in
// code, from config: never from anything a model or a log line says.
type PlanItem struct {
	Action            string `json:"action"`
	Type              string `json:"type,omitempty"`
	Reason            string `json:"reason"`
	NeedsConfirmation bool   `json:"needsConfirmation"`
	ProposedBy        string `json:"proposedBy"` // rules | model
	// Refused says why the action can never run in this mode (not
	// configured, not on the agent allowlist); "" when it may.
	Refused string `json:"refused,omitempty"`
}

// ActionResult is what happened to a plan item.
type ActionResult struct {
	Action string         `json:"action"`
	Type   string         `json:"type,omitempty"`
	Status string         `json:"status"` // executed | failed | declined | skipped | refused | dry-run
	Detail string         `json:"detail,omitempty"`
	Inputs map[string]any `json:"inputs,omitempty"`
	Link   string         `json:"link,omitempty"`
}

// ModelWrittenMark prefixes webhook and page text that carries a model's words.
const ModelWrittenMark = "[model-written, not verified by bsai] "

// Action statuses.
const (
	StatusExecuted = "executed"
	StatusFailed   = "failed"
	StatusDeclined = "declined"
	StatusSkipped  = "skipped"
	StatusRefused  = "refused"
	// StatusInterrupted: Ctrl-C at the prompt; nothing after it runs.
	StatusInterrupted = "interrupted"
	StatusDryRun      = "dry-run"
)

// Prompter asks the person at the terminal for an explicit yes.
type Prompter interface {
	Confirm(ctx context.Context, question string) (bool, error)
}

// Executor runs plan items under the mode's policy and audits them.
type Executor struct {
	Actions map[string]config.IncidentAction
	Allow   []string
	// MaxActions caps executed actions per agent run: nil = DefaultMaxActions,
	// 0 = none.
	MaxActions *int
	Backstage  source.BackstageClient
	MCP        source.ToolCaller
	HTTP       *http.Client
	Audit      *AuditLog
	Now        func() time.Time
	// PollEvery and Sleep drive scaffolder task following (tests shrink them).
	PollEvery time.Duration
	Sleep     func(ctx context.Context, d time.Duration) error
}

// RunRequest is one run of the plan.
type RunRequest struct {
	Plan     []PlanItem
	Mode     string
	DryRun   bool
	Prompter Prompter // nil = no TTY
	Data     map[string]any
	// Target and Floor are what the policy checks every item against.
	Target Target
	Floor  float64
}

// Run decides and executes each plan item in order. Every item passes the
// Policy again here, not only in the plan: the plan may come from a model.
func (x *Executor) Run(ctx context.Context, req RunRequest) []ActionResult {
	max := DefaultMaxActions
	if x.MaxActions != nil {
		max = *x.MaxActions
	}
	pol := Policy{Actions: x.Actions, Mode: req.Mode, Allow: x.Allow, Floor: req.Floor}
	// The audit log is probed only when something is about to run (a
	// read-only investigation leaves no file behind), then remembered.
	var auditErr error
	probed := false
	auditable := func() error {
		if !probed && x.Audit != nil {
			probed, auditErr = true, x.Audit.Writable()
		}
		return auditErr
	}
	done := 0
	var out []ActionResult
	for _, p := range req.Plan {
		r := ActionResult{Action: p.Action, Type: p.Type}
		if ctx.Err() != nil {
			if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
				// Interrupted (at a prompt or during an action): nothing
				// further is decided or run.
				break
			}
			// The run's budget is spent: what is left is reported, not run.
			r.Status, r.Detail = StatusSkipped, "not started: "+context.Cause(ctx).Error()
			out = append(out, x.audit(req, p, r))
			continue
		}
		checked := pol.Check(p, req.Target)
		a := x.Actions[p.Action]
		if checked.Refused != "" {
			r.Status, r.Detail = StatusRefused, checked.Refused
		}
		if r.Status == "" {
			inputs, err := renderAction(a, req.Data)
			r.Inputs = redactInputs(a, inputs)
			switch {
			case err != nil:
				r.Status, r.Detail = StatusFailed, "render inputs: "+err.Error()
			case req.Mode == ModeAgent && max <= 0:
				r.Status, r.Detail = StatusSkipped, "maxActions is 0: the agent may run no action"
			case req.Mode == ModeAgent && done >= max:
				r.Status, r.Detail = StatusSkipped, fmt.Sprintf("per-run limit of %d actions reached", max)
			case req.DryRun:
				r.Status, r.Detail = StatusDryRun, "would run; --dry-run given"
			case ctx.Err() != nil:
				r.Status, r.Detail = StatusSkipped, "not started: "+context.Cause(ctx).Error()
			case req.Mode != ModeAgent && req.Prompter == nil:
				r.Status, r.Detail = StatusSkipped, "co-pilot mode without a terminal: nothing runs without an explicit yes"
			case auditable() != nil:
				// Fail closed: the action was due to run and did not.
				r.Status, r.Detail = StatusFailed, "not run: nothing runs without an audit trail: "+auditErr.Error()
			default:
				yes := req.Mode == ModeAgent
				if !yes {
					var perr error
					yes, perr = req.Prompter.Confirm(ctx, Question(p, a, r.Inputs))
					if perr != nil && ctx.Err() != nil {
						r.Status, r.Detail = StatusInterrupted, "interrupted at the prompt; nothing further runs"
						break
					}
					if perr != nil {
						r.Status, r.Detail = StatusDeclined, "no answer: "+perr.Error()
						break
					}
				}
				if !yes {
					r.Status, r.Detail = StatusDeclined, "declined at the prompt"
					break
				}
				done++
				detail, link, err := x.execute(ctx, a, inputs)
				r.Link = link
				if err != nil {
					r.Status, r.Detail = StatusFailed, err.Error()
				} else {
					r.Status, r.Detail = StatusExecuted, detail
				}
			}
		}
		if auditErr == nil {
			r = x.audit(req, p, r)
		}
		out = append(out, r)
	}
	return out
}

// audit appends one decision (co-pilot items skipped for want of a terminal
// are not decisions).
func (x *Executor) audit(req RunRequest, p PlanItem, r ActionResult) ActionResult {
	if x.Audit == nil || (r.Status == StatusSkipped && req.Mode != ModeAgent) {
		return r
	}
	if err := x.Audit.Append(AuditEntry{Time: x.now(), Mode: req.Mode, Action: r.Action, Type: r.Type,
		ProposedBy: p.ProposedBy, Reason: p.Reason, Inputs: r.Inputs, Status: r.Status, Result: r.Detail, DryRun: req.DryRun}); err != nil {
		r.Detail += " (audit log: " + err.Error() + ")"
	}
	return r
}

func (x *Executor) now() time.Time {
	if x.Now != nil {
		return x.Now()
	}
	return time.Now()
}

// renderAction templates the action's inputs with the incident data.
func renderAction(a config.IncidentAction, data map[string]any) (map[string]any, error) {
	switch a.Type {
	case "scaffolder":
		vals, err := source.TemplateArgs(a.Values, data)
		if err != nil {
			return nil, err
		}
		return map[string]any{"templateRef": a.Template, "values": vals}, nil
	case "mcp":
		args, err := source.TemplateArgs(a.Args, data)
		if err != nil {
			return nil, err
		}
		return map[string]any{"server": a.Server, "tool": a.Tool, "args": args}, nil
	case "webhook", "page":
		text := a.Text
		if text == "" {
			text = "{{.Summary}}"
		}
		t, err := source.RenderTemplate(text, data)
		if err != nil {
			return nil, err
		}
		// Text a model wrote is posted as such, so nobody reads "Rollback
		// executed." from a model as a fact bsai checked.
		if mw, _ := data["ModelWritten"].(bool); mw && strings.Contains(text, ".Summary") {
			t = ModelWrittenMark + t
		}
		in := map[string]any{"url": a.URL, "text": t}
		if a.Type == "page" {
			in["service"], _ = data["Service"].(string)
			// Page whoever owns the suspect (a dependency's team when a
			// dependency is to blame), not only the alerting service's.
			if o, _ := data["SuspectOwner"].(string); o != "" {
				in["owner"] = o
			}
			if sp, _ := data["Suspect"].(string); sp != "" {
				in["suspect"] = sp
			}
		}
		return in, nil
	}
	return nil, fmt.Errorf("unknown action type %q (use scaffolder, mcp, webhook or page)", a.Type)
}

// redactInputs keeps webhook URLs (which embed secrets, e.g. Slack's) out of
// reports and the audit log.
func redactInputs(a config.IncidentAction, in map[string]any) map[string]any {
	if in == nil {
		return nil
	}
	if u, ok := in["url"].(string); ok {
		out := map[string]any{}
		for k, v := range in {
			out[k] = v
		}
		if pu, err := url.Parse(u); err == nil && pu.Host != "" {
			out["url"] = pu.Scheme + "://" + pu.Host + "/…"
		} else {
			out["url"] = "<redacted>"
		}
		return out
	}
	return in
}

func (x *Executor) execute(ctx context.Context, a config.IncidentAction, in map[string]any) (string, string, error) {
	timeout := a.Timeout.Duration
	if timeout <= 0 {
		timeout = 10 * time.Minute
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	switch a.Type {
	case "scaffolder":
		if x.Backstage == nil {
			return "", "", fmt.Errorf("scaffolder action needs a Backstage backend")
		}
		return x.runTask(ctx, in)
	case "mcp":
		if x.MCP == nil {
			return "", "", fmt.Errorf("mcp action needs an MCP registry")
		}
		args, _ := in["args"].(map[string]any)
		res, err := x.MCP.CallTool(ctx, a.Server, a.Tool, args)
		if err != nil {
			return "", "", err
		}
		text := source.ToolText(res)
		if res.IsError {
			return "", "", fmt.Errorf("tool error: %s", source.OneLine(text))
		}
		return textutil.Truncate(text, 500, "…"), "mcp://" + a.Server + "/" + a.Tool, nil
	case "webhook", "page":
		text, _ := in["text"].(string)
		body := map[string]any{"text": text}
		if a.Type == "page" {
			// PagerDuty Events v2 shape (extra "text" for generic receivers).
			src, _ := in["service"].(string)
			body["event_action"] = "trigger"
			payload := map[string]any{"summary": textutil.Truncate(text, 1000, "…"), "source": cmp.Or(src, "bsai"), "severity": "critical"}
			if o, _ := in["owner"].(string); o != "" {
				payload["group"] = o
				payload["custom_details"] = map[string]any{"owner": o, "suspect": in["suspect"]}
			}
			body["payload"] = payload
			if a.RoutingKey != "" {
				body["routing_key"] = a.RoutingKey
			}
		}
		return x.post(ctx, a, body)
	}
	return "", "", fmt.Errorf("unknown action type %q", a.Type)
}

func (x *Executor) post(ctx context.Context, a config.IncidentAction, body any) (string, string, error) {
	b, _ := json.Marshal(body)
	req, err := http.NewRequestWithContext(ctx, "POST", a.URL, bytes.NewReader(b))
	if err != nil {
		return "", "", fmt.Errorf("webhook url: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range a.Headers {
		req.Header.Set(k, v)
	}
	hc := x.HTTP
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	resp, err := hc.Do(req)
	if err != nil {
		// The URL may hold a secret: report the host only.
		return "", "", fmt.Errorf("post to %s failed", hostOf(a.URL))
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 4096))
	if resp.StatusCode/100 != 2 {
		return "", "", fmt.Errorf("post to %s: http %d", hostOf(a.URL), resp.StatusCode)
	}
	return fmt.Sprintf("posted to %s (http %d)", hostOf(a.URL), resp.StatusCode), "", nil
}

func hostOf(u string) string {
	if pu, err := url.Parse(u); err == nil && pu.Host != "" {
		return pu.Host
	}
	return "webhook"
}

// runTask starts a scaffolder task and follows it until it finishes.
func (x *Executor) runTask(ctx context.Context, in map[string]any) (string, string, error) {
	var created struct {
		ID string `json:"id"`
	}
	if err := x.Backstage.Create(ctx, "POST", "/api/scaffolder/v2/tasks", in, &created); err != nil {
		return "", "", fmt.Errorf("start scaffolder task: %w", err)
	}
	if created.ID == "" {
		return "", "", fmt.Errorf("start scaffolder task: reply has no task id")
	}
	link := "/create/tasks/" + created.ID
	every := x.PollEvery
	if every <= 0 {
		every = 2 * time.Second
	}
	sleep := x.Sleep
	if sleep == nil {
		sleep = retry.Sleep
	}
	for {
		var task source.ScaffolderTask
		if err := x.Backstage.Do(ctx, "GET", "/api/scaffolder/v2/tasks/"+url.PathEscape(created.ID), nil, &task); err != nil {
			return "", link, fmt.Errorf("follow task %s: %w", created.ID, err)
		}
		switch task.Status {
		case "completed":
			return "task " + created.ID + " completed", link, nil
		case "failed", "cancelled":
			return "", link, fmt.Errorf("task %s %s", created.ID, task.Status)
		}
		if err := sleep(ctx, every); err != nil {
			return "", link, fmt.Errorf("task %s still %s: %w", created.ID, task.Status, err)
		}
	}
}
