package mcp

import (
	"bytes"
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
)

// The raw server sends a log notification, a progress notification, a
// non-JSON line and stderr before each reply; the call must still succeed,
// notifications reach the hook, and stderr lands in the log file and the
// -v stream with the [id] prefix.
func TestNotificationsAndNoiseBeforeReply(t *testing.T) {
	logDir := t.TempDir()
	var verbose bytes.Buffer
	var mu sync.Mutex
	var notes []string
	r := New(Options{
		Servers: map[string]config.MCPServer{
			"raw": {Command: os.Args[0], Args: []string{"-test.run=^$"}, Env: map[string]string{"BSAI_MCP_TEST_HELPER": "rawserver"},
				Transport: config.MCPStdio, ProtocolVersion: "2025-06-18"},
		},
		LogDir: logDir,
		Stderr: &lockedWriter{w: &verbose, mu: &mu},
		OnNotification: func(server string, n mcp.JSONRPCNotification) {
			mu.Lock()
			notes = append(notes, server+":"+n.Method)
			mu.Unlock()
		},
	})
	res, err := r.CallTool(context.Background(), "raw", "hello", nil)
	if err != nil {
		t.Fatal(err)
	}
	if got := textOf(res); got != "hello from raw\n" {
		t.Fatalf("got %q", got)
	}
	// Malformed content is an upstream error, not a panic or a fake result.
	_, err = r.CallTool(context.Background(), "raw", "bogus", nil)
	if err == nil || errs.KindOf(err) != errs.KindUpstream || !strings.Contains(err.Error(), "hologram") {
		t.Fatalf("malformed content: %v", err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if !contains(notes, "raw:notifications/message") || !contains(notes, "raw:notifications/progress") {
		t.Fatalf("notifications not delivered: %v", notes)
	}
	if !strings.Contains(verbose.String(), "[raw] rawserver: handling tools/call") {
		t.Fatalf("verbose stderr: %q", verbose.String())
	}
	log, err := os.ReadFile(filepath.Join(logDir, "raw.log"))
	if err != nil || !strings.Contains(string(log), "rawserver: handling initialize") {
		t.Fatalf("log file: %v %q", err, log)
	}
}

type lockedWriter struct {
	w  *bytes.Buffer
	mu *sync.Mutex
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// edgeServer is an mcp-go server with the awkward tools real servers have.
func edgeServer() *server.MCPServer {
	s := server.NewMCPServer("edge", "1")
	s.AddTool(mcp.NewTool("huge", mcp.WithInteger("mb", mcp.Required())),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultText(strings.Repeat("x", req.GetInt("mb", 1)<<20)), nil
		})
	s.AddTool(mcp.NewTool("slow", mcp.WithNumber("seconds")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			select {
			case <-time.After(time.Duration(req.GetFloat("seconds", 10) * float64(time.Second))):
				return mcp.NewToolResultText("done"), nil
			case <-ctx.Done():
				return nil, ctx.Err()
			}
		})
	s.AddTool(mcp.NewTool("fail"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return mcp.NewToolResultError("it broke"), nil
	})
	s.AddTool(mcp.NewTool("blob"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		return &mcp.CallToolResult{Content: []mcp.Content{
			mcp.NewImageContent("iVBORw0KGgo=", "image/png"),
			mcp.NewAudioContent("AAAA", "audio/wav"),
			mcp.NewEmbeddedResource(mcp.TextResourceContents{URI: "file:///a.txt", MIMEType: "text/plain", Text: "12345"}),
			mcp.NewResourceLink("file:///b", "b", "", "text/plain"),
		}}, nil
	})
	s.AddTool(mcp.NewTool("typed",
		mcp.WithNumber("n", mcp.Required()), mcp.WithBoolean("flag"), mcp.WithArray("items", mcp.WithStringItems()),
		mcp.WithObject("obj"), mcp.WithString("s")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultStructuredOnly(req.GetArguments()), nil
		})
	return s
}

func TestEdgeCasesOverStreamableHTTP(t *testing.T) {
	ts := httptest.NewServer(server.NewStreamableHTTPServer(edgeServer()))
	defer ts.Close()
	r := New(Options{Servers: map[string]config.MCPServer{
		"edge": {URL: ts.URL + "/mcp", Transport: config.MCPHTTP, CallTimeout: config.Duration{Duration: time.Minute}}, // 8 MiB under -race on a loaded machine can take > 5 s
	}})
	defer r.Close()
	ctx := context.Background()

	res, err := r.CallTool(ctx, "edge", "huge", map[string]any{"mb": 8})
	if err != nil {
		t.Fatal(err)
	}
	if n := len(res.Content[0].(mcp.TextContent).Text); n != 8<<20 {
		t.Fatalf("huge: %d bytes", n)
	}

	start := time.Now()
	_, err = r.CallToolWith(ctx, "edge", "slow", map[string]any{"seconds": 30}, CallOptions{Timeout: 300 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timed out after 300ms") || time.Since(start) > 5*time.Second {
		t.Fatalf("slow: %v after %s", err, time.Since(start))
	}
	// The connection is re-established after the timeout.
	res, err = r.CallTool(ctx, "edge", "slow", map[string]any{"seconds": 0.01})
	if err != nil || textOf(res) != "done\n" {
		t.Fatalf("slow again: %v", err)
	}

	res, err = r.CallTool(ctx, "edge", "fail", nil)
	if err != nil || !res.IsError || textOf(res) != "it broke\n" {
		t.Fatalf("fail: %v %+v", err, res)
	}

	res, err = r.CallTool(ctx, "edge", "blob", nil)
	if err != nil {
		t.Fatal(err)
	}
	want := "[image image/png, 8 B]\n[audio audio/wav, 3 B]\n[resource file:///a.txt text/plain, 5 B]\n[link b file:///b text/plain]\n"
	if got := textOf(res); got != want {
		t.Fatalf("blob:\n%s\nwant\n%s", got, want)
	}

	tool, err := r.Tool(ctx, "edge", "typed")
	if err != nil {
		t.Fatal(err)
	}
	args, err := ParseKV(tool, []string{"n=3", "flag=true", `items=["a","b"]`, `obj={"k":1}`, "s=42"})
	if err != nil {
		t.Fatal(err)
	}
	res, err = r.CallTool(ctx, "edge", "typed", args)
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := res.StructuredContent.(map[string]any)
	if sc["n"] != float64(3) || sc["flag"] != true || sc["s"] != "42" || len(sc["items"].([]any)) != 2 {
		t.Fatalf("typed: %#v", sc)
	}
	// mcp-go adds the JSON as text content for structured-only results.
	if !strings.Contains(textOf(res), `"flag":true`) {
		t.Fatalf("structured text: %q", textOf(res))
	}
	_, err = r.CallTool(ctx, "edge", "typed", map[string]any{"n": 1, "items": "notalist"})
	if errs.ExitCode(err) != errs.ExitUsage || !strings.Contains(err.Error(), "/items") {
		t.Fatalf("wrong type: %v", err)
	}
}

func TestInProcessServer(t *testing.T) {
	r := New(Options{})
	r.AddInProcess("edge", edgeServer())
	defer r.Close()
	res, err := r.CallTool(context.Background(), "edge", "fail", nil)
	if err != nil || !res.IsError {
		t.Fatalf("%v %+v", err, res)
	}
	if s := r.Servers(); len(s) != 1 || s[0].Transport != "inprocess" {
		t.Fatalf("servers: %+v", s)
	}
}

// server-filesystem: a real server whose tools read files; list_allowed
// and read_text_file exercise a resource-ish read.
func TestFilesystemServer(t *testing.T) {
	entry := testkit.NPMServer(t, "server-filesystem")
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "hello.txt"), []byte("hello file\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	r := New(Options{Servers: map[string]config.MCPServer{
		"fs": {Command: "node", Args: []string{entry, dir}, Transport: config.MCPStdio},
	}})
	defer r.Close()
	ctx := context.Background()
	tools, err := r.ListTools(ctx, "fs")
	if err != nil {
		t.Fatal(err)
	}
	var readTool string
	for _, tl := range tools {
		if tl.Name == "read_text_file" || (readTool == "" && tl.Name == "read_file") {
			readTool = tl.Name
		}
	}
	if readTool == "" {
		t.Fatalf("no read tool in %d tools", len(tools))
	}
	res, err := r.CallTool(ctx, "fs", readTool, map[string]any{"path": filepath.Join(dir, "hello.txt")})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(textOf(res), "hello file") || res.IsError {
		t.Fatalf("read: %q", textOf(res))
	}
	// Outside the allowed folder the server answers with isError.
	res, err = r.CallTool(ctx, "fs", readTool, map[string]any{"path": "/etc/hostname"})
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError {
		t.Fatalf("expected isError outside allowed dirs, got %q", textOf(res))
	}
}

// Concurrent first uses of one server share a single spawn.
func TestConcurrentFirstUseStartsOnce(t *testing.T) {
	logDir := t.TempDir()
	r := New(Options{
		Servers: map[string]config.MCPServer{
			"raw": {Command: os.Args[0], Args: []string{"-test.run=^$"}, Env: map[string]string{"BSAI_MCP_TEST_HELPER": "rawserver"},
				Transport: config.MCPStdio, ProtocolVersion: "2025-06-18"},
		},
		LogDir: logDir,
	})
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := r.CallTool(context.Background(), "raw", "hello", nil)
			errc <- err
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	log, _ := os.ReadFile(filepath.Join(logDir, "raw.log"))
	if n := strings.Count(string(log), "bsai started"); n != 1 {
		t.Fatalf("server started %d times:\n%s", n, log)
	}
	// A closed registry refuses new work instead of spawning again.
	if _, err := r.ListTools(context.Background(), "raw"); err == nil {
		t.Fatal("closed registry started a server")
	}
}
