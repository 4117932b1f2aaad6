package mcp

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/output"
)

// PromptsOptions for `bsai mcp prompts`.
type PromptsOptions struct {
	Common
	Server string
}

// NewCmdPrompts lists a server's prompts.
func NewCmdPrompts(f *factory.Factory, runF func(*PromptsOptions) error) *cobra.Command {
	opts := &PromptsOptions{}
	return &cobra.Command{
		Use:   "prompts SERVER",
		Short: "List a server's prompts",
		Example: `  bsai mcp prompts everything
  bsai mcp prompts everything -o json`,
		Long: `List a server's prompts and their arguments. -o json prints the raw list.`,
		Args: cobra.ExactArgs(1),
		RunE: runE(f, opts, &opts.Common, func(args []string) { opts.Server = args[0] }, runF, RunPrompts),
	}
}

// RunPrompts prints the prompt list.
func RunPrompts(opts *PromptsOptions) error {
	prompts := func(ctx context.Context, reg *pkgmcp.Registry) ([]mcp.Prompt, error) {
		return reg.ListPrompts(ctx, opts.Server)
	}
	return printList(opts.Common, prompts, func(w io.Writer, _ *output.Styles, list []mcp.Prompt) error {
		// Fits the terminal: descriptions are cut, names and arguments not.
		t := &output.Table{Columns: []output.Column{{}, {}, {Shrink: true, Min: 12}}, Width: opts.IO.TerminalWidth()}
		for _, p := range list {
			var args []string
			for _, a := range p.Arguments {
				s := a.Name
				if a.Required {
					s += "*"
				}
				args = append(args, s)
			}
			t.Rows = append(t.Rows, []string{p.Name, strings.Join(args, " "), p.Description})
		}
		return t.Write(w)
	})
}

// GetOptions for `bsai mcp get`.
type GetOptions struct {
	Common
	Server, Prompt string
	Pairs          []string
}

// NewCmdGet renders one prompt.
func NewCmdGet(f *factory.Factory, runF func(*GetOptions) error) *cobra.Command {
	opts := &GetOptions{}
	return &cobra.Command{
		Use:   "get SERVER PROMPT [key=value ...]",
		Short: "Get (render) a prompt from a server",
		Example: `  bsai mcp get everything simple-prompt
  bsai mcp get everything args-prompt city=Lisbon -o json`,
		Long: `Render a prompt with string arguments. Text prints "role: text" per message;
-o json prints {"description", "messages": [{"role", "content"}]}.`,
		Args: cobra.MinimumNArgs(2),
		RunE: runE(f, opts, &opts.Common, func(args []string) {
			opts.Server, opts.Prompt, opts.Pairs = args[0], args[1], args[2:]
		}, runF, RunGet),
	}
}

// RunGet prints a rendered prompt.
func RunGet(opts *GetOptions) error {
	format, err := opts.format()
	if err != nil {
		return err
	}
	args, err := splitPairs(opts.Pairs)
	if err != nil {
		return err
	}
	reg, err := opts.Registry()
	if err != nil {
		return err
	}
	res, err := reg.GetPrompt(opts.ctx(), opts.Server, opts.Prompt, args)
	if err != nil {
		return err
	}
	msgs := res.Messages
	if msgs == nil {
		msgs = []mcp.PromptMessage{}
	}
	shape := map[string]any{"description": res.Description, "messages": msgs}
	return output.Print(opts.IO, format, shape, func(w io.Writer, st *output.Styles) error {
		for _, m := range msgs {
			fmt.Fprintf(w, "%s: ", m.Role)
			if err := pkgmcp.WriteContent(w, []mcp.Content{m.Content}); err != nil {
				return err
			}
		}
		return nil
	})
}
