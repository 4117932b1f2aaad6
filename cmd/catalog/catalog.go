// Package catalog holds the `bsai catalog` commands.
package catalog

import (
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/cmd/stub"
)

// NewCmdCatalog groups the catalog commands.
func NewCmdCatalog(f *factory.Factory) *cobra.Command {
	c := &cobra.Command{Use: "catalog", Short: "List and show catalog entities"}
	c.AddCommand(stub.New("list", "List entities"), stub.New("get REF", "Show one entity"))
	return c
}
