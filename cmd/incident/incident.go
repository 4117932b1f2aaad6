// Package incident holds the `bsai incident` commands.
package incident

import (
	"context"
	"errors"
	"io"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/boundedio"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/incident/action"
	"github.com/bsai-dev/bsai/pkg/incident/source"
	"github.com/bsai-dev/bsai/pkg/iostreams"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/output"
)

// NewCmdIncident groups the incident commands.
func NewCmdIncident(f *factory.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "incident",
		Short: "Investigate incidents",
		Example: `  bsai incident investigate --service my-service --since 2h
  bsai incident investigate --alert alert.json -o markdown`,
	}
	c.AddCommand(NewCmdInvestigate(f, nil))
	return c
}

// InvestigateOptions are the flags of `bsai incident investigate`.
type InvestigateOptions struct {
	Factory    *factory.Factory
	Ctx        context.Context
	Service    string
	Alert      string
	Since      time.Duration
	At         string
	Mode       string
	DryRun     bool
	MaxActions int
	// Prompter replaces the terminal prompt (tests).
	Prompter action.Prompter
}

// NewCmdInvestigate builds `bsai incident investigate`.
func NewCmdInvestigate(f *factory.Factory, runF func(*InvestigateOptions) error) *cobra.Command {
	opts := &InvestigateOptions{Factory: f}
	cmd := &cobra.Command{
		Use:   "investigate",
		Short: "Investigate an alert: what is affected, who owns it, what changed, what to do",
		Long: `Collects evidence around an alert or a service — catalog owners and dependencies, recent
deploys and config changes, metrics, logs and MCP tools configured under bsai.incident.sources —
ranks candidate causes without a model, and proposes the actions configured under
bsai.incident.actions. With a model configured (and no --offline) the evidence pack is also
summarised by the model; every cause it gives must cite evidence ids that exist.

Co-pilot mode (default) runs an action only after an explicit yes on a terminal; without a
terminal nothing runs. Agent mode runs only actions on bsai.incident.agent.allow, at most
--max-actions per run, and appends every decision to the audit log.`,
		Example: `  bsai incident investigate --service payments-api --since 2h
  bsai incident investigate --alert alert.json -o markdown
  curl -s $AM/api/v2/alerts | bsai incident investigate --alert -
  bsai -c examples/incidents/bad-deploy/app-config.yaml incident investigate \
    --alert examples/incidents/bad-deploy/alert.json --offline -o json
  bsai incident investigate --alert alert.json --mode agent --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx = cmd.Context()
			if runF != nil {
				return runF(opts)
			}
			return RunInvestigate(opts)
		},
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.Service, "service", "", "entity ref or name of the affected service (overrides the alert's service label)")
	fl.StringVar(&opts.Alert, "alert", "", "Alertmanager webhook or PagerDuty v3 webhook JSON file, or - for stdin")
	fl.DurationVar(&opts.Since, "since", 0, "look-back window before the alert or now (default bsai.incident.since or 2h)")
	fl.StringVar(&opts.At, "at", "", "end of the window as RFC3339, to replay a past incident")
	fl.StringVar(&opts.Mode, "mode", action.ModeCopilot, "copilot (ask before each action) or agent (run allowlisted actions)")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "decide actions but execute none")
	fl.IntVar(&opts.MaxActions, "max-actions", 0, "agent mode: most actions per run (default bsai.incident.agent.maxActions or 3)")
	return cmd
}

// RunInvestigate is the command's behaviour; tests call it with a fake
// factory.
func RunInvestigate(o *InvestigateOptions) error {
	f := o.Factory
	ctx := o.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	outName := f.Globals.Output
	if outName == "md" {
		outName = string(output.Markdown)
	}
	format, err := output.ParseFormat(outName, output.Text, output.JSON, output.YAML, output.Markdown)
	if err != nil {
		return err
	}
	if o.Mode != action.ModeCopilot && o.Mode != action.ModeAgent {
		return errs.Usage("unknown mode %q", o.Mode).WithHint("use --mode copilot or --mode agent")
	}
	if o.Since < 0 {
		return errs.Usage("--since must be positive").WithHint("e.g. --since 2h")
	}
	var at *time.Time
	if o.At != "" {
		t, err := time.Parse(time.RFC3339, o.At)
		if err != nil {
			return errs.Usage("invalid --at %q: want RFC3339", o.At).WithHint("e.g. --at 2026-03-14T10:30:00Z")
		}
		at = &t
	}
	var alerts []source.Alert
	if o.Alert != "" {
		var b []byte
		if o.Alert == "-" {
			b, err = boundedio.ReadAll(ctx, f.IOStreams.In, "stdin", boundedio.Input())
		} else {
			b, err = boundedio.ReadFile(ctx, o.Alert, boundedio.Input())
		}
		if err != nil {
			return errs.Usage("read alert: %w", err).WithHint("pass a JSON file or - for stdin")
		}
		if alerts, err = source.ParseAlerts(b); err != nil {
			return errs.Validation("invalid alert: %w", err).WithHint("give an Alertmanager webhook payload, the GET /api/v2/alerts array, a Grafana alerting webhook or a PagerDuty v3 webhook event")
		}
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	ic, err := cfg.Incident()
	if err != nil {
		return err
	}
	if o.Service == "" && o.Alert == "" && ic.Sources.Alertmanager.URL == "" {
		return errs.Usage("nothing to investigate").WithHint("pass --service REF and/or --alert FILE (or - for stdin), or set bsai.incident.sources.alertmanager.url")
	}
	stop := f.IOStreams.StartProgress("loading the catalog")
	graph, err := f.Catalog(ctx)
	stop()
	if err != nil {
		return err
	}

	deps := source.SourceDeps{}
	if hc, err := f.HTTPClient(); err == nil {
		deps.HTTP = hc
	}
	if o.Alert == "" && ic.Sources.Alertmanager.URL != "" {
		stop = f.IOStreams.StartProgress("reading firing alerts from Alertmanager")
		alerts, err = source.FetchAlertmanager(ctx, deps.HTTP, ic.Sources.Alertmanager.URL, ic.Sources.Alertmanager.Token)
		stop()
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if o.Service == "" {
				return errs.Upstream("%w", err).WithHint("check bsai.incident.sources.alertmanager.url, or pass --alert FILE or --service REF")
			}
			f.IOStreams.Warnf("%v; investigating %s without an alert", err, o.Service)
		}
	}
	if o.Service == "" && len(alerts) == 0 {
		return errs.Usage("nothing is firing in Alertmanager (%s)", ic.Sources.Alertmanager.URL).WithHint("pass --service REF (and --at TIME to replay a past incident)")
	}
	// One prompter for every question, so one reader owns the terminal.
	// With --alert - stdin held the alert and cannot also answer.
	var term *iostreams.TermPrompter
	var chooser incident.Chooser
	if f.IOStreams.CanPrompt() && o.Alert != "-" {
		term = &iostreams.TermPrompter{In: f.IOStreams.In, Out: f.IOStreams.ErrOut}
		chooser = term
	}
	alert, err := incident.SelectAlert(ctx, graph, alerts, o.Service, chooser)
	if err != nil {
		return err
	}
	needBackstage := ic.Sources.Deploys.Scaffolder
	needMCP := len(ic.Sources.MCP) > 0
	for _, a := range ic.Actions {
		needBackstage = needBackstage || a.Type == "scaffolder"
		needMCP = needMCP || a.Type == "mcp"
	}
	if needBackstage {
		if bc, err := f.Backstage(); err == nil {
			deps.Backstage, deps.BackstageURL = bc, bc.BaseURL
		} else {
			f.IOStreams.Verbosef("incident: no Backstage backend: %v", err)
		}
	}
	if needMCP {
		if reg, err := f.MCP(); err == nil && reg != nil {
			deps.MCP = reg
		} else if err != nil {
			f.IOStreams.Warnf("mcp registry: %v", err)
		}
	}

	var provider llm.Provider
	var metered *llm.Metered
	if p, err := f.LLM("incident"); err == nil && p != nil {
		metered = llm.NewMetered(p)
		provider = metered
	} else if err != nil && !errors.Is(err, llm.ErrNoModel) {
		return err
	}

	var exec *action.Executor
	if len(ic.Actions) > 0 {
		audit := ic.Agent.AuditLog
		if audit == "" {
			audit = action.DefaultAuditPath(os.Getenv)
		}
		max := o.MaxActions
		if max <= 0 {
			max = ic.Agent.MaxActions
		}
		exec = &action.Executor{Actions: ic.Actions, Allow: ic.Agent.Allow, MaxActions: max,
			Backstage: deps.Backstage, MCP: deps.MCP, HTTP: deps.HTTP, Audit: &action.AuditLog{Path: audit}, Now: f.Now}
	}
	prompter := o.Prompter
	if prompter == nil && o.Mode == action.ModeCopilot && term != nil && !o.DryRun {
		prompter = term
	}

	// On a terminal in text form, the person reads the report before any
	// question; everywhere else the actions are decided first so the
	// printed result (json/yaml/markdown) holds them.
	interactive := prompter != nil && format == output.Text
	stop = f.IOStreams.StartProgress("collecting evidence")
	rep, err := incident.Investigate(ctx, incident.Options{
		Graph: graph, Config: ic, Service: o.Service, Alert: alert, Since: o.Since, At: at, Now: f.Now,
		Deps: deps, Provider: provider, Mode: o.Mode, DryRun: o.DryRun, Prompter: prompter, Actions: exec,
		DeferActions: interactive,
		Warn:         func(format string, a ...any) { stop(); f.IOStreams.Warnf(format, a...) },
	})
	stop()
	if err != nil {
		return err
	}
	if metered != nil {
		u := metered.Usage()
		rep.Usage = &u
		f.IOStreams.Verbosef("model usage: %d calls, %d prompt + %d completion tokens", u.Calls, u.PromptTokens, u.CompletionTokens)
	}
	if err := output.Print(f.IOStreams, format, rep, func(w io.Writer, st *output.Styles) error {
		if format == output.Markdown {
			return rep.RenderMarkdown(w)
		}
		return rep.RenderText(w, st)
	}); err != nil {
		return err
	}
	if interactive && exec != nil {
		rep.RunActions(ctx, exec, o.Mode, o.DryRun, prompter)
		rep.RenderActions(f.IOStreams.Out, output.NewStyles(f.IOStreams.ColorEnabled()))
	}
	var failed []string
	for _, a := range rep.Actions {
		if a.Status == action.StatusFailed {
			failed = append(failed, a.Action)
		}
	}
	if len(failed) > 0 {
		return errs.Failure("actions failed: %s", strings.Join(failed, ", ")).Silenced()
	}
	return nil
}
