// Package config holds the `bsai config` commands.
package config

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/output"
)

// NewCmdConfig groups the config commands.
func NewCmdConfig(f *factory.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "config",
		Short: "Inspect the merged configuration",
		Example: `  bsai config show
  bsai -c app-config.yaml -c app-config.production.yaml config show -o json`,
	}
	c.AddCommand(NewCmdShow(f, nil), NewCmdPath(f, nil))
	return c
}

// PathOptions are the inputs of `bsai config path`.
type PathOptions struct {
	Factory *factory.Factory
	// Env is the environment discovery sees (os.Environ()).
	Env []string
}

// PathResult is the JSON/YAML shape of `bsai config path`.
type PathResult struct {
	// Files are the files merged, in merge order (later wins).
	Files    []string          `json:"files"`
	Searched []config.Searched `json:"searched"`
}

// NewCmdPath lists the config files bsai merges.
func NewCmdPath(f *factory.Factory, runF func(*PathOptions) error) *cobra.Command {
	opts := &PathOptions{Factory: f}
	return &cobra.Command{
		Use:   "path",
		Short: "List the config files found, in merge order",
		Long: `Print the config files bsai merges, one per line, in merge order (later files win):
the --config files (or BSAI_CONFIG) when given, only those; otherwise
$XDG_CONFIG_HOME/bsai/app-config.yaml (~/.config/bsai/app-config.yaml when
XDG_CONFIG_HOME is unset), then app-config.yaml and app-config.local.yaml in the
working directory, each if present. APP_CONFIG_* variables apply after all files.
With -v the places searched without a file are listed on stderr; -o json prints
both lists. The files are not parsed, so this works with a broken config.`,
		Example: `  bsai config path
  bsai -c base.yaml -c prod.yaml config path -o json
  $EDITOR "$(bsai config path | tail -1)"`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Env = os.Environ()
			if runF != nil {
				return runF(opts)
			}
			return RunPath(opts)
		},
	}
}

// RunPath is the `config path` logic.
func RunPath(opts *PathOptions) error {
	f := opts.Factory
	format, err := output.ParseFormat(f.Globals.Output)
	if err != nil {
		return err
	}
	res := PathResult{Files: []string{}, Searched: config.Discover(config.LoadOptions{Files: f.Globals.ConfigFiles, Env: opts.Env})}
	for _, s := range res.Searched {
		if s.Found {
			res.Files = append(res.Files, s.Path)
		} else {
			f.IOStreams.Verbosef("not found (%s): %s", s.Origin, s.Path)
		}
	}
	if len(res.Files) == 0 {
		f.IOStreams.Verbosef("no config files found")
	}
	return output.Print(f.IOStreams, format, res, func(w io.Writer, _ *output.Styles) error {
		for _, p := range res.Files {
			if _, err := fmt.Fprintln(w, p); err != nil {
				return err
			}
		}
		return nil
	})
}

// ShowOptions are the inputs of `bsai config show`.
type ShowOptions struct {
	Factory *factory.Factory
}

// NewCmdShow prints the merged config with secrets redacted.
func NewCmdShow(f *factory.Factory, runF func(*ShowOptions) error) *cobra.Command {
	opts := &ShowOptions{Factory: f}
	return &cobra.Command{
		Use:   "show",
		Short: "Print the merged config with secrets redacted",
		Long: `Print the configuration bsai uses: every --config file (default app-config.yaml,
then app-config.local.yaml) merged in order, with ${VAR} substitutions, $env,
$file and $include directives and APP_CONFIG_* overrides applied, exactly as
@backstage/config-loader does. Secret-looking values (token, apiKey, password,
secret, privateKey, Authorization headers, values from secret-named variables)
are printed as <redacted>. -o text and -o yaml print YAML; -o json prints JSON.
With -v the merged files are listed on stderr.`,
		Example: `  bsai config show
  bsai -c app-config.yaml -c app-config.production.yaml config show -o json
  APP_CONFIG_backend_baseUrl=http://localhost:7007 bsai config show -v`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if runF != nil {
				return runF(opts)
			}
			return RunShow(opts)
		},
	}
}

// RunShow is the `config show` logic; tests call it with a fake factory.
// The JSON/YAML shape is the merged config tree itself (redacted).
func RunShow(opts *ShowOptions) error {
	f := opts.Factory
	format, err := output.ParseFormat(f.Globals.Output, output.Text, output.JSON, output.YAML)
	if err != nil {
		return err
	}
	cfg, err := f.Config()
	if err != nil {
		return err
	}
	ios := f.IOStreams
	files := cfg.Files()
	if len(files) == 0 {
		ios.Verbosef("no config files found (bsai config path -v lists where bsai looks)")
	} else {
		ios.Verbosef("merged config files (later wins):")
		for i, file := range files {
			ios.Verbosef("  %d. %s", i+1, file)
		}
	}
	if env := cfg.EnvOverrides(); len(env) > 0 {
		ios.Verbosef("environment overrides: %s", strings.Join(env, ", "))
	}
	if format == output.JSON {
		return output.Print(ios, format, cfg.Redacted(), nil)
	}
	// Text is YAML: the config's own language, and what people paste back.
	return output.WriteYAML(ios.Out, cfg.Redacted())
}
