package mcp_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/mark3labs/mcp-go/client"
	"github.com/mark3labs/mcp-go/client/transport"
	"github.com/mark3labs/mcp-go/mcp"

	"github.com/bsai-dev/bsai/cmd/factory"
	"github.com/bsai-dev/bsai/cmd/factory/factorytest"
	"github.com/bsai-dev/bsai/cmd/root"
	"github.com/bsai-dev/bsai/pkg/llm/llmtest"
	"github.com/bsai-dev/bsai/pkg/retrieval/retrievaltest"
)

// served is `bsai <globals> mcp serve` run through the real command tree
// (real factory, config loading, files catalog) on stdio pipes, driven by
// mcp-go's client exactly as Claude Code would drive it.
type served struct {
	c       *client.Client
	f       *factory.Factory
	errOut  fmt.Stringer
	stopped chan error
	closeIn func()
}

func serve(t *testing.T, globals ...string) *served {
	t.Helper()
	factorytest.Isolate(t)
	f, _, _, errOut := factorytest.New()
	cin, sout := io.Pipe() // server stdout -> client
	sin, cout := io.Pipe() // client -> server stdin
	f.IOStreams.In, f.IOStreams.Out = sin, sout
	cmd := root.NewCmdRoot(f)
	cmd.SetArgs(append(globals, "mcp", "serve"))
	cmd.SetOut(io.Discard)
	cmd.SetErr(errOut)
	s := &served{f: f, errOut: errOut, stopped: make(chan error, 1)}
	go func() {
		err := cmd.ExecuteContext(context.Background())
		_ = sout.Close()
		s.stopped <- err
	}()
	s.c = client.NewClient(transport.NewIO(cin, cout, io.NopCloser(strings.NewReader(""))))
	s.closeIn = func() { _ = cout.Close() }
	ctx := context.Background()
	if err := s.c.Start(ctx); err != nil {
		t.Fatal(err)
	}
	init := mcp.InitializeRequest{}
	init.Params.ProtocolVersion = mcp.LATEST_PROTOCOL_VERSION
	init.Params.ClientInfo = mcp.Implementation{Name: "t", Version: "1"}
	if _, err := s.c.Initialize(ctx, init); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		// End of stdin ends the server, as when an editor closes it.
		s.closeIn()
		select {
		case err := <-s.stopped:
			if err != nil {
				t.Errorf("serve returned %v; stderr: %s", err, s.errOut)
			}
		case <-time.After(10 * time.Second):
			t.Error("serve did not stop at the end of stdin")
		}
		_ = f.Close()
	})
	return s
}

func (s *served) call(t *testing.T, tool string, args map[string]any) *mcp.CallToolResult {
	t.Helper()
	req := mcp.CallToolRequest{}
	req.Params.Name = tool
	req.Params.Arguments = args
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	res, err := s.c.CallTool(ctx, req)
	if err != nil {
		t.Fatalf("%s: protocol error %v (bad input must be a tool error)", tool, err)
	}
	return res
}

func text(res *mcp.CallToolResult) string {
	var b strings.Builder
	for _, c := range res.Content {
		if tc, ok := c.(mcp.TextContent); ok {
			b.WriteString(tc.Text)
			b.WriteString("\n")
		}
	}
	return b.String()
}

// structured checks structuredContent is an object equal to the JSON in
// the first text block (the documented -o json of the command), and
// decodes it into v.
func structured(t *testing.T, res *mcp.CallToolResult, v any) {
	t.Helper()
	if res.IsError {
		t.Fatalf("tool error: %s", text(res))
	}
	sc, ok := res.StructuredContent.(map[string]any)
	if !ok {
		t.Fatalf("structuredContent is %T", res.StructuredContent)
	}
	first, _ := res.Content[0].(mcp.TextContent)
	var fromText map[string]any
	if err := json.Unmarshal([]byte(first.Text), &fromText); err != nil {
		t.Fatalf("text content is not the JSON result: %v\n%s", err, first.Text)
	}
	a, _ := json.Marshal(sc)
	b, _ := json.Marshal(fromText)
	if string(a) != string(b) {
		t.Fatalf("structuredContent differs from the text JSON:\n%s\n%s", a, b)
	}
	if err := json.Unmarshal(a, v); err != nil {
		t.Fatal(err)
	}
}

func exampleConfig(t *testing.T) string {
	return filepath.Join(retrievaltest.RepoRoot(t), "examples", "app-config.yaml")
}

