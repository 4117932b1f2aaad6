//go:build linux

package hostile

import (
	"bufio"
	"context"
	"encoding/json"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/bsai-dev/bsai/internal/testkit"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

// TestMCPServeCatalogGetDoesNotLeakEnvironment: `mcp serve`'s catalog_get
// hands a client (and its model) the entity; a placeholder must not have
// put bsai's environment into it (issue #12 item 1).
func TestMCPServeCatalogGetDoesNotLeakEnvironment(t *testing.T) {
	dir := hostileCatalog(t)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, "mcp", "serve", "--catalog", "catalog-info.yaml")
	cmd.Dir = dir
	cmd.Env = baseEnv(dir)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	// stderr is read (for failure messages) while the server still runs.
	var stderr testkit.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { stdin.Close(); _ = cmd.Wait() }()
	lines := bufio.NewScanner(stdout)
	lines.Buffer(make([]byte, 1<<20), 16<<20)
	send := func(msg string) {
		if _, err := stdin.Write([]byte(msg + "\n")); err != nil {
			t.Fatalf("write to mcp serve: %v\n%s", err, stderr.String())
		}
	}
	// response reads until the reply with id, returning its raw line.
	response := func(id int) string {
		for lines.Scan() {
			var m struct {
				ID *int `json:"id"`
			}
			if json.Unmarshal(lines.Bytes(), &m) == nil && m.ID != nil && *m.ID == id {
				return lines.Text()
			}
		}
		t.Fatalf("no reply %d from mcp serve: %v\n%s", id, lines.Err(), stderr.String())
		return ""
	}
	send(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"hostile-test","version":"1"}}}`)
	response(1)
	send(`{"jsonrpc":"2.0","method":"notifications/initialized"}`)
	send(`{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"catalog_get","arguments":{"ref":"component:default/svc-a"}}}`)
	got := response(2)
	noSecrets(t, "mcp serve catalog_get", got, stderr.String())
	if !strings.Contains(got, "svc-a") || !strings.Contains(got, "the real readme") || strings.Contains(got, `"isError":true`) {
		t.Fatalf("catalog_get did not return the entity with its legitimate $text:\n%s\n%s", clip(got), stderr.String())
	}
}

// TestIncidentModelRequestDoesNotLeakEnvironment: the incident model's
// get_entity tool sends the entity to the model provider; nothing of the
// environment may travel with it.
func TestIncidentModelRequestDoesNotLeakEnvironment(t *testing.T) {
	dir := hostileCatalog(t)
	srv := llmtest.New(t,
		llmtest.ToolCall("get_entity", `{"ref":"component:default/svc-a"}`),
		llmtest.Text(`{"summary":"nothing conclusive","causes":[],"plan":[]}`))
	srv.Fallback = &llmtest.Reply{Text: `{"summary":"nothing conclusive","causes":[],"plan":[]}`}
	testkit.WriteFile(t, dir, "app-config.yaml", `bsai:
  catalog:
    files: [./catalog-info.yaml]
`+srv.AIConfig("${OPENAI_API_KEY}")+`  incident:
    model:
      tools: true
`)
	r := bsai(t, invocation{dir: dir, timeout: time.Minute}, "incident", "investigate", "--service", "component:default/svc-a", "-o", "json")
	noSecrets(t, "incident investigate output", r.stdout, r.stderr)
	reqs := srv.Requests()
	if len(reqs) < 2 {
		t.Fatalf("want the model to have been called twice (tool call, then synthesis), got %d\n%s", len(reqs), r)
	}
	sawEntity := false
	for i, req := range reqs {
		// The API key legitimately travels in the Authorization header;
		// the bodies must hold no secret at all.
		noSecrets(t, "model request body "+string(rune('1'+i)), string(req.Raw))
		for _, m := range req.Messages {
			if m.Role == "tool" && strings.Contains(m.Content, "svc-a") && strings.Contains(m.Content, "the real readme") {
				sawEntity = true
			}
		}
	}
	if !sawEntity {
		t.Fatalf("no get_entity result with the entity reached the model\n%s", r)
	}
}
