// Package template holds the `bsai template` commands.
package template

import (
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
)

// NewCmdTemplate groups the template commands.
func NewCmdTemplate(f *factory.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "template",
		Short: "Generate and validate scaffolder templates",
		Example: `  bsai template generate "Go service with a CI workflow" -o yaml > template.yaml
  bsai template validate templates/`,
		Long: `Validate Backstage scaffolder templates (scaffolder.backstage.io/v1beta3) like CI needs,
and generate new ones from a description.`,
	}
	c.AddCommand(NewCmdGenerate(f, nil), NewCmdValidate(f, nil))
	return c
}
