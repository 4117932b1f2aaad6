package mcp

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/config"
	"github.com/bsai-dev/bsai/pkg/errs"
)

func TestLoadServersFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mcp.json")
	doc := `{"mcpServers": {
	  "fs": {"command": "npx", "args": ["-y", "@modelcontextprotocol/server-filesystem", "${HOME_DIR}"], "env": {"TOKEN": "${TOKEN}"}, "cwd": "sub"},
	  "remote": {"type": "streamable-http", "url": "https://mcp.example.com/mcp", "headers": {"Authorization": "Bearer ${TOKEN}"}},
	  "old": {"type": "sse", "url": "${BASE:-http://localhost:3001}/sse"},
	  "off": {"command": "nope", "disabled": true}
	}}`
	if err := os.WriteFile(p, []byte(doc), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"HOME_DIR": "/srv", "TOKEN": "s3cret"}
	got, err := LoadServersFile(p, func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 {
		t.Fatalf("want 3 servers (disabled skipped), got %v", got)
	}
	fs := got["fs"]
	if fs.Transport != "stdio" || fs.Args[2] != "/srv" || fs.Env["TOKEN"] != "s3cret" || fs.Cwd != filepath.Join(dir, "sub") {
		t.Fatalf("fs: %+v", fs)
	}
	if r := got["remote"]; r.Transport != "http" || r.Headers["Authorization"] != "Bearer s3cret" {
		t.Fatalf("remote: %+v", r)
	}
	if o := got["old"]; o.Transport != "sse" || o.URL != "http://localhost:3001/sse" {
		t.Fatalf("old: %+v", o)
	}
	// Secrets never show in the listing.
	reg := New(Options{Servers: got})
	b, _ := json.Marshal(reg.Servers())
	if strings.Contains(string(b), "s3cret") {
		t.Fatalf("secret leaked: %s", b)
	}

	_, err = LoadServersFile(p, func(string) (string, bool) { return "", false })
	if errs.ExitCode(err) != errs.ExitConfig || !strings.Contains(err.Error(), "HOME_DIR is not set") {
		t.Fatalf("unset var: %v", err)
	}
	bad := filepath.Join(dir, "bad.json")
	_ = os.WriteFile(bad, []byte(`{"servers": {"x": {"type": "carrier-pigeon", "url": "u"}}}`), 0o600)
	if _, err := LoadServersFile(bad, os.LookupEnv); errs.ExitCode(err) != errs.ExitConfig {
		t.Fatalf("bad transport: %v", err)
	}
	if _, err := LoadServersFile(filepath.Join(dir, "missing.json"), os.LookupEnv); errs.ExitCode(err) != errs.ExitConfig {
		t.Fatalf("missing file: %v", err)
	}
}

func TestConfigMCPServers(t *testing.T) {
	cfg := config.FromMap(map[string]any{
		"scaffolder": map[string]any{"mcpServers": map[string]any{
			"seed": map[string]any{"command": "seed-server"},
			"both": map[string]any{"command": "from-seed"},
		}},
		"bsai": map[string]any{"mcp": map[string]any{"servers": map[string]any{
			"both":   map[string]any{"command": "from-bsai", "timeout": "5s", "callTimeout": 1500},
			"remote": map[string]any{"url": "http://127.0.0.1:1/mcp"},
		}}},
	})
	got, err := cfg.MCPServers()
	if err != nil {
		t.Fatal(err)
	}
	if got["seed"].Command != "seed-server" || got["both"].Command != "from-bsai" || got["remote"].Transport != "http" {
		t.Fatalf("%+v", got)
	}
	if got["both"].Timeout.Seconds() != 5 || got["both"].CallTimeout.Milliseconds() != 1500 {
		t.Fatalf("timeouts: %+v", got["both"])
	}
	bad := config.FromMap(map[string]any{"bsai": map[string]any{"mcp": map[string]any{"servers": map[string]any{
		"x": map[string]any{"args": []any{"a"}}}}}})
	if _, err := bad.MCPServers(); errs.ExitCode(err) != errs.ExitConfig {
		t.Fatalf("no command/url: %v", err)
	}
}

