package template

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/scaffolder"
)

// ValidateOptions are the inputs of `bsai template validate`.
type ValidateOptions struct {
	Factory *factory.Factory
	Ctx     context.Context
	Paths   []string
	// Format is text, json, yaml, sarif or github (--format, else -o).
	Format string
	Strict bool
	// Actions is auto, live or builtin.
	Actions string
	// Fix applies known fixes in place; DryRun only prints their diff.
	Fix, DryRun bool
	// LiveMCP starts the MCP servers mcp:call steps name, to check tools
	// and arguments.
	LiveMCP bool
}

// NewCmdValidate checks templates.
func NewCmdValidate(f *factory.Factory, runF func(*ValidateOptions) error) *cobra.Command {
	opts := &ValidateOptions{Factory: f}
	c := &cobra.Command{
		Use:   "validate FILE|DIR|GLOB|- ...",
		Short: "Validate scaffolder templates (schema and semantic rules)",
		Long: `Validate scaffolder templates: the official Template v1beta3 JSON Schema, then rules
with stable ids (step refs, parameter refs, actions and their inputs, expressions,
step order, mcp:call steps). A folder means every .yaml/.yml below it; a quoted glob
('templates/**/template.yaml') its matches; - reads stdin. Documents that are not
kind Template are skipped and counted in one note. A path, folder or glob that yields
no file, or inputs with no template at all, exit 2.

Actions are checked against the backend's live list (GET /api/scaffolder/v2/actions)
when a backend is configured; an unknown action is then an error. Otherwise they are
checked against a built-in catalogue of Backstage's actions plus bsai.scaffolder.actions
from config, and an unknown action is a warning.

mcp:call steps (input server, tool, arguments): the server must be in bsai's MCP
config; with --live-mcp the server is started and the tool and the arguments are
checked against its inputSchema, otherwise a note says they were not.

--fix applies the fixes bsai knows (a misspelt action id, step id or parameter name)
in place, editing only those characters, so comments and layout stay; it prints a
unified diff, and --fix --dry-run prints only the diff.

On a terminal each finding shows its source line with a caret under the column.
Exit status: 3 when any error is found (any warning too with --strict), else 0.`,
		Example: `  bsai template validate templates/
  bsai template validate 'templates/**/template.yaml' -o json
  bsai template validate -o sarif templates/ > bsai.sarif
  bsai template validate -o github --strict .
  bsai template validate --fix --dry-run templates/
  bsai template validate --live-mcp templates/`,
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
	c.Flags().StringVar(&opts.Format, "format", "", "output format: text, json, yaml, sarif or github (default: -o)")
	c.Flags().BoolVar(&opts.Strict, "strict", false, "treat warnings as errors")
	c.Flags().StringVar(&opts.Actions, "actions", scaffolder.ActionsAuto, "action list: auto (live if a backend is configured), live or builtin")
	c.Flags().BoolVar(&opts.Fix, "fix", false, "apply known fixes in place and print a unified diff")
	c.Flags().BoolVar(&opts.DryRun, "dry-run", false, "with --fix: print the diff only, change nothing")
	c.Flags().BoolVar(&opts.LiveMCP, "live-mcp", false, "start the MCP servers mcp:call steps name to check their tools and arguments")
	return c
}

// RunValidate wires `template validate` to scaffolder.RunValidate.
func RunValidate(opts *ValidateOptions) error {
	f := opts.Factory
	ctx := opts.Ctx
	if ctx == nil {
		ctx = context.Background()
	}
	format := opts.Format
	if format == "" {
		format = f.Globals.Output
	}
	lim, err := f.Limits()
	if err != nil {
		return err
	}
	env := scaffolder.ValidateEnv{IO: f.IOStreams, AppVersion: f.AppVersion, Input: lim.Input,
		Catalogue: func() (*scaffolder.Catalogue, error) { return loadCatalogue(ctx, f, opts.Actions) }}
	if f.MCP != nil {
		env.MCP = func() (scaffolder.MCPServers, error) {
			reg, err := f.MCP()
			if err != nil {
				return scaffolder.MCPServers{}, err
			}
			s := scaffolder.MCPServers{}
			for _, info := range reg.Servers() {
				s.IDs = append(s.IDs, info.ID)
			}
			if opts.LiveMCP {
				s.Tools = reg.ListTools
			}
			return s, nil
		}
	}
	return scaffolder.RunValidate(ctx, env, scaffolder.ValidateRequest{Paths: opts.Paths, Format: format,
		Strict: opts.Strict, Fix: opts.Fix, DryRun: opts.DryRun})
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
