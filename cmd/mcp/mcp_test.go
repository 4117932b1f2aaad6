package mcp

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/internal/golden"
	"github.com/bsai-dev/bsai/pkg/errs"
	"github.com/bsai-dev/bsai/pkg/iostreams"
	pkgmcp "github.com/bsai-dev/bsai/pkg/mcp"
	"github.com/bsai-dev/bsai/pkg/mcpserve"
)

// fakeServer has one tool of each awkward kind, a resource and a prompt.
func fakeServer() *server.MCPServer {
	s := server.NewMCPServer("fake", "1", server.WithResourceCapabilities(false, false), server.WithPromptCapabilities(false))
	s.AddTool(mcp.NewTool("echo", mcp.WithDescription("Echo a message back"),
		mcp.WithString("message", mcp.Required(), mcp.Description("what to say")),
		mcp.WithInteger("times", mcp.Description("repeat count"))),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			msg, _ := req.RequireString("message")
			return mcp.NewToolResultText(strings.Repeat(msg, req.GetInt("times", 1))), nil
		})
	s.AddTool(mcp.NewTool("fail", mcp.WithDescription("Always fails")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return mcp.NewToolResultError("disk on fire"), nil
		})
	s.AddTool(mcp.NewTool("media", mcp.WithDescription("Returns an image and a resource")),
		func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
			return &mcp.CallToolResult{Content: []mcp.Content{
				mcp.NewTextContent("here you go"),
				mcp.NewImageContent(strings.Repeat("QUJD", 40), "image/png"),
				mcp.NewEmbeddedResource(mcp.BlobResourceContents{URI: "file:///x.bin", MIMEType: "application/octet-stream", Blob: "AAAA"}),
			}, StructuredContent: map[string]any{"ok": true}}, nil
		})
	s.AddTool(mcp.NewTool("sleep"), func(ctx context.Context, req mcp.CallToolRequest) (*mcp.CallToolResult, error) {
		select {
		case <-time.After(10 * time.Second):
			return mcp.NewToolResultText("woke"), nil
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	})
	s.AddResource(mcp.NewResource("docs://readme", "readme", mcp.WithMIMEType("text/markdown")),
		func(ctx context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: "docs://readme", MIMEType: "text/markdown", Text: "# Hello"}}, nil
		})
	s.AddPrompt(mcp.NewPrompt("greet", mcp.WithArgument("name", mcp.RequiredArgument())),
		func(ctx context.Context, req mcp.GetPromptRequest) (*mcp.GetPromptResult, error) {
			return mcp.NewGetPromptResult("greeting", []mcp.PromptMessage{
				mcp.NewPromptMessage(mcp.RoleUser, mcp.NewTextContent("Hello "+req.Params.Arguments["name"])),
			}), nil
		})
	return s
}

func testCommon(t *testing.T, format string) (Common, *bytes.Buffer, *bytes.Buffer, *bytes.Buffer) {
	ios, in, out, errOut := iostreams.Test()
	reg := pkgmcp.New(pkgmcp.Options{})
	reg.AddInProcess("fake", fakeServer())
	t.Cleanup(func() { _ = reg.Close() })
	return Common{IO: ios, Registry: func() (*pkgmcp.Registry, error) { return reg, nil }, Output: format, Ctx: context.Background()},
		in, out, errOut
}

func TestCallText(t *testing.T) {
	c, _, out, _ := testCommon(t, "text")
	err := RunCall(&CallOptions{Common: c, Server: "fake", Tool: "echo", Pairs: []string{"message=hi", "times=3"}})
	if err != nil {
		t.Fatal(err)
	}
	if out.String() != "hihihi\n" {
		t.Fatalf("%q", out.String())
	}
}

func TestCallMediaGolden(t *testing.T) {
	c, _, out, _ := testCommon(t, "text")
	if err := RunCall(&CallOptions{Common: c, Server: "fake", Tool: "media"}); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "call-media.txt"), out.Bytes())

	c, _, out, _ = testCommon(t, "json")
	if err := RunCall(&CallOptions{Common: c, Server: "fake", Tool: "media"}); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "call-media.json"), out.Bytes())
}

