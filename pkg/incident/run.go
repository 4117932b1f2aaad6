package incident

import (
	"context"
	"errors"
	"net/http"
	"os"
	"time"

	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/incident/action"
	"github.com/bsai-dev/bsai/pkg/incident/source"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/mcp"
)

// Request is one investigation as `bsai incident investigate` and the
// incident_investigate tool of `bsai mcp serve` receive it.
type Request struct {
	Service string
	// Alert is the raw alert JSON (Alertmanager webhook or GET
	// /api/v2/alerts array, Grafana webhook, PagerDuty v3 event); nil when
	// there is none, and then bsai.incident.sources.alertmanager.url is
	// asked for what is firing.
	Alert []byte
	Since time.Duration
	// At is the end of the window as RFC3339 ("" = from the alert or now).
	At     string
	Mode   string
	DryRun bool
	// MaxActions overrides bsai.incident.agent.maxActions when set (0 = no
	// action may run).
	MaxActions *int
	// Prompter asks before each co-pilot action; nil runs none.
	Prompter action.Prompter
	// Chooser picks one of several firing entities; nil makes that a
	// usage error listing them.
	Chooser Chooser
	// DeferActions leaves executing the plan to the caller (RunActions).
	DeferActions bool
}

// Env is what an investigation is wired from. The lazy connections are
// only opened when bsai.incident needs them.
type Env struct {
	Config    func() (*config.Config, error)
	Catalog   func(ctx context.Context) (*catalog.Graph, error)
	HTTP      func() (*http.Client, error)
	Backstage func() (*backstage.Client, error)
	MCP       func() (*mcp.Registry, error)
	// Provider returns the model; nil or llm.ErrNoModel investigates
	// without one.
	Provider func() (llm.Provider, error)
	Now      func() time.Time
	Warn     func(format string, args ...any)
	Verbosef func(format string, args ...any)
	Progress func(label string) (stop func())
}

// Run is one investigation, wired and run.
type Run struct {
	Report *Report
	// Executor runs the plan's actions (nil without bsai.incident.actions);
	// with DeferActions the caller passes it to Report.RunActions.
	Executor *action.Executor
}

