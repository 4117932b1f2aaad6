package mcpserve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/pkg/assistant"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/incident/action"
	"github.com/bsai-dev/bsai/pkg/output"
	"github.com/bsai-dev/bsai/pkg/scaffolder"
)

// The model-backed tools call the same functions as `bsai ask`,
// `bsai template generate` and `bsai incident investigate`, in the same
// environments, and return what those commands print with -o json. Their
// warnings come back in the result instead of on a terminal; nothing can
// prompt, and nothing reaches stdout, which is the MCP channel in stdio
// mode.

// warnings collects a tool call's warnings (Warn may be called from the
// goroutines of a parallel collection).
type warnings struct {
	mu    sync.Mutex
	lines []string
}

func (w *warnings) warn(format string, args ...any) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.lines = append(w.lines, "warning: "+fmt.Sprintf(format, args...))
}

func (w *warnings) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return strings.Join(w.lines, "\n")
}

// result is v as the command's JSON, in text and as structuredContent,
// with the warnings as a second text block.
func result(v any, w *warnings) *mcp.CallToolResult {
	var buf bytes.Buffer
	if err := output.WriteJSON(&buf, v); err != nil {
		return mcp.NewToolResultError("bsai produced no JSON result: " + err.Error())
	}
	var structured map[string]any
	if err := json.Unmarshal(buf.Bytes(), &structured); err != nil {
		return mcp.NewToolResultError("bsai produced no JSON result: " + err.Error())
	}
	res := mcp.NewToolResultStructured(structured, strings.TrimSpace(buf.String()))
	if s := w.String(); s != "" {
		res.Content = append(res.Content, mcp.NewTextContent("warnings:\n"+s))
	}
	return res
}

// toolError renders an error with its hint and any warnings printed before
// it, so the calling model can read and fix it.
func toolError(err error, w *warnings) *mcp.CallToolResult {
	msg := err.Error()
	if h := errs.HintOf(err); h != "" {
		msg += "\nhint: " + h
	}
	if s := w.String(); s != "" {
		msg += "\n" + s
	}
	return mcp.NewToolResultError(msg)
}

// AskTool is `bsai ask QUESTION -o json`.
func AskTool(askEnv func(context.Context) (assistant.Env, error)) server.ServerTool {
	tool := mcp.NewTool("ask",
		mcp.WithDescription("Answer a question about the Backstage catalog (owners, dependencies, APIs, on-call), citing the entity refs the answer uses; every citation is checked against the catalog. "+
			"Uses bsai's configured model, or a deterministic offline answer when none is configured. Returns the JSON of `bsai ask -o json`: question, answer, citations, retrieved, mode, usage."),
		mcp.WithString("question", mcp.Required(), mcp.Description("the question, e.g. \"Who owns <service>?\" or \"What depends on <api>?\"")),
		mcp.WithInteger("topK", mcp.Min(1), mcp.Max(100), mcp.Description("how many entities to retrieve (default 5, or bsai.ask.topK)")),
		mcp.WithString("kind", mcp.Description("only retrieve entities of this kind (component, api, group, ...)")),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
	)
	return server.ServerTool{Tool: tool, Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		a := args{req.GetArguments()}
		if err := a.only("question", "topK", "kind"); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		q, err := a.str("question", true)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		if strings.TrimSpace(q) == "" {
			return mcp.NewToolResultError("question must not be empty"), nil
		}
		kind, err := a.str("kind", false)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		topK, _, err := a.integer("topK")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		w := &warnings{}
		env, err := askEnv(ctx)
		if err != nil {
			return toolError(err, w), nil
		}
		env.Warn, env.Progress = w.warn, nil
		as, question, err := assistant.Prepare(ctx, env, assistant.Request{Question: q, TopK: topK, Kind: kind})
		if err != nil {
			return toolError(err, w), nil
		}
		ans, err := as.Ask(ctx, question)
		if err != nil {
			return toolError(err, w), nil
		}
		return result(ans, w), nil
	}}
}