func TestToolsGolden(t *testing.T) {
	c, _, out, _ := testCommon(t, "text")
	if err := RunTools(&ToolsOptions{Common: c, Server: "fake"}); err != nil {
		t.Fatal(err)
	}
	golden.Check(t, filepath.Join("testdata", "tools.txt"), out.Bytes())

	c, _, out, _ = testCommon(t, "json")
	if err := RunTools(&ToolsOptions{Common: c, Server: "fake", Tool: "echo"}); err != nil {
		t.Fatal(err)
	}
	var tools []map[string]any
	if err := json.Unmarshal(out.Bytes(), &tools); err != nil || len(tools) != 1 || tools[0]["inputSchema"] == nil {
		t.Fatalf("raw tool list: %v %s", err, out)
	}
}

func TestCallIsErrorExits1AfterPrinting(t *testing.T) {
	c, _, out, _ := testCommon(t, "json")
	err := RunCall(&CallOptions{Common: c, Server: "fake", Tool: "fail"})
	if errs.ExitCode(err) != errs.ExitFailure || !errs.IsSilent(err) {
		t.Fatalf("want silenced exit 1, got %v", err)
	}
	var res map[string]any
	if err := json.Unmarshal(out.Bytes(), &res); err != nil || res["isError"] != true {
		t.Fatalf("json: %v %s", err, out)
	}
	c, _, out, _ = testCommon(t, "text")
	_ = RunCall(&CallOptions{Common: c, Server: "fake", Tool: "fail"})
	if out.String() != "disk on fire\n" {
		t.Fatalf("text: %q", out)
	}
}