func TestServerFromEntity(t *testing.T) {
	e := &catalog.Entity{Kind: "API", Metadata: catalog.Metadata{Name: "pay-mcp"}, Spec: map[string]any{
		"type": "mcp-server",
		"remotes": []any{
			map[string]any{"type": "sse", "url": "https://x/sse"},
			map[string]any{"type": "streamable-http", "url": "https://x/mcp"},
		},
	}}
	s, err := ServerFromEntity(e)
	if err != nil || s.URL != "https://x/mcp" || s.Transport != "http" {
		t.Fatalf("%+v %v", s, err)
	}
	e.Spec["type"] = "openapi"
	if _, err := ServerFromEntity(e); errs.ExitCode(err) != errs.ExitUsage {
		t.Fatalf("not mcp: %v", err)
	}
	e.Spec["type"] = "mcp-server"
	e.Spec["remotes"] = []any{}
	if _, err := ServerFromEntity(e); errs.ExitCode(err) != errs.ExitConfig {
		t.Fatalf("no remotes: %v", err)
	}
	if !LooksLikeRef("api:default/x") || !LooksLikeRef("default/x") || LooksLikeRef("everything") {
		t.Fatal("LooksLikeRef")
	}
}

func TestResolveByRef(t *testing.T) {
	calls := 0
	r := New(Options{Resolve: func(ctx context.Context, id string) (config.MCPServer, bool, error) {
		calls++
		if id == "api:default/edge" {
			return config.MCPServer{Command: "x"}, true, nil
		}
		return config.MCPServer{}, false, nil
	}})
	if tr, err := r.Transport(context.Background(), "api:default/edge"); err != nil || tr != "stdio" {
		t.Fatalf("%s %v", tr, err)
	}
	if _, err := r.Transport(context.Background(), "api:default/other"); errs.ExitCode(err) != errs.ExitUsage {
		t.Fatalf("unknown ref: %v", err)
	}
}

func TestParseKVAndParams(t *testing.T) {
	tool := mcp.NewTool("t",
		mcp.WithString("s", mcp.Required(), mcp.Description("a string\nsecond line")),
		mcp.WithInteger("i"), mcp.WithNumber("n"), mcp.WithBoolean("b"),
		mcp.WithArray("a", mcp.WithStringItems()), mcp.WithObject("o"))
	got, err := ParseKV(tool, []string{"s=007", "i=3", "n=2.5", "b=false", `a=["x"]`, `o={"k":null}`, "extra=hi=there"})
	if err != nil {
		t.Fatal(err)
	}
	if got["s"] != "007" || got["i"] != int64(3) || got["n"] != 2.5 || got["b"] != false || got["extra"] != "hi=there" {
		t.Fatalf("%#v", got)
	}
	if err := ValidateArgs(tool, got); err != nil {
		t.Fatal(err)
	}
	for _, bad := range []string{"i=abc", "b=maybe", "a=[", "noequals"} {
		if _, err := ParseKV(tool, []string{bad}); errs.ExitCode(err) != errs.ExitUsage {
			t.Errorf("%s: %v", bad, err)
		}
	}
	if err := ValidateArgs(tool, map[string]any{"s": "x", "i": 1.5}); err == nil || !strings.Contains(err.Error(), "/i") {
		t.Fatalf("integer check: %v", err)
	}
	if sum := ParamsSummary(tool); !strings.Contains(sum, "s (string, required)") || !strings.Contains(sum, "a (array<string>)") {
		t.Fatalf("summary %q", sum)
	}
	var b strings.Builder
	if err := WriteTools(&b, []mcp.Tool{tool}, 0); err != nil || strings.Contains(b.String(), "second line") {
		t.Fatalf("tools text: %q", b.String())
	}
}

func TestClosest(t *testing.T) {
	names := []string{"echo", "get-sum", "get-tiny-image", "get-structured-content"}
	if got := closest("get_sum", names); len(got) == 0 || got[0] != "get-sum" {
		t.Fatalf("%v", got)
	}
	if got := closest("structured", names); len(got) != 1 || got[0] != "get-structured-content" {
		t.Fatalf("%v", got)
	}
	if got := closest("zzzzzz", names); len(got) != 0 {
		t.Fatalf("%v", got)
	}
}

func TestTargetRedacts(t *testing.T) {
	s := config.MCPServer{URL: "https://user:pw@x.example/mcp?api_key=k", Transport: "http", Headers: map[string]string{"Authorization": "Bearer t"}}
	if got := Target(s); got != "https://user:<redacted>@x.example/mcp?api_key=<redacted>" {
		t.Fatalf("%q", got)
	}
	s = config.MCPServer{Command: "node", Args: []string{"a b", "c"}, Env: map[string]string{"K": "secret"}, Transport: "stdio"}
	if got := Target(s); got != "node 'a b' c" {
		t.Fatalf("%q", got)
	}
}