func TestServeListsAllToolsWithSchemas(t *testing.T) {
	s := serve(t, "-c", exampleConfig(t), "--offline")
	res, err := s.c.ListTools(context.Background(), mcp.ListToolsRequest{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{
		"catalog_search":       {"query"},
		"catalog_get":          {"ref"},
		"template_validate":    {"template"},
		"template_generate":    {"description"},
		"ask":                  {"question"},
		"incident_investigate": nil, // service or alert, checked by the tool
	}
	var names []string
	for _, tool := range res.Tools {
		names = append(names, tool.Name)
		req, ok := want[tool.Name]
		if !ok {
			t.Errorf("unexpected tool %s", tool.Name)
			continue
		}
		if tool.InputSchema.Type != "object" || len(tool.InputSchema.Properties) == 0 || tool.Description == "" {
			t.Errorf("%s: no usable schema/description: %+v", tool.Name, tool.InputSchema)
		}
		if !slices.Equal(tool.InputSchema.Required, req) {
			t.Errorf("%s: required %v, want %v", tool.Name, tool.InputSchema.Required, req)
		}
		if ro := tool.Annotations.ReadOnlyHint; ro == nil || !*ro {
			t.Errorf("%s is not marked read-only", tool.Name)
		}
	}
	if len(names) != len(want) {
		t.Fatalf("tools %v, want %d", names, len(want))
	}
	for _, tool := range res.Tools {
		if tool.Name == "incident_investigate" && !strings.Contains(tool.Description, "no action") {
			t.Errorf("incident_investigate must say it never executes actions: %s", tool.Description)
		}
	}
}

func TestServeAskOffline(t *testing.T) {
	s := serve(t, "-c", exampleConfig(t), "--offline")
	var ans struct {
		Question  string
		Answer    string
		Citations []string
		Retrieved []struct{ Ref, Via string }
		Mode      string
	}
	structured(t, s.call(t, "ask", map[string]any{"question": "Who owns the payments API?", "topK": 3}), &ans)
	ranked := 0 // entities reached through a relation (via) follow the top-k
	for _, r := range ans.Retrieved {
		if r.Via == "" {
			ranked++
		}
	}
	if ans.Mode != "offline" || ans.Answer == "" || len(ans.Citations) == 0 || ranked == 0 || ranked > 3 {
		t.Fatalf("answer: %+v", ans)
	}
	g, err := s.f.Catalog(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, ref := range ans.Citations {
		if _, ok := g.Get(ref); !ok {
			t.Errorf("cited %s, which is not in the catalog", ref)
		}
	}
	// The kind filter reaches retrieval.
	var groups struct{ Retrieved []struct{ Ref, Via string } }
	structured(t, s.call(t, "ask", map[string]any{"question": "Who owns the payments API?", "kind": "group"}), &groups)
	for _, r := range groups.Retrieved {
		if r.Via == "" && !strings.HasPrefix(r.Ref, "group:") {
			t.Errorf("kind group retrieved %s", r.Ref)
		}
	}
}

func TestServeTemplateGenerateOffline(t *testing.T) {
	s := serve(t, "-c", exampleConfig(t), "--offline")
	// Nothing may be written, wherever the server runs.
	t.Chdir(t.TempDir())
	var res struct {
		YAML      string
		Valid     bool
		Mode      string
		Errors    []any
		Warnings  []any
		Citations struct{ ReferenceTemplates []string }
	}
	structured(t, s.call(t, "template_generate", map[string]any{
		"description": "Go service with a Postgres database", "owner": "group:default/payments-team"}), &res)
	if !res.Valid || res.Mode != "offline" || len(res.Errors) != 0 || !strings.Contains(res.YAML, "kind: Template") ||
		!slices.Contains(res.Citations.ReferenceTemplates, "template:default/acme-go-service") ||
		!strings.Contains(res.YAML, "group:default/payments-team") || len(res.Citations.ReferenceTemplates) == 0 {
		t.Fatalf("generate: %+v", res)
	}
	// The generated YAML passes the validate tool too.
	v := s.call(t, "template_validate", map[string]any{"template": res.YAML})
	if sc, _ := v.StructuredContent.(map[string]any); v.IsError || sc["valid"] != true {
		t.Fatalf("generated template does not validate:\n%s", res.YAML)
	}
	if ents, _ := os.ReadDir("."); len(ents) != 0 {
		t.Fatalf("template_generate wrote files: %v", ents)
	}
	// An explicit reference is used.
	structured(t, s.call(t, "template_generate", map[string]any{
		"description": "roll back a release", "refs": []any{"template:default/acme-rollback-release"}}), &res)
	if !res.Valid || !slices.Contains(res.Citations.ReferenceTemplates, "template:default/acme-rollback-release") {
		t.Fatalf("with refs: %+v", res)
	}
}

// The bad-deploy scenario, with every action's URL pointed at a local
// server and every action on the agent allowlist: the investigation must
// rank the deploy first and still execute nothing.
func TestServeIncidentInvestigateIsReadOnly(t *testing.T) {
	var hits atomic.Int32
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer hook.Close()
	dir := filepath.Join(retrievaltest.RepoRoot(t), "examples", "incidents", "bad-deploy")
	override := filepath.Join(t.TempDir(), "override.yaml")
	if err := os.WriteFile(override, []byte(fmt.Sprintf(`bsai:
  incident:
    actions:
      notify-channel:
        url: %[1]s/notify
      page-owner:
        url: %[1]s/page
    agent:
      allow: [notify-channel, page-owner, rollback]
      maxActions: 5
`, hook.URL)), 0o600); err != nil {
		t.Fatal(err)
	}
	s := serve(t, "-c", filepath.Join(dir, "app-config.yaml"), "-c", override, "--offline")
	b, err := os.ReadFile(filepath.Join(dir, "alert.json"))
	if err != nil {
		t.Fatal(err)
	}
	var alert map[string]any
	if err := json.Unmarshal(b, &alert); err != nil {
		t.Fatal(err)
	}
	var rep struct {
		Summary string
		Causes  []json.RawMessage
		Plan    []struct {
			Action            string
			NeedsConfirmation bool
		}
		Actions []struct{ Action, Status string }
	}
	structured(t, s.call(t, "incident_investigate", map[string]any{"alert": alert}), &rep)
	if len(rep.Causes) == 0 || !strings.Contains(string(rep.Causes[0]), "v2.14.0") {
		t.Fatalf("top cause should be the v2.14.0 deploy: %s", rep.Causes)
	}
	if len(rep.Plan) == 0 {
		t.Fatal("no actions proposed")
	}
	for _, a := range rep.Actions {
		if a.Status != "skipped" {
			t.Errorf("action %s: status %s, want skipped", a.Action, a.Status)
		}
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("an action reached its endpoint %d time(s)", n)
	}
	if _, err := os.Stat(filepath.Join(os.Getenv("XDG_STATE_HOME"), "bsai", "incident-audit.jsonl")); err == nil {
		t.Error("an action decision was audited, so something was decided beyond proposing")
	}

	// A service and a window work without an alert.
	structured(t, s.call(t, "incident_investigate", map[string]any{
		"service": "payments-api", "since": "2h", "at": "2026-03-14T10:40:00Z"}), &rep)
	if rep.Summary == "" {
		t.Fatalf("service investigation: %+v", rep)
	}
	if n := hits.Load(); n != 0 {
		t.Fatalf("an action reached its endpoint %d time(s)", n)
	}
}

func TestServeBadInputIsToolError(t *testing.T) {
	s := serve(t, "-c", exampleConfig(t), "--offline")
	for _, tc := range []struct {
		tool string
		args map[string]any
		want string
	}{
		{"ask", map[string]any{}, `missing required argument "question"`},
		{"ask", map[string]any{"question": "  "}, "must not be empty"},
		{"ask", map[string]any{"question": "who owns payments?", "topK": "five"}, `"topK" must be an integer`},
		{"ask", map[string]any{"question": "who owns payments?", "topK": 0}, "between 1 and 100"},
		{"ask", map[string]any{"question": "who owns payments?", "kind": "spaceship"}, "no entities of that kind"},
		{"ask", map[string]any{"qestion": "who owns payments?"}, `unknown argument "qestion"`},
		{"template_generate", map[string]any{"description": "x", "refs": "template:default/go-service"}, "array of strings"},
		{"template_generate", map[string]any{"description": "x", "refs": []any{"template:default/nope"}}, "not found"},
		{"template_generate", map[string]any{"description": " "}, "empty description"},
		{"incident_investigate", map[string]any{}, "nothing to investigate"},
		{"incident_investigate", map[string]any{"service": "payments-api", "since": "two hours"}, "invalid since"},
		{"incident_investigate", map[string]any{"service": "payments-api", "at": "yesterday"}, "invalid --at"},
		{"incident_investigate", map[string]any{"alert": []any{1}}, "must be a JSON object"},
		{"incident_investigate", map[string]any{"alert": map[string]any{"hello": 1}}, "invalid alert"},
		{"incident_investigate", map[string]any{"service": "no-such-thing"}, "not in the catalog"},
	} {
		res := s.call(t, tc.tool, tc.args)
		if !res.IsError || !strings.Contains(text(res), tc.want) {
			t.Errorf("%s %v: isError=%v %q, want %q", tc.tool, tc.args, res.IsError, text(res), tc.want)
		}
	}
}

// ask uses the factory's provider like `bsai ask` does (here with
// bsai.ask.agent: false for one deterministic request), and --offline wins
// over a configured model.
func TestServeAskUsesConfiguredModel(t *testing.T) {
	srv := llmtest.New(t,
		llmtest.Reply{}, // embed the catalog
		llmtest.Reply{}, // embed the question
		llmtest.Stream("The `group:default/payments-team` ", "owns `api:default/payments-api`."))
	catalogFile := filepath.Join(retrievaltest.RepoRoot(t), "examples", "catalog", "catalog-info.yaml")
	cfg := filepath.Join(t.TempDir(), "app-config.yaml")
	if err := os.WriteFile(cfg, []byte(fmt.Sprintf(`bsai:
  catalog:
    source: files
    files: [%q]
  ask:
    agent: false
%s`, catalogFile, srv.AIConfig(llmtest.APIKey, "embeddingModel: "+llmtest.EmbeddingModel))), 0o600); err != nil {
		t.Fatal(err)
	}
	s := serve(t, "-c", cfg)
	res := s.call(t, "ask", map[string]any{"question": "Who owns the payments API?"})
	var ans struct {
		Mode      string
		Citations []string
	}
	structured(t, res, &ans)
	if ans.Mode != "llm" || !slices.Equal(ans.Citations, []string{"group:default/payments-team", "api:default/payments-api"}) {
		t.Fatalf("answer: %s", text(res))
	}
	if reqs := srv.Requests(); len(reqs) != 3 || reqs[2].Model != "test-model" {
		t.Fatalf("%d model requests", len(reqs))
	}
	if strings.Contains(text(res), llmtest.APIKey) {
		t.Fatal("api key in the tool result")
	}

	off := serve(t, "-c", cfg, "--offline")
	structured(t, off.call(t, "ask", map[string]any{"question": "Who owns the payments API?"}), &ans)
	if ans.Mode != "offline" || len(srv.Requests()) != 3 {
		t.Fatalf("--offline: mode %s, %d model requests", ans.Mode, len(srv.Requests()))
	}
}

// Editors call tools concurrently; the tools share the factory's catalog
// and index, so concurrent calls must give the same answers as serial ones
// (run with -race).
func TestServeConcurrentCalls(t *testing.T) {
	s := serve(t, "-c", exampleConfig(t), "--offline")
	calls := []struct {
		tool string
		args map[string]any
	}{
		{"ask", map[string]any{"question": "Who owns the payments API?"}},
		{"ask", map[string]any{"question": "What depends on the ledger database?"}},
		{"catalog_search", map[string]any{"query": "ledger"}},
		{"catalog_get", map[string]any{"ref": "api:default/payments-api"}},
		{"template_generate", map[string]any{"description": "Node service"}},
		{"template_generate", map[string]any{"description": "docs site for a team"}},
	}
	serial := make([]string, len(calls))
	for i, c := range calls {
		res := s.call(t, c.tool, c.args)
		if res.IsError {
			t.Fatalf("%s: %s", c.tool, text(res))
		}
		serial[i] = text(res)
	}
	got := make([]string, len(calls))
	done := make(chan int)
	for i, c := range calls {
		go func() {
			req := mcp.CallToolRequest{}
			req.Params.Name, req.Params.Arguments = c.tool, c.args
			if res, err := s.c.CallTool(context.Background(), req); err == nil {
				got[i] = text(res)
			}
			done <- i
		}()
	}
	for range calls {
		<-done
	}
	for i := range calls {
		if got[i] != serial[i] {
			t.Errorf("%s %v: concurrent result differs:\n%s\nserial:\n%s", calls[i].tool, calls[i].args, got[i], serial[i])
		}
	}
}