func TestCallJSONHasIsErrorFalse(t *testing.T) {
	c, _, out, _ := testCommon(t, "json")
	if err := RunCall(&CallOptions{Common: c, Server: "fake", Tool: "echo", Args: `{"message": "x"}`}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"isError": false`) {
		t.Fatalf("%s", out)
	}
}

func TestCallArgsSources(t *testing.T) {
	// stdin
	c, in, out, _ := testCommon(t, "text")
	in.WriteString(`{"message": "from stdin", "times": 1}`)
	if err := RunCall(&CallOptions{Common: c, Server: "fake", Tool: "echo", Args: "-"}); err != nil || out.String() != "from stdin\n" {
		t.Fatalf("stdin: %v %q", err, out)
	}
	// @file, with k=v winning over the file
	p := filepath.Join(t.TempDir(), "args.json")
	_ = os.WriteFile(p, []byte(`{"message": "file", "times": 2}`), 0o600)
	c, _, out, _ = testCommon(t, "text")
	if err := RunCall(&CallOptions{Common: c, Server: "fake", Tool: "echo", Args: "@" + p, Pairs: []string{"times=1"}}); err != nil || out.String() != "file\n" {
		t.Fatalf("file: %v %q", err, out)
	}
}

func TestCallUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		o    CallOptions
		want string
	}{
		{"missing required", CallOptions{Server: "fake", Tool: "echo"}, "missing required argument message"},
		{"wrong type", CallOptions{Server: "fake", Tool: "echo", Args: `{"message": 5}`}, "/message"},
		{"bad coercion", CallOptions{Server: "fake", Tool: "echo", Pairs: []string{"message=x", "times=many"}}, "times"},
		{"not k=v", CallOptions{Server: "fake", Tool: "echo", Pairs: []string{"message"}}, "expected key=value"},
		{"args not object", CallOptions{Server: "fake", Tool: "echo", Args: `[1]`}, "must be a JSON object"},
		{"args not json", CallOptions{Server: "fake", Tool: "echo", Args: `{`}, "not valid JSON"},
		{"args file missing", CallOptions{Server: "fake", Tool: "echo", Args: "@/nonexistent.json"}, "cannot read --args file"},
		{"unknown tool", CallOptions{Server: "fake", Tool: "ech", Pairs: []string{"message=x"}}, `no tool "ech"`},
		{"unknown server", CallOptions{Server: "nope", Tool: "echo"}, `unknown mcp server "nope"`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c, _, out, _ := testCommon(t, "text")
			o := tc.o
			o.Common = c
			err := RunCall(&o)
			if errs.ExitCode(err) != errs.ExitUsage || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want exit 2 with %q, got %v", tc.want, err)
			}
			if out.Len() != 0 {
				t.Fatalf("stdout should be empty: %q", out)
			}
		})
	}
	// The parameter list is in the hint.
	c, _, _, _ := testCommon(t, "text")
	err := RunCall(&CallOptions{Common: c, Server: "fake", Tool: "echo"})
	if h := errs.HintOf(err); !strings.Contains(h, "message (string, required), times (integer)") {
		t.Fatalf("hint %q", h)
	}
}

func TestCallTimeout(t *testing.T) {
	c, _, _, _ := testCommon(t, "text")
	start := time.Now()
	err := RunCall(&CallOptions{Common: c, Server: "fake", Tool: "sleep", Timeout: 200 * time.Millisecond})
	if errs.ExitCode(err) != errs.ExitFailure || !strings.Contains(err.Error(), "timed out") || time.Since(start) > 5*time.Second {
		t.Fatalf("%v after %s", err, time.Since(start))
	}
}

func TestServersResourcesPrompts(t *testing.T) {
	c, _, out, _ := testCommon(t, "json")
	if err := RunServers(&ServersOptions{Common: c}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out.String(), `"id": "fake"`) {
		t.Fatalf("servers: %s", out)
	}
	c, _, out, _ = testCommon(t, "text")
	if err := RunResources(&ResourcesOptions{Common: c, Server: "fake"}); err != nil || !strings.Contains(out.String(), "docs://readme") {
		t.Fatalf("resources: %v %q", err, out)
	}
	c, _, out, _ = testCommon(t, "text")
	if err := RunRead(&ReadOptions{Common: c, Server: "fake", URI: "docs://readme"}); err != nil || out.String() != "# Hello\n" {
		t.Fatalf("read: %v %q", err, out)
	}
	c, _, out, _ = testCommon(t, "text")
	if err := RunPrompts(&PromptsOptions{Common: c, Server: "fake"}); err != nil || !strings.Contains(out.String(), "greet  name*") {
		t.Fatalf("prompts: %v %q", err, out)
	}
	c, _, out, _ = testCommon(t, "text")
	if err := RunGet(&GetOptions{Common: c, Server: "fake", Prompt: "greet", Pairs: []string{"name=Ada"}}); err != nil || out.String() != "user: Hello Ada\n" {
		t.Fatalf("get: %v %q", err, out)
	}
}

// Flags and args land in the options struct.
func TestCmdWiring(t *testing.T) {
	ios, _, _, _ := iostreams.Test()
	f := &factory.Factory{IOStreams: ios, Globals: &factory.GlobalOptions{Output: "json"}}
	var got *CallOptions
	cmd := NewCmdMCP(f)
	cmd.SetArgs([]string{"call", "srv", "tool", "a=1", "--args", `{"b":2}`, "--timeout", "3s", "--no-validate"})
	for _, sub := range cmd.Commands() {
		if sub.Name() == "call" {
			*sub = *NewCmdCall(f, func(o *CallOptions) error { got = o; return nil })
		}
	}
	if err := cmd.Execute(); err != nil {
		t.Fatal(err)
	}
	if got == nil || got.Server != "srv" || got.Tool != "tool" || got.Pairs[0] != "a=1" || got.Args != `{"b":2}` ||
		got.Timeout != 3*time.Second || !got.NoValidate || got.Output != "json" {
		t.Fatalf("%+v", got)
	}
}

func TestTemplateValidateTool(t *testing.T) {
	reg := pkgmcp.New(pkgmcp.Options{})
	reg.AddInProcess("bsai", pkgmcp.NewServer("test", "", mcpserve.TemplateValidateTool()))
	defer reg.Close()
	good := `apiVersion: scaffolder.backstage.io/v1beta3
kind: Template
metadata:
  name: hello
spec:
  owner: group:team-a
  type: service
  steps:
    - id: log
      name: Log
      action: debug:log
      input:
        message: hi
`
	res, err := reg.CallTool(context.Background(), "bsai", "template_validate", map[string]any{"template": good})
	if err != nil || res.IsError {
		t.Fatalf("%v %+v", err, res)
	}
	sc, _ := res.StructuredContent.(map[string]any)
	if sc["valid"] != true {
		t.Fatalf("good template: %#v", sc)
	}
	// A step without an action breaks the template schema.
	bad := strings.Replace(good, "      action: debug:log\n", "", 1)
	res, err = reg.CallTool(context.Background(), "bsai", "template_validate", map[string]any{"template": bad})
	if err != nil || res.IsError {
		t.Fatalf("%v %+v", err, res)
	}
	sc, _ = res.StructuredContent.(map[string]any)
	var b strings.Builder
	_ = pkgmcp.WriteResult(&b, res)
	if sc["valid"] != false || !strings.Contains(b.String(), "template.yaml:") {
		t.Fatalf("bad template: %#v\n%s", sc, b.String())
	}
}
