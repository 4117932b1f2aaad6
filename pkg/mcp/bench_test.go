package mcp

import (
	"context"
	"testing"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/config"
)

// BenchmarkCall measures one tools/call on a live connection. The
// in-process server is the baseline (no process, no pipes); compare the
// stdio line against it in the same run:
//
//	go test ./pkg/mcp -run '^$' -bench Call
func BenchmarkCall(b *testing.B) {
	ctx := context.Background()
	args := map[string]any{"message": "hi"}
	b.Run("inprocess", func(b *testing.B) {
		r := New(Options{})
		r.AddInProcess("edge", edgeServer())
		defer r.Close()
		if _, err := r.CallTool(ctx, "edge", "fail", nil); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := r.CallTool(ctx, "edge", "fail", nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("stdio-everything", func(b *testing.B) {
		entry := testkit.NPMServer(b, "server-everything")
		r := New(Options{Servers: map[string]config.MCPServer{
			"everything": {Command: "node", Args: []string{entry, "stdio"}, Transport: config.MCPStdio},
		}})
		defer r.Close()
		if _, err := r.CallTool(ctx, "everything", "echo", args); err != nil {
			b.Fatal(err)
		}
		b.ResetTimer()
		for i := 0; i < b.N; i++ {
			if _, err := r.CallTool(ctx, "everything", "echo", args); err != nil {
				b.Fatal(err)
			}
		}
	})
}
