package mcp

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
)

func everythingStdio(t *testing.T) *Registry {
	entry := testkit.NPMServer(t, "server-everything")
	r := New(Options{Servers: map[string]config.MCPServer{
		"everything": {Command: "node", Args: []string{entry, "stdio"}, Transport: config.MCPStdio},
	}})
	t.Cleanup(func() { _ = r.Close() })
	return r
}

func textOf(r *mcp.CallToolResult) string {
	var b strings.Builder
	_ = WriteResult(&b, r)
	return b.String()
}

func TestEverythingStdio(t *testing.T) {
	r := everythingStdio(t)
	ctx := context.Background()
	tools, err := r.ListTools(ctx, "everything")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, tl := range tools {
		names = append(names, tl.Name)
	}
	for _, want := range []string{"echo", "get-sum", "get-structured-content", "trigger-long-running-operation"} {
		if !contains(names, want) {
			t.Fatalf("tool %q missing from %v", want, names)
		}
	}

	res, err := r.CallTool(ctx, "everything", "echo", map[string]any{"message": "hi there"})
	if err != nil {
		t.Fatal(err)
	}
	if got := textOf(res); !strings.Contains(got, "hi there") || res.IsError {
		t.Fatalf("echo: %q isError=%v", got, res.IsError)
	}

	sumTool, err := r.Tool(ctx, "everything", "get-sum")
	if err != nil {
		t.Fatal(err)
	}
	args, err := ParseKV(sumTool, []string{"a=2", "b=40.5"})
	if err != nil {
		t.Fatal(err)
	}
	res, err = r.CallTool(ctx, "everything", "get-sum", args)
	if err != nil {
		t.Fatal(err)
	}
	if got := textOf(res); !strings.Contains(got, "42.5") {
		t.Fatalf("get-sum: %q", got)
	}

	// Validation happens before the call: wrong type and missing argument
	// are usage errors that list the tool's parameters.
	_, err = r.CallTool(ctx, "everything", "get-sum", map[string]any{"a": "x", "b": 1})
	if errs.ExitCode(err) != errs.ExitUsage || !strings.Contains(errs.HintOf(err), "a (number, required)") {
		t.Fatalf("wrong type: %v (hint %q)", err, errs.HintOf(err))
	}
	_, err = r.CallTool(ctx, "everything", "get-sum", map[string]any{"a": 1})
	if errs.ExitCode(err) != errs.ExitUsage || !strings.Contains(err.Error(), "missing required argument b") {
		t.Fatalf("missing: %v", err)
	}

	// Without our validation the server's own check fails the call as a
	// tool error (isError), which is a result, not a Go error.
	res, err = r.CallToolWith(ctx, "everything", "get-sum", map[string]any{"a": "x", "b": 1}, CallOptions{SkipValidation: true})
	if err != nil {
		t.Fatal(err)
	}
	if !res.IsError {
		t.Fatalf("expected isError for a bad argument, got %q", textOf(res))
	}

	res, err = r.CallTool(ctx, "everything", "get-structured-content", structuredArgs(t, r))
	if err != nil {
		t.Fatal(err)
	}
	if res.StructuredContent == nil {
		t.Fatalf("no structuredContent: %+v", ToResultJSON(res))
	}

	// Resources and prompts.
	resources, err := r.ListResources(ctx, "everything")
	if err != nil || len(resources) == 0 {
		t.Fatalf("resources: %v (%d)", err, len(resources))
	}
	rr, err := r.ReadResource(ctx, "everything", resources[0].URI)
	if err != nil || len(rr.Contents) == 0 {
		t.Fatalf("read %s: %v", resources[0].URI, err)
	}
	prompts, err := r.ListPrompts(ctx, "everything")
	if err != nil || len(prompts) == 0 {
		t.Fatalf("prompts: %v", err)
	}
	for _, p := range prompts {
		if len(p.Arguments) == 0 {
			pr, err := r.GetPrompt(ctx, "everything", p.Name, nil)
			if err != nil || len(pr.Messages) == 0 {
				t.Fatalf("get prompt %s: %v", p.Name, err)
			}
			break
		}
	}

	// Unknown tool suggests close names.
	_, err = r.CallTool(ctx, "everything", "get-summ", nil)
	if errs.ExitCode(err) != errs.ExitUsage || !strings.Contains(errs.HintOf(err), "get-sum") {
		t.Fatalf("unknown tool: %v / %q", err, errs.HintOf(err))
	}
	// Unknown server lists configured ones.
	_, err = r.ListTools(ctx, "everythin")
	if errs.ExitCode(err) != errs.ExitUsage || !strings.Contains(errs.HintOf(err), "everything") {
		t.Fatalf("unknown server: %v / %q", err, errs.HintOf(err))
	}
}

