package template

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/output"
	"github.com/bsai-dev/bsai/pkg/scaffolder"
)

// GenerateOptions are the inputs of `bsai template generate`.
type GenerateOptions struct {
	Factory     *factory.Factory
	Ctx         context.Context
	Description string
	Refs        []string
	Out         string
	Owner       string
	DryRun      bool
	// DryRunDir is sent as directoryContents (the template's folder with
	// its skeleton) so relative fetches work in the dry run.
	DryRunDir  string
	Values     []string // key=value form values for the dry run
	ShowPrompt bool
	MaxRepairs int
	Actions    string
}

// NewCmdGenerate writes a template from a description.
func NewCmdGenerate(f *factory.Factory, runF func(*GenerateOptions) error) *cobra.Command {
	opts := &GenerateOptions{Factory: f}
	c := &cobra.Command{
		Use:   "generate DESCRIPTION",
		Short: "Generate a scaffolder template from a description",
		Long: `Generate a runnable scaffolder template (v1beta3) from a description.

With a model (bsai.ai), the model sees the actions really available (the backend's
live list, else the built-in catalogue), the reference templates, and a JSON Schema
for the reply with the action ids as an enum; the validator then checks the result
and its errors go back to the model for at most --max-repairs rounds.

Offline (--offline or no model configured) bsai composes the template from the
request: the kind of change (a new repository from a skeleton, registering an
existing repository, a pull/merge request, or an operation), the language and
framework (tags), where the code lives (GitHub, GitLab, Bitbucket Cloud/Server,
Azure DevOps, Gitea: the matching publish action and RepoUrlPicker allowedHosts,
or a host named in the request), extras (Argo CD, Sentry, GitHub Pages, a CI
run, a notification) when such an action exists, secret and system fields, an
optional catalog registration. A team the request names becomes spec.owner when
it is a Group in the catalog (did-you-mean otherwise). A needed action that is
not available is left out with a note, never invented. Reference templates
(--ref, else the catalog's) lend conventions only: the skeleton of a template
for the same stack, allowedOwners, repoVisibility. With a model, this draft is
what the model improves.

The result is validated like ` + "`bsai template validate`" + `; a template with errors is
printed with its findings, --out is not written, and the exit status is 3.`,
		Example: `  bsai template generate "Go gRPC service with a Postgres database" --owner group:default/my-team
  bsai template generate "docs site for a team" --ref template:default/docs-site --out template.yaml
  bsai template generate "roll back a release" -o json
  bsai template generate "roll back a release" --dry-run`,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx = cmd.Context()
			opts.Description = args[0]
			if runF != nil {
				return runF(opts)
			}
			return RunGenerate(opts)
		},
	}
	fl := c.Flags()
	fl.StringArrayVar(&opts.Refs, "ref", nil, "reference template from the catalog, e.g. template:default/go-service (repeatable)")
	fl.StringVar(&opts.Out, "out", "", "write the template YAML to this file (only when it is valid)")
	fl.StringVar(&opts.Owner, "owner", "", "spec.owner of the new template, e.g. group:default/my-team")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "run the result through the backend's POST /api/scaffolder/v2/dry-run and show the step log")
	fl.StringVar(&opts.DryRunDir, "dry-run-dir", "", "folder sent as the dry run's directoryContents (e.g. one holding ./skeleton)")
	fl.StringArrayVar(&opts.Values, "set", nil, "form value for the dry run, key=value (repeatable; defaults come from the parameters)")
	fl.BoolVar(&opts.ShowPrompt, "show-prompt", false, "print the request that would be sent to the model and exit")
	fl.IntVar(&opts.MaxRepairs, "max-repairs", 0, "validator-driven repair rounds with a model (default 2, or bsai.scaffolder.maxRepairs)")
	fl.StringVar(&opts.Actions, "actions", scaffolder.ActionsAuto, "action list: auto (live if a backend is configured), live or builtin")
	return c
}

