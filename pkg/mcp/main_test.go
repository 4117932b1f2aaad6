package mcp

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/signal"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/pkg/config"
)

// TestMain lets the test binary double as a helper process:
//   - rawserver: a hand-written stdio MCP server that sends notifications
//     and stderr noise before its replies and can answer with malformed
//     content, to test what mcp-go's SDK servers never do;
//   - sigint: a bsai-like process that starts a server through a Registry
//     and closes it when SIGINT arrives, as cmd/root does.
func TestMain(m *testing.M) {
	switch os.Getenv("BSAI_MCP_TEST_HELPER") {
	case "rawserver":
		rawServer()
		os.Exit(0)
	case "sigint":
		os.Exit(sigintHelper())
	}
	os.Exit(m.Run())
}

func rawServer() {
	in := bufio.NewScanner(os.Stdin)
	in.Buffer(make([]byte, 1<<20), 1<<20)
	out := json.NewEncoder(os.Stdout)
	note := func(method string, params any) {
		_ = out.Encode(map[string]any{"jsonrpc": "2.0", "method": method, "params": params})
	}
	for in.Scan() {
		var req struct {
			ID     any            `json:"id"`
			Method string         `json:"method"`
			Params map[string]any `json:"params"`
		}
		if json.Unmarshal(in.Bytes(), &req) != nil || req.ID == nil {
			continue
		}
		// Noise before every reply: a log notification, a progress
		// notification, a line that isn't JSON and some stderr.
		note("notifications/message", map[string]any{"level": "info", "data": "about to answer " + req.Method})
		note("notifications/progress", map[string]any{"progressToken": 1, "progress": 0.5})
		fmt.Fprintln(os.Stdout, "not json at all")
		fmt.Fprintln(os.Stderr, "rawserver: handling", req.Method)
		reply := func(result any) { _ = out.Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID, "result": result}) }
		switch req.Method {
		case "initialize":
			reply(map[string]any{"protocolVersion": "2025-06-18", "capabilities": map[string]any{"tools": map[string]any{}},
				"serverInfo": map[string]any{"name": "raw", "version": "1"}})
		case "tools/list":
			reply(map[string]any{"tools": []any{
				map[string]any{"name": "hello", "inputSchema": map[string]any{"type": "object", "properties": map[string]any{}}},
				map[string]any{"name": "bogus", "inputSchema": map[string]any{"type": "object"}},
			}})
		case "tools/call":
			if req.Params["name"] == "bogus" {
				reply(map[string]any{"content": []any{map[string]any{"type": "hologram", "data": 1}}})
				continue
			}
			reply(map[string]any{"content": []any{map[string]any{"type": "text", "text": "hello from raw"}}})
		default:
			_ = out.Encode(map[string]any{"jsonrpc": "2.0", "id": req.ID,
				"error": map[string]any{"code": -32601, "message": "method not found"}})
		}
	}
}

// sigintHelper starts the server given in BSAI_MCP_TEST_CMD (sh -c), prints
// its process group id, and waits for SIGINT to close the registry.
func sigintHelper() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	r := New(Options{Servers: map[string]config.MCPServer{
		"tree": {Command: "sh", Args: []string{"-c", os.Getenv("BSAI_MCP_TEST_CMD")}, Transport: config.MCPStdio},
	}})
	if _, err := r.ListTools(ctx, "tree"); err != nil {
		fmt.Fprintln(os.Stderr, "helper:", err)
		return 1
	}
	r.mu.Lock()
	pgid := r.conns["tree"].cmd.Process.Pid
	r.mu.Unlock()
	fmt.Printf("pgid %d\n", pgid)
	// A long call, interrupted by the SIGINT the test sends.
	_, err := r.CallToolWith(ctx, "tree", "trigger-long-running-operation",
		map[string]any{"duration": 60, "steps": 2}, CallOptions{Timeout: time.Minute})
	if err := r.Close(); err != nil {
		fmt.Fprintln(os.Stderr, "helper close:", err)
	}
	if ctx.Err() == nil {
		fmt.Fprintln(os.Stderr, "helper: call ended without SIGINT:", err)
		return 1
	}
	return 130
}
