// Package root builds the bsai command tree and is the one place that maps
// errors to exit codes.
package root

import (
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/go-viper/mapstructure/v2"
	"github.com/spf13/cobra"
	"github.com/spf13/viper"

	askcmd "github.com/bsai-dev/bsai/cmd/ask"
	catalogcmd "github.com/bsai-dev/bsai/cmd/catalog"
	configcmd "github.com/bsai-dev/bsai/cmd/config"
	doctorcmd "github.com/bsai-dev/bsai/cmd/doctor"
	"github.com/bsai-dev/bsai/cmd/factory"
	incidentcmd "github.com/bsai-dev/bsai/cmd/incident"
	mcpcmd "github.com/bsai-dev/bsai/cmd/mcp"
	templatecmd "github.com/bsai-dev/bsai/cmd/template"
	versioncmd "github.com/bsai-dev/bsai/cmd/version"
	"github.com/bsai-dev/bsai/pkg/buildinfo"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/output"
)

// NewCmdRoot builds the whole tree. Global flags are bound through viper so
// BSAI_* environment variables (and BACKSTAGE_TOKEN) act as defaults.
func NewCmdRoot(f *factory.Factory) *cobra.Command {
	v := viper.New()
	cmd := &cobra.Command{
		Use:   "bsai",
		Short: "AI for Backstage, from the terminal",
		Long: `bsai brings AI into Backstage from the terminal: ask questions over the catalog,
generate and validate scaffolder templates, investigate incidents, and call any
MCP tool. Every command also works without a model (--offline).`,
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       f.AppVersion,
		PersistentPreRunE: func(cmd *cobra.Command, args []string) error {
			return applyGlobals(f, v, cmd)
		},
	}
	cmd.SetVersionTemplate("bsai {{.Version}}\n")
	fl := cmd.PersistentFlags()
	fl.StringSliceP("config", "c", nil, "config file (repeatable; later wins; default app-config.yaml, app-config.local.yaml) [$BSAI_CONFIG]")
	fl.StringP("output", "o", "text", "output format: text, json or yaml (incident, ask also: markdown; catalog deps, ask: mermaid; template validate: sarif, github) [$BSAI_OUTPUT]")
	fl.String("jq", "", "filter JSON output with a jq expression (implies -o json), e.g. --jq '.[].ref'")
	fl.String("catalog", "", "catalog YAML file, folder or glob, or a Backstage base URL; overrides config [$BSAI_CATALOG]")
	fl.String("token", "", "Backstage token for --catalog URL [$BACKSTAGE_TOKEN]")
	fl.String("provider", "", "LLM provider name from bsai.ai.providers [$BSAI_PROVIDER]")
	fl.String("model", "", "model name, overrides the provider's default [$BSAI_MODEL]")
	fl.String("mcp-config", "", "extra MCP servers from a JSON file in the mcpServers shape [$BSAI_MCP_CONFIG]")
	fl.Bool("offline", false, "never call a model; use the deterministic path [$BSAI_OFFLINE]")
	fl.Bool("refresh", false, "bypass the on-disk catalog and ask index caches")
	fl.Bool("no-color", false, "disable colour (also NO_COLOR)")
	fl.BoolP("verbose", "v", false, "print progress, token usage and server logs to stderr")

	v.SetEnvPrefix("BSAI")
	v.SetEnvKeyReplacer(strings.NewReplacer("-", "_"))
	v.AutomaticEnv()
	_ = v.BindPFlags(fl)
	_ = v.BindEnv("token", "BSAI_TOKEN", "BACKSTAGE_TOKEN")

	cmd.AddCommand(versioncmd.NewCmdVersion(f, nil))
	cmd.AddCommand(
		catalogcmd.NewCmdCatalog(f),
		configcmd.NewCmdConfig(f),
		doctorcmd.NewCmdDoctor(f, nil),
		mcpcmd.NewCmdMCP(f),
		askcmd.NewCmdAsk(f, nil),
		templatecmd.NewCmdTemplate(f),
		incidentcmd.NewCmdIncident(f),
	)
	wireGroups(cmd)
	wireCompletion(f, v, cmd)
	return cmd
}

