package mcp_test

import (
	"bufio"
	"context"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bsai-dev/bsai/cmd/factory/factorytest"
	"github.com/bsai-dev/bsai/cmd/root"
)

// TestServeHTTPSurvivesDeepExpression: one template_validate call with a
// 4 MB ${{ ((((…)))) }} used to end `mcp serve --http` with a fatal stack
// overflow (every client's server gone). It must be a finding, and the same
// server must answer the next call.
func TestServeHTTPSurvivesDeepExpression(t *testing.T) {
	factorytest.Isolate(t)
	t.Chdir(t.TempDir())
	f, _, _, _ := factorytest.New()
	pr, pw := io.Pipe()
	f.IOStreams.ErrOut = pw
	cmd := root.NewCmdRoot(f)
	cmd.SetArgs([]string{"--offline", "mcp", "serve", "--http", "127.0.0.1:0"})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- cmd.ExecuteContext(ctx); _ = pw.Close() }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop")
		}
		_ = f.Close()
	})
	addrc := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(pr)
		re := regexp.MustCompile(`http://(\S+)/mcp`)
		for sc.Scan() {
			if m := re.FindStringSubmatch(sc.Text()); m != nil {
				addrc <- m[1]
			}
		}
	}()
	var addr string
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("serve ended: %v", err)
	case <-time.After(20 * time.Second):
		t.Fatal("serve did not report its address")
	}
	c, err := client.NewStreamableHttpClient("http://" + addr + "/mcp")
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	// Generous: a 4 MB document under the race detector on a loaded 2-core
	// machine took 35-70 s; the point is that the server survives.
	cctx, ccancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer ccancel()
	if err := c.Start(cctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "t", Version: "1"}
	if _, err := c.Initialize(cctx, init); err != nil {
		t.Fatal(err)
	}
	validate := func(tpl string) *mcp.CallToolResult {
		req := mcp.CallToolRequest{}
		req.Params.Name = "template_validate"
		req.Params.Arguments = map[string]any{"template": tpl}
		res, err := c.CallTool(cctx, req)
		if err != nil {
			t.Fatalf("template_validate: %v", err)
		}
		return res
	}
	const head = "apiVersion: scaffolder.backstage.io/v1beta3\nkind: Template\nmetadata: {name: deep}\n" +
		"spec:\n  owner: group:default/team-a\n  type: service\n  steps:\n    - id: log\n      name: Log\n      action: debug:log\n      input:\n        message: '${{ "
	deep := head + strings.Repeat("(", 2<<20) + "1" + strings.Repeat(")", 2<<20) + " }}'\n"
	res := validate(deep)
	sc, _ := res.StructuredContent.(map[string]any)
	if res.IsError || sc["valid"] != false || !strings.Contains(text(res), "nests more than 100 levels") {
		t.Fatalf("deep expression: %v %s", sc["valid"], clipText(text(res)))
	}
	// The server is still there.
	res = validate(head + "1 }}'\n")
	if sc, _ := res.StructuredContent.(map[string]any); sc["valid"] != true {
		t.Fatalf("second call: %s", text(res))
	}
}

func clipText(s string) string {
	if len(s) > 2000 {
		return s[:2000] + "…"
	}
	return s
}
