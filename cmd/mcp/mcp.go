// Package mcp holds the `bsai mcp` commands.
package mcp

import (
	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/cmd/stub"
)

// NewCmdMCP groups the MCP commands.
func NewCmdMCP(f *factory.Factory) *cobra.Command {
	c := &cobra.Command{Use: "mcp", Short: "List and call tools on MCP servers"}
	c.AddCommand(stub.New("servers", "List configured servers"), stub.New("tools SERVER", "List a server's tools"),
		stub.New("call SERVER TOOL [k=v ...]", "Call a tool"))
	return c
}
