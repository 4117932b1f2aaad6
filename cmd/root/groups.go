package root

import (
	"fmt"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// wireGroups gives every command that only groups subcommands (bsai,
// catalog, config, mcp, …) a run function. Cobra prints help and exits 0
// for `bsai catalog lst` on such commands, and for the root it puts the
// "Did you mean this?" suggestion on later lines of the error, which the
// one-line error report cuts off. Here an unknown word is a usage error
// (exit 2) whose hint carries the suggestion; no word at all still prints
// help and exits 0.
func wireGroups(c *cobra.Command) {
	if c.HasSubCommands() && c.Run == nil && c.RunE == nil {
		c.Args = cobra.ArbitraryArgs
		c.RunE = func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			return unknownCommand(cmd, args[0])
		}
	}
	for _, sub := range c.Commands() {
		wireGroups(sub)
	}
}

func unknownCommand(cmd *cobra.Command, word string) error {
	e := errs.Usage("unknown command %q for %q", word, cmd.CommandPath())
	if cmd.SuggestionsMinimumDistance <= 0 {
		cmd.SuggestionsMinimumDistance = 2 // cobra's default, set lazily by cobra itself
	}
	if s := cmd.SuggestionsFor(word); len(s) > 0 {
		quoted := make([]string, len(s))
		for i, name := range s {
			quoted[i] = fmt.Sprintf("%q", cmd.CommandPath()+" "+name)
		}
		return e.WithHint("did you mean %s?", strings.Join(quoted, " or "))
	}
	var names []string
	for _, sub := range cmd.Commands() {
		if sub.IsAvailableCommand() {
			names = append(names, sub.Name())
		}
	}
	return e.WithHint("%s has: %s (see %s --help)", cmd.CommandPath(), strings.Join(names, ", "), cmd.CommandPath())
}
