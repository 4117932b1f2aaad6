package scaffolder

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/bsai-dev/bsai/pkg/boundedio"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
	"github.com/bsai-dev/bsai/pkg/output"
)

// ValidateRequest is one `bsai template validate` run.
type ValidateRequest struct {
	Paths []string
	// Format is text, json, yaml, sarif or github.
	Format string
	Strict bool
	// Fix applies known fixes in place and prints a unified diff; with
	// DryRun only the diff is printed.
	Fix, DryRun bool
}

// ValidateEnv is what a validation is wired from.
type ValidateEnv struct {
	IO         *iostreams.IOStreams
	AppVersion string
	// Catalogue resolves the action list (live or built-in).
	Catalogue func() (*Catalogue, error)
	// MCP, when set, checks mcp:call steps against bsai's MCP config.
	MCP func() (MCPServers, error)
	// Input caps each file and stdin (zero: boundedio's default).
	Input boundedio.Limit
}

// ValidateFormats are the output formats of `template validate`.
var ValidateFormats = []string{"text", "json", "yaml", "sarif", "github"}

// RunValidate validates (and with Fix, fixes) templates and prints the
// report; it returns a silenced exit-3 error when errors remain.
func RunValidate(ctx context.Context, env ValidateEnv, req ValidateRequest) error {
	format := strings.ToLower(req.Format)
	if format == "" {
		format = "text"
	}
	known := false
	for _, f := range ValidateFormats {
		known = known || f == format
	}
	if !known {
		return errs.Usage("unknown format %q", format).WithHint("use -o (or --format) text, json, yaml, sarif or github")
	}
	if req.DryRun && !req.Fix {
		return errs.Usage("--dry-run needs --fix").WithHint("bsai template validate --fix --dry-run FILE prints the fixes as a diff")
	}
	files, err := CollectFiles(req.Paths)
	if err != nil {
		return err
	}
	if req.Fix {
		for _, p := range files {
			if p == "-" {
				return errs.Usage("--fix edits files in place and cannot fix stdin").WithHint("pass the template files or folders")
			}
		}
	}
	cat, err := env.Catalogue()
	if err != nil {
		return err
	}
	v, err := NewValidator(cat)
	if err != nil {
		return err
	}
	ios := env.IO
	lim := env.Input
	if lim.Bytes <= 0 {
		lim = boundedio.Input()
	}
	rep, err := v.ValidatePathsWith(ctx, files, ios.In, lim)
	if err != nil {
		return err
	}
	if rep.templates() == 0 && rep.Errors() == 0 {
		return errs.Usage("no templates found in %s", strings.Join(req.Paths, " ")).
			WithHint("%s; templates are YAML documents with kind: Template", rep.contents())
	}
	var mcpServers *MCPServers
	// bsai's MCP config is only read when some step is an mcp:call, so a
	// broken MCP config never blocks validating other templates.
	if env.MCP != nil && hasMCPCalls(rep) {
		s, err := env.MCP()
		if err != nil {
			return err
		}
		mcpServers = &s
		CheckMCPCalls(ctx, rep, s)
	}
	if req.Fix {
		var changed []int
		if rep, changed, err = fixAll(v, rep, req.DryRun, ios); err != nil {
			return err
		}
		if mcpServers != nil && len(changed) > 0 {
			// Fixed files were validated again; check their mcp:call steps too.
			sub := &Report{}
			for _, i := range changed {
				sub.Files = append(sub.Files, rep.Files[i])
			}
			CheckMCPCalls(ctx, sub, *mcpServers)
			for k, i := range changed {
				rep.Files[i] = sub.Files[k]
			}
		}
	}
	if req.Strict {
		for i := range rep.Files {
			Strict(rep.Files[i].Findings)
			rep.Files[i].Valid = !HasErrors(rep.Files[i].Findings)
		}
	}
	switch {
	case req.Fix && req.DryRun:
		// Only the diff: the findings that would remain decide the exit.
	case req.Fix:
		// stdout holds the diff; what is left goes to stderr.
		err = WriteTextSource(ios.ErrOut, rep, output.NewStyles(ios.ColorEnabledErr()), ios.IsStderrTTY())
	case format == "sarif":
		err = WriteSARIF(ios.Out, rep, env.AppVersion)
	case format == "github":
		err = WriteGitHub(ios.Out, rep)
		if err == nil {
			err = WriteText(ios.ErrOut, rep, nil)
		}
	case format == "json" || format == "yaml":
		err = output.Print(ios, output.Format(format), rep, nil)
	default:
		err = output.Print(ios, output.Text, rep, func(w io.Writer, st *output.Styles) error {
			return WriteTextSource(w, rep, st, ios.IsStdoutTTY())
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

// fixAll applies the known fixes file by file, prints the unified diff on
// stdout and (unless dryRun) writes each file atomically. The report it
// returns is the validation of the fixed text.
func fixAll(v *Validator, rep *Report, dryRun bool, ios *iostreams.IOStreams) (*Report, []int, error) {
	out := &Report{Files: make([]FileResult, 0, len(rep.Files))}
	var changed []int
	fixed, files, skipped := 0, 0, 0
	for _, f := range rep.Files {
		ff := v.Fix(f)
		skipped += len(ff.Skipped)
		if len(ff.Applied) == 0 {
			out.Files = append(out.Files, f)
			continue
		}
		if _, err := io.WriteString(ios.Out, ff.Diff()); err != nil {
			return nil, nil, err
		}
		if !dryRun {
			if err := WriteFileAtomic(f.Path, ff.Before, ff.After); err != nil {
				return nil, nil, errs.Failure("cannot write the fixes to %s: %w", f.Path, err).WithHint("the file is unchanged")
			}
		}
		changed = append(changed, len(out.Files))
		fixed += len(ff.Applied)
		files++
		out.Files = append(out.Files, v.ValidateBytes(f.Path, ff.After))
	}
	verb := "fixed"
	if dryRun {
		verb = "would fix"
	}
	msg := fmt.Sprintf("%s %d problem(s) in %d file(s)", verb, fixed, files)
	if skipped > 0 {
		msg += fmt.Sprintf("; %d fix(es) could not be applied safely and were left for you", skipped)
	}
	fmt.Fprintln(ios.ErrOut, msg)
	return out, changed, nil
}

// hasMCPCalls reports whether any template in rep has an mcp:call step.
func hasMCPCalls(rep *Report) bool {
	for _, f := range rep.Files {
		if !strings.Contains(string(f.src), MCPAction) {
			continue
		}
		docs, _ := ParseDocs(f.src)
		for _, d := range docs {
			for _, st := range asSlice(asMap(asMap(d.Value)["spec"])["steps"]) {
				if strOf(asMap(st)["action"]) == MCPAction {
					return true
				}
			}
		}
	}
	return false
}

func (r *Report) templates() int {
	n := 0
	for _, f := range r.Files {
		n += f.Templates
	}
	return n
}

// contents says what the inputs held instead of templates.
func (r *Report) contents() string {
	docs, kinds := 0, map[string]int{}
	for _, f := range r.Files {
		for _, s := range f.Skipped {
			docs++
			kinds[skippedKind(s)]++
		}
	}
	if docs == 0 {
		return fmt.Sprintf("%d YAML file(s) with no documents", len(r.Files))
	}
	var parts []string
	for _, k := range sortedKeys(kinds) {
		parts = append(parts, fmt.Sprintf("%s %d", k, kinds[k]))
	}
	return fmt.Sprintf("%d YAML file(s) hold %d other document(s) (%s)", len(r.Files), docs, strings.Join(parts, ", "))
}