// RunGenerate is the `template generate` logic.
func RunGenerate(opts *GenerateOptions) error {
	f := opts.Factory
	ios := f.IOStreams
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	format, err := output.ParseFormat(f.Globals.Output, output.Text, output.YAML, output.JSON)
	if err != nil {
		return err
	}
	values, err := parseValues(opts.Values)
	if err != nil {
		return err
	}
	env, err := f.GenerateEnv()
	if err != nil {
		return err
	}
	req := scaffolder.GenerateRequest{Description: opts.Description, Refs: opts.Refs, Owner: opts.Owner,
		MaxRepairs: opts.MaxRepairs, Actions: opts.Actions}
	if opts.ShowPrompt {
		req.ShowPrompt = ios.Out
	}
	res, err := scaffolder.RunGenerate(ctx, env, req)
	if errors.Is(err, llm.ErrPromptShown) {
		return nil
	}
	if err != nil {
		return err
	}
	for _, n := range res.Notes {
		fmt.Fprintf(ios.ErrOut, "note: %s\n", n)
	}
	if !res.Valid {
		return reportInvalid(ios.Out, ios.ErrOut, format, res)
	}
	if opts.DryRun {
		if err := dryRun(ctx, f, opts, res, values); err != nil {
			return err
		}
	}
	if opts.Out != "" {
		if err := os.WriteFile(opts.Out, []byte(res.YAML), 0o644); err != nil {
			return errs.Failure("write %s: %w", opts.Out, err)
		}
		fmt.Fprintf(ios.ErrOut, "wrote %s\n", opts.Out)
	}
	if format == output.JSON {
		return output.Print(ios, format, res, nil)
	}
	if len(res.Warnings) > 0 {
		rep := &scaffolder.Report{Files: []scaffolder.FileResult{{Path: displayPath(opts.Out), Templates: 1, Valid: true, Findings: res.Warnings}}}
		_ = scaffolder.WriteText(ios.ErrOut, rep, output.NewStyles(ios.ColorEnabledErr()))
	}
	if format == output.Text {
		from := "no reference"
		if len(res.Citations.ReferenceTemplates) > 0 {
			from = strings.Join(res.Citations.ReferenceTemplates, ", ")
		}
		fmt.Fprintf(ios.ErrOut, "generated %s (%s, from %s; actions: %s)\n", templateName(res), res.Mode, from, strings.Join(res.Citations.ActionsUsed, ", "))
	}
	if res.DryRun != nil && format == output.Text {
		fmt.Fprintln(ios.ErrOut, "dry run:")
		scaffolder.WriteDryRunLog(ios.ErrOut, res.DryRun)
	}
	if opts.Out != "" && format == output.Text {
		return nil
	}
	_, err = io.WriteString(ios.Out, res.YAML)
	return err
}

func displayPath(p string) string {
	if p == "" {
		return "<generated>"
	}
	return p
}

// reportInvalid prints the findings of a template that failed validation
// (never as if it were fine) and returns a silenced exit-3 error.
func reportInvalid(out, errOut io.Writer, format output.Format, res *scaffolder.GenerateResult) error {
	if format == output.JSON {
		if err := output.WriteJSON(out, res); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(errOut, "the generated template is invalid (after %d repair round(s)); not written:\n", res.Repairs)
		rep := &scaffolder.Report{Files: []scaffolder.FileResult{{Path: "<generated>", Templates: 1, Findings: append(append([]scaffolder.Finding{}, res.Errors...), res.Warnings...)}}}
		_ = scaffolder.WriteText(errOut, rep, nil)
		fmt.Fprintln(errOut, "--- rejected template:")
		fmt.Fprint(errOut, res.YAML)
	}
	return errs.Validation("generated template has %d error(s)", len(res.Errors)).Silenced()
}

func parseValues(kvs []string) (map[string]any, error) {
	vals := map[string]any{}
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			return nil, errs.Usage("invalid --set %q", kv).WithHint("use --set key=value")
		}
		vals[k] = v
	}
	return vals, nil
}

func dryRun(ctx context.Context, f *factory.Factory, opts *GenerateOptions, res *scaffolder.GenerateResult, set map[string]any) error {
	bs, err := f.Backstage()
	if err != nil {
		return err
	}
	values := scaffolder.DefaultValues(res.Template)
	for k, v := range set {
		values[k] = v
	}
	req := scaffolder.DryRunRequest{Template: res.Template, Values: values}
	if opts.DryRunDir != "" {
		files, err := scaffolder.DirectoryContents(opts.DryRunDir)
		if err != nil {
			return errs.Usage("--dry-run-dir: %w", err)
		}
		req.DirectoryContents = files
	}
	stop := f.IOStreams.StartProgress("dry-running the template")
	out, err := scaffolder.DryRun(ctx, bs, req)
	stop()
	if err != nil {
		return err
	}
	res.DryRun = out
	return nil
}

func templateName(res *scaffolder.GenerateResult) string {
	md, _ := res.Template["metadata"].(map[string]any)
	name, _ := md["name"].(string)
	return "template:default/" + name
}
