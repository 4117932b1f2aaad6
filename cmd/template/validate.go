package template

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/output"
	"github.com/bsai-dev/bsai/pkg/scaffolder"
)

// ValidateOptions are the inputs of `bsai template validate`.
type ValidateOptions struct {
	Factory *factory.Factory
	Ctx     context.Context
	Paths   []string
	// Format is text, json, sarif or github (--format; -o json also works).
	Format string
	Strict bool
	// Actions is auto, live or builtin.
	Actions string
}

// NewCmdValidate checks templates.
func NewCmdValidate(f *factory.Factory, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{Factory: f}
	c := &cobra.Command{
		Use:   "validate FILE|DIR|- ...",
		Short: "Validate scaffolder templates (schema and semantic rules)",
		Long: `Validate scaffolder templates: the official Template v1beta3 JSON Schema, then rules
with stable ids (step refs, parameter refs, actions and their inputs, expressions,
step order). A folder means every .yaml/.yml below it; - reads stdin; documents that
are not kind Template are skipped with a note.

Actions are checked against the backend's live list (GET /api/scaffolder/v2/actions)
when a backend is configured; an unknown action is then an error. Otherwise they are
checked against a built-in catalogue of Backstage's actions plus bsai.scaffolder.actions
from config, and an unknown action is a warning.

Exit status: 3 when any error is found (any warning too with --strict), else 0.`,
		Example: `  bsai template validate templates/
  bsai template validate template.yaml -o json
  bsai template validate --format sarif templates/ > bsai.sarif
  bsai template validate --format github --strict .`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Ctx = cmd.Context()
			opts.Paths = args
			if runF != nil {
				return runF(opts)
			}
			return RunValidate(opts)
		},
	}
	c.Flags().StringVar(&opts.Format, "format", "", "output format: text, json, sarif or github (default: -o)")
	c.Flags().BoolVar(&opts.Strict, "strict", false, "treat warnings as errors")
	c.Flags().StringVar(&opts.Actions, "actions", scaffolder.ActionsAuto, "action list: auto (live if a backend is configured), live or builtin")
	return c
}

// RunValidate is the `template validate` logic.
func RunValidate(opts *ValidateOptions) error {
	f := opts.Factory
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	format := strings.ToLower(opts.Format)
	if format == "" {
		format = f.Globals.Output
	}
	switch format {
	case "", "text", "json", "yaml", "sarif", "github":
	default:
		return errs.Usage("unknown format %q", format).WithHint("use --format text, json, sarif or github")
	}
	files, err := scaffolder.CollectFiles(opts.Paths)
	if err != nil {
		return err
	}
	cat, err := loadCatalogue(ctx, f, opts.Actions)
	if err != nil {
		return err
	}
	v, err := scaffolder.NewValidator(cat)
	if err != nil {
		return err
	}
	lim, err := f.Limits()
	if err != nil {
		return err
	}
	rep, err := v.ValidatePathsWith(ctx, files, f.IOStreams.In, lim.Input)
	if err != nil {
		return err
	}
	if opts.Strict {
		for i := range rep.Files {
			scaffolder.Strict(rep.Files[i].Findings)
			rep.Files[i].Valid = !scaffolder.HasErrors(rep.Files[i].Findings)
		}
	}
	ios := f.IOStreams
	switch format {
	case "sarif":
		err = scaffolder.WriteSARIF(ios.Out, rep, f.AppVersion)
	case "github":
		err = scaffolder.WriteGitHub(ios.Out, rep)
		if err == nil {
			err = scaffolder.WriteText(ios.ErrOut, rep, nil)
		}
	case "json", "yaml":
		err = output.Print(ios, output.Format(format), rep, nil)
	default:
		err = output.Print(ios, output.Text, rep, func(w io.Writer, st *output.Styles) error {
			return scaffolder.WriteText(w, rep, st)
		})
	}
	if err != nil {
		return err
	}
	if n := rep.Errors(); n > 0 {
		return errs.Validation("%d error(s) in templates", n).Silenced()
	}
	return nil
}

// loadCatalogue resolves the action list: --offline forces the built-in
// catalogue; config adds bsai.scaffolder.actions.
func loadCatalogue(ctx context.Context, f *factory.Factory, mode string) (*scaffolder.Catalogue, error) {
	var extra []config.ScaffolderAction
	if f.Config != nil {
		cfg, err := f.Config()
		if err != nil {
			return nil, err
		}
		sc, err := cfg.Scaffolder()
		if err != nil {
			return nil, err
		}
		extra = sc.Actions
	}
	return scaffolder.ResolveCatalogue(ctx, mode, f.Globals.Offline, f.Backstage, extra, f.IOStreams.Warnf)
}
