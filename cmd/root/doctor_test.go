package root

import (
	"encoding/json"
	"os"
	"strings"
	"testing"

	"github.com/bsai-dev/bsai/pkg/catalog"
	"github.com/bsai-dev/bsai/pkg/catalog/catalogtest"
	"github.com/bsai-dev/bsai/pkg/incident/incidenttest"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
)

type doctorReport struct {
	OK       bool
	Problems int
	Checks   []struct {
		Group, Name, Status, Detail, Hint string
		Tools                             *int
	}
	Paths []struct{ Name, Path string }
}

// doctorEnv starts the fakes and writes a config using them; mcpURL is the
// second MCP server (unreachable when broken).
func doctorEnv(t *testing.T, token string, withBrokenMCP bool) (*catalogtest.Server, *llmtest.Server) {
	t.Helper()
	clearEnv(t)
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	t.Setenv("XDG_STATE_HOME", "/state-home")
	bs := catalogtest.New(t, []catalog.Entity{
		{APIVersion: "backstage.io/v1alpha1", Kind: "Group", Metadata: catalog.Metadata{Name: "team-x"}, Spec: map[string]any{"type": "team"}},
	})
	bs.Token = "right-token"
	llm := llmtest.New(t)
	prom := incidenttest.NewPrometheus(t, func(string) map[string][]incidenttest.Sample { return nil })
	loki := incidenttest.NewLoki(t, nil)
	exe, _ := os.Executable()
	cfg := `backend:
  baseUrl: ` + bs.URL + `
bsai:
  backstage:
    token: ` + token + `
  ai:
    providers:
      local: {type: openai-compatible, baseUrl: ` + llm.URL + `, apiKey: ` + llmtest.APIKey + `, model: test-model}
  incident:
    sources:
      metrics: {prometheus: {url: ` + prom.URL + `}}
      logs: {loki: {url: ` + loki.URL + `}}
  mcp:
    servers:
      fake:
        command: ` + exe + `
        env: {BSAI_ROOT_TEST_MCP: "1"}
`
	if withBrokenMCP {
		cfg += "      gone: {url: 'http://127.0.0.1:1/mcp', timeout: 2s}\n"
	}
	writeFile(t, "app-config.yaml", cfg)
	return bs, llm
}

func doctorJSON(t *testing.T, args ...string) (doctorReport, result) {
	t.Helper()
	r := run(t, append(args, "doctor", "-o", "json")...)
	var rep doctorReport
	if err := json.Unmarshal([]byte(r.out), &rep); err != nil {
		t.Fatalf("doctor -o json: %v\n%s\nstderr %s", err, r.out, r.errOut)
	}
	return rep, r
}

func check(rep doctorReport, group string) (status, detail string) {
	for _, c := range rep.Checks {
		if c.Group == group {
			return c.Status, c.Detail
		}
	}
	return "", ""
}

func TestDoctorAllGood(t *testing.T) {
	bs, llm := doctorEnv(t, "right-token", false)
	rep, r := doctorJSON(t)
	if r.code != 0 || !rep.OK {
		t.Fatalf("exit %d, report %+v", r.code, rep)
	}
	for group, want := range map[string]string{
		"config":    "app-config.yaml",
		"backstage": "token accepted, 1 entities",
		"model":     "GET /models: 2 models",
		"mcp":       "handshake ok, 4 tools",
	} {
		if st, d := check(rep, group); st != "ok" || !strings.Contains(d, want) {
			t.Errorf("%s: %s %q, want ok and %q", group, st, d, want)
		}
	}
	n := 0
	for _, c := range rep.Checks {
		if c.Group == "incident" && c.Status == "ok" {
			n++
		}
	}
	if n != 2 {
		t.Errorf("incident checks ok = %d, want 2 (prometheus, loki): %+v", n, rep.Checks)
	}
	var audit string
	for _, p := range rep.Paths {
		if p.Name == "incident audit log" {
			audit = p.Path
		}
	}
	if audit != "/state-home/bsai/incident-audit.jsonl" {
		t.Errorf("audit log path = %q", audit)
	}
	if got := len(bs.Requests()); got != 1 {
		t.Errorf("backstage got %d requests, want one", got)
	}
	if last := llm.Last(); !strings.HasSuffix(last.Path, "/models") {
		t.Errorf("model check sent %s", last.Path)
	}
	// Text output: one line per check, summary last.
	r = run(t, "doctor")
	if r.code != 0 || !strings.Contains(r.out, "✓ fake: stdio") || !strings.HasSuffix(r.out, "no problems found\n") {
		t.Errorf("text: exit %d\n%s", r.code, r.out)
	}
}

func TestDoctorBrokenExits1(t *testing.T) {
	doctorEnv(t, "wrong-token", true)
	rep, r := doctorJSON(t)
	if r.code != 1 || rep.OK || rep.Problems != 2 {
		t.Fatalf("exit %d, problems %d, want 1 and 2: %+v", r.code, rep.Problems, rep.Checks)
	}
	if st, d := check(rep, "backstage"); st != "fail" || !strings.Contains(d, "token rejected (http 401)") {
		t.Errorf("backstage: %s %q", st, d)
	}
	if strings.Contains(r.out, "wrong-token") {
		t.Error("token in output")
	}
	failed := ""
	for _, c := range rep.Checks {
		if c.Group == "mcp" && c.Status == "fail" {
			failed += c.Name
		}
	}
	if failed != "gone" {
		t.Errorf("failed mcp servers = %q, want gone", failed)
	}
	r = run(t, "doctor")
	if r.code != 1 || !strings.Contains(r.out, "✗ gone") || !strings.HasSuffix(r.out, "2 problems found\n") {
		t.Errorf("text: exit %d\n%s", r.code, r.out)
	}
}

// A server without GET /models is checked with a one-token completion.
func TestDoctorModelWithoutModelsEndpoint(t *testing.T) {
	_, llm := doctorEnv(t, "right-token", false)
	llm.ScriptModels = true
	llm.Add(llmtest.Error(404, "no such route"), llmtest.Text("OK"))
	rep, r := doctorJSON(t)
	if st, d := check(rep, "model"); r.code != 0 || st != "ok" || !strings.Contains(d, "one-token completion") {
		t.Errorf("exit %d, model check %s %q", r.code, st, d)
	}
	if last := llm.Last(); last.MaxTokens != 1 {
		t.Errorf("completion asked for %d tokens, want 1", last.MaxTokens)
	}
}
