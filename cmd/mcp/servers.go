package mcp

import (
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/bsai-dev/bsai/cmd/factory"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/output"
)

// ServersOptions for `bsai mcp servers`.
type ServersOptions struct{ Common }

// NewCmdServers lists configured servers and how they are reached.
func NewCmdServers(f *factory.Factory, runF func(*ServersOptions) error) *cobra.Command {
	opts := &ServersOptions{}
	return &cobra.Command{
		Use:   "servers",
		Short: "List configured MCP servers (id, transport, command or URL)",
		Example: `  bsai mcp servers
  bsai mcp servers --mcp-config ~/.cursor/mcp.json -o json`,
		Long: `List configured MCP servers. Header values and environment variables are never
shown. JSON shape: [{"id", "transport", "target", "source"}].`,
		Args: cobra.NoArgs,
		RunE: runE(f, opts, &opts.Common, nil, runF, RunServers),
	}
}

// RunServers prints the server list. Nothing is started.
func RunServers(opts *ServersOptions) error {
	servers := func(_ context.Context, reg *pkgmcp.Registry) ([]pkgmcp.ServerInfo, error) {
		if list := reg.Servers(); list != nil {
			return list, nil
		}
		return []pkgmcp.ServerInfo{}, nil
	}
	return printList(opts.Common, servers, func(w io.Writer, st *output.Styles, list []pkgmcp.ServerInfo) error {
		if len(list) == 0 {
			fmt.Fprintln(opts.IO.ErrOut, "no MCP servers configured: add bsai.mcp.servers.<id> to app-config.yaml or pass --mcp-config")
			return nil
		}
		// On a terminal the table fits the width: long command lines are
		// cut with "…" (-o json has them whole); ids never are.
		t := &output.Table{
			Columns: []output.Column{{Header: "ID"}, {Header: "TRANSPORT"}, {Header: "TARGET", Shrink: true, Min: 20}},
			Width:   opts.IO.TerminalWidth(),
		}
		if st.Color {
			t.HeaderStyle = func(s string) string { return st.Bold.Render(s) }
		}
		for _, s := range list {
			t.Rows = append(t.Rows, []string{s.ID, s.Transport, s.Target})
		}
		return t.Write(w)
	})
}
