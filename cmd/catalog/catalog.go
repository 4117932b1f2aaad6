// Package catalog holds the `bsai catalog` commands.
package catalog

import (
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
)

// NewCmdCatalog groups the catalog commands.
func NewCmdCatalog(f *factory.Factory) *cobra.Command {
	c := &cobra.Command{
		Use:   "catalog",
		Short: "List and show catalog entities",
		Example: `  bsai catalog list --kind component
  bsai catalog get component:default/my-service -o json`,
		Long: `List and show entities from the configured catalog: a Backstage backend
(--catalog http://host:7007, bsai.catalog.backstage or backend.baseUrl) or
local catalog-info YAML files, folders and globs (--catalog ./catalog,
bsai.catalog.files, or catalog.locations of type file).`,
	}
	c.AddCommand(NewCmdList(f, nil), NewCmdGet(f, nil), NewCmdDeps(f, nil))
	return c
}