// structuredArgs fills the required arguments of get-structured-content
// from its schema (the tool's arguments changed across versions).
func structuredArgs(t *testing.T, r *Registry) map[string]any {
	tl, err := r.Tool(context.Background(), "everything", "get-structured-content")
	if err != nil {
		t.Fatal(err)
	}
	args := map[string]any{}
	for _, p := range Params(tl) {
		if !p.Required {
			continue
		}
		switch {
		case len(p.Enum) > 0:
			args[p.Name] = p.Enum[0]
		case p.Type == "string":
			args[p.Name] = "New York"
		case p.Type == "number" || p.Type == "integer":
			args[p.Name] = 1
		}
	}
	return args
}

func TestEverythingCallTimeoutStopsServer(t *testing.T) {
	r := everythingStdio(t)
	ctx := context.Background()
	start := time.Now()
	_, err := r.CallToolWith(ctx, "everything", "trigger-long-running-operation",
		map[string]any{"duration": 30, "steps": 3}, CallOptions{Timeout: 700 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("want timeout, got %v", err)
	}
	if time.Since(start) > 10*time.Second {
		t.Fatalf("timeout took %s", time.Since(start))
	}
	// The server was stopped; the next call starts it again.
	res, err := r.CallTool(ctx, "everything", "echo", map[string]any{"message": "again"})
	if err != nil || !strings.Contains(textOf(res), "again") {
		t.Fatalf("after timeout: %v", err)
	}
}

func TestEverythingStreamableHTTP(t *testing.T) {
	entry := testkit.NPMServer(t, "server-everything")
	port := freePort(t)
	srv := startNode(t, []string{"PORT=" + itoa(port)}, entry, "streamableHttp")
	_ = srv
	url := fmt.Sprintf("http://127.0.0.1:%d/mcp", port)
	waitHTTP(t, url)
	r := New(Options{Servers: map[string]config.MCPServer{
		"everything": {URL: url, Transport: config.MCPHTTP, Headers: map[string]string{"X-Test": "1"}},
	}})
	defer r.Close()
	ctx := context.Background()
	res, err := r.CallTool(ctx, "everything", "echo", map[string]any{"message": "over http"})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(textOf(res), "over http") {
		t.Fatalf("echo: %q", textOf(res))
	}
	res, err = r.CallTool(ctx, "everything", "get-sum", map[string]any{"a": 1, "b": 2})
	if err != nil || !strings.Contains(textOf(res), "3") {
		t.Fatalf("get-sum: %v %q", err, textOf(res))
	}
	_, err = r.CallToolWith(ctx, "everything", "trigger-long-running-operation",
		map[string]any{"duration": 30, "steps": 3}, CallOptions{Timeout: 500 * time.Millisecond})
	if err == nil || !strings.Contains(err.Error(), "timed out") {
		t.Fatalf("want timeout, got %v", err)
	}
	var ue *errs.Error
	if !errors.As(err, &ue) || ue.Kind != errs.KindUpstream {
		t.Fatalf("timeout kind: %#v", err)
	}
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
