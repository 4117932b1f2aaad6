package root

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
)

// commandPaths lists every visible command of the tree as argument lists.
func commandPaths(c *cobra.Command, prefix []string) [][]string {
	var out [][]string
	for _, sub := range c.Commands() {
		if !sub.IsAvailableCommand() || sub.Name() == "help" {
			continue
		}
		p := append(append([]string{}, prefix...), sub.Name())
		out = append(out, p)
		out = append(out, commandPaths(sub, p)...)
	}
	return out
}

// Every command a user can run shows at least one example in its --help,
// as gh does; group commands show their subcommands instead.
func TestEveryCommandHasExamples(t *testing.T) {
	clearEnv(t)
	tree := NewCmdRoot(factory.New("1", "c", "d"))
	paths := commandPaths(tree, nil)
	if len(paths) < 20 {
		t.Fatalf("only %d commands found: %v", len(paths), paths)
	}
	for _, p := range paths {
		r := run(t, append(p, "--help")...)
		if r.code != 0 {
			t.Errorf("%v --help: exit %d", p, r.code)
			continue
		}
		if !strings.Contains(r.out, "Examples:\n  bsai ") {
			t.Errorf("bsai %s --help has no examples", strings.Join(p, " "))
		}
	}
}

func TestUnknownSubcommandIsUsageErrorWithSuggestion(t *testing.T) {
	for _, tc := range []struct {
		args     []string
		wantErr  string
		wantHint string
	}{
		{[]string{"askk"}, `unknown command "askk" for "bsai"`, `did you mean "bsai ask"?`},
		{[]string{"catalog", "lst"}, `unknown command "lst" for "bsai catalog"`, `"bsai catalog list"`},
		{[]string{"mcp", "tool", "x"}, `unknown command "tool" for "bsai mcp"`, `did you mean "bsai mcp tools"?`},
		// Nothing close: the hint lists what the group has.
		{[]string{"config", "zzzzzz"}, `unknown command "zzzzzz" for "bsai config"`, "bsai config has: "},
	} {
		clearEnv(t)
		r := run(t, tc.args...)
		if r.code != 2 {
			t.Errorf("%v: exit %d, want 2 (stdout %q)", tc.args, r.code, r.out)
		}
		if r.out != "" {
			t.Errorf("%v: help printed to stdout: %q", tc.args, r.out)
		}
		if !strings.Contains(r.errOut, "error: "+tc.wantErr) || !strings.Contains(r.errOut, "hint: ") || !strings.Contains(r.errOut, tc.wantHint) {
			t.Errorf("%v: stderr %q lacks %q / hint %q", tc.args, r.errOut, tc.wantErr, tc.wantHint)
		}
	}
	// A group with no word still prints its help and succeeds.
	clearEnv(t)
	if r := run(t, "catalog"); r.code != 0 || !strings.Contains(r.out, "Available Commands:") {
		t.Errorf("bsai catalog: exit %d, stdout %q", r.code, r.out)
	}
}
