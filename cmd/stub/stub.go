// Package stub makes commands whose implementation has not landed yet: they
// show their help and usage, and running them says so and exits 1.
package stub

import (
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/pkg/errs"
)

// New returns a command that reports "not implemented yet".
func New(use, short string) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short + " (not implemented yet)",
		RunE: func(cmd *cobra.Command, args []string) error {
			return errs.Failure("%s is not implemented yet", cmd.CommandPath()).
				WithHint("see the README's roadmap for what works today")
		},
	}
}
