// Package ask holds the `bsai ask` commands.
package ask

import (
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/cmd/stub"
)

// Options for bsai ask.
type Options struct{}

// NewCmdAsk answers questions over the catalog.
func NewCmdAsk(f *factory.Factory, runF func(*Options) error) *cobra.Command {
	return stub.New("ask QUESTION", "Ask a question about the catalog")
}
