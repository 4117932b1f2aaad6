package mcp

import (
	"bytes"
	"encoding/json"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/pkg/boundedio"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/output"
)

// CallOptions for `bsai mcp call`.
type CallOptions struct {
	Common
	Server, Tool string
	// Pairs are k=v arguments, coerced by the tool's input schema.
	Pairs []string
	// Args is --args: inline JSON, @file.json, or - for stdin.
	Args       string
	Timeout    time.Duration
	NoValidate bool
	// Limits gives the cap on --args @file and - (nil: the default).
	Limits func() (config.Limits, error)
}

// NewCmdCall calls one tool.
func NewCmdCall(f *factory.Factory, runF func(*CallOptions) error) *cobra.Command {
	opts := &CallOptions{}
	c := &cobra.Command{
		Use:   "call SERVER TOOL [key=value ...]",
		Short: "Call a tool on an MCP server",
		Long: `Call a tool. Arguments come from --args (a JSON object, @file.json or - for
stdin) and key=value pairs, which win over --args. Values are coerced by the
tool's input schema: number, integer, boolean, array, object and null
properties are parsed as JSON, anything else stays a string.

Arguments are validated against the tool's input schema before the call; a
missing or mistyped argument exits 2 and lists the tool's parameters.

Text content is printed as is; images, audio and resources are summarised
(type, mime, size). -o json prints the result:
{"content": [...], "structuredContent": ..., "isError": false}.
A result with isError: true is printed and exits 1.`,
		Example: `  bsai mcp call everything echo message=hi
  bsai mcp call everything get-sum a=1 b=2
  bsai mcp call everything get-sum --args '{"a": 1, "b": 2}' -o json
  echo '{"message": "from stdin"}' | bsai mcp call everything echo --args -
  bsai mcp call everything trigger-long-running-operation duration=30 --timeout 5s`,
		Args: cobra.MinimumNArgs(2),
		RunE: runE(f, opts, &opts.Common, func(args []string) {
			opts.Limits = f.Limits
			opts.Server, opts.Tool, opts.Pairs = args[0], args[1], args[2:]
		}, runF, RunCall),
	}
	c.Flags().StringVar(&opts.Args, "args", "", "arguments as a JSON object, @file.json, or - to read stdin")
	c.Flags().DurationVar(&opts.Timeout, "timeout", 0, "per-call timeout (default: the server's callTimeout, else 60s)")
	c.Flags().BoolVar(&opts.NoValidate, "no-validate", false, "send arguments without checking them against the input schema")
	return c
}

// RunCall validates, calls and prints.
func RunCall(opts *CallOptions) error {
	format, err := opts.format()
	if err != nil {
		return err
	}
	if _, err := splitPairs(opts.Pairs); err != nil {
		return err
	}
	if opts.Timeout < 0 {
		return errs.Usage("--timeout must be positive")
	}
	args, err := readArgs(opts)
	if err != nil {
		return err
	}
	reg, err := opts.Registry()
	if err != nil {
		return err
	}
	ctx := opts.ctx()
	stop := opts.IO.StartProgress("calling " + opts.Server + " " + opts.Tool)
	defer stop()
	if len(opts.Pairs) > 0 {
		tool, err := reg.Tool(ctx, opts.Server, opts.Tool)
		if err != nil {
			return err
		}
		kv, err := pkgmcp.ParseKV(tool, opts.Pairs)
		if err != nil {
			return err
		}
		for k, v := range kv {
			args[k] = v
		}
	}
	label := "calling " + opts.Server + " " + opts.Tool
	res, err := reg.CallToolWith(ctx, opts.Server, opts.Tool, args, pkgmcp.CallOptions{
		Timeout: opts.Timeout, SkipValidation: opts.NoValidate,
		// Progress the server reports becomes the spinner's label on a
		// terminal (a line per notification with -v otherwise).
		OnProgress: func(p pkgmcp.Progress) { opts.IO.UpdateProgress(label + ": " + p.String()) },
	})
	stop()
	if err != nil {
		return err
	}
	if err := output.Print(opts.IO, format, pkgmcp.ToResultJSON(res), func(w io.Writer, st *output.Styles) error {
		return pkgmcp.WriteResult(w, res)
	}); err != nil {
		return err
	}
	if res.IsError {
		return errs.Failure("tool %s on %s returned an error", opts.Tool, opts.Server).Silenced()
	}
	return nil
}

// readArgs reads --args into an object; no --args is an empty object.
func readArgs(opts *CallOptions) (map[string]any, error) {
	src := strings.TrimSpace(opts.Args)
	var data []byte
	lim := boundedio.Input()
	if opts.Limits != nil && (src == "-" || strings.HasPrefix(src, "@")) {
		l, err := opts.Limits()
		if err != nil {
			return nil, err
		}
		lim = l.Input
	}
	switch {
	case src == "":
		return map[string]any{}, nil
	case src == "-":
		b, err := boundedio.ReadAll(opts.ctx(), opts.IO.In, "--args from stdin", lim)
		if err != nil {
			return nil, errs.Usage("cannot read --args from stdin: %w", err)
		}
		data = b
	case strings.HasPrefix(src, "@"):
		b, err := boundedio.ReadFile(opts.ctx(), src[1:], lim)
		if err != nil {
			return nil, errs.Usage("cannot read --args file: %w", err)
		}
		data = b
	default:
		data = []byte(src)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, errs.Usage("--args is not valid JSON: %v", err).
			WithHint(`pass an object, e.g. --args '{"message": "hi"}'`)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errs.Usage("--args must be a JSON object, not %s", jsonKind(v)).
			WithHint(`pass an object, e.g. --args '{"message": "hi"}'`)
	}
	return m, nil
}

func jsonKind(v any) string {
	switch v.(type) {
	case []any:
		return "an array"
	case string:
		return "a string"
	case json.Number:
		return "a number"
	case bool:
		return "a boolean"
	case nil:
		return "null"
	}
	return "a value"
}