func applyGlobals(f *factory.Factory, v *viper.Viper, cmd *cobra.Command) error {
	g := f.Globals
	// Flags win over BSAI_* variables (viper's order). BSAI_CONFIG holds
	// paths separated like PATH (':' on Unix), so a string becomes a list
	// by that separator only; a path may contain spaces or commas.
	if err := v.Unmarshal(g, viper.DecodeHook(mapstructure.StringToSliceHookFunc(string(os.PathListSeparator)))); err != nil {
		return errs.Usage("invalid BSAI_* environment variable: %s", decodeErr(err)).WithHint("booleans take true/false or 1/0")
	}
	g.ConfigFiles = slices.DeleteFunc(g.ConfigFiles, func(p string) bool { return strings.TrimSpace(p) == "" })
	if g.NoColor {
		f.IOStreams.DisableColor()
	}
	f.IOStreams.SetVerbose(g.Verbose)
	switch g.Output {
	case "text", "json", "yaml", "markdown", "md", "mermaid", "sarif", "github":
		// Each command accepts its own subset (output.ParseFormat); sarif
		// and github are template validate's CI formats.
	default:
		return errs.Usage("unknown output format %q", g.Output).WithHint("use -o text, json or yaml (template validate also sarif or github)")
	}
	if jq := v.GetString("jq"); jq != "" {
		if _, err := output.CompileJQ(jq); err != nil {
			return err
		}
		switch {
		case !cmd.Flags().Changed("output") && os.Getenv("BSAI_OUTPUT") == "":
			g.Output = "json"
		case g.Output != "json":
			return errs.Usage("--jq filters JSON output, but -o is %s", g.Output).WithHint("drop -o, or use -o json")
		}
		f.IOStreams.SetJQ(jq)
	}
	return nil
}

// decodeErr is mapstructure's list of errors on one line, naming the keys.
func decodeErr(err error) string {
	var de *mapstructure.DecodeError
	if errors.As(err, &de) {
		return fmt.Sprintf("%s: %v", de.Name(), de.Unwrap())
	}
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, "error(s):"); ok {
		msg = rest
	}
	return strings.Join(strings.Fields(msg), " ")
}

// Main runs bsai and returns the process exit code. Ctrl-C cancels the
// context every command runs under; a second one (or 10 s without stopping) exits 130.
func Main(version, commit, date string) int {
	bi := buildinfo.Resolve(version, commit, date, nil)
	f := factory.New(bi.Version, bi.Commit, bi.Date)
	ctx, stop := notifyInterrupt(f.IOStreams.ErrOut, f.HandleInterrupt, forceExitAfter, os.Exit)
	defer stop()
	return Execute(ctx, f, os.Args[1:])
}

// Execute runs the whole tree on f with args, its streams as cobra's, the
// way the binary does (Main) and the in-process CLI tests do: f is closed
// afterwards and an error is reported and becomes the exit code.
func Execute(ctx context.Context, f *factory.Factory, args []string) int {
	cmd := NewCmdRoot(f)
	cmd.SetArgs(args)
	cmd.SetIn(f.IOStreams.In)
	cmd.SetOut(f.IOStreams.Out)
	cmd.SetErr(f.IOStreams.ErrOut)
	err := cmd.ExecuteContext(ctx)
	if cerr := f.Close(); cerr != nil && err == nil {
		err = cerr
	}
	if err == nil {
		return errs.ExitOK
	}
	if ctx.Err() != nil && !errors.As(err, new(*errs.Error)) {
		err = errs.Wrap(errs.KindInterrupted, err, "")
	}
	return Report(f, err)
}

// Report prints err (unless already shown) and returns its exit code.
func Report(f *factory.Factory, err error) int {
	code := errs.ExitCode(err)
	if isCobraUsage(err) {
		code = errs.ExitUsage
	}
	if errs.KindOf(err) == errs.KindInterrupted || (code == errs.ExitFailure && errors.Is(err, context.Canceled)) {
		fmt.Fprintln(f.IOStreams.ErrOut, "interrupted")
		return errs.ExitInterrupted
	}
	if !errs.IsSilent(err) {
		fmt.Fprintf(f.IOStreams.ErrOut, "error: %s\n", oneLine(err.Error()))
		if hint := errs.HintOf(err); hint != "" {
			fmt.Fprintf(f.IOStreams.ErrOut, "hint: %s\n", hint)
		} else if code == errs.ExitUsage {
			fmt.Fprintln(f.IOStreams.ErrOut, "hint: run with --help for usage")
		}
	}
	return code
}

// isCobraUsage recognises cobra's own argument and flag errors, which are
// plain errors without a kind.
func isCobraUsage(err error) bool {
	if errs.KindOf(err) != errs.KindFailure {
		return false
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return false
	}
	msg := err.Error()
	for _, p := range []string{"unknown flag", "unknown shorthand", "unknown command", "flag needs an argument",
		"invalid argument", "accepts ", "requires at least", "requires at most", "required flag", "if any flags in the group"} {
		if strings.Contains(msg, p) {
			return true
		}
	}
	return false
}

func oneLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i] + " …"
	}
	return s
}
