package root

import (
	"context"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"
)

// TestMain lets the test binary double as a stdio MCP server (an mcp-go
// server, as real Go servers are built), so completion and doctor tests
// can count how often bsai starts it: each start appends a line to
// $BSAI_ROOT_TEST_SPAWNS.
func TestMain(m *testing.M) {
	if os.Getenv("BSAI_ROOT_TEST_MCP") == "1" {
		os.Exit(testMCPServer())
	}
	// The binary as a user runs it, for tests under a pty (see pty_test.go).
	if os.Getenv("BSAI_ROOT_TEST_MAIN") == "1" {
		os.Exit(Main("1.2.3", "abc123", "2026-01-02"))
	}
	os.Exit(m.Run())
}

func testMCPServer() int {
	if p := os.Getenv("BSAI_ROOT_TEST_SPAWNS"); p != "" {
		f, err := os.OpenFile(p, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
		if err == nil {
			fmt.Fprintln(f, os.Getpid())
			f.Close()
		}
	}
	s := server.NewMCPServer("root-test", "1")
	s.AddTool(mcp.NewTool("get-sum", mcp.WithDescription("Add two numbers"),
		mcp.WithNumber("a", mcp.Required(), mcp.Description("first number")),
		mcp.WithNumber("b", mcp.Required(), mcp.Description("second number"))),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(fmt.Sprint(req.GetFloat("a", 0) + req.GetFloat("b", 0))), nil
		})
	s.AddTool(mcp.NewTool("say", mcp.WithDescription("Say something"),
		mcp.WithString("message", mcp.Required()),
		mcp.WithString("mode", mcp.Enum("loud", "quiet")),
		mcp.WithBoolean("twice")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(req.GetString("message", "")), nil
		})
	// slow logs to stderr while it works, as servers do, so -v output and
	// the spinner meet.
	s.AddTool(mcp.NewTool("slow", mcp.WithDescription("Work for a while, logging to stderr")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			for i := 1; i <= 4; i++ {
				time.Sleep(350 * time.Millisecond)
				fmt.Fprintf(os.Stderr, "tick %d\n", i)
			}
			return mcp.NewToolResultText("done"), nil
		})
	// progress reports three steps to a caller that sent a progress
	// token, and logs one message (shown with -v).
	s.AddTool(mcp.NewTool("progress", mcp.WithDescription("Three steps with progress notifications")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			srv := server.ServerFromContext(ctx)
			_ = srv.SendNotificationToClient(ctx, "notifications/message", map[string]any{"level": "info", "logger": "test", "data": "starting the steps"})
			var token any
			if req.Params.Meta != nil {
				token = req.Params.Meta.ProgressToken
			}
			for i := 1; i <= 3; i++ {
				if token != nil {
					_ = srv.SendNotificationToClient(ctx, "notifications/progress", map[string]any{
						"progressToken": token, "progress": i, "total": 3, "message": fmt.Sprintf("step %d", i)})
				}
				time.Sleep(400 * time.Millisecond)
			}
			return mcp.NewToolResultText(fmt.Sprintf("finished (token %v)", token != nil)), nil
		})
	if err := server.ServeStdio(s); err != nil {
		return 1
	}
	return 0
}
