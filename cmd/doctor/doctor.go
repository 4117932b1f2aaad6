// Package doctor implements `bsai doctor`.
package doctor

import (
	"context"
	"io"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/backstage"
	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/doctor"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/incident/action"
	"github.com/bsai-dev/bsai/pkg/llm"
	"github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/output"
)

// Options for `bsai doctor`.
type Options struct {
	Factory *factory.Factory
	// Env is the environment config discovery and path defaults see.
	Env []string
}

// NewCmdDoctor checks the configured backend, model, MCP servers and
// incident sources.
func NewCmdDoctor(f *factory.Factory, runF func(*Options) error) *cobra.Command {
	opts := &Options{Factory: f}
	return &cobra.Command{
		Use:   "doctor",
		Short: "Check config, Backstage, the model provider, MCP servers and incident sources",
		Long: `Check everything bsai is configured to use, with one real request each: the config
files found and merged; the Backstage backend and token; the model provider
(GET /models, else a one-token completion); every MCP server's handshake and tool
count; the Prometheus, Loki and Alertmanager APIs incident investigation reads.
It also prints where the catalog cache, MCP server logs, completion cache and the
incident audit log live. Nothing is changed. Exits 1 when a check fails.`,
		Example: `  bsai doctor
  bsai -c app-config.production.yaml doctor -o json
  bsai doctor --jq '.checks[] | select(.status == "fail") | .name'`,
		SuggestFor: []string{"check", "health"},
		Args:       cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Env = os.Environ()
			if runF != nil {
				return runF(opts)
			}
			ctx := cmd.Context()
			return run(ctx, opts)
		},
	}
}

func run(ctx context.Context, opts *Options) error {
	f := opts.Factory
	format, err := output.ParseFormat(f.Globals.Output)
	if err != nil {
		return err
	}
	getenv := func(k string) string {
		for _, kv := range opts.Env {
			if len(kv) > len(k) && kv[:len(k)] == k && kv[len(k)] == '=' {
				return kv[len(k)+1:]
			}
		}
		return ""
	}
	in := doctor.Inputs{
		Searched:  config.Discover(config.LoadOptions{Files: f.Globals.ConfigFiles, Env: opts.Env}),
		Config:    f.Config,
		Backstage: func() (*backstage.Client, error) { return f.Backstage() },
		Catalog:   func() (catalog.Source, error) { return f.CatalogSource() },
		Provider:  func() (llm.Provider, error) { return f.LLM("ask") },
		MCP:       func() (*mcp.Registry, error) { return f.MCP() },
		Paths:     paths(f, getenv),
	}
	if hc, err := f.HTTPClient(); err == nil {
		in.HTTP = hc
	}
	stop := f.IOStreams.StartProgress("checking")
	rep := doctor.Run(ctx, in)
	stop()
	if err := output.Print(f.IOStreams, format, rep, func(w io.Writer, st *output.Styles) error {
		return doctor.WriteText(w, rep, st)
	}); err != nil {
		return err
	}
	if !rep.OK {
		return errs.Failure("doctor found %d problem(s)", rep.Problems).Silenced()
	}
	return nil
}

// paths lists where bsai writes: the same defaults the factory and the
// incident engine use.
func paths(f *factory.Factory, getenv func(string) string) []doctor.Path {
	var out []doctor.Path
	if dir, err := os.UserCacheDir(); err == nil {
		out = append(out,
			doctor.Path{Name: "catalog cache", Path: filepath.Join(dir, "bsai", "catalog")},
			doctor.Path{Name: "mcp server logs", Path: filepath.Join(dir, "bsai", "mcp")},
			doctor.Path{Name: "completion cache", Path: filepath.Join(dir, "bsai", "complete")},
		)
	}
	audit := ""
	if cfg, err := f.Config(); err == nil {
		if ic, err := cfg.Incident(); err == nil {
			audit = ic.Agent.AuditLog
		}
	}
	if audit == "" {
		audit = action.DefaultAuditPath(getenv)
	}
	return append(out, doctor.Path{Name: "incident audit log", Path: audit})
}
