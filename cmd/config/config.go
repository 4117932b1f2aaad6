// Package config holds the `bsai config` commands.
package config

import (
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/cmd/stub"
)

// NewCmdConfig groups the config commands.
func NewCmdConfig(f *factory.Factory) *cobra.Command {
	c := &cobra.Command{Use: "config", Short: "Inspect the merged configuration"}
	c.AddCommand(stub.New("show", "Print the merged config with secrets redacted"))
	return c
}
