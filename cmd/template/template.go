// Package template holds the `bsai template` commands.
package template

import (
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/cmd/stub"
)

// NewCmdTemplate groups the template commands.
func NewCmdTemplate(f *factory.Factory) *cobra.Command {
	c := &cobra.Command{Use: "template", Short: "Generate and validate scaffolder templates"}
	c.AddCommand(stub.New("generate DESCRIPTION", "Generate a template"), stub.New("validate FILE...", "Validate templates"))
	return c
}
