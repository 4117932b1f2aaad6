package incident

import (
	"context"
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/incident/action"
	"github.com/bsai-dev/bsai/pkg/incident/source"
	"github.com/bsai-dev/bsai/pkg/llm"
)

// DefaultAgentBudget bounds an agent run when bsai.incident.agent.budget
// is unset.
const DefaultAgentBudget = 3 * time.Minute

// Options is everything one investigation needs; the command fills it.
type Options struct {
	Graph   *catalog.Graph
	Config  config.IncidentConfig
	Service string
	Alert   *source.Alert
	Since   time.Duration
	At      *time.Time
	Now     func() time.Time

	// Sources overrides the sources built from Config (tests).
	Sources []source.SignalSource
	Deps    source.SourceDeps

	// Provider is nil when no model may be used.
	Provider llm.Provider

	Mode     string
	DryRun   bool
	Prompter action.Prompter
	Actions  *action.Executor
	// DeferActions leaves executing the plan to the caller (RunActions).
	DeferActions bool
	// Warn reports a non-fatal problem (a failing source, a model error).
	Warn func(format string, args ...any)
}

// Window computes the investigated time range: it ends at --at, else 30
// minutes after the alert started (never after now), else now; it starts
// `since` before the alert (or the end).
func Window(now time.Time, at *time.Time, alert *source.Alert, since time.Duration) (time.Time, time.Time) {
	if since <= 0 {
		since = 2 * time.Hour
	}
	end := now
	anchor := now
	if alert != nil && alert.StartsAt != nil {
		anchor = *alert.StartsAt
		if e := anchor.Add(30 * time.Minute); e.Before(now) {
			end = e
		}
	}
	if at != nil {
		end = *at
		if anchor.After(end) || alert == nil || alert.StartsAt == nil {
			anchor = end
		}
	}
	return anchor.Add(-since), end
}

// Investigate runs the whole pipeline and returns the report. Source
// failures become warnings; only a missing focus entity is an error.
func Investigate(ctx context.Context, o Options) (*Report, error) {
	if o.Graph == nil {
		return nil, errs.Config("incident investigate needs a catalog").WithHint("set bsai.catalog.files or pass --catalog")
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	warn := o.Warn
	if warn == nil {
		warn = func(string, ...any) {}
	}
	// An agent run has one wall-clock budget for everything it does:
	// collecting, the model, the actions. Running out stops what is left,
	// never the report.
	run := ctx
	if o.Mode == action.ModeAgent {
		b := o.Config.Agent.Budget.Duration
		if b <= 0 {
			b = DefaultAgentBudget
		}
		var cancel context.CancelFunc
		run, cancel = context.WithTimeoutCause(ctx, b, fmt.Errorf("agent budget of %s spent (bsai.incident.agent.budget)", b))
		defer cancel()
	}
	focus, err := source.ResolveFocus(o.Graph, o.Service, o.Alert)
	if err != nil {
		return nil, errs.Usage("%s", err.Error()).WithHint("pass --service with a catalog ref such as %s", o.Graph.ExampleRef("component"))
	}
	topo := source.BuildTopology(o.Graph, focus)
	since := o.Since
	if since <= 0 {
		since = o.Config.Since.Duration
	}
	start, end := Window(o.Now().Truncate(time.Second), o.At, o.Alert, since)
	scope := source.Scope{Focus: focus, Entities: append([]string{focus}, topo.Dependencies...), Start: start, End: end}
	scope.Names = source.ScopeNames(o.Graph, scope.Entities)

	sources := o.Sources
	if sources == nil {
		var warns []string
		sources, warns = source.BuildSources(o.Config, o.Graph, topo, o.Deps)
		for _, w := range warns {
			warn("%s", w)
		}
	}
	signalSources := 0
	for _, src := range sources {
		if _, ok := src.(*source.CatalogSource); !ok {
			signalSources++
		}
	}
	if signalSources == 0 {
		warn("no deploy, metric, log or MCP sources under bsai.incident.sources: only catalog evidence (see the README's incident section)")
	}
	ev, warnings := collect(run, sources, scope)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	for _, w := range warnings {
		warn("%s", w)
	}
	if o.Alert != nil {
		ev = append(ev, source.Evidence{Source: "alert", Kind: source.KindAlert, Time: o.Alert.StartsAt, Entity: focus, Detail: alertDetail(o.Alert), Link: o.Alert.Link})
	}
	AssignIDs(ev)
	an := Analyze(scope, topo, o.Alert, ev)

	rep := newReport(scope, topo, o.Alert, an, ev)
	rep.Warnings = append(rep.Warnings, warnings...)
	rep.Runbooks = FindRunbooks(o.Graph, o.Alert, focus, rep.suspect())
	rep.Plan = DeterministicPlan(o.Config.Actions, an, o.Mode, o.Config.Agent.Allow)

	if o.Provider != nil {
		live := &LiveQuery{Scope: scope}
		for _, src := range sources {
			switch t := src.(type) {
			case *source.PromSource:
				live.Prom = t
			case *source.LokiSource:
				live.Loki = t
			}
		}
		syn, usage, err := Synthesize(run, o.Provider, rep, ev, o.Config.Model, o.Graph, live)
		rep.Usage = &usage
		// Query results are evidence like any other, so they may be cited.
		rep.Evidence = append(rep.Evidence, live.Added...)
		if err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			w := "model synthesis failed; showing the deterministic analysis: " + err.Error()
			warn("%s", w)
			rep.Warnings = append(rep.Warnings, w)
		} else {
			rep.applySynthesis(syn, o.Config.Actions, o.Mode, o.Config.Agent.Allow)
		}
	}
	if o.Actions != nil && !o.DeferActions {
		rep.RunActions(run, o.Actions, o.Mode, o.DryRun, o.Prompter)
	}
	return rep, nil
}

// RunActions decides and executes the plan under the mode's policy and
// records the results in the report. Investigate calls it unless
// DeferActions is set (the command defers so a person reads the report
// before being asked).
func (r *Report) RunActions(ctx context.Context, x *action.Executor, mode string, dryRun bool, p action.Prompter) {
	r.Actions = x.Run(ctx, action.RunRequest{Plan: r.Plan, Mode: mode, DryRun: dryRun, Prompter: p, Data: r.templateData(),
		Target: r.target(), Floor: ClearCause})
}

func collect(ctx context.Context, sources []source.SignalSource, s source.Scope) ([]source.Evidence, []string) {
	type res struct {
		ev  []source.Evidence
		err error
	}
	rs := make([]res, len(sources))
	var wg sync.WaitGroup
	for i, src := range sources {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ev, err := src.Collect(ctx, s)
			rs[i] = res{ev, err}
		}()
	}
	wg.Wait()
	var ev []source.Evidence
	var warns []string
	for i, r := range rs {
		ev = append(ev, r.ev...)
		if r.err != nil {
			warns = append(warns, fmt.Sprintf("source %s: %v", sources[i].Name(), r.err))
		}
	}
	sort.Strings(warns)
	return ev, warns
}