// Investigation checks the request, builds the sources, the executor (with
// its audit log) and the model from env, and investigates. The CLI and
// the MCP tool both call it; printing and prompting are theirs.
func Investigation(ctx context.Context, env Env, req Request) (*Run, error) {
	if req.Mode != action.ModeCopilot && req.Mode != action.ModeAgent {
		return nil, errs.Usage("unknown mode %q", req.Mode).WithHint("use --mode copilot or --mode agent")
	}
	if req.Since < 0 {
		return nil, errs.Usage("--since must be positive").WithHint("e.g. --since 2h")
	}
	var at *time.Time
	if req.At != "" {
		t, err := time.Parse(time.RFC3339, req.At)
		if err != nil {
			return nil, errs.Usage("invalid --at %q: want RFC3339", req.At).WithHint("e.g. --at 2026-03-14T10:30:00Z")
		}
		at = &t
	}
	var alerts []source.Alert
	if req.Alert != nil {
		var err error
		if alerts, err = source.ParseAlerts(req.Alert); err != nil {
			return nil, errs.Validation("invalid alert: %w", err).WithHint("give an Alertmanager webhook payload, the GET /api/v2/alerts array, a Grafana alerting webhook or a PagerDuty v3 webhook event")
		}
	}
	cfg, err := env.Config()
	if err != nil {
		return nil, err
	}
	ic, err := cfg.Incident()
	if err != nil {
		return nil, err
	}
	amURL := ic.Sources.Alertmanager.URL
	if req.Service == "" && req.Alert == nil && amURL == "" {
		return nil, errs.Usage("nothing to investigate").WithHint("pass --service REF and/or --alert FILE (or - for stdin), or set bsai.incident.sources.alertmanager.url")
	}
	stop := env.progress("loading the catalog")
	graph, err := env.Catalog(ctx)
	stop()
	if err != nil {
		return nil, err
	}
	deps := env.sourceDeps()
	if req.Alert == nil && amURL != "" {
		stop = env.progress("reading firing alerts from Alertmanager")
		alerts, err = source.FetchAlertmanager(ctx, deps.HTTP, amURL, ic.Sources.Alertmanager.Token)
		stop()
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			if req.Service == "" {
				return nil, errs.Upstream("%w", err).WithHint("check bsai.incident.sources.alertmanager.url, or pass --alert FILE or --service REF")
			}
			env.warn("%v; investigating %s without an alert", err, req.Service)
		}
	}
	if req.Service == "" && len(alerts) == 0 {
		return nil, errs.Usage("nothing is firing in Alertmanager (%s)", amURL).WithHint("pass --service REF (and --at TIME to replay a past incident)")
	}
	alert, err := SelectAlert(ctx, graph, alerts, req.Service, req.Chooser)
	if err != nil {
		return nil, err
	}
	env.connect(&deps, ic)

	var provider llm.Provider
	var metered *llm.Metered
	if env.Provider != nil {
		p, err := env.Provider()
		switch {
		case err == nil && p != nil:
			metered = llm.NewMetered(p)
			provider = metered
		case err != nil && !errors.Is(err, llm.ErrNoModel):
			return nil, err
		}
	}

	var exec *action.Executor
	if len(ic.Actions) > 0 {
		audit := ic.Agent.AuditLog
		if audit == "" {
			audit = action.DefaultAuditPath(os.Getenv)
		}
		max := ic.Agent.MaxActions
		if req.MaxActions != nil {
			max = req.MaxActions
		}
		exec = &action.Executor{Actions: ic.Actions, Allow: ic.Agent.Allow, MaxActions: max,
			Backstage: deps.Backstage, MCP: deps.MCP, HTTP: deps.HTTP, Audit: &action.AuditLog{Path: audit}, Now: env.Now}
	}

	stop = env.progress("collecting evidence")
	rep, err := Investigate(ctx, Options{
		Graph: graph, Config: ic, Service: req.Service, Alert: alert, Since: req.Since, At: at, Now: env.Now,
		Deps: deps, Provider: provider, Mode: req.Mode, DryRun: req.DryRun, Prompter: req.Prompter, Actions: exec,
		DeferActions: req.DeferActions,
		Warn:         func(format string, a ...any) { stop(); env.warn(format, a...) },
	})
	stop()
	if err != nil {
		return nil, err
	}
	if metered != nil {
		u := metered.Usage()
		rep.Usage = &u
		env.verbosef("model usage: %d calls, %d prompt + %d completion tokens", u.Calls, u.PromptTokens, u.CompletionTokens)
	}
	return &Run{Report: rep, Executor: exec}, nil
}

// sourceDeps starts the sources' connections with the HTTP client.
func (env Env) sourceDeps() source.SourceDeps {
	deps := source.SourceDeps{}
	if env.Config != nil {
		if cfg, err := env.Config(); err == nil && cfg != nil {
			if lim, err := cfg.Limits(); err == nil {
				deps.FileLimit = lim.Catalog
			}
		}
	}
	if env.HTTP != nil {
		if hc, err := env.HTTP(); err == nil {
			deps.HTTP = hc
		}
	}
	return deps
}

// connect opens only the connections the config uses: a Backstage backend
// for scaffolder history or actions, the MCP registry for MCP sources or
// actions.
func (env Env) connect(deps *source.SourceDeps, ic config.IncidentConfig) {
	needBackstage := ic.Sources.Deploys.Scaffolder
	needMCP := len(ic.Sources.MCP) > 0
	for _, a := range ic.Actions {
		needBackstage = needBackstage || a.Type == "scaffolder"
		needMCP = needMCP || a.Type == "mcp"
	}
	if needBackstage && env.Backstage != nil {
		if bc, err := env.Backstage(); err == nil {
			deps.Backstage, deps.BackstageURL = bc, bc.BaseURL
		} else {
			env.verbosef("incident: no Backstage backend: %v", err)
		}
	}
	if needMCP && env.MCP != nil {
		if reg, err := env.MCP(); err == nil && reg != nil {
			deps.MCP = reg
		} else if err != nil {
			env.warn("mcp registry: %v", err)
		}
	}
}

func (env Env) warn(format string, args ...any) {
	if env.Warn != nil {
		env.Warn(format, args...)
	}
}

func (env Env) progress(label string) func() {
	if env.Progress == nil {
		return func() {}
	}
	return env.Progress(label)
}

func (env Env) verbosef(format string, args ...any) {
	if env.Verbosef != nil {
		env.Verbosef(format, args...)
	}
}
