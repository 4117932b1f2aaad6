// Package incident holds the `bsai incident` commands.
package incident

import (
	"context"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/boundedio"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/incident"
	"github.com/bsai-dev/bsai/pkg/incident/action"
	"github.com/bsai-dev/bsai/pkg/iostreams"
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
	// MaxActionsSet: --max-actions was given (0 then means no action).
	MaxActionsSet bool
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
		Example: `  bsai incident investigate --service component:default/<name> --since 2h
  bsai incident investigate --alert alert.json -o markdown
  curl -s $AM/api/v2/alerts | bsai incident investigate --alert -
  bsai -c examples/incidents/bad-deploy/app-config.yaml incident investigate \
    --alert examples/incidents/bad-deploy/alert.json --offline -o json
  bsai incident investigate --alert alert.json --mode agent --dry-run`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx = cmd.Context()
			opts.MaxActionsSet = cmd.Flags().Changed("max-actions")
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
	fl.IntVar(&opts.MaxActions, "max-actions", 0, "agent mode: most actions per run, 0 for none (default bsai.incident.agent.maxActions or 3)")
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
	format, err := output.ParseFormat(f.Globals.Output, output.Text, output.JSON, output.YAML, output.Markdown)
	if err != nil {
		return err
	}
	req := incident.Request{Service: o.Service, Since: o.Since, At: o.At, Mode: o.Mode, DryRun: o.DryRun,
		Prompter: o.Prompter}
	if o.MaxActionsSet {
		req.MaxActions = &o.MaxActions
	}
	if o.Alert != "" {
		lim, lerr := f.Limits()
		if lerr != nil {
			return lerr
		}
		if o.Alert == "-" {
			req.Alert, err = boundedio.ReadAll(ctx, f.IOStreams.In, "alert from stdin", lim.Input)
		} else {
			req.Alert, err = boundedio.ReadFile(ctx, o.Alert, lim.Input)
		}
		if err != nil {
			if errs.HintOf(err) != "" {
				return errs.Usage("read alert: %w", err).WithHint("%s", errs.HintOf(err))
			}
			return errs.Usage("read alert: %w", err).WithHint("pass a JSON file or - for stdin")
		}
		if req.Alert == nil {
			req.Alert = []byte{} // given but empty: an invalid alert, not none
		}
	}
	// One prompter for every question, so one reader owns the terminal.
	// With --alert - stdin held the alert and cannot also answer.
	if f.IOStreams.CanPrompt() && o.Alert != "-" {
		term := &iostreams.TermPrompter{In: f.IOStreams.In, Out: f.IOStreams.ErrOut}
		req.Chooser = term
		if req.Prompter == nil && o.Mode == action.ModeCopilot && !o.DryRun {
			req.Prompter = term
		}
	}
	// Whenever someone is asked, the spinner has stopped first (it would
	// redraw over the question): the actions run after Investigation
	// returns. On a terminal in text form the person reads the report
	// before any question; in json/yaml/markdown the actions are decided
	// before printing so the result holds them.
	interactive := req.Prompter != nil && format == output.Text
	req.DeferActions = req.Prompter != nil
	run, err := incident.Investigation(ctx, f.IncidentEnv(), req)
	if err != nil {
		return err
	}
	rep, exec, prompter := run.Report, run.Executor, req.Prompter
	rep.SetSparklines(f.IOStreams.IsStdoutTTY())
	if prompter != nil && !interactive && exec != nil {
		rep.RunActions(ctx, exec, o.Mode, o.DryRun, prompter)
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
	if ctx.Err() != nil {
		// Ctrl-C at a prompt: what ran is in the report and the audit log;
		// nothing after it did. Exit 130, not "declined".
		return errs.Wrap(errs.KindInterrupted, ctx.Err(), "")
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
