// Package incident holds the `bsai incident` commands.
package incident

import (
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/cmd/stub"
)

// NewCmdIncident groups the incident commands.
func NewCmdIncident(f *factory.Factory) *cobra.Command {
	c := &cobra.Command{Use: "incident", Short: "Investigate incidents"}
	c.AddCommand(stub.New("investigate", "Investigate an incident"))
	return c
}