// TemplateGenerateTool is `bsai template generate DESCRIPTION -o json`
// without --out or --dry-run: it never writes a file nor calls the backend's
// dry run.
func TemplateGenerateTool(generateEnv func() (scaffolder.GenerateEnv, error)) server.ServerTool {
	tool := mcp.NewTool("template_generate",
		mcp.WithDescription("Generate a Backstage scaffolder template (v1beta3) from a description and validate it. "+
			"Uses bsai's configured model with validator-driven repairs, or offline composes it from the request (kind of change, stack, host and publish action, owner team from the catalog, extras) using only available actions. "+
			"Never writes files. Returns the JSON of `bsai template generate -o json`: yaml, template, valid, errors and warnings (validator findings), citations, mode. "+
			"valid: false is a result, not a tool error."),
		mcp.WithString("description", mcp.Required(), mcp.Description("what the template should create, e.g. \"Go gRPC service with a Postgres database\"")),
		mcp.WithArray("refs", mcp.WithStringItems(), mcp.Description("reference templates from the catalog (catalog_search with kind Template lists them), e.g. [\"template:default/<name>\"]")),
		mcp.WithString("owner", mcp.Description("spec.owner of the new template, an entity ref such as group:default/<team>")),
		mcp.WithReadOnlyHintAnnotation(true), mcp.WithOpenWorldHintAnnotation(false),
	)
	return server.ServerTool{Tool: tool, Handler: func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		a := args{req.GetArguments()}
		if err := a.only("description", "refs", "owner"); err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		desc, err := a.str("description", true)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		owner, err := a.str("owner", false)
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		refs, err := a.strings("refs")
		if err != nil {
			return mcp.NewToolResultError(err.Error()), nil
		}
		w := &warnings{}
		env, err := generateEnv()
		if err != nil {
			return toolError(err, w), nil
		}
		env.Warn, env.Progress = w.warn, nil
		res, err := scaffolder.RunGenerate(ctx, env, scaffolder.GenerateRequest{Description: desc, Refs: refs, Owner: owner})
		if err != nil {
			return toolError(err, w), nil
		}
		// An invalid template (valid: false with the errors) is the
		// answer, not a failure; notes are in the JSON.
		return result(res, w), nil
	}}
}

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

// args reads tool arguments with type checks, so a wrong type is a clear
// tool error instead of a silently ignored value.
type args struct{ m map[string]any }

// only rejects argument names the tool does not have (a typo would
// otherwise be ignored silently).
func (a args) only(names ...string) error {
	for k := range a.m {
		if !slices.Contains(names, k) {
			return fmt.Errorf("unknown argument %q; this tool takes %s", k, strings.Join(names, ", "))
		}
	}
	return nil
}

func (a args) str(key string, required bool) (string, error) {
	v, ok := a.m[key]
	if !ok || v == nil {
		if required {
			return "", fmt.Errorf("missing required argument %q", key)
		}
		return "", nil
	}
	s, ok := v.(string)
	if !ok {
		return "", fmt.Errorf("argument %q must be a string, got %s", key, jsonType(v))
	}
	return s, nil
}

func (a args) integer(key string) (int, bool, error) {
	v, ok := a.m[key]
	if !ok || v == nil {
		return 0, false, nil
	}
	n, ok := v.(float64)
	if !ok || n != math.Trunc(n) {
		return 0, false, fmt.Errorf("argument %q must be an integer, got %s", key, jsonType(v))
	}
	if n < 1 || n > 100 {
		return 0, false, fmt.Errorf("argument %q must be between 1 and 100, got %v", key, n)
	}
	return int(n), true, nil
}

func (a args) strings(key string) ([]string, error) {
	v, ok := a.m[key]
	if !ok || v == nil {
		return nil, nil
	}
	xs, ok := v.([]any)
	if !ok {
		return nil, fmt.Errorf("argument %q must be an array of strings, got %s", key, jsonType(v))
	}
	out := make([]string, 0, len(xs))
	for i, x := range xs {
		s, ok := x.(string)
		if !ok {
			return nil, fmt.Errorf("argument %q[%d] must be a string, got %s", key, i, jsonType(x))
		}
		out = append(out, s)
	}
	return out, nil
}

// object accepts a JSON object, or a string holding one (some clients
// serialise nested objects).
func (a args) object(key string) (map[string]any, error) {
	v, ok := a.m[key]
	if !ok || v == nil {
		return nil, nil
	}
	switch x := v.(type) {
	case map[string]any:
		return x, nil
	case string:
		var m map[string]any
		if err := json.Unmarshal([]byte(x), &m); err != nil || m == nil {
			return nil, fmt.Errorf("argument %q must be a JSON object", key)
		}
		return m, nil
	}
	return nil, fmt.Errorf("argument %q must be a JSON object, got %s", key, jsonType(v))
}

func jsonType(v any) string {
	switch v.(type) {
	case string:
		return "a string"
	case float64:
		return "a number"
	case bool:
		return "a boolean"
	case []any:
		return "an array"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprintf("%T", v)
}
